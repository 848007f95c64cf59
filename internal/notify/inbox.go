package notify

import (
	"context"
	"fmt"
	"time"
)

// Inbox is the in-app notice list, the same for every front door (mini-program for
// deputies, console for staff).
type Inbox struct {
	store InboxStore
	clock Clock
}

// NewInbox builds an Inbox; clock may be nil (wall clock).
func NewInbox(store InboxStore, clock Clock) *Inbox {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Inbox{store: store, clock: clock}
}

// Page limits of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// List returns the recipient's notices, newest first, older than cursor (0: from the newest),
// and the cursor of the next page (0 when there is none).
func (b *Inbox) List(ctx context.Context, tenantID int64, recipientKind string, recipientID int64, cursor int64, limit int) ([]Notice, int64, error) {
	if !validRecipient(recipientKind, recipientID) || cursor < 0 {
		return nil, 0, fmt.Errorf("%w: recipient %s/%d cursor %d", ErrInvalid, recipientKind, recipientID, cursor)
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	if limit > MaxPageSize {
		limit = MaxPageSize
	}
	ns, err := b.store.ListNotices(ctx, tenantID, recipientKind, recipientID, cursor, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list notices: %w", err)
	}
	var next int64
	if len(ns) > limit {
		ns = ns[:limit]
		next = ns[limit-1].ID
	}
	return ns, next, nil
}

// UnreadCount is the number of unread notices of the recipient.
func (b *Inbox) UnreadCount(ctx context.Context, tenantID int64, recipientKind string, recipientID int64) (int, error) {
	if !validRecipient(recipientKind, recipientID) {
		return 0, fmt.Errorf("%w: recipient %s/%d", ErrInvalid, recipientKind, recipientID)
	}
	n, err := b.store.UnreadCount(ctx, tenantID, recipientKind, recipientID)
	if err != nil {
		return 0, fmt.Errorf("count unread notices: %w", err)
	}
	return n, nil
}

// MarkRead marks the given notices of the recipient read; an empty list marks all of them.
// Ids that are not the recipient's (or another tenant's) are ignored, never an error.
func (b *Inbox) MarkRead(ctx context.Context, tenantID int64, recipientKind string, recipientID int64, noticeIDs []int64) error {
	if !validRecipient(recipientKind, recipientID) {
		return fmt.Errorf("%w: recipient %s/%d", ErrInvalid, recipientKind, recipientID)
	}
	if len(noticeIDs) > 1000 {
		return fmt.Errorf("%w: at most 1000 notices at once", ErrInvalid)
	}
	if _, err := b.store.MarkRead(ctx, tenantID, recipientKind, recipientID, noticeIDs, b.clock.Now().UTC().Truncate(time.Microsecond)); err != nil {
		return fmt.Errorf("mark notices read: %w", err)
	}
	return nil
}
