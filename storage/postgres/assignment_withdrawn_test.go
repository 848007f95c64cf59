package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/export"
	"jianyi/internal/remind"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// enumStates is the assignment_state enum as PostgreSQL holds it.
func enumStates(t *testing.T, pool *pgxpool.Pool) []suggestion.AssignmentState {
	t.Helper()
	var labels []string
	if err := pool.QueryRow(context.Background(), `SELECT enum_range(NULL::assignment_state)::text[]`).Scan(&labels); err != nil {
		t.Fatal(err)
	}
	out := make([]suggestion.AssignmentState, len(labels))
	for i, l := range labels {
		out[i] = suggestion.AssignmentState(l)
	}
	return out
}

// The typed assignment states and the Postgres enum hold the same values (ARCHITECTURE.md:
// states are typed constants mirrored by a DB enum).
func TestAssignmentStatesMatchTheEnum(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	if got := enumStates(t, pool); !slices.Equal(got, suggestion.AssignmentStates) {
		t.Fatalf("assignment_state enum %v, suggestion.AssignmentStates %v", got, suggestion.AssignmentStates)
	}
}

// withdrawnFixture assigns a suggestion to lead unit 0 and co-unit 1 through the workflow and
// has the co-unit ask to return it; withdraw grants the request with no unit in its place.
type withdrawnFixture struct {
	svc      *suggestion.Service
	tn       *pgtest.Tenant
	sid      int64
	lead, co int64
	now      time.Time
}

func newWithdrawnFixture(t *testing.T, pool *pgxpool.Pool) *withdrawnFixture {
	t.Helper()
	ctx := context.Background()
	f := &withdrawnFixture{tn: pgtest.NewTenant(t, pool), now: time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)}
	f.svc = suggestion.NewService(postgres.NewSuggestionStore(pool), func() time.Time { return f.now })
	dep := auth.Deputy(f.tn.ID, f.tn.Deputies[0])
	rev := f.reviewer()
	d, err := f.svc.CreateDraft(ctx, dep, suggestion.DraftInput{Title: "关于农贸市场周边排水改造的建议", Body: "农贸市场周边雨季积水严重，建议改造排水管网。"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.svc.Submit(ctx, dep, d.ID, d.Version)
	if err == nil {
		s, err = f.svc.Register(ctx, rev, s.ID, s.Version, f.tn.Categories[0])
	}
	if err == nil {
		s, err = f.svc.Assign(ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: f.tn.Units[0], CoUnitIDs: []int64{f.tn.Units[1]}})
	}
	if err != nil {
		t.Fatal(err)
	}
	f.sid = s.ID
	det, err := f.svc.Detail(ctx, rev, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.lead, f.co = det.Assignments[0].ID, det.Assignments[1].ID
	if _, err := f.svc.RequestReturn(ctx, f.unit(1), f.co, "排水改造与本单位职责无关"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *withdrawnFixture) reviewer() auth.Actor {
	return auth.Actor{TenantID: f.tn.ID, Kind: auth.KindStaff, ID: f.tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
}

func (f *withdrawnFixture) unit(i int) auth.Actor {
	return auth.Actor{TenantID: f.tn.ID, Kind: auth.KindStaff, ID: f.tn.Handlers[i], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: f.tn.Units[i]}
}

func (f *withdrawnFixture) withdraw(t *testing.T) {
	t.Helper()
	if _, err := f.svc.WithdrawCoUnit(context.Background(), f.reviewer(), f.co, "经核实与该单位职责无关"); err != nil {
		t.Fatal(err)
	}
}

// A withdrawn co-unit is treated as a re-routed one everywhere work is counted: it leaves the
// unit's inbox and workload, its list of cases, the 部门交办清单 export and the appraisal's
// count of the suggestions it handles; no clock reminds it; the lead unit's figures stay, and
// the dashboard's rollup still equals a recount.
func TestWithdrawnCoUnitLeavesTheWorkLists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	f := newWithdrawnFixture(t, pool)
	sup := postgres.NewSuperviseStore(pool)
	exp := postgres.NewExportStore(pool)
	app := postgres.NewAppraisalStore(pool)
	rem := postgres.NewRemindStore(pool)
	unit1 := f.tn.Units[1]

	inbox := func(unit int64, all bool) []int64 {
		t.Helper()
		rows, err := sup.Inbox(ctx, f.tn.ID, unit, supervise.InboxFilter{All: all}, f.now, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rows {
			ids = append(ids, r.AssignmentID)
		}
		return ids
	}
	workload := func(unit int64) int {
		t.Helper()
		loads, err := sup.Workload(ctx, f.tn.ID, unit, f.now)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, l := range loads {
			n += l.Open
		}
		return n
	}
	exported := func() map[string]int {
		t.Helper()
		rows, err := exp.UnitAssignments(ctx, f.tn.ID, export.Filter{}, f.now, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, r := range rows {
			out[r.Role]++
		}
		return out
	}
	coCount := func(unit int64) int {
		t.Helper()
		cs, err := app.Candidates(ctx, f.tn.ID, f.tn.MeetingID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.UnitID == unit {
				return c.Co
			}
		}
		return 0
	}
	listed := func(a auth.Actor) int {
		t.Helper()
		rows, err := f.svc.List(ctx, a, suggestion.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}

	// Before: the co-unit's request is open work of the co-unit.
	if got := inbox(unit1, false); !slices.Equal(got, []int64{f.co}) {
		t.Fatalf("co-unit's inbox before: %v", got)
	}
	if n := workload(unit1); n != 1 {
		t.Fatalf("co-unit's workload before: %d", n)
	}
	if got := exported(); got["主办"] != 1 || got["协办"] != 1 {
		t.Fatalf("export before: %v", got)
	}
	if n := coCount(unit1); n != 1 {
		t.Fatalf("appraisal co-count before: %d", n)
	}
	if n := listed(f.unit(1)); n != 1 {
		t.Fatalf("co-unit lists %d cases before", n)
	}

	f.withdraw(t)

	if got := inbox(unit1, false); len(got) != 0 {
		t.Errorf("withdrawn co-unit's inbox: %v", got)
	}
	if got := inbox(unit1, true); len(got) != 0 {
		t.Errorf("withdrawn co-unit's whole list: %v", got)
	}
	if n := workload(unit1); n != 0 {
		t.Errorf("withdrawn co-unit's workload: %d", n)
	}
	if got := exported(); got["主办"] != 1 || got["协办"] != 0 {
		t.Errorf("export after: %v, want the lead unit's row alone", got)
	}
	if n := coCount(unit1); n != 0 {
		t.Errorf("appraisal still counts the withdrawn co-unit: %d", n)
	}
	if n := listed(f.unit(1)); n != 0 {
		t.Errorf("withdrawn co-unit lists %d cases", n)
	}
	if got := inbox(f.tn.Units[0], false); !slices.Equal(got, []int64{f.lead}) {
		t.Errorf("lead unit's inbox: %v", got)
	}
	for _, clock := range remind.Clocks {
		if _, open, err := rem.Obligation(ctx, f.tn.ID, clock, f.co, 1); err != nil || open {
			t.Errorf("%s clock of the withdrawn co-unit: open=%v %v", clock, open, err)
		}
		if err := rem.Obligations(ctx, f.tn.ID, clock, func(o remind.Obligation) error {
			if o.UnitID == unit1 {
				t.Errorf("%s clock reminds the withdrawn co-unit: %+v", clock, o)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := postgres.NewStatsStore(pool).VerifyRollup(ctx, f.tn.ID); err != nil {
		t.Errorf("rollup after the withdrawal: %v", err)
	}
}

// Migration 00072 goes down: the enum loses 'withdrawn' and a withdrawn assignment reads as a
// re-routed one (inactive, off the case); up again, the state is back.
func TestWithdrawnMigrationDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	f := newWithdrawnFixture(t, pool)
	f.withdraw(t)
	pool.Reset() // the type is rebuilt: no connection keeps the old one's statements

	if err := postgres.MigrateTo(ctx, dsn, 71); err != nil {
		t.Fatal(err)
	}
	if got := enumStates(t, pool); slices.Contains(got, suggestion.AsgWithdrawn) {
		t.Fatalf("enum after down: %v", got)
	}
	var state string
	var active bool
	if err := pool.QueryRow(ctx, `SELECT state::text, active FROM assignments WHERE tenant_id = $1 AND id = $2`, f.tn.ID, f.co).Scan(&state, &active); err != nil {
		t.Fatal(err)
	}
	if state != "reassigned" || active {
		t.Fatalf("the withdrawn assignment after down: %s active=%v", state, active)
	}
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	if got := enumStates(t, pool); !slices.Equal(got, suggestion.AssignmentStates) {
		t.Fatalf("enum after up again: %v", got)
	}
}
