package remind_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/notify"
	"jianyi/internal/remind"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

type remindBundle struct {
	ctx  context.Context
	pool *pgxpool.Pool
	tn   *pgtest.Tenant
	clk  *clock
	rq   *reminderQueue
	svc  *remind.Service
}

func remindSetup(t *testing.T, now time.Time) *remindBundle {
	t.Helper()
	pool := pgtest.New(t)
	b := &remindBundle{ctx: context.Background(), pool: pool, tn: pgtest.NewTenant(t, pool), clk: &clock{t: now}, rq: &reminderQueue{}}
	pub := notify.NewPublisher(postgres.NewNotifyStore(pool), nopQueue(), b.clk, nil)
	b.svc = remind.New(postgres.NewRemindStore(pool), b.rq, pub, b.clk)
	b.svc.Window = 40 * 24 * time.Hour
	b.svc.Lookback = time.Hour
	return b
}

// suggestionIn inserts a suggestion of tenant tn in status, led by deputy 0.
func (b *remindBundle) suggestionIn(t *testing.T, tn *pgtest.Tenant, status, title string) int64 {
	t.Helper()
	var sid int64
	if err := b.pool.QueryRow(b.ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number)
		VALUES ($1, $2, $3, $4, '正文', $5, 7) RETURNING id`, tn.ID, tn.MeetingID, tn.Deputies[0], title, status).Scan(&sid); err != nil {
		t.Fatal(err)
	}
	return sid
}

// fire reconciles, then fires every queued key containing part at its time, in time order.
func (b *remindBundle) fire(t *testing.T, part string, n int) []string {
	t.Helper()
	if _, err := b.svc.Reconcile(b.ctx); err != nil {
		t.Fatal(err)
	}
	type kt struct {
		k  string
		at time.Time
	}
	var ks []kt
	for k, at := range b.rq.all() {
		if strings.Contains(k, part) {
			ks = append(ks, kt{k, at})
		}
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].at.Before(ks[j].at) })
	if len(ks) < n {
		t.Fatalf("%d reminders %q queued, want at least %d: %v", len(ks), part, n, b.rq.all())
	}
	var out []string
	for _, x := range ks[:n] {
		b.clk.Set(x.at)
		if err := b.svc.Fire(b.ctx, x.k); err != nil {
			t.Fatal(err)
		}
		out = append(out, x.k)
	}
	return out
}

// recipients lists "kind:id" of notices of kind, sorted.
func (b *remindBundle) recipients(t *testing.T, kind string) []string {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT recipient_kind || ':' || recipient_id FROM notices
		WHERE tenant_id = $1 AND kind = $2 ORDER BY 1`, b.tn.ID, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func who(kind string, ids ...int64) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, fmt.Sprintf("%s:%d", kind, id))
	}
	sort.Strings(out)
	return out
}

// TestRatingReminderSkipsWhoRated: the lead and two co-signers may rate; one co-signer has
// rated, so the rating reminder goes to the lead and the other co-signer only.
func TestRatingReminderSkipsWhoRated(t *testing.T) {
	t.Parallel()
	b := remindSetup(t, sh(2026, 3, 23, 10))
	sid := b.suggestionIn(t, b.tn, "replied", "关于增设公交站点的建议")
	pgtest.MustExec(t, b.pool, `UPDATE suggestions SET rating_due_at = $3 WHERE tenant_id = $1 AND id = $2`, b.tn.ID, sid, endOf(2026, 4, 10))
	for _, d := range b.tn.Deputies[1:4] {
		state := "accepted"
		if d == b.tn.Deputies[3] {
			state = "declined"
		}
		pgtest.MustExec(t, b.pool, `INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES ($1, $2, $3, $4)`, b.tn.ID, sid, d, state)
	}
	pgtest.MustExec(t, b.pool, `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating)
		VALUES ($1, $2, $3, 'reply', 1, 'satisfied')`, b.tn.ID, sid, b.tn.Deputies[1])
	b.fire(t, ":rating:", 1)
	got, want := b.recipients(t, notify.KindReminder), who("deputy", b.tn.Deputies[0], b.tn.Deputies[2])
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rating reminder to %v, want %v (lead and the co-signer who has not rated)", got, want)
	}
}

// TestReminderFieldsWithinLimits: a title with a newline and a tab still gives subscribe
// fields WeChat accepts (no control characters, ≤ 20 characters), before and after the deadline.
func TestReminderFieldsWithinLimits(t *testing.T) {
	t.Parallel()
	b := remindSetup(t, sh(2026, 3, 23, 10))
	title := "关于修缮\n老旧小区\t排水管网和加装电梯的建议（第二次提出）"
	sid := b.suggestionIn(t, b.tn, "handling", title)
	pgtest.MustExec(t, b.pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at, accepted_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', $4, $5, $5)`, b.tn.ID, sid, b.tn.Units[0], endOf(2026, 4, 3), sh(2026, 3, 1, 9))
	b.fire(t, ":reply:", 3) // T-7, T-3, T-1 … and an overdue escalation
	b.clk.Set(sh(2026, 4, 7, 9))
	b.fire(t, ":o", 1)
	rows, err := b.pool.Query(b.ctx, `SELECT kind, fields FROM notices WHERE tenant_id = $1`, b.tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kinds := map[string]int{}
	for rows.Next() {
		var kind string
		var f map[string]string
		if err := rows.Scan(&kind, &f); err != nil {
			t.Fatal(err)
		}
		kinds[kind]++
		if err := wechat.ValidateSubscribeData(f); err != nil {
			t.Errorf("%s: %v (%q)", kind, err, f)
		}
		if strings.ContainsAny(f[notify.FieldThing], "\n\t") {
			t.Errorf("%s: thing1 %q keeps control characters", kind, f[notify.FieldThing])
		}
	}
	if kinds[notify.KindReminder] == 0 || kinds[notify.KindOverdue] == 0 {
		t.Errorf("notices made: %v, want reminders and an overdue escalation", kinds)
	}
}

// failingConfig is a store whose Config fails for one tenant.
type failingConfig struct {
	remind.Store
	bad int64
}

func (s failingConfig) Config(ctx context.Context, tenantID int64) (*suggestion.TenantConfig, error) {
	if tenantID == s.bad {
		return nil, errors.New("config unreadable")
	}
	return s.Store.Config(ctx, tenantID)
}

// TestReconcileCarriesOnPastAFailingTenant: a tenant whose reconcile fails neither stops the
// tenants after it nor hides the error.
func TestReconcileCarriesOnPastAFailingTenant(t *testing.T) {
	t.Parallel()
	b := remindSetup(t, sh(2026, 3, 23, 10))
	other := pgtest.NewTenant(t, b.pool)
	for _, tn := range []*pgtest.Tenant{b.tn, other} {
		sid := b.suggestionIn(t, tn, "assigned", "关于整治占道经营的建议")
		pgtest.MustExec(t, b.pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, due_at, return_due_at)
			VALUES ($1, $2, $3, 'lead', $4, $5)`, tn.ID, sid, tn.Units[0], endOf(2026, 4, 10), endOf(2026, 3, 31))
	}
	// Tenants are reconciled in id order: fail the first so the second comes after it.
	bad, good := b.tn.ID, other.ID
	if good < bad {
		bad, good = good, bad
	}
	pub := notify.NewPublisher(postgres.NewNotifyStore(b.pool), nopQueue(), b.clk, nil)
	svc := remind.New(failingConfig{Store: postgres.NewRemindStore(b.pool), bad: bad}, b.rq, pub, b.clk)
	svc.Window = 40 * 24 * time.Hour
	n, err := svc.Reconcile(b.ctx)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("tenant %d", bad)) || !strings.Contains(err.Error(), "config unreadable") {
		t.Errorf("error = %v, want tenant %d's config error", err, bad)
	}
	perTenant := map[string]int{}
	for k := range b.rq.all() {
		perTenant[strings.Split(k, ":")[1]]++
	}
	if perTenant[fmt.Sprint(good)] == 0 || n != perTenant[fmt.Sprint(good)] {
		t.Errorf("queued %d, per tenant %v: tenant %d after the failing one got no reminders", n, perTenant, good)
	}
	if perTenant[fmt.Sprint(bad)] != 0 {
		t.Errorf("failing tenant %d queued %d", bad, perTenant[fmt.Sprint(bad)])
	}
}

// TestOverdueEscalationAndWeeklyDigest: past the reply deadline the daily escalation goes to
// the unit leader (not as an ordinary reminder to the handler), and Monday's weekly digest
// reaches the reviewers and leaders (PRODUCT.md "Clocks").
func TestOverdueEscalationAndWeeklyDigest(t *testing.T) {
	t.Parallel()
	// Thursday 2026-04-09, the reply was due Tuesday 04-07.
	b := remindSetup(t, sh(2026, 4, 9, 8))
	b.svc.Window = 5 * 24 * time.Hour
	sid := b.suggestionIn(t, b.tn, "handling", "关于治理噪声扰民的建议")
	pgtest.MustExec(t, b.pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at, accepted_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', $4, $5, $5)`, b.tn.ID, sid, b.tn.Units[0], endOf(2026, 4, 7), sh(2026, 3, 1, 9))
	keys := b.fire(t, ":o", 1)
	if !strings.HasSuffix(keys[0], ":o20260409") {
		t.Errorf("first escalation %s, want 2026-04-09's", keys[0])
	}
	if got := b.recipients(t, notify.KindReminder); len(got) != 0 {
		t.Errorf("overdue escalation sent as an ordinary reminder to %v", got)
	}
	got, want := b.recipients(t, notify.KindOverdue), who("user", b.tn.UnitLeaders[0])
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("overdue escalation to %v, want the unit leader %v", got, want)
	}
	var body string
	_ = b.pool.QueryRow(b.ctx, `SELECT body FROM notices WHERE tenant_id = $1 AND kind = $2`, b.tn.ID, notify.KindOverdue).Scan(&body)
	if !strings.Contains(body, "已超期2个工作日") {
		t.Errorf("escalation text: %s", body)
	}

	// Monday 04-13 09:00: the weekly digest.
	b.clk.Set(sh(2026, 4, 11, 10))
	keys = b.fire(t, ":weekly:", 1)
	if !strings.HasSuffix(keys[0], ":w20260413") {
		t.Errorf("weekly digest key %s, want Monday 2026-04-13's", keys[0])
	}
	got, want = b.recipients(t, notify.KindOverdueDigest), who("user", b.tn.Reviewer, b.tn.Leader)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("weekly digest to %v, want reviewer and leader %v", got, want)
	}
	_ = b.pool.QueryRow(b.ctx, `SELECT body FROM notices WHERE tenant_id = $1 AND kind = $2 LIMIT 1`, b.tn.ID, notify.KindOverdueDigest).Scan(&body)
	if !strings.Contains(body, "共有1件建议超期未答复") {
		t.Errorf("weekly digest text: %s", body)
	}

	// Once nothing is overdue the next Monday's digest sends nothing.
	pgtest.MustExec(t, b.pool, `UPDATE assignments SET state = 'replied' WHERE tenant_id = $1 AND suggestion_id = $2`, b.tn.ID, sid)
	b.clk.Set(sh(2026, 4, 18, 10))
	b.fire(t, ":w20260420", 1)
	if got := b.recipients(t, notify.KindOverdueDigest); len(got) != 2 {
		t.Errorf("weekly digest with nothing overdue: recipients now %v", got)
	}
}
