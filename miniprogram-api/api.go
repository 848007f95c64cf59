// Package mpapi is the deputies' JSON API behind the WeChat mini-program: login and
// binding, suggestions (drafts, submit, follow, co-sign, confirm contacts, rate), 随手拍 snaps
// and photos, the notice inbox and subscribe-message authorizations. Handlers decode,
// validate, call one service and respond; errors.go maps domain errors to HTTP.
package mpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
)

// WeChat is what the API calls on WeChat (*wechat.Client).
type WeChat interface {
	Code2Session(ctx context.Context, code string) (wechat.Session, error)
	PhoneNumber(ctx context.Context, code string) (string, error)
	MsgCheck(ctx context.Context, openid, content string, scene int) (suggest string, label int, err error)
}

// Idempotency stores Idempotency-Key results (storage/postgres.MPIdempotency). Reserve
// answers "new", "replay" (with the stored status and body), "mismatch" or "in_progress";
// Lookup answers the same without taking the key, for changes that store their own answer.
type Idempotency interface {
	Reserve(ctx context.Context, tenantID int64, actor, key, hash string) (state string, status int, body []byte, err error)
	Lookup(ctx context.Context, tenantID int64, actor, key, hash string) (state string, status int, body []byte, err error)
	Complete(ctx context.Context, tenantID int64, actor, key string, status int, body []byte) error
	Release(ctx context.Context, tenantID int64, actor, key string) error
}

// Limiter counts hits per subject in a sliding window (storage/redis.MPLimiter).
type Limiter interface {
	Allow(ctx context.Context, tenantID int64, subject string, limit int, window time.Duration) (bool, time.Duration, error)
}

// Inbox is the notice inbox (notify.Inbox).
type Inbox interface {
	List(ctx context.Context, tenantID int64, recipientKind string, recipientID int64, cursor int64, limit int) ([]notify.Notice, int64, error)
	UnreadCount(ctx context.Context, tenantID int64, recipientKind string, recipientID int64) (int, error)
	MarkRead(ctx context.Context, tenantID int64, recipientKind string, recipientID int64, noticeIDs []int64) error
}

// Credits records subscribe-message authorizations (notify.Credits).
type Credits interface {
	Record(ctx context.Context, tenantID, deputyID int64, templateID string, longTerm bool, accepted bool) error
}

// Push verifies and parses the mini-program message push (*wechat.MPPush).
type Push interface {
	CheckEcho(q url.Values) (string, error)
	Parse(q url.Values, body []byte) (wechat.MPPushEvent, error)
	// NotReplayed claims a verified query with its body: wechat.ErrPushReplay when the query
	// came before with another body, another error when that cannot be told.
	NotReplayed(ctx context.Context, q url.Values, body []byte) error
}

// Limits are the request-rate limits (per window) and body sizes.
type Limits struct {
	Window     time.Duration
	PerIP      int // every request, per client IP
	PerUser    int // every request, per session
	LoginPerIP int // login and bind attempts, per client IP
	JSONBody   int64
}

// DefaultLimits suit one deputy on a phone and a shared office NAT.
var DefaultLimits = Limits{Window: time.Minute, PerIP: 600, PerUser: 120, LoginPerIP: 30, JSONBody: 64 << 10}

// Deps is everything the API needs; cmd/jianyi wires it.
type Deps struct {
	Suggestions *suggestion.Service
	Accounts    *account.Service
	Sessions    *account.Sessions
	Media       *media.Service
	Snaps       *media.Snaps
	WeChat      WeChat
	Idempotency Idempotency
	Limiter     Limiter
	Inbox       Inbox     // nil: inbox endpoints answer 503
	Credits     Credits   // nil: subscription endpoint answers 503
	Push        Push      // nil: the push endpoint answers 404
	Documents   Documents // nil: replies are answered without their signed letters
	Deputies    Deputies  // nil: the deputy search answers 503
	// UncachedLists reads every page of "my suggestions" from the database instead of
	// answering it again while the deputy's list is unchanged (list_cache.go).
	UncachedLists bool
	Log           *slog.Logger
	Limits        Limits
}

// API is the mini-program front door.
type API struct {
	Deps
	log   *slog.Logger
	lists *listCache // nil with UncachedLists
}

// New checks the dependencies and builds the API.
func New(d Deps) (*API, error) {
	if d.Suggestions == nil || d.Accounts == nil || d.Sessions == nil || d.Media == nil || d.Snaps == nil ||
		d.WeChat == nil || d.Idempotency == nil || d.Limiter == nil {
		return nil, errors.New("mpapi: missing dependency")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Limits == (Limits{}) {
		d.Limits = DefaultLimits
	}
	a := &API{Deps: d, log: d.Log.With("component", "miniprogram_api")}
	if !d.UncachedLists {
		a.lists = &listCache{pages: map[listKey]listPage{}}
	}
	return a, nil
}

// Mount registers every route on r under /api/v1.
func (a *API) Mount(r gin.IRouter) error {
	if err := loadSpec(); err != nil {
		return err
	}
	a.routes(r)
	return nil
}

// DraftMaker lets a 随手拍 become a draft through the workflow service (wiring helper).
func DraftMaker(s *suggestion.Service) media.DraftMaker {
	return func(ctx context.Context, a auth.Actor, title, body string, lat, lng *float64, address string) (int64, error) {
		sg, err := s.CreateDraft(ctx, a, suggestion.DraftInput{Title: title, Body: body,
			Location: suggestion.Location{Lat: lat, Lng: lng, Address: address}})
		if err != nil {
			return 0, err
		}
		return sg.ID, nil
	}
}
