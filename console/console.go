// Package console is the staff web console: server-rendered pages (html/template, embedded
// assets, a little vanilla JavaScript) for reviewers, coordinators, unit staff, committees,
// leaders and admins. Handlers decode the form, call one domain service with the signed-in
// actor, and render or redirect; the domain decides what the actor may see and do.
package console

import (
	"context"
	"embed"
	"io"
	"log/slog"
	"time"

	"jianyi/internal/analysis"
	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/internal/export"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Documents stores signed reply PDFs (storage/objects implements it through a small adapter
// in cmd/jianyi).
type Documents interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
}

// Inviter issues mini-program invite codes for deputies (internal/account).
type Inviter interface {
	IssueInvite(ctx context.Context, actor auth.Actor, deputyID int64) (string, time.Time, error)
}

// Config is everything the console is built from. Templates, Inbox, Invites and Photos are
// optional: their pages say so when they are missing.
type Config struct {
	Sessions    *auth.Sessions
	Suggestions *suggestion.Service
	Directory   *directory.Service
	Stats       *stats.Service
	Supervise   *supervise.Service
	Export      *export.Service
	Templates   *notify.Templates
	Inbox       *notify.Inbox
	Invites     Inviter
	Documents   Documents
	Log         *slog.Logger
	Now         func() time.Time
	// MaxPDFBytes bounds a signed reply upload (default 20 MiB).
	MaxPDFBytes int64
	// Photos is photo intake, for the reviewers' queue of photos WeChat's image check
	// flagged (/review/flagged). nil: the page lists only flagged suggestions.
	Photos *media.Service
	// LoginLimiter counts sign-in attempts per client IP (cmd/jianyi: Redis), so that one
	// address cannot fill the password checker and shut every staff member out. nil: no
	// per-IP limit. LoginPerIP attempts per LoginWindow (0: DefaultLoginPerIP a minute).
	LoginLimiter AttemptLimiter
	LoginPerIP   int
	LoginWindow  time.Duration
	// Analysis is 建议集中分析 and 调研报告 (/analysis). nil: those pages say they are not
	// enabled.
	Analysis *analysis.Service
}
