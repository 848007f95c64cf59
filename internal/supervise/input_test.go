package supervise_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// Text that cannot be stored and dates no committee could mean are refused by the service
// with a Chinese message and a stable code; nothing is written.
func TestBadInputIsRefusedByTheService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), nil)
	rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	unit := tn.Units[0]
	count := func() string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT concat_ws(',', (SELECT count(*) FROM problem_items), (SELECT count(*) FROM interviews),
			(SELECT string_agg(concat_ws('/', state, rectification), ';') FROM problem_items))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := func(name string, err error, code string) {
		t.Helper()
		var e *supervise.Error
		if !errors.Is(err, supervise.ErrInvalid) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
			t.Errorf("%s: got %v, want invalid %s", name, err, code)
		}
	}
	p := &supervise.ProblemItem{UnitID: unit, Problem: "逾期未答复"}
	if err := svc.CreateProblemItem(ctx, rev, p); err != nil {
		t.Fatal(err)
	}
	before := count()
	held := time.Now().Add(-time.Hour)
	for _, bad := range []string{"问题\x00", "\x1b问题", "问\xc3题", "问题\x7f"} {
		want("problem "+bad, svc.CreateProblemItem(ctx, rev, &supervise.ProblemItem{UnitID: unit, Problem: bad}), "bad_text")
		want("responsible "+bad, svc.CreateProblemItem(ctx, rev, &supervise.ProblemItem{UnitID: unit, Problem: "问题", Responsible: bad}), "bad_text")
		_, err := svc.Rectify(ctx, rev, p.ID, bad, supervise.ProblemRectifying)
		want("rectification "+bad, err, "bad_text")
		want("leader "+bad, svc.RecordInterview(ctx, rev, &supervise.Interview{UnitID: unit, HeldAt: held, Leader: bad, Summary: "约谈"}), "bad_text")
		want("summary "+bad, svc.RecordInterview(ctx, rev, &supervise.Interview{UnitID: unit, HeldAt: held, Leader: "赵副主任", Summary: bad}), "bad_text")
		want("follow-up "+bad, svc.RecordInterview(ctx, rev, &supervise.Interview{UnitID: unit, HeldAt: held, Leader: "赵副主任", Summary: "约谈", FollowUp: bad}), "bad_text")
	}
	year1 := time.Date(1, 1, 1, 10, 0, 0, 0, time.UTC)
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []time.Time{year1, far} {
		want("due "+d.String(), svc.CreateProblemItem(ctx, rev, &supervise.ProblemItem{UnitID: unit, Problem: "问题", DueOn: &d}), "bad_due_on")
	}
	want("held in year 1", svc.RecordInterview(ctx, rev, &supervise.Interview{UnitID: unit, HeldAt: year1, Leader: "赵副主任", Summary: "约谈"}), "bad_time")
	if _, err := svc.ProblemItems(ctx, rev, 0, "open\x00"); !errors.Is(err, supervise.ErrInvalid) {
		t.Errorf("state filter with NUL: %v", err)
	}
	if after := count(); after != before {
		t.Fatalf("refused input wrote:\n%s\n%s", before, after)
	}
	if strings.Contains(before, "\x00") {
		t.Fatal("NUL stored")
	}
}
