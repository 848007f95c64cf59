package notify

import (
	"context"
	"log/slog"
	"time"
)

// Publishing is what a Teller publishes through; Publisher implements it. A key publishes
// once: calling again with the same key creates nothing.
type Publishing interface {
	Publish(ctx context.Context, tenantID, suggestionID int64, key string, specs []NoticeSpec) (int, error)
}

// Teller publishes one notice after the record it is about was saved, for services whose
// records are not workflow changes with an outbox row (问题清单, 约谈, 代表参与活动). The record
// is what the person asked for, so a failed publish is logged, not returned. The zero Teller
// tells nobody.
type Teller struct {
	pub  Publishing
	log  *slog.Logger
	from string // the service, in the log line
}

// NewTeller tells through pub (nil: nobody) and logs failures to log as from.
func NewTeller(pub Publishing, log *slog.Logger, from string) Teller {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return Teller{pub: pub, log: log, from: from}
}

// tellWithin bounds one publish once it no longer follows the request's context.
const tellWithin = 10 * time.Second

// Tell publishes spec under key (suggestionID 0 when the notice is about no suggestion).
// The record is saved by then, so the notice no longer depends on the request: a browser
// that closes the page (cancelling the request's context) right after the save still has
// its notice published.
func (t Teller) Tell(ctx context.Context, tenantID, suggestionID int64, key string, spec NoticeSpec) {
	if t.pub == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tellWithin)
	defer cancel()
	if _, err := t.pub.Publish(ctx, tenantID, suggestionID, key, []NoticeSpec{spec}); err != nil {
		t.log.Error("notice not published", "service", t.from, "tenant_id", tenantID, "notice_kind", spec.Kind, "key", key, "err", err)
	}
}
