package supervise_test

import (
	"context"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/notify"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// When the notices cannot be published, the problem item, the rectification report or the
// interview is not saved either (no unit listed or interviewed without being told, no report
// the supervisors never hear of, no listed problem moved to rectification by an interview that
// was never recorded), and the same action done again once PostgreSQL takes
// notices saves it and tells.
func TestRecordAndItsNoticesCommitTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), nil).
		WithNotices(notify.NewPublisher(postgres.NewNotifyStore(pool), queue, nil, nil), nil)
	rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	unit := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Handlers[0], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: tn.Units[0]}
	listed := &supervise.ProblemItem{UnitID: tn.Units[0], Problem: "逾期未答复代表建议"}
	if err := svc.CreateProblemItem(ctx, rev, listed); err != nil {
		t.Fatal(err)
	}
	tables := func() string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT concat_ws('|',
			(SELECT string_agg(concat_ws('/', id, state, rectification, closed_at), ';' ORDER BY id) FROM problem_items),
			(SELECT count(*) FROM interviews), (SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	problem := func() error {
		return svc.CreateProblemItem(ctx, rev, &supervise.ProblemItem{UnitID: tn.Units[0], Problem: "答复敷衍，未见面沟通"})
	}
	report := func() error {
		_, err := svc.Rectify(ctx, unit, listed.ID, "已与代表见面沟通并重新答复", supervise.ProblemRectifying)
		return err
	}
	interview := func() error {
		return svc.RecordInterview(ctx, rev, &supervise.Interview{UnitID: tn.Units[0], ProblemItemID: listed.ID, HeldAt: listed.CreatedAt,
			Leader: "常委会副主任", Summary: "就逾期答复问题约谈"})
	}

	restore := pgtest.FailNotices(t, pool, tn.ID)
	before := tables()
	for name, do := range map[string]func() error{"problem item": problem, "rectification report": report, "interview": interview} {
		if err := do(); err == nil {
			t.Errorf("a %s was saved whose notice could not be published", name)
		}
	}
	if after := tables(); after != before {
		t.Fatalf("a failed publish left a record behind:\n%s\n%s", before, after)
	}

	restore()
	for name, do := range map[string]func() error{"problem item": problem, "rectification report": report, "interview": interview} {
		if err := do(); err != nil {
			t.Fatalf("the retried %s: %v", name, err)
		}
	}
	for kind, n := range map[string]int{notify.KindProblemRecorded: 4, notify.KindRectificationReported: 2, notify.KindInterviewed: 2} {
		if got := pgtest.Told(t, pool, tn.ID, kind); len(got) != n {
			t.Errorf("%s told %v, want %d", kind, got, n)
		}
	}
}
