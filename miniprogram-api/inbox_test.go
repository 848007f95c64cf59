package mpapi_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres"
)

// noticeRig is the notify side of the core for a test: the outbox relay that turns workflow
// events into notices and deliveries, and the deliverer that sends subscribe messages
// through the fake WeChat. Its clock stands on a weekday morning, outside quiet hours.
type noticeRig struct {
	store *postgres.NotifyStore
	relay *notify.Relay
	deliv *notify.Deliverer
	queue *jobQueue
}

// weekdayMorning is 10:00 in Shanghai on a Monday, outside the default quiet hours.
var weekdayMorning = time.Date(2026, 3, 23, 10, 0, 0, 0, deadline.Shanghai)

func (b *bundle) noticeRig() *noticeRig {
	b.t.Helper()
	ctx := context.Background()
	store := postgres.NewNotifyStore(b.pool)
	wc, err := wechat.New(b.app.Config(), wechattest.NewMemoryCache(), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	clk := notify.ClockFunc(func() time.Time { return weekdayMorning })
	q := &jobQueue{}
	tpls := notify.NewTemplates(store)
	if err := tpls.Set(ctx, 1, notify.TemplateID{Kind: notify.KindAny, Channel: notify.ChannelMPSubscribe, TemplateID: "TPL_SUB"}); err != nil {
		b.t.Fatal(err)
	}
	return &noticeRig{store: store, queue: q,
		relay: notify.NewRelay(store, q, clk, nil),
		deliv: notify.NewDeliverer(store, q, &notify.WeChatSender{Client: wc, MiniAppID: b.app.MiniAppID}, nil, clk, nil)}
}

// drain relays the outbox into notices and runs every delivery due now once (a delivery put
// off by the digest window stays put off).
func (n *noticeRig) drain(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := n.relay.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	for _, j := range n.queue.take() {
		err := n.deliv.Deliver(ctx, j.TenantID, j.DeliveryID)
		var re *notify.RetryError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("deliver %d: %v", j.DeliveryID, err)
		}
	}
}

type jobQueue struct {
	mu   sync.Mutex
	jobs []notify.Job
}

func (q *jobQueue) EnqueueDelivery(_ context.Context, j notify.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, j)
	return nil
}

func (q *jobQueue) take() []notify.Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	js := q.jobs
	q.jobs = nil
	return js
}

// submitted writes a draft with its own body and submits it over the API.
func (b *bundle) submitted(tok, title, body string) int64 {
	b.t.Helper()
	r := b.do("POST", "/api/v1/suggestions", tok, map[string]any{"title": title, "body": body})
	b.want(r, 201, "create draft "+title)
	var s struct{ ID int64 }
	r.json(b.t, &s)
	r = b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", s.ID), tok, map[string]any{}, "Idempotency-Key", fmt.Sprintf("submit-%d", s.ID))
	b.want(r, 200, "submit "+title)
	return s.ID
}

// assigned registers a submitted suggestion (category 1) and assigns it through the core.
func (b *bundle) assigned(id int64, in suggestion.AssignInput) *suggestion.Suggestion {
	b.t.Helper()
	ctx := context.Background()
	sg, err := b.sugg.Get(ctx, reviewer, id)
	if err != nil {
		b.t.Fatal(err)
	}
	if sg, err = b.sugg.Register(ctx, reviewer, sg.ID, sg.Version, 1); err != nil {
		b.t.Fatal(err)
	}
	if sg, err = b.sugg.Assign(ctx, reviewer, sg.ID, sg.Version, in); err != nil {
		b.t.Fatal(err)
	}
	return sg
}

// accepted registers and assigns a submitted suggestion to unit 1, whose handler accepts
// it; it returns the assignment.
func (b *bundle) accepted(id int64) int64 {
	b.t.Helper()
	sg := b.assigned(id, suggestion.AssignInput{LeadUnitID: 1})
	d, err := b.sugg.Detail(context.Background(), reviewer, sg.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	asg := d.Assignments[0].ID
	if _, err := b.sugg.Accept(context.Background(), handler, asg, suggestion.AcceptInput{HandlerName: "赵经办", HandlerPhone: "0937-1234567"}); err != nil {
		b.t.Fatal(err)
	}
	return asg
}

type inboxNotice struct {
	ID           int64
	Kind         string
	Title        string
	SuggestionID int64      `json:"suggestion_id"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"`
}

type inboxPage struct {
	Items      []inboxNotice
	NextBefore *int64 `json:"next_before"`
}

func (b *bundle) inbox(tok, query string) inboxPage {
	b.t.Helper()
	r := b.do("GET", "/api/v1/notices"+query, tok, nil)
	b.want(r, 200, "notices"+query)
	var p inboxPage
	r.json(b.t, &p)
	return p
}

func (b *bundle) unread(tok string) int {
	b.t.Helper()
	r := b.do("GET", "/api/v1/notices/unread-count", tok, nil)
	b.want(r, 200, "unread count")
	var c struct{ Count int }
	r.json(b.t, &c)
	return c.Count
}

// TestInboxFollowsTheWorkflow: the notices the core writes for a deputy (received,
// registered, assigned) are listed newest first, counted unread, paged by the cursor, and
// marked read one by one or all at once; another deputy can neither see nor mark them.
func TestInboxFollowsTheWorkflow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rig := b.noticeRig()
	zhang := b.deputy("openid-inbox-z", "jyg", "13800000001")
	li := b.deputy("openid-inbox-l", "jyg", "13800000002")

	if n := b.unread(zhang); n != 0 {
		t.Fatalf("unread before any notice: %d", n)
	}
	id := b.submitted(zhang, "关于修复雄关路路灯的建议", "雄关路东段路灯损坏已久，夜间行人通行不便。")
	b.assigned(id, suggestion.AssignInput{LeadUnitID: 1})
	rig.drain(t)

	stored := b.count(`SELECT count(*) FROM notices WHERE tenant_id = 1 AND recipient_kind = 'deputy' AND recipient_id = 10`)
	if stored < 3 {
		t.Fatalf("%d notices for the deputy after submit, register and assign; want at least 3", stored)
	}
	page := b.inbox(zhang, "")
	if len(page.Items) != stored {
		t.Fatalf("inbox lists %d notices, %d stored", len(page.Items), stored)
	}
	for i, n := range page.Items {
		if n.SuggestionID != id || n.Title == "" || n.ReadAt != nil {
			t.Fatalf("notice %d: %+v", i, n)
		}
		if i > 0 && (n.ID >= page.Items[i-1].ID || n.CreatedAt.After(page.Items[i-1].CreatedAt)) {
			t.Fatalf("inbox not newest first: %+v before %+v", page.Items[i-1], n)
		}
	}
	// The newest is the assignment, the oldest the receipt of the submission.
	if first, last := page.Items[0].Kind, page.Items[len(page.Items)-1].Kind; first != notify.KindAssigned || last != notify.KindReceived {
		t.Fatalf("newest %q, oldest %q; want %q first and %q last", first, last, notify.KindAssigned, notify.KindReceived)
	}
	if got := b.unread(zhang); got != stored {
		t.Fatalf("unread %d, want %d", got, stored)
	}

	// The cursor pages without overlap or gap.
	p1 := b.inbox(zhang, "?limit=2")
	if len(p1.Items) != 2 || p1.NextBefore == nil || *p1.NextBefore != p1.Items[1].ID {
		t.Fatalf("first page: %+v", p1)
	}
	p2 := b.inbox(zhang, fmt.Sprintf("?limit=2&before=%d", *p1.NextBefore))
	if len(p2.Items) == 0 || p2.Items[0].ID != page.Items[2].ID {
		t.Fatalf("second page does not continue the first: %+v", p2)
	}

	// Another deputy sees none of them and cannot mark them read.
	if other := b.inbox(li, ""); len(other.Items) != 0 {
		t.Fatalf("another deputy sees %d of my notices", len(other.Items))
	}
	b.want(b.do("POST", "/api/v1/notices/read", li, map[string]any{"ids": []int64{page.Items[0].ID}}), 204, "other deputy marks mine")
	b.want(b.do("POST", "/api/v1/notices/read", li, map[string]any{"all": true}), 204, "other deputy marks all")
	if got := b.unread(zhang); got != stored {
		t.Fatalf("another deputy changed my unread count to %d", got)
	}

	// Mark one read: the count drops by one and the list shows it read.
	target := page.Items[1].ID
	b.want(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{"ids": []int64{target}}), 204, "mark one")
	if got := b.unread(zhang); got != stored-1 {
		t.Fatalf("unread after marking one: %d, want %d", got, stored-1)
	}
	for _, n := range b.inbox(zhang, "").Items {
		if (n.ReadAt != nil) != (n.ID == target) {
			t.Fatalf("notice %d read_at %v after marking %d", n.ID, n.ReadAt, target)
		}
	}
	// Marking it again changes nothing.
	b.want(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{"ids": []int64{target}}), 204, "mark one again")
	if got := b.unread(zhang); got != stored-1 {
		t.Fatalf("unread after marking the same one again: %d", got)
	}
	b.want(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{}), 422, "neither ids nor all")

	// Mark all: none left unread.
	b.want(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{"all": true}), 204, "mark all")
	if got := b.unread(zhang); got != 0 {
		t.Fatalf("unread after marking all: %d", got)
	}
	for _, n := range b.inbox(zhang, "").Items {
		if n.ReadAt == nil {
			t.Fatalf("notice %d still unread after marking all", n.ID)
		}
	}
}
