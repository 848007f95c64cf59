package supervise_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// problemFixture is a tenant whose suggestions are in the states a problem item may or may
// not link to, and a supervise service that tells (so a refusal can be seen to tell nobody),
// on a clock set at 00:30 in Shanghai (still the day before in UTC).
type problemFixture struct {
	pool *pgxpool.Pool
	tn   *pgtest.Tenant
	svc  *supervise.Service
	rev  auth.Actor
	// suggestion ids by name
	sg map[string]int64
	// today in Shanghai, as the console reads a date
	today time.Time
	state func() string
}

func newProblemFixture(t *testing.T) *problemFixture {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	other := pgtest.NewTenant(t, pool)
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	now := time.Date(2026, 6, 20, 0, 30, 0, 0, deadline.Shanghai)
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), func() time.Time { return now }).
		WithNotices(notify.NewPublisher(postgres.NewNotifyStore(pool), queue, nil, nil), nil)
	f := &problemFixture{pool: pool, tn: tn, svc: svc, sg: map[string]int64{},
		rev:   auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}},
		today: time.Date(2026, 6, 20, 0, 0, 0, 0, deadline.Shanghai)}
	exec := func(sql string, args ...any) { t.Helper(); pgtest.MustExec(t, pool, sql, args...) }
	suggest := func(tenant *pgtest.Tenant, name, status string, number any, units ...int64) {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number)
			VALUES ($1, $2, $3, $4, '正文', $5, $6) RETURNING id`, tenant.ID, tenant.MeetingID, tenant.Deputies[0], name, status, number).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for i, u := range units {
			role := "co"
			if i == 0 {
				role = "lead"
			}
			exec(`INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at)
				VALUES ($1, $2, $3, $4, 'accepted', now() + interval '90 days', now() + interval '7 days')`, tenant.ID, id, u, role)
		}
		f.sg[name] = id
	}
	housing, education, transport := tn.Units[0], tn.Units[1], tn.Units[2]
	suggest(tn, "住建局在办", "handling", 1, housing)
	suggest(tn, "住建局主办交通局协办", "assigned", 2, housing, transport)
	suggest(tn, "交通局改派给住建局", "handling", 3, transport)
	// 交通局 asked to return it: its assignment stays in the history, re-routed to 住建局.
	exec(`UPDATE assignments SET active = false, state = 'reassigned' WHERE tenant_id = $1 AND suggestion_id = $2`, tn.ID, f.sg["交通局改派给住建局"])
	exec(`INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at)
		VALUES ($1, $2, $3, 'lead', 'accepted', now() + interval '90 days', now() + interval '7 days')`, tn.ID, f.sg["交通局改派给住建局"], housing)
	suggest(tn, "已办结", "closed", 4, education)
	suggest(tn, "立案未交办", "registered", 5)
	suggest(tn, "不予立案", "not_registered", nil, education)
	suggest(tn, "待审核", "submitted", nil)
	suggest(tn, "退回修改", "returned", nil)
	suggest(tn, "已并案", "merged", 6, education)
	suggest(tn, "草稿", "draft", nil)
	suggest(other, "别家的建议", "handling", 1, other.Units[1])
	f.state = func() string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT concat_ws('|',
			(SELECT string_agg(concat_ws('/', id, unit_id, suggestion_id, due_on, state), ';' ORDER BY id) FROM problem_items),
			(SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	return f
}

// A problem item links only a registered case of the unit it is recorded against: one the
// unit handles now, or handled before it was re-routed. Another unit's case, a submission not
// (or never to be) registered, a merged duplicate, a draft, another tenant's case and a
// 整改时限 already passed in Shanghai are refused with a Chinese message and a stable code;
// nothing is saved and the unit is told nothing.
func TestProblemItemLinksOnlyTheUnitsRegisteredCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProblemFixture(t)
	tn := f.tn
	housing, education, transport := tn.Units[0], tn.Units[1], tn.Units[2]
	day := func(y int, m time.Month, d int) *time.Time {
		t := time.Date(y, m, d, 0, 0, 0, 0, deadline.Shanghai)
		return &t
	}
	for _, tc := range []struct {
		name       string
		unit       int64
		suggestion int64
		due        *time.Time
		code       string
	}{
		{"another unit's case", education, f.sg["住建局在办"], nil, "suggestion_unit_mismatch"},
		{"a case registered but never assigned", housing, f.sg["立案未交办"], nil, "suggestion_unit_mismatch"},
		{"不予立案 (forwarded to the unit as an opinion)", education, f.sg["不予立案"], nil, "suggestion_not_registered"},
		{"a submission under review", housing, f.sg["待审核"], nil, "suggestion_not_registered"},
		{"a submission returned for revision", housing, f.sg["退回修改"], nil, "suggestion_not_registered"},
		{"a merged duplicate", education, f.sg["已并案"], nil, "suggestion_not_registered"},
		{"a deputy's draft", housing, f.sg["草稿"], nil, "unknown_suggestion"},
		{"another tenant's case", education, f.sg["别家的建议"], nil, "unknown_suggestion"},
		{"no such suggestion", housing, 1 << 40, nil, "unknown_suggestion"},
		{"a due date years ago", housing, f.sg["住建局在办"], day(2020, 1, 1), "due_on_past"},
		{"yesterday in Shanghai (today in UTC)", housing, 0, day(2026, 6, 19), "due_on_past"},
	} {
		before := f.state()
		err := f.svc.CreateProblemItem(ctx, f.rev, &supervise.ProblemItem{UnitID: tc.unit, SuggestionID: tc.suggestion, Problem: "答复敷衍", DueOn: tc.due})
		var e *supervise.Error
		if !errors.Is(err, supervise.ErrInvalid) || !errors.As(err, &e) || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: got %v, want invalid %s", tc.name, err, tc.code)
		}
		if after := f.state(); after != before {
			t.Errorf("%s: the refused item wrote:\n%s\n%s", tc.name, before, after)
		}
	}
	if got := pgtest.Told(t, f.pool, tn.ID, notify.KindProblemRecorded); len(got) != 0 {
		t.Fatalf("refused items told %v", got)
	}

	for _, tc := range []struct {
		name       string
		unit       int64
		suggestion int64
		due        *time.Time
	}{
		{"the lead unit's case, due today", housing, f.sg["住建局在办"], &f.today},
		{"a co-unit's case", transport, f.sg["住建局主办交通局协办"], day(2026, 7, 1)},
		{"the unit's case before it was re-routed", transport, f.sg["交通局改派给住建局"], nil},
		{"the unit the case was re-routed to", housing, f.sg["交通局改派给住建局"], nil},
		{"a closed case", education, f.sg["已办结"], nil},
		{"no case", education, 0, day(2026, 6, 20)},
	} {
		p := &supervise.ProblemItem{UnitID: tc.unit, SuggestionID: tc.suggestion, Problem: "答复敷衍", DueOn: tc.due}
		if err := f.svc.CreateProblemItem(ctx, f.rev, p); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.ID == 0 || p.CreatedAt.IsZero() {
			t.Errorf("%s: saved as %+v", tc.name, p)
		}
	}
	// Each saved item told its unit's handler and leader once.
	if got := pgtest.Told(t, f.pool, tn.ID, notify.KindProblemRecorded); len(got) != 12 {
		t.Fatalf("saved items told %v, want 6 items × 2 staff", got)
	}
}

// A new item's 整改时限 may not have passed; an item whose limit passes afterwards is still
// reported on and closed (its date stays as it was).
func TestProblemItemPastItsDueDateCanStillBeUpdated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	now := time.Date(2026, 6, 20, 10, 0, 0, 0, deadline.Shanghai)
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), func() time.Time { return now })
	rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	unit := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Handlers[0], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: tn.Units[0]}
	due := time.Date(2026, 6, 21, 0, 0, 0, 0, deadline.Shanghai)
	p := &supervise.ProblemItem{UnitID: tn.Units[0], Problem: "逾期未答复", DueOn: &due}
	if err := svc.CreateProblemItem(ctx, rev, p); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 5)
	if _, err := svc.Rectify(ctx, unit, p.ID, "已重新答复代表", supervise.ProblemRectifying); err != nil {
		t.Fatalf("a report on an item past its limit: %v", err)
	}
	got, err := svc.Rectify(ctx, rev, p.ID, "", supervise.ProblemDone)
	if err != nil || got.DueOn == nil || got.DueOn.Format(time.DateOnly) != "2026-06-21" {
		t.Fatalf("closing an item past its limit: %+v %v", got, err)
	}
}

// The checks are made with the item's insert, not before it: a case merged (并案) by a
// reviewer while the item is being saved is refused once the merge commits, not linked as
// it was a moment before.
func TestProblemItemChecksItsCaseWhenItIsSaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProblemFixture(t)
	sid := f.sg["住建局在办"]
	tx, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `UPDATE suggestions SET status = 'merged', version = version + 1 WHERE tenant_id = $1 AND id = $2`, f.tn.ID, sid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- f.svc.CreateProblemItem(ctx, f.rev, &supervise.ProblemItem{UnitID: f.tn.Units[0], SuggestionID: sid, Problem: "答复敷衍"})
	}()
	// Wait until the save waits on the merge's row lock (or has finished without waiting).
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 || len(done) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	err = <-done
	var e *supervise.Error
	if !errors.As(err, &e) || e.Code != "suggestion_not_registered" {
		t.Fatalf("an item linking a case merged meanwhile: %v, want suggestion_not_registered", err)
	}
	if n := pgtest.Count(t, f.pool, `SELECT count(*) FROM problem_items`); n != 0 {
		t.Fatalf("%d items saved", n)
	}
}

// An item about a case re-routed away from its unit names the case to that unit without a
// link: the unit may no longer open it (the console would answer 404). The unit it went to,
// and the supervisors, get the link.
func TestProblemItemLinksOnlyForReadersWhoMayOpenTheCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProblemFixture(t)
	tn := f.tn
	housing, transport := tn.Units[0], tn.Units[2]
	moved := f.sg["交通局改派给住建局"]
	for _, unit := range []int64{transport, housing} {
		if err := f.svc.CreateProblemItem(ctx, f.rev, &supervise.ProblemItem{UnitID: unit, SuggestionID: moved, Problem: "答复敷衍"}); err != nil {
			t.Fatal(err)
		}
	}
	linked := func(a auth.Actor) map[int64]bool {
		t.Helper()
		items, err := f.svc.ListProblems(ctx, a, supervise.ProblemQuery{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, p := range items {
			if p.SuggestionID != moved || p.SuggestionTitle != "交通局改派给住建局" {
				t.Fatalf("item %+v", p)
			}
			out[p.UnitID] = p.Linked
		}
		return out
	}
	unit := func(i int) auth.Actor {
		return auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Handlers[i], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: tn.Units[i]}
	}
	if got := linked(unit(2)); len(got) != 1 || got[transport] {
		t.Errorf("the unit the case was re-routed away from: linked %v, want the title without a link", got)
	}
	if got := linked(unit(0)); len(got) != 1 || !got[housing] {
		t.Errorf("the unit handling the case: linked %v, want a link", got)
	}
	if got := linked(f.rev); len(got) != 2 || !got[housing] || !got[transport] {
		t.Errorf("the reviewer: linked %v, want both linked", got)
	}
}
