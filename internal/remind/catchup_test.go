package remind_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/remind"
	"jianyi/internal/suggestion"
	"jianyi/internal/worker"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// clockQueue is the reminders' queue on a private redis-server with asynq's scheduled set run
// on the test clock: a reminder due by the clock goes to Redis at once, where the real worker
// takes it; a later one waits here until release finds it due. So a stopped worker leaves
// every reminder that fell due meanwhile in Redis, as a real outage does.
type clockQueue struct {
	clk   *clock
	q     *jredis.Queue
	mu    sync.Mutex
	later map[string]time.Time
}

func (c *clockQueue) EnqueueReminder(ctx context.Context, key string, at time.Time) error {
	c.mu.Lock()
	if at.After(c.clk.Now()) {
		c.later[key] = at
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	return c.q.EnqueueReminder(ctx, key, at)
}

// release moves the reminders due by the clock to Redis.
func (c *clockQueue) release(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, at := range c.later {
		if !at.After(c.clk.Now()) {
			if err := c.q.EnqueueReminder(ctx, k, at); err != nil {
				return err
			}
			delete(c.later, k)
		}
	}
	return nil
}

// firing is the worker's reminder handler; it keeps Fire's errors for the test.
type firing struct {
	svc  *remind.Service
	mu   sync.Mutex
	errs []error
}

func (f *firing) Fire(ctx context.Context, key string) error {
	err := f.svc.Fire(ctx, key)
	if err != nil {
		f.mu.Lock()
		f.errs = append(f.errs, fmt.Errorf("%s: %w", key, err))
		f.mu.Unlock()
	}
	return err
}

type noDeliveries struct{}

func (noDeliveries) Deliver(context.Context, int64, int64) error { return nil }

// outage is a worker process on real Redis and PostgreSQL that a test stops, restarts and
// moves through time. Reconcile runs when the test says (the worker's loop does the same at
// start and every few minutes).
type outage struct {
	*remindBundle
	rdb     *goredis.Client
	queue   *jredis.Queue
	cq      *clockQueue
	handler *firing
	worker  *worker.Worker
}

func newOutage(t *testing.T, now time.Time) *outage {
	t.Helper()
	b := remindSetup(t, now)
	rs := redistest.StartServer(t)
	o := &outage{remindBundle: b, rdb: rs.Client(t)}
	o.queue = jredis.NewQueue(o.rdb)
	t.Cleanup(func() { _ = o.queue.Close() })
	o.cq = &clockQueue{clk: b.clk, q: o.queue, later: map[string]time.Time{}}
	pub := notify.NewPublisher(postgres.NewNotifyStore(b.pool), nopQueue(), b.clk, nil)
	// The production window and lookback (a worker restarted after a day sees the missed slots).
	o.svc = remind.New(postgres.NewRemindStore(b.pool), o.cq, pub, b.clk)
	o.handler = &firing{svc: o.svc}
	t.Cleanup(o.down)
	return o
}

// up starts a worker process and reconciles, as `jianyi worker` does at start.
func (o *outage) up(t *testing.T) {
	t.Helper()
	o.worker = worker.New(o.queue, worker.Config{Concurrency: 10, PollInterval: 20 * time.Millisecond,
		RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, ShutdownTimeout: 2 * time.Second},
		noDeliveries{}, o.handler, nil)
	if err := o.worker.Start(o.ctx); err != nil {
		t.Fatal(err)
	}
	o.reconcile(t)
}

// down stops the worker process; what falls due meanwhile waits in Redis.
func (o *outage) down() {
	if o.worker != nil {
		o.worker.Stop()
		o.worker = nil
	}
}

// at moves the clock to now; reminders due by then go to Redis.
func (o *outage) at(t *testing.T, now time.Time) {
	t.Helper()
	o.clk.Set(now)
	if err := o.cq.release(o.ctx); err != nil {
		t.Fatal(err)
	}
}

func (o *outage) reconcile(t *testing.T) {
	t.Helper()
	if _, err := o.svc.Reconcile(o.ctx); err != nil {
		t.Fatal(err)
	}
}

// drain waits until the worker has run every reminder in Redis.
func (o *outage) drain(t *testing.T) {
	t.Helper()
	ins := asynq.NewInspectorFromRedisClient(o.rdb)
	deadline := time.Now().Add(30 * time.Second)
	for {
		queues, err := ins.Queues()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(queues, jredis.QueueName) {
			break // nothing was ever queued (since a flush)
		}
		info, err := ins.GetQueueInfo(jredis.QueueName)
		if err != nil {
			t.Fatal(err)
		}
		if info.Archived > 0 {
			t.Fatalf("%d reminders failed for good: %v", info.Archived, o.handler.errs)
		}
		if info.Pending+info.Active+info.Scheduled+info.Retry == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reminders still queued: %+v; errors %v", info, o.handler.errs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	o.handler.mu.Lock()
	defer o.handler.mu.Unlock()
	if len(o.handler.errs) > 0 {
		t.Fatalf("reminders failed: %v", o.handler.errs)
	}
}

// flush empties Redis (FLUSHALL) and the scheduled set with it.
func (o *outage) flush(t *testing.T) {
	t.Helper()
	if err := o.rdb.FlushAll(o.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	o.cq.mu.Lock()
	o.cq.later = map[string]time.Time{}
	o.cq.mu.Unlock()
}

// sent lists "user:<id> <key stage> <body>" of the notices of kind, sorted.
func (o *outage) sent(t *testing.T, kind string) []string {
	t.Helper()
	rows, err := o.pool.Query(o.ctx, `SELECT recipient_kind || ':' || recipient_id, delivery_key, body FROM notices
		WHERE tenant_id = $1 AND kind = $2`, o.tn.ID, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var who, key, body string
		if err := rows.Scan(&who, &key, &body); err != nil {
			t.Fatal(err)
		}
		// delivery key: r:<tenant>:<clock>:<subject>:<round>:<due>:<stage><day>:<kind>:<recipient>
		f := strings.Split(key, ":")
		out = append(out, who+" "+f[2]+" "+f[6]+" "+body)
	}
	sort.Strings(out)
	return out
}

// count is how many of lines contain every one of parts.
func count(lines []string, parts ...string) int {
	n := 0
next:
	for _, l := range lines {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				continue next
			}
		}
		n++
	}
	return n
}

// TestOverdueCatchUpAfterOutageSendsOnce: two obligations (a lead unit's reply and a co-unit's
// opinion) were due Friday 2026-03-13. The worker runs on Monday, is down Tuesday to Thursday
// morning while Redis keeps the escalations it had queued, and comes back Thursday 10:00: each
// unit leader gets one escalation for the missed days (Thursday's, saying 4 working days), not
// one per missed day. Friday's still comes, once; restarts, with Redis kept or flushed, send
// nothing again.
func TestOverdueCatchUpAfterOutageSendsOnce(t *testing.T) {
	t.Parallel()
	o := newOutage(t, sh(2026, 3, 16, 10))
	sid := o.suggestionIn(t, o.tn, "handling", "关于优化公交线路的建议")
	pgtest.MustExec(t, o.pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at, accepted_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', $4, $5, $5), ($1, $2, $6, 'co', 'accepted', $4, $5, $5)`,
		o.tn.ID, sid, o.tn.Units[0], endOf(2026, 3, 13), sh(2026, 1, 5, 9), o.tn.Units[1])
	lead, co := fmt.Sprintf("user:%d", o.tn.UnitLeaders[0]), fmt.Sprintf("user:%d", o.tn.UnitLeaders[1])
	check := func(when string, perLeader int, day, over string) {
		t.Helper()
		got := o.sent(t, notify.KindOverdue)
		if len(got) != 2*perLeader {
			t.Fatalf("%s: %d overdue notices, want %d per unit leader:\n%s", when, len(got), perLeader, strings.Join(got, "\n"))
		}
		for _, r := range []string{lead + " reply", co + " co_opinion"} {
			if n := count(got, r+" "); n != perLeader {
				t.Errorf("%s: %s got %d escalations, want %d:\n%s", when, r, n, perLeader, strings.Join(got, "\n"))
			}
			if n := count(got, r+" o"+day+" ", "已超期"+over+"个工作日"); n != 1 {
				t.Errorf("%s: %s got %d escalations o%s saying %s working days:\n%s", when, r, n, day, over, strings.Join(got, "\n"))
			}
		}
	}

	// Monday 10:00: the worker starts and sends the day's escalation (09:00 has just passed).
	o.up(t)
	o.drain(t)
	check("Monday", 1, "20260316", "1")

	// Down from Monday noon; Tuesday's and Wednesday's escalations wait in Redis.
	o.at(t, sh(2026, 3, 16, 12))
	o.down()
	o.at(t, sh(2026, 3, 19, 10))
	o.up(t)
	o.drain(t)
	check("Thursday, after the outage", 2, "20260319", "4")

	// Friday: the daily cadence goes on.
	o.at(t, sh(2026, 3, 20, 9))
	o.drain(t)
	o.reconcile(t)
	o.drain(t)
	check("Friday", 3, "20260320", "5")

	// A restart sends nothing again; nor does one after Redis lost everything.
	o.down()
	o.at(t, sh(2026, 3, 20, 10))
	o.up(t)
	o.drain(t)
	o.down()
	o.flush(t)
	o.up(t)
	o.drain(t)
	check("Friday, restarted", 3, "20260320", "5")

	// Monday's weekly digest went to the reviewer and the leader once.
	if got := o.sent(t, notify.KindOverdueDigest); len(got) != 2 || count(got, " w20260316 ") != 2 {
		t.Errorf("weekly digests:\n%s", strings.Join(got, "\n"))
	}
}

// TestMissedWarningsCollapseAndStopAtTheDeadline: a reply and a deputy's rating are both due
// Thursday 2026-04-23 (reminders at T-7 04-14, T-3 04-20, T-1 04-22). The worker is down from
// Monday 04-13 to Monday 04-20 10:00 with T-7 waiting in Redis: one warning per recipient comes,
// T-3's, saying 3 working days. Down again from Monday to Friday 04-24 with T-1 waiting: the
// deadline has passed, so no warning comes at all; the unit leader gets Friday's escalation.
func TestMissedWarningsCollapseAndStopAtTheDeadline(t *testing.T) {
	t.Parallel()
	o := newOutage(t, sh(2026, 4, 13, 10))
	sid := o.suggestionIn(t, o.tn, "handling", "关于加强校园周边交通管理的建议")
	pgtest.MustExec(t, o.pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at, accepted_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', $4, $5, $5)`, o.tn.ID, sid, o.tn.Units[0], endOf(2026, 4, 23), sh(2026, 1, 22, 9))
	pgtest.MustExec(t, o.pool, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number, rating_due_at)
		VALUES ($1, $2, $3, '关于增设社区养老服务站的建议', '正文', 'replied', 8, $4)`, o.tn.ID, o.tn.MeetingID, o.tn.Deputies[0], endOf(2026, 4, 23))
	handler, leader := fmt.Sprintf("user:%d", o.tn.Handlers[0]), fmt.Sprintf("user:%d", o.tn.UnitLeaders[0])
	deputy := fmt.Sprintf("deputy:%d", o.tn.Deputies[0])

	o.up(t)
	o.drain(t)
	if got := o.sent(t, notify.KindReminder); len(got) != 0 {
		t.Fatalf("Monday 04-13: warnings before any is due:\n%s", strings.Join(got, "\n"))
	}
	o.down()
	o.at(t, sh(2026, 4, 20, 10))
	o.up(t)
	o.drain(t)
	got := o.sent(t, notify.KindReminder)
	for _, r := range []string{handler + " reply", leader + " reply", deputy + " rating"} {
		if n := count(got, r+" "); n != 1 {
			t.Errorf("after the first outage %s got %d warnings, want 1", r, n)
		}
		if n := count(got, r+" b20260420 ", "还剩3个工作日"); n != 1 {
			t.Errorf("after the first outage %s got no T-3 warning saying 3 working days", r)
		}
	}
	if len(got) != 3 {
		t.Errorf("after the first outage %d warnings, want 3:\n%s", len(got), strings.Join(got, "\n"))
	}

	// T-1 (Wednesday 09:00) waits in Redis through the second outage, past the deadline.
	o.down()
	o.at(t, sh(2026, 4, 24, 10))
	o.up(t)
	o.drain(t)
	if after := o.sent(t, notify.KindReminder); len(after) != len(got) {
		t.Errorf("warnings sent after their deadline had passed:\n%s", strings.Join(after, "\n"))
	}
	over := o.sent(t, notify.KindOverdue)
	if len(over) != 1 || count(over, leader+" reply o20260424 ", "已超期1个工作日") != 1 {
		t.Errorf("escalations after the deadline:\n%s", strings.Join(over, "\n"))
	}
}

// TestWeeklyDigestCatchUpSendsOnce: a reply overdue since 2026-03-27; the worker, last up on
// Saturday 04-04 with Monday 04-06's digest queued, comes back Tuesday 04-14: reviewers and
// leaders get one digest (04-13's), not one per missed Monday; the next Monday's comes as usual.
func TestWeeklyDigestCatchUpSendsOnce(t *testing.T) {
	t.Parallel()
	o := newOutage(t, sh(2026, 4, 4, 10))
	sid := o.suggestionIn(t, o.tn, "handling", "关于规范共享单车停放的建议")
	pgtest.MustExec(t, o.pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at, accepted_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', $4, $5, $5)`, o.tn.ID, sid, o.tn.Units[0], endOf(2026, 3, 27), sh(2026, 1, 5, 9))
	o.up(t)
	o.drain(t)
	o.down()
	o.at(t, sh(2026, 4, 14, 10))
	o.up(t)
	o.drain(t)
	reviewer, leader := fmt.Sprintf("user:%d", o.tn.Reviewer), fmt.Sprintf("user:%d", o.tn.Leader)
	got := o.sent(t, notify.KindOverdueDigest)
	if len(got) != 2 || count(got, reviewer+" weekly w20260413 ") != 1 || count(got, leader+" weekly w20260413 ") != 1 {
		t.Errorf("digests after missing two Mondays, want 04-13's once each:\n%s", strings.Join(got, "\n"))
	}
	// Escalations: Friday 04-03's on Saturday, then one for the outage (Tuesday 04-14's).
	if over := o.sent(t, notify.KindOverdue); len(over) != 2 || count(over, " o20260403 ") != 1 || count(over, " o20260414 ") != 1 {
		t.Errorf("escalations after the outage:\n%s", strings.Join(over, "\n"))
	}

	o.at(t, sh(2026, 4, 20, 9))
	o.drain(t)
	o.reconcile(t)
	o.drain(t)
	got = o.sent(t, notify.KindOverdueDigest)
	if len(got) != 4 || count(got, " w20260420 ") != 2 {
		t.Errorf("the next Monday's digest:\n%s", strings.Join(got, "\n"))
	}
}

// TestPlanKeepsOnlyTheLatestDueSlot pins Plan's rules without a queue: of the slots already due
// in the lookback only the latest of each stage is planned, later ones all are, and no warning
// is planned once its deadline has passed.
func TestPlanKeepsOnlyTheLatestDueSlot(t *testing.T) {
	t.Parallel()
	cal, err := deadline.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &suggestion.TenantConfig{Settings: deadline.DefaultSettings(), Calendar: cal}
	stages := func(o remind.Obligation, from, now, to time.Time) string {
		rs, err := remind.Plan(o, cfg, from, now, to)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			f := strings.Split(r.Key, ":")
			if want := f[6][1:]; r.At.In(deadline.Shanghai).Format("20060102") != want {
				t.Errorf("%s planned at %s", r.Key, day(r.At))
			}
			out = append(out, f[6])
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	reply := remind.Obligation{TenantID: 1, Clock: remind.ClockReply, SubjectID: 9, Round: 1, DueAt: endOf(2026, 3, 13)}
	// Back on Thursday 03-19 10:00 with a 4-day lookback: Monday to Thursday were missed.
	now := sh(2026, 3, 19, 10)
	if got, want := stages(reply, now.Add(-96*time.Hour), now, now.Add(48*time.Hour)), "o20260319 o20260320"; got != want {
		t.Errorf("overdue slots planned %q, want %q", got, want)
	}
	// Before 09:00 the latest due is the previous working day's (Monday's, over the weekend).
	now = sh(2026, 3, 23, 8)
	if got, want := stages(reply, now.Add(-96*time.Hour), now, now.Add(24*time.Hour)), "o20260320 o20260323"; got != want {
		t.Errorf("overdue slots planned %q, want %q", got, want)
	}
	rating := remind.Obligation{TenantID: 1, Clock: remind.ClockRating, SubjectID: 9, Round: 1, DueAt: endOf(2026, 4, 23)}
	// T-7 (04-14) and T-3 (04-20) missed: only T-3, and T-1 (04-22) ahead.
	now = sh(2026, 4, 20, 10)
	if got, want := stages(rating, now.Add(-8*24*time.Hour), now, now.Add(48*time.Hour)), "b20260420 b20260422"; got != want {
		t.Errorf("warnings planned %q, want %q", got, want)
	}
	// The deadline has passed: no warning, and the rating clock has no escalation.
	now = sh(2026, 4, 24, 10)
	if got := stages(rating, now.Add(-8*24*time.Hour), now, now.Add(48*time.Hour)); got != "" {
		t.Errorf("warnings planned after the deadline: %q", got)
	}
}
