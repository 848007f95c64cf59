package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"jianyi/internal/wechat"
)

// Target is where a recipient can be reached on WeChat.
type Target struct {
	MPOpenID    string // deputies.mp_openid
	OAOpenID    string // deputies.oa_openid or users.oa_openid
	OAFollowing bool   // deputies.oa_following (staff: true when bound)
}

// DeliveryTx is what the delivery handler needs inside one transaction.
type DeliveryTx interface {
	// LockDelivery locks the delivery row (FOR UPDATE) and reads its notice; ErrNotFound.
	LockDelivery(ctx context.Context, tenantID, id int64) (Delivery, Notice, error)
	Target(ctx context.Context, tenantID int64, r Recipient) (Target, error)
	Templates(ctx context.Context, tenantID int64) (TemplateSet, error)
	Settings(ctx context.Context, tenantID int64) (Settings, error)
	Credit(ctx context.Context, tenantID, deputyID int64, templateID string) (oneTime int, longTerm bool, err error)
	// DigestBatch locks (SKIP LOCKED) other pending deliveries of d's recipient on d's channel
	// that are due by upTo, oldest first.
	DigestBatch(ctx context.Context, d Delivery, upTo time.Time, limit int) ([]Delivery, error)
	// SetStatus updates the rows: status, WeChat code, reason, sent_at/claimed_at, attempts+1 when
	// claiming, digest_of.
	SetStatus(ctx context.Context, tenantID int64, ids []int64, u StatusUpdate) error
	// SkipOthers marks the other pending push deliveries of these notices skipped.
	SkipOthers(ctx context.Context, tenantID int64, noticeIDs []int64, reason string) error
	// NextPending returns the lowest-seq pending push delivery of each notice.
	NextPending(ctx context.Context, tenantID int64, noticeIDs []int64) ([]Delivery, error)
	UseCredit(ctx context.Context, tenantID, deputyID int64, templateID string) error
	ClearCredit(ctx context.Context, tenantID, deputyID int64, templateID string) error
	ClearFollowing(ctx context.Context, tenantID, deputyID int64) error
}

// StatusUpdate is one change of delivery rows.
type StatusUpdate struct {
	Status    string
	Code      int
	Reason    string
	At        time.Time
	Claim     bool      // status sending: set claimed_at = At, attempts + 1
	SendAfter time.Time // when going back to pending
	DigestOf  int64
	Count     int // digest_count of the leading row
}

// DeliveryStore runs delivery transactions and the reconciler's queries.
type DeliveryStore interface {
	DeliveryTx(ctx context.Context, fn func(tx DeliveryTx) error) error
	// Runnable lists, oldest first, the first pending push delivery of notices whose earlier
	// channels are finished, due before until and untouched since quietSince.
	Runnable(ctx context.Context, quietSince, until time.Time, limit int) ([]Job, error)
	// ExpireClaims marks deliveries stuck in sending since before olderThan unknown (their
	// worker died mid-send), skipping the notices' other channels. It returns how many.
	ExpireClaims(ctx context.Context, olderThan time.Time) (int, error)
}

// Message is one WeChat push.
type Message struct {
	Channel    string
	OpenID     string
	TemplateID string
	Page       string
	Fields     map[string]string
	Title      string // for official-account templates
	Body       string
}

// Sender sends pushes; WeChatSender is the real one.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Pauser pauses a channel of a tenant after a quota error (a Redis key with a TTL).
type Pauser interface {
	Pause(ctx context.Context, tenantID int64, channel string, d time.Duration) error
	Paused(ctx context.Context, tenantID int64, channel string) (time.Duration, error)
}

// RetryError asks the queue to run the task again at At instead of its backoff.
type RetryError struct {
	At     time.Time
	Reason string
}

func (e *RetryError) Error() string { return "retry at " + e.At.Format(time.RFC3339) + ": " + e.Reason }

// ErrBusy: another worker holds the delivery's claim; try later.
var ErrBusy = errors.New("notify: delivery is being sent by another worker")

// Deliverer is the delivery task handler.
type Deliverer struct {
	store  DeliveryStore
	queue  Queue
	sender Sender
	pause  Pauser
	clock  Clock
	log    *slog.Logger

	MaxAttempts  int           // sends that failed for transient reasons before giving up on a channel
	SendTimeout  time.Duration // per WeChat call
	Lease        time.Duration // a claim older than this belongs to a dead worker
	QuotaPause   time.Duration // pause after 45009
	DigestLimit  int           // notices folded into one digest push
	MiniAppID    string        // for official-account templates that open the mini-program
	ConsoleURL   string        // base URL of the console, for staff template links
	MPState      string        // subscribe-message miniprogram_state (developer, trial, formal)
	onSendResult func(d Delivery, err error)
}

// NewDeliverer builds the handler with production defaults.
func NewDeliverer(store DeliveryStore, queue Queue, sender Sender, pause Pauser, clock Clock, log *slog.Logger) *Deliverer {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{store: store, queue: queue, sender: sender, pause: pause, clock: clock,
		log: log.With("component", "notify_delivery"), MaxAttempts: 8, SendTimeout: wechat.DefaultTimeout,
		Lease: 2*wechat.DefaultTimeout + 20*time.Second, QuotaPause: 30 * time.Minute, DigestLimit: 50}
}

type plan struct {
	lead      Delivery
	batch     []Delivery
	notice    Notice
	msg       Message
	creditTpl string // one-time credit to consume on success ("" for long-term or none)
}

func (p *plan) ids() []int64 {
	ids := []int64{p.lead.ID}
	for _, b := range p.batch {
		ids = append(ids, b.ID)
	}
	return ids
}

func (p *plan) noticeIDs() []int64 {
	ids := []int64{p.lead.NoticeID}
	for _, b := range p.batch {
		ids = append(ids, b.NoticeID)
	}
	return ids
}

// Deliver runs one delivery task. Exactly-once: the row is claimed (pending → sending) under
// its row lock before the send and finished after it, so a duplicate or retried task finds it
// sending or done and sends nothing. nil means done (or nothing to do); *RetryError and other
// errors ask the queue to retry.
func (d *Deliverer) Deliver(ctx context.Context, tenantID, deliveryID int64) error {
	now := d.clock.Now()
	var (
		p    *plan
		next []Job
	)
	err := d.store.DeliveryTx(ctx, func(tx DeliveryTx) error {
		p, next = nil, nil
		dl, n, err := tx.LockDelivery(ctx, tenantID, deliveryID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		switch dl.Status {
		case StatusPending:
		case StatusSending:
			if dl.ClaimedAt != nil && now.Sub(*dl.ClaimedAt) < d.Lease {
				return ErrBusy
			}
			// The claiming worker died mid-send: the outcome is unknown; never resend.
			if err := tx.SetStatus(ctx, tenantID, []int64{dl.ID}, StatusUpdate{Status: StatusUnknown, Code: -1, Reason: "worker_lost", At: now}); err != nil {
				return err
			}
			return tx.SkipOthers(ctx, tenantID, []int64{dl.NoticeID}, "outcome_unknown")
		default:
			return nil // sent, failed, skipped, unknown: done
		}
		if dl.SendAfter.After(now) {
			return &RetryError{At: dl.SendAfter, Reason: "not due"}
		}
		if d.pause != nil {
			if left, err := d.pause.Paused(ctx, tenantID, dl.Channel); err == nil && left > 0 {
				return &RetryError{At: now.Add(left), Reason: "channel paused"}
			}
		}
		set, err := tx.Settings(ctx, tenantID)
		if err != nil {
			return err
		}
		if t := set.AfterQuiet(now); t.After(now) {
			return &RetryError{At: t, Reason: "quiet hours"}
		}
		tpls, err := tx.Templates(ctx, tenantID)
		if err != nil {
			return err
		}
		target, err := tx.Target(ctx, tenantID, Recipient{dl.RecipientKind, dl.RecipientID})
		if err != nil {
			return err
		}
		var batch []Delivery
		if set.DigestWindow > 0 && d.DigestLimit > 1 {
			batch, err = tx.DigestBatch(ctx, dl, now, d.DigestLimit-1)
			if err != nil {
				return err
			}
		}
		pl, skip, err := d.prepare(ctx, tx, dl, n, batch, target, tpls, now)
		if err != nil {
			return err
		}
		if skip != "" {
			if err := tx.SetStatus(ctx, tenantID, []int64{dl.ID}, StatusUpdate{Status: StatusSkipped, Reason: skip, At: now}); err != nil {
				return err
			}
			next, err = d.nextJobs(ctx, tx, tenantID, []int64{dl.NoticeID}, now)
			return err
		}
		if err := tx.SetStatus(ctx, tenantID, pl.ids(), StatusUpdate{Status: StatusSending, Claim: true, At: now}); err != nil {
			return err
		}
		p = pl
		return nil
	})
	if err != nil {
		return err
	}
	enqueueAll(ctx, d.queue, d.log, next)
	if p == nil {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, d.SendTimeout)
	sendErr := d.sender.Send(sctx, p.msg)
	cancel()
	if d.onSendResult != nil {
		d.onSendResult(p.lead, sendErr)
	}
	return d.finish(ctx, p, sendErr)
}

// prepare decides whether the channel can carry the notice and builds the message; a
// non-empty skip is the reason it cannot.
func (d *Deliverer) prepare(ctx context.Context, tx DeliveryTx, dl Delivery, n Notice, batch []Delivery, t Target, tpls TemplateSet, now time.Time) (*plan, string, error) {
	kind := n.Kind
	p := &plan{lead: dl, notice: n}
	if len(batch) > 0 {
		kind = KindDigest
	}
	tpl := tpls.For(kind, dl.Channel)
	if tpl == "" && kind == KindDigest {
		// No digest template: send the leading notice alone; the others follow on their own.
		kind, batch = n.Kind, nil
		tpl = tpls.For(kind, dl.Channel)
	}
	p.batch = batch
	m := Message{Channel: dl.Channel, TemplateID: tpl, Page: withNotice(n.Page, n.ID), Fields: n.Fields, Title: n.Title, Body: n.Body}
	if len(batch) > 0 {
		total := len(batch) + 1
		m.Page = PageInbox
		m.Title = fmt.Sprintf("您有%d条新通知", total)
		m.Body = "最新：" + n.Title
		m.Fields = fields(fmt.Sprintf("您有%d条新通知", total), "待查看", n.Title, now)
		if dl.RecipientKind == RecipientUser {
			m.Page = "/console/notices"
		}
	}
	switch dl.Channel {
	case ChannelMPSubscribe:
		if t.MPOpenID == "" {
			return nil, "not_bound", nil
		}
		if tpl == "" {
			return nil, "no_template", nil
		}
		one, long, err := tx.Credit(ctx, dl.TenantID, dl.RecipientID, tpl)
		if err != nil {
			return nil, "", err
		}
		if !long && one <= 0 {
			return nil, "no_credit", nil
		}
		if !long {
			p.creditTpl = tpl
		}
		m.OpenID = t.MPOpenID
	case ChannelOATemplate, ChannelOAStaff:
		if t.OAOpenID == "" {
			return nil, "not_bound", nil
		}
		if !t.OAFollowing {
			return nil, "not_following", nil
		}
		if tpl == "" {
			return nil, "no_template", nil
		}
		m.OpenID = t.OAOpenID
	default:
		return nil, "unknown_channel", nil
	}
	// 47003 must never happen: check the fields before claiming.
	if dl.Channel == ChannelMPSubscribe {
		if err := wechat.ValidateSubscribeData(m.Fields); err != nil {
			d.log.Error("subscribe fields out of limits (bug in texts)", "notice_kind", kind, "err", err)
			return nil, "field_limit", nil
		}
	}
	p.msg = m
	return p, "", nil
}

func (d *Deliverer) nextJobs(ctx context.Context, tx DeliveryTx, tenantID int64, noticeIDs []int64, now time.Time) ([]Job, error) {
	nx, err := tx.NextPending(ctx, tenantID, noticeIDs)
	if err != nil {
		return nil, err
	}
	jobs := make([]Job, 0, len(nx))
	for _, x := range nx {
		at := x.SendAfter
		if at.Before(now) {
			at = now
		}
		jobs = append(jobs, Job{TenantID: tenantID, DeliveryID: x.ID, At: at})
	}
	return jobs, nil
}

// finish records the send's outcome.
func (d *Deliverer) finish(ctx context.Context, p *plan, sendErr error) error {
	now := d.clock.Now()
	tenantID := p.lead.TenantID
	code := wechat.ErrCode(sendErr)
	var (
		next   []Job
		retErr error
	)
	// The outcome must be recorded even when the task's context is cancelled (shutdown).
	ctx = context.WithoutCancel(ctx)
	err := d.store.DeliveryTx(ctx, func(tx DeliveryTx) error {
		next, retErr = nil, nil
		switch {
		case sendErr == nil:
			if err := tx.SetStatus(ctx, tenantID, []int64{p.lead.ID}, StatusUpdate{Status: StatusSent, At: now, Count: len(p.batch) + 1}); err != nil {
				return err
			}
			if len(p.batch) > 0 {
				if err := tx.SetStatus(ctx, tenantID, p.ids()[1:], StatusUpdate{Status: StatusSent, Reason: "digest", At: now, DigestOf: p.lead.ID}); err != nil {
					return err
				}
			}
			if p.creditTpl != "" {
				if err := tx.UseCredit(ctx, tenantID, p.lead.RecipientID, p.creditTpl); err != nil {
					return err
				}
			}
			return tx.SkipOthers(ctx, tenantID, p.noticeIDs(), "sent_via_"+p.lead.Channel)
		case errors.Is(sendErr, wechat.ErrNoCredit), errors.Is(sendErr, wechat.ErrNotFollowing), errors.Is(sendErr, wechat.ErrFieldLimit):
			if errors.Is(sendErr, wechat.ErrNoCredit) {
				if err := tx.ClearCredit(ctx, tenantID, p.lead.RecipientID, p.msg.TemplateID); err != nil {
					return err
				}
			}
			if errors.Is(sendErr, wechat.ErrNotFollowing) && p.lead.RecipientKind == RecipientDeputy {
				if err := tx.ClearFollowing(ctx, tenantID, p.lead.RecipientID); err != nil {
					return err
				}
			}
			if err := tx.SetStatus(ctx, tenantID, []int64{p.lead.ID}, StatusUpdate{Status: StatusFailed, Code: code, Reason: reasonOf(sendErr), At: now}); err != nil {
				return err
			}
			// The batched notices go back to pending: their own tasks handle them.
			if len(p.batch) > 0 {
				if err := tx.SetStatus(ctx, tenantID, p.ids()[1:], StatusUpdate{Status: StatusPending, SendAfter: now, At: now}); err != nil {
					return err
				}
			}
			var err error
			next, err = d.nextJobs(ctx, tx, tenantID, []int64{p.lead.NoticeID}, now)
			return err
		case errors.Is(sendErr, wechat.ErrQuota):
			if d.pause != nil {
				if err := d.pause.Pause(ctx, tenantID, p.lead.Channel, d.QuotaPause); err != nil {
					d.log.Warn("pause channel failed", "channel", p.lead.Channel, "err", err)
				}
			}
			at := now.Add(d.QuotaPause)
			retErr = &RetryError{At: at, Reason: "quota"}
			return tx.SetStatus(ctx, tenantID, p.ids(), StatusUpdate{Status: StatusPending, Code: code, Reason: "quota", SendAfter: at, At: now})
		default:
			// Unavailable, timeout, busy or unexpected: WeChat did not take it (a timed-out call is
			// treated as not delivered, see docs/notify.md); retry with backoff until MaxAttempts.
			if p.lead.Attempts+1 >= d.MaxAttempts {
				if err := tx.SetStatus(ctx, tenantID, []int64{p.lead.ID}, StatusUpdate{Status: StatusFailed, Code: code, Reason: reasonOf(sendErr), At: now}); err != nil {
					return err
				}
				if len(p.batch) > 0 {
					if err := tx.SetStatus(ctx, tenantID, p.ids()[1:], StatusUpdate{Status: StatusPending, SendAfter: now, At: now}); err != nil {
						return err
					}
				}
				var err error
				next, err = d.nextJobs(ctx, tx, tenantID, []int64{p.lead.NoticeID}, now)
				return err
			}
			retErr = fmt.Errorf("send delivery %d: %w", p.lead.ID, sendErr)
			return tx.SetStatus(ctx, tenantID, p.ids(), StatusUpdate{Status: StatusPending, Code: code, Reason: reasonOf(sendErr), SendAfter: now, At: now})
		}
	})
	if err != nil {
		// The rows stay in sending; once the lease expires they become unknown (never resent).
		return fmt.Errorf("record delivery %d outcome: %w", p.lead.ID, err)
	}
	enqueueAll(ctx, d.queue, d.log, next)
	return retErr
}

// withNotice adds the notice id to a page, so opening the push marks the notice read.
func withNotice(page string, id int64) string {
	sep := "?"
	if strings.Contains(page, "?") {
		sep = "&"
	}
	return page + sep + "nid=" + strconv.FormatInt(id, 10)
}

func reasonOf(err error) string {
	switch {
	case errors.Is(err, wechat.ErrNoCredit):
		return "no_credit"
	case errors.Is(err, wechat.ErrNotFollowing):
		return "not_following"
	case errors.Is(err, wechat.ErrQuota):
		return "quota"
	case errors.Is(err, wechat.ErrFieldLimit):
		return "field_limit"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, wechat.ErrUnavailable):
		return "unavailable"
	}
	return "error_" + strconv.Itoa(wechat.ErrCode(err))
}
