// Package notify turns workflow events into notices: the in-app inbox (always), and WeChat
// pushes (mini-program subscribe message, official-account template message, staff on the
// official account) recorded per channel in deliveries. The outbox relay, the delivery
// handler, digests and quiet hours live here; storage lives in storage/postgres (notify_*)
// and the queue in storage/redis (queue*). See docs/notify.md.
package notify

import (
	"context"
	"errors"
	"time"
)

// Recipient kinds: a deputy (deputies.id) or a staff user (users.id).
const (
	RecipientDeputy = "deputy"
	RecipientUser   = "user"
)

// Channels, in the order a deputy's push is tried. In-app is recorded as sent at creation.
const (
	ChannelInApp       = "inapp"
	ChannelMPSubscribe = "mp_subscribe"
	ChannelOATemplate  = "oa_template"
	ChannelOAStaff     = "oa_staff"
)

// Delivery statuses (deliveries.status).
const (
	StatusPending = "pending"
	StatusSending = "sending" // claimed; the send is in flight
	StatusSent    = "sent"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
	StatusUnknown = "unknown" // the worker died mid-send; not resent (see docs/notify.md)
)

// Sentinel errors.
var (
	ErrInvalid  = errors.New("notify: invalid input")
	ErrNotFound = errors.New("notify: not found")
)

// Notice is one row of the inbox.
type Notice struct {
	TenantID      int64             `json:"-"`
	ID            int64             `json:"id"`
	RecipientKind string            `json:"-"`
	RecipientID   int64             `json:"-"`
	Kind          string            `json:"kind"`
	Title         string            `json:"title"`
	Body          string            `json:"body"`
	Page          string            `json:"page"`
	SuggestionID  int64             `json:"suggestion_id,omitempty"`
	Fields        map[string]string `json:"-"` // template fields (see templates.go)
	DeliveryKey   string            `json:"-"`
	CreatedAt     time.Time         `json:"created_at"`
	ReadAt        *time.Time        `json:"read_at,omitempty"`
}

// Clock is the time source; tests inject a fake so nothing sleeps.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// ClockFunc adapts a func to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// InboxStore is what Inbox needs from PostgreSQL.
type InboxStore interface {
	ListNotices(ctx context.Context, tenantID int64, kind string, id int64, before int64, limit int) ([]Notice, error)
	UnreadCount(ctx context.Context, tenantID int64, kind string, id int64) (int, error)
	MarkRead(ctx context.Context, tenantID int64, kind string, id int64, noticeIDs []int64, at time.Time) (int, error)
}

// CreditStore records subscribe-message credits.
type CreditStore interface {
	RecordCredit(ctx context.Context, tenantID, deputyID int64, templateID string, longTerm, accepted bool) error
}

// TemplateStore keeps tenant template ids.
type TemplateStore interface {
	TemplateIDs(ctx context.Context, tenantID int64) ([]TemplateID, error)
	SetTemplateID(ctx context.Context, tenantID int64, t TemplateID) error
}

func validRecipient(kind string, id int64) bool {
	return (kind == RecipientDeputy || kind == RecipientUser) && id > 0
}
