package nudge_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/nudge"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestNudgeOnceAWeek(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	svc := suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	reviewer := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	lead, co, stranger := auth.Deputy(tn.ID, tn.Deputies[0]), auth.Deputy(tn.ID, tn.Deputies[1]), auth.Deputy(tn.ID, tn.Deputies[2])

	d := must(svc.CreateDraft(ctx, lead, suggestion.DraftInput{Title: "关于民政路拓宽的建议", Body: "民政路早晚高峰拥堵严重，建议拓宽道路并优化红绿灯配时，方便群众出行。"}))
	must(d, svc.InviteCosigners(ctx, lead, d.ID, []int64{tn.Deputies[1]}))
	must(d, svc.RespondCosign(ctx, co, d.ID, true))
	d = must(svc.Get(ctx, lead, d.ID))
	s := must(svc.Submit(ctx, lead, d.ID, d.Version))

	now := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
	ns := nudge.NewService(postgres.NewNudgeStore(pool), func() time.Time { return now })

	// Registered but not assigned: nobody owes work yet.
	s = must(svc.Register(ctx, reviewer, s.ID, s.Version, tn.Categories[0]))
	if _, err := ns.Nudge(ctx, lead, s.ID, "bot"); !errors.Is(err, nudge.ErrNotDue) {
		t.Fatalf("registered: %v", err)
	}
	must(svc.Assign(ctx, reviewer, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: tn.Units[0], CoUnitIDs: []int64{tn.Units[1]}}))

	if _, err := ns.Nudge(ctx, stranger, s.ID, "bot"); !errors.Is(err, nudge.ErrNotFound) {
		t.Fatalf("stranger: %v", err)
	}
	if _, err := ns.Nudge(ctx, reviewer, s.ID, "bot"); !errors.Is(err, nudge.ErrForbidden) {
		t.Fatalf("staff: %v", err)
	}
	if _, err := ns.Nudge(ctx, auth.Deputy(tn.ID+1000, tn.Deputies[0]), s.ID, "bot"); !errors.Is(err, nudge.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}

	// Lead and co-signer at once: exactly one nudge.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := lead
			if i%2 == 1 {
				who = co
			}
			_, errs[i] = ns.Nudge(ctx, who, s.ID, "bot")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, nudge.ErrTooSoon):
			t.Fatalf("nudge: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d nudges succeeded", ok)
	}
	var rows, units int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT unit_id) FROM nudges WHERE tenant_id=$1 AND suggestion_id=$2`, tn.ID, s.ID).Scan(&rows, &units); err != nil || rows != 2 || units != 2 {
		t.Fatalf("nudge rows %d units %d: %v", rows, units, err)
	}

	now = now.Add(nudge.Window - time.Minute)
	if _, err := ns.Nudge(ctx, lead, s.ID, "bot"); !errors.Is(err, nudge.ErrTooSoon) {
		t.Fatalf("6 days later: %v", err)
	}
	now = now.Add(2 * time.Minute)
	res, err := ns.Nudge(ctx, co, s.ID, "miniprogram")
	if err != nil || len(res.UnitNames) != 2 {
		t.Fatalf("a week later: %+v %v", res, err)
	}
	var outbox, audit int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event=$3),
		(SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='nudge')`, tn.ID, s.ID, nudge.EvNudged).Scan(&outbox, &audit); err != nil || outbox != 2 || audit != 2 {
		t.Fatalf("outbox %d audit %d: %v", outbox, audit, err)
	}
}
