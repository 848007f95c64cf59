package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"jianyi/internal/wechat"
)

// Target is where a recipient can be reached on WeChat.
type Target struct {
	MPOpenID    string // deputies.mp_openid
	OAOpenID    string // deputies.oa_openid or users.oa_openid
	OAFollowing bool   // deputies.oa_following (staff: true when bound)
	Credits     map[string]Credit
}

// Credit is a deputy's subscribe-message credit for one template.
type Credit struct {
	OneTime  int  `json:"one_time"`
	LongTerm bool `json:"long_term"`
}

// Finish records a send's outcome in one statement: the leading row, the digest batch, the
// notices' other channels and the credit used.
type Finish struct {
	Lead        int64
	Status      string // of the leading row
	Code        int
	Reason      string
	SendAfter   time.Time // when Status is pending
	Count       int       // digest_count of the leading row
	Batch       []int64
	BatchStatus string // sent (folded into the lead's digest) or pending (back to their own tasks)
	SkipNotices []int64
	SkipReason  string
	UseCredit   string // one-time credit of this template consumed (deputy = lead's recipient)
	DeputyID    int64
	MsgID       int64 // WeChat msgid of a sent official-account template
	At          time.Time
}

// DeliveryStore is what the delivery handler and the reconciler need. Every write that
// decides who sends is a conditional UPDATE (status = 'pending' → 'sending'), so two workers
// can never both claim a row.
type DeliveryStore interface {
	// Load reads the delivery, its notice and the recipient's WeChat target with credits.
	Load(ctx context.Context, tenantID, id int64) (Delivery, Notice, Target, error)
	Settings(ctx context.Context, tenantID int64) (Settings, error)
	Templates(ctx context.Context, tenantID int64) (TemplateSet, error)
	// Claim moves the pending rows among ids to sending (claimed_at, attempts+1) and
	// returns the ids it moved.
	Claim(ctx context.Context, tenantID int64, ids []int64, at time.Time) ([]int64, error)
	// ClaimLoad claims the delivery in the same statement as Load when it is pending, due by
	// at and not on one of the paused channels; ok=false means it claimed nothing (the
	// delivery is then read with Load). The Delivery it returns carries the attempts made
	// before this claim, as Load would.
	ClaimLoad(ctx context.Context, tenantID, id int64, at time.Time, paused []string) (d Delivery, n Notice, t Target, ok bool, err error)
	// SkipClaimed marks a delivery this worker claimed at claimedAt skipped, as if it had
	// never been claimed (attempts and claimed_at restored), and reports whether it did.
	SkipClaimed(ctx context.Context, tenantID, id int64, reason string, claimedAt, at time.Time) (bool, error)
	// DigestCandidates lists other pending deliveries of d's recipient on d's channel that
	// are due by upTo and are their notice's current channel.
	DigestCandidates(ctx context.Context, d Delivery, upTo time.Time, limit int) ([]Delivery, error)
	// Skip marks the row skipped if still pending and reports whether it did.
	Skip(ctx context.Context, tenantID, id int64, reason string, at time.Time) (bool, error)
	// Abandon marks a row stuck in sending since before olderThan unknown, and its
	// notice's other channels skipped; it reports whether it did.
	Abandon(ctx context.Context, tenantID, id int64, olderThan, at time.Time) (bool, error)
	Finish(ctx context.Context, tenantID int64, f Finish) error
	// NextPending returns the lowest-seq pending push delivery of each notice.
	NextPending(ctx context.Context, tenantID int64, noticeIDs []int64) ([]Delivery, error)
	ClearCredit(ctx context.Context, tenantID, deputyID int64, templateID string) error
	ClearFollowing(ctx context.Context, tenantID, deputyID int64) error
	// RecordTemplateResult stores WeChat's delivery report of an official-account template
	// (by msgid); failedReason, when not empty, marks the delivery failed. Unknown msgids
	// change nothing.
	RecordTemplateResult(ctx context.Context, tenantID, msgID int64, result, failedReason string) error
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

// Sender sends pushes; WeChatSender is the real one. msgID is WeChat's message id when the
// channel returns one (official-account templates), else 0.
type Sender interface {
	Send(ctx context.Context, m Message) (msgID int64, err error)
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

	// CacheFor keeps a tenant's settings and templates this long (edits apply after it).
	CacheFor time.Duration
	mu       sync.Mutex
	cache    map[int64]tenantCache
	pauses   map[pauseKey]pauseState
}

type tenantCache struct {
	at   time.Time
	set  Settings
	tpls TemplateSet
}

// paused asks the Pauser at most once a second per tenant and channel (one Redis round trip
// saved per delivery); a pause set by this process is seen at once.
func (d *Deliverer) paused(ctx context.Context, tenantID int64, channel string, now time.Time) time.Duration {
	if d.pause == nil {
		return 0
	}
	k := pauseKey{tenantID, channel}
	d.mu.Lock()
	c, ok := d.pauses[k]
	d.mu.Unlock()
	if ok && now.Sub(c.checked) < time.Second && now.Sub(c.checked) >= 0 {
		if left := c.until.Sub(now); left > 0 {
			return left
		}
		return 0
	}
	left, err := d.pause.Paused(ctx, tenantID, channel)
	if err != nil {
		return 0
	}
	d.mu.Lock()
	if d.pauses == nil {
		d.pauses = map[pauseKey]pauseState{}
	}
	d.pauses[k] = pauseState{checked: now, until: now.Add(left)}
	d.mu.Unlock()
	return left
}

type pauseKey struct {
	tenantID int64
	channel  string
}

type pauseState struct{ checked, until time.Time }

func (d *Deliverer) tenant(ctx context.Context, tenantID int64, now time.Time) (Settings, TemplateSet, error) {
	d.mu.Lock()
	c, ok := d.cache[tenantID]
	d.mu.Unlock()
	if ok && now.Sub(c.at) < d.CacheFor && now.Sub(c.at) >= 0 {
		return c.set, c.tpls, nil
	}
	set, err := d.store.Settings(ctx, tenantID)
	if err != nil {
		return set, nil, err
	}
	tpls, err := d.store.Templates(ctx, tenantID)
	if err != nil {
		return set, nil, err
	}
	d.mu.Lock()
	if d.cache == nil {
		d.cache = map[int64]tenantCache{}
	}
	d.cache[tenantID] = tenantCache{at: now, set: set, tpls: tpls}
	d.mu.Unlock()
	return set, tpls, nil
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
		Lease: 2*wechat.DefaultTimeout + 20*time.Second, QuotaPause: 30 * time.Minute, DigestLimit: 50,
		CacheFor: 5 * time.Second}
}

type plan struct {
	lead      Delivery
	batch     []Delivery
	notice    Notice
	msg       Message
	creditTpl string // one-time credit to consume on success ("" for long-term or none)
	now       time.Time
	target    Target      // the recipient's bindings and credits, to re-resolve in keepBatch
	tpls      TemplateSet // the tenant's templates
	msgID     int64
}

func (p *plan) batchIDs() []int64 {
	ids := make([]int64, 0, len(p.batch))
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

// Deliver runs one delivery task. Exactly-once: the row is claimed (pending → sending) by a
// conditional UPDATE before the send and finished after it, so a duplicate or retried task
// finds it sending or done and sends nothing. nil means done (or nothing to do); *RetryError
// and other errors ask the queue to retry.
func (d *Deliverer) Deliver(ctx context.Context, tenantID, deliveryID int64) error {
	now := d.clock.Now()
	if done, err := d.deliverClaimed(ctx, tenantID, deliveryID, now); done {
		return err
	}
	dl, n, target, err := d.store.Load(ctx, tenantID, deliveryID)
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
		_, err := d.store.Abandon(ctx, tenantID, dl.ID, now.Add(-d.Lease), now)
		return err
	default:
		return nil // sent, failed, skipped, unknown: done
	}
	if dl.SendAfter.After(now) {
		return &RetryError{At: dl.SendAfter, Reason: "not due"}
	}
	if left := d.paused(ctx, tenantID, dl.Channel, now); left > 0 {
		return &RetryError{At: now.Add(left), Reason: "channel paused"}
	}
	set, tpls, err := d.tenant(ctx, tenantID, now)
	if err != nil {
		return err
	}
	if t := set.AfterQuiet(now); t.After(now) {
		return &RetryError{At: t, Reason: "quiet hours"}
	}
	var batch []Delivery
	if set.DigestWindow > 0 && d.DigestLimit > 1 {
		if batch, err = d.store.DigestCandidates(ctx, dl, now, d.DigestLimit-1); err != nil {
			return err
		}
	}
	p, skip := d.prepare(dl, n, batch, target, tpls, now)
	if skip != "" {
		ok, err := d.store.Skip(ctx, tenantID, dl.ID, skip, now)
		if err != nil || !ok {
			return err
		}
		return d.enqueueNext(ctx, tenantID, []int64{dl.NoticeID}, now)
	}
	got, err := d.store.Claim(ctx, tenantID, []int64{dl.ID}, now)
	if err != nil {
		return err
	}
	if len(got) == 0 {
		return nil // another worker claimed it first
	}
	return d.send(ctx, p)
}

var pushChannels = []string{ChannelMPSubscribe, ChannelOATemplate, ChannelOAStaff}

// deliverClaimed is Deliver's common case in one statement fewer: outside quiet hours, the
// delivery is claimed as it is read (ClaimLoad: pending, due, channel not paused). done=false
// means it claimed nothing and Deliver goes the long way (Load, then the checks, then Claim),
// which also covers deliveries already sent, not due or paused.
func (d *Deliverer) deliverClaimed(ctx context.Context, tenantID, deliveryID int64, now time.Time) (done bool, err error) {
	set, tpls, err := d.tenant(ctx, tenantID, now)
	if err != nil || set.AfterQuiet(now).After(now) {
		return false, nil
	}
	var paused []string
	for _, ch := range pushChannels {
		if d.paused(ctx, tenantID, ch, now) > 0 {
			paused = append(paused, ch)
		}
	}
	dl, n, target, ok, err := d.store.ClaimLoad(ctx, tenantID, deliveryID, now, paused)
	if err != nil {
		return true, err // the statement took no effect: the task retries
	}
	if !ok {
		return false, nil
	}
	// The row is claimed by this worker: from here on every path must record an outcome.
	var batch []Delivery
	if set.DigestWindow > 0 && d.DigestLimit > 1 {
		if batch, err = d.store.DigestCandidates(ctx, dl, now, d.DigestLimit-1); err != nil {
			batch = nil // send the lead alone
		}
	}
	p, skip := d.prepare(dl, n, batch, target, tpls, now)
	if skip != "" {
		ok, err := d.store.SkipClaimed(context.WithoutCancel(ctx), tenantID, dl.ID, skip, now, now)
		if err != nil || !ok {
			return true, err
		}
		return true, d.enqueueNext(ctx, tenantID, []int64{dl.NoticeID}, now)
	}
	return true, d.send(ctx, p)
}

// send sends a plan whose lead this worker claimed (first claiming what it can of the digest
// batch) and records the outcome.
func (d *Deliverer) send(ctx context.Context, p *plan) error {
	now, tenantID := p.now, p.lead.TenantID
	if len(p.batch) > 0 {
		ids := make([]int64, len(p.batch))
		for i, b := range p.batch {
			ids[i] = b.ID
		}
		claimed, err := d.store.Claim(ctx, tenantID, ids, now)
		if err != nil {
			claimed = nil // send the lead alone; the others stay with their own tasks
		}
		if skip := d.keepBatch(p, claimed); skip != "" {
			ok, err := d.store.SkipClaimed(context.WithoutCancel(ctx), tenantID, p.lead.ID, skip, now, d.clock.Now())
			if err != nil || !ok {
				return err
			}
			return d.enqueueNext(ctx, tenantID, []int64{p.lead.NoticeID}, now)
		}
	}
	sctx, cancel := context.WithTimeout(ctx, d.SendTimeout)
	msgID, sendErr := d.sender.Send(sctx, p.msg)
	cancel()
	if d.onSendResult != nil {
		d.onSendResult(p.lead, sendErr)
	}
	p.msgID = msgID
	return d.finish(ctx, p, sendErr)
}

func (d *Deliverer) enqueueNext(ctx context.Context, tenantID int64, noticeIDs []int64, now time.Time) error {
	nx, err := d.store.NextPending(ctx, tenantID, noticeIDs)
	if err != nil {
		return err
	}
	jobs := make([]Job, 0, len(nx))
	for _, x := range nx {
		at := x.SendAfter
		if at.Before(now) {
			at = now
		}
		jobs = append(jobs, Job{TenantID: tenantID, DeliveryID: x.ID, At: at})
	}
	enqueueAll(ctx, d.queue, d.log, jobs)
	return nil
}

// prepare decides whether the channel can carry the notice and builds the message; a
// non-empty skip is the reason it cannot.
func (d *Deliverer) prepare(dl Delivery, n Notice, batch []Delivery, t Target, tpls TemplateSet, now time.Time) (*plan, string) {
	p := &plan{lead: dl, notice: n, now: now, target: t, tpls: tpls}
	m := Message{Channel: dl.Channel, Page: withNotice(n.Page, n.ID), Fields: n.Fields, Title: n.Title, Body: n.Body}
	switch dl.Channel {
	case ChannelMPSubscribe:
		if t.MPOpenID == "" {
			return nil, "not_bound"
		}
		m.OpenID = t.MPOpenID
	case ChannelOATemplate, ChannelOAStaff:
		if t.OAOpenID == "" {
			return nil, "not_bound"
		}
		if !t.OAFollowing {
			return nil, "not_following"
		}
		m.OpenID = t.OAOpenID
	default:
		return nil, "unknown_channel"
	}
	p.msg = m
	if len(batch) > 0 {
		// A digest needs the digest template and, on the mini-program, a credit for it. Without
		// either the leading notice goes alone with its own template and credit; the others
		// follow on their own.
		if tpl, credit, skip := channelTemplate(dl.Channel, KindDigest, t, tpls); skip == "" {
			p.batch, p.msg.TemplateID, p.creditTpl = batch, tpl, credit
			p.setDigest()
		}
	}
	if len(p.batch) == 0 {
		if skip := p.single(); skip != "" {
			return nil, skip
		}
	}
	if skip := d.checkFields(p); skip != "" {
		return nil, skip
	}
	return p, ""
}

// channelTemplate resolves the template of kind on channel ch and, for subscribe messages,
// the one-time credit that pays for it (creditTpl is "" under a long-term subscription); a
// non-empty skip says why the channel cannot carry it.
func channelTemplate(ch, kind string, t Target, tpls TemplateSet) (tpl, creditTpl, skip string) {
	tpl = tpls.For(kind, ch)
	if tpl == "" {
		return "", "", "no_template"
	}
	if ch == ChannelMPSubscribe {
		c := t.Credits[tpl]
		if !c.LongTerm && c.OneTime <= 0 {
			return "", "", "no_credit"
		}
		if !c.LongTerm {
			creditTpl = tpl
		}
	}
	return tpl, creditTpl, ""
}

// single makes the message the leading notice alone: its own texts, template and credit.
func (p *plan) single() string {
	tpl, credit, skip := channelTemplate(p.lead.Channel, p.notice.Kind, p.target, p.tpls)
	if skip != "" {
		return skip
	}
	p.batch = nil
	p.msg.TemplateID, p.creditTpl = tpl, credit
	p.msg.Page = withNotice(p.notice.Page, p.notice.ID)
	p.msg.Title, p.msg.Body, p.msg.Fields = p.notice.Title, p.notice.Body, p.notice.Fields
	return ""
}

// checkFields makes sure 47003 never happens: subscribe fields are checked before sending.
func (d *Deliverer) checkFields(p *plan) string {
	if p.lead.Channel != ChannelMPSubscribe {
		return ""
	}
	if err := wechat.ValidateSubscribeData(p.msg.Fields); err != nil {
		d.log.Error("subscribe fields out of limits (bug in texts)", "notice_kind", p.notice.Kind, "digest", len(p.batch) > 0, "err", err)
		return "field_limit"
	}
	return ""
}

// setDigest turns the message into a digest when the plan carries a batch.
func (p *plan) setDigest() {
	if len(p.batch) == 0 {
		return
	}
	total := len(p.batch) + 1
	p.msg.Page = PageInbox
	if p.lead.RecipientKind == RecipientUser {
		p.msg.Page = ConsoleInbox
	}
	p.msg.Title = fmt.Sprintf("您有%d条新通知", total)
	p.msg.Body = "最新：" + p.notice.Title
	p.msg.Fields = fields(fmt.Sprintf("您有%d条新通知", total), "待查看", p.notice.Title, p.now)
}

// keepBatch keeps the batch rows this worker claimed. When none is left the message goes
// back to the single notice, with that notice's own template and credit; a non-empty skip
// says the channel cannot carry it alone.
func (d *Deliverer) keepBatch(p *plan, claimed []int64) string {
	keep := p.batch[:0]
	for _, b := range p.batch {
		for _, id := range claimed {
			if id == b.ID {
				keep = append(keep, b)
				break
			}
		}
	}
	p.batch = keep
	if len(p.batch) == 0 {
		if skip := p.single(); skip != "" {
			return skip
		}
		return d.checkFields(p)
	}
	p.setDigest()
	return ""
}

// finish records the send's outcome.
func (d *Deliverer) finish(ctx context.Context, p *plan, sendErr error) error {
	now := d.clock.Now()
	tenantID := p.lead.TenantID
	code := wechat.ErrCode(sendErr)
	// The outcome must be recorded even when the task's context is cancelled (shutdown).
	ctx = context.WithoutCancel(ctx)
	f := Finish{Lead: p.lead.ID, Code: code, Reason: reasonOf(sendErr), At: now, DeputyID: p.lead.RecipientID,
		Batch: p.batchIDs(), BatchStatus: StatusPending, SendAfter: now}
	var retErr error
	fallback := false
	switch {
	case sendErr == nil:
		f.Status, f.Code, f.Reason, f.Count = StatusSent, 0, "", len(p.batch)+1
		f.BatchStatus = StatusSent
		f.SkipNotices, f.SkipReason = p.noticeIDs(), "sent_via_"+p.lead.Channel
		f.UseCredit = p.creditTpl
		f.MsgID = p.msgID
	case errors.Is(sendErr, wechat.ErrNoCredit), errors.Is(sendErr, wechat.ErrNotFollowing), errors.Is(sendErr, wechat.ErrFieldLimit):
		if errors.Is(sendErr, wechat.ErrNoCredit) {
			if err := d.store.ClearCredit(ctx, tenantID, p.lead.RecipientID, p.msg.TemplateID); err != nil {
				return err
			}
		}
		if errors.Is(sendErr, wechat.ErrNotFollowing) && p.lead.RecipientKind == RecipientDeputy {
			if err := d.store.ClearFollowing(ctx, tenantID, p.lead.RecipientID); err != nil {
				return err
			}
		}
		f.Status, fallback = StatusFailed, true
	case errors.Is(sendErr, wechat.ErrQuota):
		if d.pause != nil {
			if err := d.pause.Pause(ctx, tenantID, p.lead.Channel, d.QuotaPause); err != nil {
				d.log.Warn("pause channel failed", "channel", p.lead.Channel, "err", err)
			}
			d.mu.Lock()
			if d.pauses == nil {
				d.pauses = map[pauseKey]pauseState{}
			}
			d.pauses[pauseKey{tenantID, p.lead.Channel}] = pauseState{checked: now, until: now.Add(d.QuotaPause)}
			d.mu.Unlock()
		}
		f.Status, f.SendAfter = StatusPending, now.Add(d.QuotaPause)
		retErr = &RetryError{At: f.SendAfter, Reason: "quota"}
	case p.lead.Attempts+1 >= d.MaxAttempts:
		f.Status, fallback = StatusFailed, true
	default:
		// Unavailable, timeout, busy or unexpected: WeChat did not take it (a timed-out call is
		// treated as not delivered, see docs/notify.md); retry with backoff until MaxAttempts.
		f.Status = StatusPending
		retErr = fmt.Errorf("send delivery %d: %w", p.lead.ID, sendErr)
	}
	if err := d.store.Finish(ctx, tenantID, f); err != nil {
		// The rows stay in sending; once the lease expires they become unknown (never resent).
		return fmt.Errorf("record delivery %d outcome: %w", p.lead.ID, err)
	}
	if fallback {
		if err := d.enqueueNext(ctx, tenantID, []int64{p.lead.NoticeID}, now); err != nil {
			return err
		}
	}
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

// Deliveries records what WeChat reports about sent pushes after the fact.
type Deliveries struct{ store DeliveryStore }

// NewDeliveries builds Deliveries.
func NewDeliveries(store DeliveryStore) *Deliveries { return &Deliveries{store: store} }

// RecordOATemplateResult stores a TEMPLATESENDJOBFINISH status ("success", "failed:user block",
// "failed: system failed") for the template message msgID. An unknown msgid is a no-op.
func (x *Deliveries) RecordOATemplateResult(ctx context.Context, tenantID, msgID int64, status string) error {
	status = strings.TrimSpace(status)
	if msgID == 0 || status == "" {
		return fmt.Errorf("%w: msgid %d status %q", ErrInvalid, msgID, status)
	}
	failed := ""
	switch {
	case status == "success":
	case strings.Contains(status, "block"):
		failed = "user_block"
	case strings.HasPrefix(status, "failed"):
		failed = "system_failed"
	}
	if len(status) > 64 {
		status = status[:64]
	}
	if err := x.store.RecordTemplateResult(ctx, tenantID, msgID, status, failed); err != nil {
		return fmt.Errorf("record template result %d: %w", msgID, err)
	}
	return nil
}
