package postgres_test

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// A workflow change leaves only a mark (00060); the dashboard applies the marks before it sums,
// so a staff member who has just registered a suggestion sees it counted at once.
func TestDashboardCountsAChangeAtOnce(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	a, b := pgtest.NewTenant(t, pool), pgtest.NewTenant(t, pool)
	svc := suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	st := postgres.NewStatsStore(pool)
	marks := func(tenant int64) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM stats_dirty WHERE tenant_id = $1`, tenant).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	submit := func(tn *pgtest.Tenant, title string) *suggestion.Suggestion {
		t.Helper()
		dep := auth.Deputy(tn.ID, tn.Deputies[0])
		d, err := svc.CreateDraft(ctx, dep, suggestion.DraftInput{Title: title, Body: "民政路早晚高峰拥堵严重，建议优化红绿灯配时。"})
		if err != nil {
			t.Fatal(err)
		}
		s, err := svc.Submit(ctx, dep, d.ID, d.Version)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	counts := func(tn *pgtest.Tenant) stats.Counts {
		t.Helper()
		c, _, _, err := st.CountsAndTrend(ctx, tn.ID, stats.Filter{}, nil, false, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	before := counts(a)
	s := submit(a, "民政路拥堵")
	submit(b, "乙方的建议")
	if marks(a.ID) != 1 || marks(b.ID) != 1 {
		t.Fatalf("a submit should leave one mark per tenant, got %d and %d", marks(a.ID), marks(b.ID))
	}
	if got := counts(a); got.Submitted != before.Submitted+1 {
		t.Fatalf("dashboard after a submit: %d submitted, want %d", got.Submitted, before.Submitted+1)
	}
	if marks(a.ID) != 0 || marks(b.ID) != 1 {
		t.Fatalf("reading tenant A's dashboard must apply A's marks only: %d, %d left", marks(a.ID), marks(b.ID))
	}

	reviewer := auth.Actor{TenantID: a.ID, Kind: auth.KindStaff, ID: a.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	if _, err := svc.Register(ctx, reviewer, s.ID, s.Version, a.Categories[0]); err != nil {
		t.Fatal(err)
	}
	if got := counts(a); got.Registered != before.Registered+1 {
		t.Fatalf("dashboard after registering: %d registered, want %d", got.Registered, before.Registered+1)
	}

	// The worker's background drain applies every tenant's marks.
	n, err := st.Drain(ctx, 0)
	if err != nil || n != 1 || marks(b.ID) != 0 {
		t.Fatalf("background drain: %d applied, err %v, %d left for tenant B", n, err, marks(b.ID))
	}
	if err := st.VerifyRollup(ctx, 0); err != nil {
		t.Fatal(err)
	}
}
