package remind_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/remind"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func sh(y, m, d, h int) time.Time {
	return time.Date(y, time.Month(m), d, h, 0, 0, 0, deadline.Shanghai)
}
func endOf(y, m, d int) time.Time {
	return time.Date(y, time.Month(m), d, 23, 59, 59, 999999999, deadline.Shanghai)
}
func day(t time.Time) string       { return t.In(deadline.Shanghai).Format("2006-01-02 15:04") }
func nopQueue() *notifyQueue       { return &notifyQueue{} }
func (q *notifyQueue) count() int  { q.mu.Lock(); defer q.mu.Unlock(); return q.n }
func (q *reminderQueue) reset()    { q.mu.Lock(); q.m = map[string]time.Time{}; q.mu.Unlock() }
func (q *reminderQueue) size() int { q.mu.Lock(); defer q.mu.Unlock(); return len(q.m) }
func (q *reminderQueue) all() map[string]time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]time.Time{}
	for k, v := range q.m {
		out[k] = v
	}
	return out
}

type reminderQueue struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (q *reminderQueue) EnqueueReminder(_ context.Context, key string, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string]time.Time{}
	}
	q.m[key] = at
	return nil
}

type notifyQueue struct {
	mu sync.Mutex
	n  int
}

func (q *notifyQueue) EnqueueDelivery(context.Context, notify.Job) error {
	q.mu.Lock()
	q.n++
	q.mu.Unlock()
	return nil
}

// TestRemindersAcrossHolidayAndMetObligation: a reply due Friday 2026-10-09, right after the
// 中秋 and 国庆 holidays, is reminded at T-15/7/3/1 working days (skipping both holidays and
// counting the 09-20 make-up Sunday) and escalated from the 10-10 make-up Saturday on; once the
// unit has replied, a firing reminder sends nothing.
func TestRemindersAcrossHolidayAndMetObligation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	var sid, asg int64
	if err := pool.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number)
		VALUES ($1, $2, $3, '关于民政路拓宽的建议', '正文', 'handling', 7) RETURNING id`, tn.ID, tn.MeetingID, tn.Deputies[0]).Scan(&sid); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at, accepted_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', $4, $5, $5) RETURNING id`, tn.ID, sid, tn.Units[0], endOf(2026, 10, 9), sh(2026, 7, 1, 9)).Scan(&asg); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: sh(2026, 9, 10, 10)}
	rq := &reminderQueue{}
	nq := nopQueue()
	ns := postgres.NewNotifyStore(pool)
	pub := notify.NewPublisher(ns, nq, clk, nil)
	svc := remind.New(postgres.NewRemindStore(pool), rq, pub, clk)
	svc.Window = 40 * 24 * time.Hour
	svc.Lookback = time.Hour
	if _, err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	var before, over []string
	for k, at := range rq.all() {
		switch {
		case strings.Contains(k, ":reply:") && strings.Contains(k, ":b"):
			before = append(before, day(at))
		case strings.Contains(k, ":reply:") && strings.Contains(k, ":o"):
			over = append(over, day(at))
		}
	}
	sort.Strings(before)
	sort.Strings(over)
	wantBefore := []string{"2026-09-11 09:00", "2026-09-22 09:00", "2026-09-29 09:00", "2026-10-08 09:00"}
	if strings.Join(before, ",") != strings.Join(wantBefore, ",") {
		t.Fatalf("reminders before = %v, want %v", before, wantBefore)
	}
	if len(over) < 3 || over[0] != "2026-10-10 09:00" || over[1] != "2026-10-12 09:00" || over[2] != "2026-10-13 09:00" {
		t.Fatalf("overdue escalations = %v, want 10-10 (make-up Sat), 10-12, 10-13 …", over)
	}
	keyAt := func(prefix, when string) string {
		for k, at := range rq.all() {
			if strings.Contains(k, prefix) && day(at) == when {
				return k
			}
		}
		t.Fatalf("no reminder %s at %s", prefix, when)
		return ""
	}
	t1 := keyAt(":reply:", "2026-10-08 09:00")
	o1 := keyAt(":reply:", "2026-10-10 09:00")

	// T-1 fires: the unit's handler and leader are told.
	clk.Set(sh(2026, 10, 8, 9))
	if err := svc.Fire(ctx, t1); err != nil {
		t.Fatal(err)
	}
	if err := svc.Fire(ctx, t1); err != nil { // a duplicate task creates nothing more
		t.Fatal(err)
	}
	var n int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE tenant_id = $1 AND kind = 'reminder'`, tn.ID).Scan(&n)
	if n != 2 {
		t.Fatalf("T-1 reminder made %d notices, want 2 (handler and leader)", n)
	}
	var body string
	_ = pool.QueryRow(ctx, `SELECT body FROM notices WHERE tenant_id = $1 AND kind = 'reminder' LIMIT 1`, tn.ID).Scan(&body)
	if !strings.Contains(body, "2026年10月09日") || !strings.Contains(body, "还剩1个工作日") {
		t.Errorf("reminder text: %s", body)
	}

	// The unit replies; the overdue escalation then finds the obligation met and sends nothing.
	pgtest.MustExec(t, pool, `UPDATE assignments SET state = 'replied' WHERE tenant_id = $1 AND id = $2`, tn.ID, asg)
	pgtest.MustExec(t, pool, `UPDATE suggestions SET status = 'replied' WHERE tenant_id = $1 AND id = $2`, tn.ID, sid)
	clk.Set(sh(2026, 10, 10, 9))
	if err := svc.Fire(ctx, o1); err != nil {
		t.Fatal(err)
	}
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM notices WHERE tenant_id = $1`, tn.ID).Scan(&n)
	if n != 2 {
		t.Fatalf("a met obligation's reminder made notices: %d total", n)
	}
	// Redis lost everything: the reconciler queues nothing already fired, and nothing for the
	// replied assignment (the rating clock has no due date in this fixture).
	rq.reset()
	if _, err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	for k := range rq.all() {
		if k == t1 || k == o1 || strings.Contains(k, ":reply:") {
			t.Errorf("reconciler queued %s again", k)
		}
	}
}

// TestReconcileRebuildsAfterLoss: dropping every queued reminder loses nothing; the next
// reconcile queues the same set.
func TestReconcileRebuildsAfterLoss(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	for i := range 20 {
		var sid int64
		if err := pool.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status)
			VALUES ($1, $2, $3, '建议', '正文', 'assigned') RETURNING id`, tn.ID, tn.MeetingID, tn.Deputies[0]).Scan(&sid); err != nil {
			t.Fatal(err)
		}
		pgtest.MustExec(t, pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, due_at, return_due_at)
			VALUES ($1, $2, $3, 'lead', $4, $5)`, tn.ID, sid, tn.Units[i%3], endOf(2026, 4, 10+i%10), endOf(2026, 3, 31))
	}
	clk := &clock{t: sh(2026, 3, 23, 10)}
	rq := &reminderQueue{}
	svc := remind.New(postgres.NewRemindStore(pool), rq, notify.NewPublisher(postgres.NewNotifyStore(pool), nopQueue(), clk, nil), clk)
	svc.Window = 30 * 24 * time.Hour
	if _, err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	first := rq.all()
	if len(first) < 40 {
		t.Fatalf("only %d reminders planned", len(first))
	}
	rq.reset()
	if _, err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rq.all(); len(got) != len(first) {
		t.Fatalf("after loss %d reminders, before %d", len(got), len(first))
	}
}
