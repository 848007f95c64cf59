package supervise_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// A 整改时限 is a Shanghai calendar date: an item is overdue from the first minute of the
// next day in Shanghai (still the due date in UTC) until it is 已整改. The list, its overdue
// filter and the unit's count agree.
func TestProblemOverdueFollowsTheShanghaiDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	var mu sync.Mutex
	now := time.Date(2026, 6, 20, 10, 0, 0, 0, deadline.Shanghai)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), clock)
	rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	unit := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Handlers[0], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: tn.Units[0]}

	ids := map[string]int64{}
	for _, p := range []struct {
		name string
		due  int // day of June 2026; 0: none
	}{{"29th", 29}, {"30th", 30}, {"1st", 31}, {"29th done", 29}, {"none", 0}} {
		item := &supervise.ProblemItem{UnitID: tn.Units[0], Problem: p.name}
		if p.due != 0 {
			d := time.Date(2026, 6, p.due, 0, 0, 0, 0, deadline.Shanghai) // as the console reads a date
			item.DueOn = &d
		}
		if err := svc.CreateProblemItem(ctx, rev, item); err != nil {
			t.Fatal(err)
		}
		ids[p.name] = item.ID
	}
	if _, err := svc.Rectify(ctx, unit, ids["1st"], "正在整改", supervise.ProblemRectifying); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rectify(ctx, rev, ids["29th done"], "已整改", supervise.ProblemDone); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2026, 6, 29, 23, 59, 0, 0, deadline.Shanghai), nil},
		{time.Date(2026, 6, 30, 0, 1, 0, 0, deadline.Shanghai), []string{"29th"}},
		{time.Date(2026, 6, 30, 23, 59, 0, 0, deadline.Shanghai), []string{"29th"}},
		{time.Date(2026, 7, 1, 0, 1, 0, 0, deadline.Shanghai), []string{"29th", "30th"}}, // 2026-06-30 16:01 UTC
		{time.Date(2026, 7, 2, 0, 1, 0, 0, deadline.Shanghai), []string{"29th", "30th", "1st"}},
	} {
		set(tc.at)
		var want []int64
		for _, n := range tc.want {
			want = append(want, ids[n])
		}
		slices.Sort(want)
		items, err := svc.ListProblems(ctx, rev, supervise.ProblemQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var marked []int64
		for _, p := range items {
			if p.Overdue {
				marked = append(marked, p.ID)
			}
		}
		slices.Sort(marked)
		if len(items) != 5 || !slices.Equal(marked, want) {
			t.Errorf("at %s: %d items, overdue %v, want %v", tc.at, len(items), marked, want)
		}
		only, err := svc.ListProblems(ctx, unit, supervise.ProblemQuery{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		var listed []int64
		for _, p := range only {
			listed = append(listed, p.ID)
		}
		slices.Sort(listed)
		if !slices.Equal(listed, want) {
			t.Errorf("at %s: overdue filter %v, want %v", tc.at, listed, want)
		}
		sum, err := svc.UnitProblems(ctx, unit)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Open != 4 || sum.Overdue != len(want) {
			t.Errorf("at %s: unit summary %+v, want 4 open, %d overdue", tc.at, sum, len(want))
		}
	}
	if _, err := svc.UnitProblems(ctx, rev); err == nil {
		t.Error("a reviewer got a unit's summary")
	}
}
