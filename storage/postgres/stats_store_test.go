package postgres_test

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/stats"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// statsFixture builds a small tenant where every counted fact is known by construction.
func statsFixture(t *testing.T) (*postgres.StatsStore, time.Time) {
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲'), (2, 'b', '乙')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES
	    (1, 1, '一次会议', 2026, '2026-01-10', '2026-01-14', true), (2, 2, '一次会议', 2026, '2026-01-10', '2026-01-14', true)`)
	ex(`INSERT INTO delegations (tenant_id, id, name) VALUES (1, 1, '一团'), (1, 2, '二团')`)
	ex(`INSERT INTO deputies (tenant_id, id, name, delegation_id) VALUES (1, 1, '张三', 1), (1, 2, '李四', 2), (2, 3, '王五', NULL)`)
	ex(`INSERT INTO units (tenant_id, id, name) VALUES (1, 1, '住建局'), (1, 2, '交通局'), (2, 3, '别家局')`)
	// id, status, assigned?, reply due offset (days from now), rating due offset
	type sg struct {
		id     int
		status string
		dep    int
		unit   int
	}
	rows := []sg{
		{1, "closed", 1, 1}, {2, "tracking", 1, 1}, {3, "replied", 2, 1}, {4, "evaluated", 1, 2},
		{5, "handling", 1, 2}, {6, "registered", 1, 0}, {7, "submitted", 2, 0}, {8, "not_registered", 1, 0},
		{9, "tracking", 1, 2}, {10, "merged", 1, 0}, {11, "assigned", 2, 1},
	}
	for _, r := range rows {
		registered := r.status != "submitted" && r.status != "not_registered"
		assigned := r.unit != 0
		ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, submitted_at,
		      registered_at, assigned_at, reply_due_at)
		    VALUES (1, $1, 1, $2, '标题', '内容', $3, now() - interval '40 days',
		      CASE WHEN $4 THEN now() - interval '39 days' END, CASE WHEN $5 THEN now() - interval '38 days' END,
		      CASE WHEN $5 THEN now() + interval '10 days' END)`, r.id, r.dep, r.status, registered, assigned)
		if assigned {
			ex(`INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, due_at, return_due_at)
			    VALUES (1, $1, $2, 'lead', now() + interval '10 days', now())`, r.id, r.unit)
		}
	}
	// s5 is overdue; s11 is assigned with the reply clock running.
	ex(`UPDATE suggestions SET reply_due_at = now() - interval '1 day' WHERE tenant_id = 1 AND id = 5`)
	// s1 closed; s3 waits for a rating whose clock has run out (未反馈).
	ex(`UPDATE suggestions SET closed_at = now() WHERE tenant_id = 1 AND id = 1`)
	ex(`UPDATE suggestions SET rating_due_at = now() - interval '1 day' WHERE tenant_id = 1 AND id IN (1, 2, 3, 4, 9)`)
	// replies: suggestion, round, class, on_time
	for _, r := range []struct {
		s, round int
		class    string
		onTime   bool
	}{{1, 1, "A", true}, {2, 1, "B", false}, {3, 1, "A", true}, {4, 1, "C", true}, {9, 1, "D", true}, {9, 2, "A", false}} {
		ex(`INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time)
		    VALUES (1, $1, 0, 0, $2, $3, '答复', 0, $4)`, r.s, r.round, r.class, r.onTime)
	}
	ex(`UPDATE suggestions SET replied_at = now() - interval '5 days' WHERE tenant_id = 1 AND id IN (1, 2, 3, 4, 9)`)
	// evaluations: suggestion, deputy, kind, round, rating
	for _, e := range []struct {
		s, dep, round int
		kind, rating  string
	}{
		{1, 1, 1, "reply", "satisfied"},
		{2, 1, 1, "reply", "basically_satisfied"},
		{2, 1, 1, "implementation", "unsatisfied"},
		{4, 1, 1, "reply", "unsatisfied"},
		{4, 2, 1, "reply", "satisfied"}, // a co-signer: not the lead, never counted
		{9, 1, 1, "reply", "unsatisfied"},
		{9, 1, 2, "reply", "satisfied"}, // the latest round counts
		{9, 1, 2, "implementation", "satisfied"},
	} {
		ex(`INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, $1, $2, $3, $4, $5)`,
			e.s, e.dep, e.kind, e.round, e.rating)
	}
	// Another tenant's rows never count.
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, submitted_at, registered_at, assigned_at)
	    VALUES (2, 100, 2, 3, '别家', '内容', 'closed', now(), now(), now())`)
	ex(`INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time)
	    VALUES (2, 100, 0, 0, 1, 'A', '答复', 0, true)`)
	return postgres.NewStatsStore(pool), time.Now()
}

func TestStatsDefinitions(t *testing.T) {
	st, now := statsFixture(t)
	ctx := context.Background()
	c, _, err := st.Counts(ctx, 1, stats.Filter{}, nil, false, now)
	if err != nil {
		t.Fatal(err)
	}
	want := stats.Counts{
		Submitted: 10, Registered: 8, NotRegistered: 1, Assigned: 7, Replied: 5, RepliedOnTime: 4,
		Closed: 1, Overdue: 1, ClassA: 3, ClassB: 1, ClassC: 1, ClassD: 0,
		Rated: 4, Satisfied: 2, BasicallySatisfied: 1, Unsatisfied: 1, NoFeedback: 1,
		ImplRated: 2, ImplSatisfied: 1, ImplUnsatisfied: 1, Tracking: 3, // 2 and 9 long-term, 4 不满意
	}
	if c != want {
		t.Fatalf("counts\n got %+v\nwant %+v", c, want)
	}
	r := stats.Rates(c)
	for _, tc := range []struct {
		name     string
		got      stats.Ratio
		num, den int
		percent  string
	}{
		{"答复率 replied/assigned", r.ReplyRate, 5, 7, "71.4%"},
		{"按期答复率 on time/assigned", r.OnTimeReplyRate, 4, 7, "57.1%"},
		{"办结率 closed/registered", r.CloseRate, 1, 8, "12.5%"},
		{"满意率 (满意+基本满意)/rated, 未反馈 apart", r.SatisfactionRate, 3, 4, "75.0%"},
		{"解决率 class A/replied (not satisfied)", r.SolvedRate, 3, 5, "60.0%"},
		{"落实率 impl satisfied/impl rated", r.ImplRate, 1, 2, "50.0%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got.Num != tc.num || tc.got.Den != tc.den || tc.got.Percent() != tc.percent {
				t.Fatalf("got %d/%d %s, want %d/%d %s", tc.got.Num, tc.got.Den, tc.got.Percent(), tc.num, tc.den, tc.percent)
			}
		})
	}

	// Filters.
	for _, tc := range []struct {
		name          string
		f             stats.Filter
		cats          []int64
		assigned, rep int
	}{
		{"unit 住建局", stats.Filter{UnitID: 1}, nil, 4, 3},
		{"unit 交通局", stats.Filter{UnitID: 2}, nil, 3, 2},
		{"delegation 二团", stats.Filter{DelegationID: 2}, nil, 2, 1},
		{"period before everything", stats.Filter{To: now.Add(-100 * 24 * time.Hour)}, nil, 0, 0},
		{"other meeting", stats.Filter{MeetingID: 2}, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := st.Counts(ctx, 1, tc.f, tc.cats, false, now)
			if err != nil {
				t.Fatal(err)
			}
			if c.Assigned != tc.assigned || c.Replied != tc.rep {
				t.Fatalf("assigned %d replied %d, want %d %d", c.Assigned, c.Replied, tc.assigned, tc.rep)
			}
		})
	}

	total, units, err := st.Counts(ctx, 1, stats.Filter{}, nil, true, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 2 || total != want {
		t.Fatalf("units %+v total %+v", units, total)
	}
	if units[0].UnitName != "交通局" && units[1].Counts.Assigned+units[0].Counts.Assigned != 7 {
		t.Fatalf("unit rows %+v", units)
	}
	for _, u := range units {
		if u.UnitName == "别家局" {
			t.Fatal("another tenant's unit in the ranking")
		}
	}

	// Through the service: a unit handler sees their unit only.
	svc := stats.NewService(st, func() time.Time { return now })
	d, err := svc.Dashboard(ctx, auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 9, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: 2}, stats.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Counts.Assigned != 3 || !d.Scoped || len(d.Units) != 1 {
		t.Fatalf("unit dashboard %+v", d.Counts)
	}
	if _, err := svc.Dashboard(ctx, auth.Deputy(1, 1), stats.Filter{}); err == nil {
		t.Fatal("deputy read staff statistics")
	}
	if len(d.Trend) != 12 {
		t.Fatalf("trend %d", len(d.Trend))
	}
}

// The dashboard is cached until the tenant's data version (its newest audit event) moves.
func TestStatsDashboardCache(t *testing.T) {
	st, now := statsFixture(t)
	ctx := context.Background()
	clock := now
	svc := stats.NewService(st, func() time.Time { return clock })
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	d1, err := svc.Dashboard(ctx, rev, stats.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pool := st.Pool()
	pgtest.MustExec(t, pool, `UPDATE suggestions SET status = 'closed' WHERE tenant_id = 1 AND id = 4`)
	if d2, _ := svc.Dashboard(ctx, rev, stats.Filter{}); d2 != d1 {
		t.Fatal("recomputed without a data change")
	}
	pgtest.MustExec(t, pool, `INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, action) VALUES (1, 4, 'staff', 'close')`)
	d3, _ := svc.Dashboard(ctx, rev, stats.Filter{})
	if d3 == d1 || d3.Counts.Closed != d1.Counts.Closed+1 {
		t.Fatalf("not recomputed after a change: closed %d -> %d", d1.Counts.Closed, d3.Counts.Closed)
	}
	// Another tenant's change does not matter; time does.
	pgtest.MustExec(t, pool, `INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, action) VALUES (2, 100, 'staff', 'x')`)
	if d4, _ := svc.Dashboard(ctx, rev, stats.Filter{}); d4 != d3 {
		t.Fatal("another tenant's change invalidated the cache")
	}
	clock = clock.Add(stats.MaxAge + time.Second)
	if d5, _ := svc.Dashboard(ctx, rev, stats.Filter{}); d5 == d3 {
		t.Fatal("cache outlived MaxAge")
	}
	// Filters are cached apart.
	if d6, _ := svc.Dashboard(ctx, rev, stats.Filter{UnitID: 1}); d6.Counts.Assigned != 4 {
		t.Fatalf("filtered dashboard %+v", d6.Counts)
	}
}
