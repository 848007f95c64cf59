package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"jianyi/internal/stats"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// assertRollupIsRecount checks the invariant of migration 00023: stats_members equals what
// the workflow tables say now (stats_member_source), the rollup sums equal the members'
// sums per key, and the dashboard read from the rollup equals a recount from the workflow
// tables under every kind of filter.
func assertRollupIsRecount(t *testing.T, st *postgres.StatsStore, step string) {
	t.Helper()
	ctx := context.Background()
	if err := st.VerifyRollup(ctx, 0); err != nil {
		t.Fatalf("%s: %v", step, err)
	}

	now := time.Now()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	day := func(d int) time.Time {
		l := now.In(sh).AddDate(0, 0, d)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, sh)
	}
	month := func(m int) time.Time {
		l := now.In(sh)
		return time.Date(l.Year(), l.Month()+time.Month(m), 1, 0, 0, 0, 0, sh)
	}
	filters := []struct {
		name string
		f    stats.Filter
		cats []int64
	}{
		{"all", stats.Filter{}, nil},
		{"unit 1", stats.Filter{UnitID: 1}, nil},
		{"unit 2", stats.Filter{UnitID: 2}, nil},
		{"meeting 1", stats.Filter{MeetingID: 1}, nil},
		{"meeting 3", stats.Filter{MeetingID: 3}, nil},
		{"category 1", stats.Filter{CategoryID: 1}, nil},
		{"committee categories", stats.Filter{}, []int64{1, 2}},
		{"delegation 1", stats.Filter{DelegationID: 1}, nil},
		{"delegation 2", stats.Filter{DelegationID: 2}, nil},
		{"from mid-month", stats.Filter{From: day(-45)}, nil},
		{"to mid-month", stats.Filter{To: day(-20)}, nil},
		{"from and to in one month", stats.Filter{From: month(-1).AddDate(0, 0, 3), To: month(-1).AddDate(0, 0, 20)}, nil},
		{"whole months", stats.Filter{From: month(-3), To: month(1)}, nil},
		{"from a month start", stats.Filter{From: month(-1)}, nil},
		{"across months", stats.Filter{From: day(-70), To: day(-3), UnitID: 1}, nil},
		{"empty period", stats.Filter{From: day(-3), To: day(-5)}, nil},
		{"everything at once", stats.Filter{MeetingID: 1, UnitID: 1, CategoryID: 1, DelegationID: 1, From: day(-90), To: day(1)}, nil},
	}
	for _, tenant := range []int64{1, 2} {
		for _, tc := range filters {
			got, gotUnits, gotTrend, err := st.CountsAndTrend(ctx, tenant, tc.f, tc.cats, true, 12, now)
			if err != nil {
				t.Fatalf("%s, %s: %v", step, tc.name, err)
			}
			want, wantUnits, err := st.RecountCounts(ctx, tenant, tc.f, tc.cats, true, now)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s, tenant %d, %s: rollup\n %+v\nrecount\n %+v", step, tenant, tc.name, got, want)
			}
			if !reflect.DeepEqual(gotUnits, wantUnits) {
				t.Fatalf("%s, tenant %d, %s: units rollup\n %+v\nrecount\n %+v", step, tenant, tc.name, gotUnits, wantUnits)
			}
			if tc.cats == nil { // the recount's trend takes no category scope
				wantTrend, err := st.RecountTrend(ctx, tenant, tc.f, 12, now)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(gotTrend, wantTrend) {
					t.Fatalf("%s, tenant %d, %s: trend rollup\n %+v\nrecount\n %+v", step, tenant, tc.name, gotTrend, wantTrend)
				}
			}
		}
	}
}

// Every kind of change the workflow makes keeps the rollup equal to a recount, before and
// after compaction.
func TestStatsRollupFollowsEveryTransition(t *testing.T) {
	st, _ := statsFixture(t)
	pool := st.Pool()
	ctx := context.Background()
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on) VALUES (1, 3, '二次会议', 2027, '2027-01-10', '2027-01-14')`)
	ex(`INSERT INTO categories (tenant_id, id, name) VALUES (1, 1, '城建'), (1, 2, '交通'), (1, 3, '教育')`)
	ex(`UPDATE suggestions SET category_id = 1 + id % 3 WHERE tenant_id = 1`)
	assertRollupIsRecount(t, st, "fixture")

	steps := []struct{ name, sql string }{
		{"draft created", `INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status)
		  VALUES (1, 50, 1, 1, '草稿', '内容', 'draft'), (1, 51, 1, 2, '草稿', '内容', 'draft')`},
		{"draft edited", `UPDATE suggestions SET category_id = 2 WHERE tenant_id = 1 AND id = 50`},
		{"submitted", `UPDATE suggestions SET status = 'submitted', submitted_at = now() - interval '50 days' WHERE tenant_id = 1 AND id IN (50, 51)`},
		{"returned", `UPDATE suggestions SET status = 'returned' WHERE tenant_id = 1 AND id = 51`},
		{"resubmitted", `UPDATE suggestions SET status = 'submitted', submitted_at = now() - interval '2 days' WHERE tenant_id = 1 AND id = 51`},
		{"not registered", `UPDATE suggestions SET status = 'not_registered' WHERE tenant_id = 1 AND id = 51`},
		{"registered", `UPDATE suggestions SET status = 'registered', registered_at = now(), category_id = 3 WHERE tenant_id = 1 AND id = 50`},
		{"assigned", `UPDATE suggestions SET status = 'assigned', assigned_at = now(), reply_due_at = now() - interval '1 hour' WHERE tenant_id = 1 AND id = 50;
		  INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, due_at, return_due_at) VALUES (1, 500, 50, 1, 'lead', now(), now())`},
		{"co-unit assigned", `INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, due_at, return_due_at) VALUES (1, 501, 50, 2, 'co', now(), now())`},
		{"accepted", `UPDATE suggestions SET status = 'handling' WHERE tenant_id = 1 AND id = 50;
		  UPDATE assignments SET state = 'accepted', accepted_at = now() WHERE tenant_id = 1 AND id = 500`},
		{"reassigned to another unit", `UPDATE assignments SET active = false, state = 'reassigned' WHERE tenant_id = 1 AND id = 500;
		  INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, due_at, return_due_at) VALUES (1, 502, 50, 2, 'lead', now(), now())`},
		{"lead unit changed in place", `UPDATE assignments SET unit_id = 1 WHERE tenant_id = 1 AND id = 502`},
		{"escalated", `UPDATE suggestions SET status = 'escalated' WHERE tenant_id = 1 AND id = 50`},
		{"reply due extended", `UPDATE suggestions SET status = 'handling', reply_due_at = now() + interval '5 days' WHERE tenant_id = 1 AND id = 50`},
		{"replied", `INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time)
		    VALUES (1, 50, 502, 1, 1, 'B', '答复', 0, false);
		  UPDATE suggestions SET status = 'replied', replied_at = now() - interval '35 days', rating_due_at = now() - interval '1 minute' WHERE tenant_id = 1 AND id = 50`},
		{"co-signer rated", `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, 50, 2, 'reply', 1, 'satisfied')`},
		{"lead rated", `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, 50, 1, 'reply', 1, 'unsatisfied');
		  UPDATE suggestions SET status = 'evaluated' WHERE tenant_id = 1 AND id = 50`},
		{"rehandling", `UPDATE suggestions SET status = 'rehandling', round = 2, reply_due_at = now() - interval '1 day' WHERE tenant_id = 1 AND id = 50`},
		{"replied again", `INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time)
		    VALUES (1, 50, 502, 1, 2, 'A', '再答复', 0, true);
		  UPDATE suggestions SET status = 'replied', replied_at = now(), rating_due_at = now() + interval '10 days' WHERE tenant_id = 1 AND id = 50`},
		{"reply time corrected", `UPDATE replies SET replied_at = now() - interval '100 days' WHERE tenant_id = 1 AND suggestion_id = 50 AND round = 1`},
		{"reply published", `UPDATE replies SET published_at = now() WHERE tenant_id = 1 AND suggestion_id = 50`},
		{"rated again", `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, 50, 1, 'reply', 2, 'basically_satisfied')`},
		{"tracking", `UPDATE suggestions SET status = 'tracking' WHERE tenant_id = 1 AND id = 50;
		  INSERT INTO tracking_items (tenant_id, suggestion_id, reason) VALUES (1, 50, '承诺事项')`},
		{"implementation rated", `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, 50, 1, 'implementation', 1, 'satisfied')`},
		{"implementation rated again", `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, 50, 1, 'implementation', 2, 'unsatisfied')`},
		{"closed", `UPDATE suggestions SET status = 'closed', closed_at = now() - interval '61 days' WHERE tenant_id = 1 AND id = 50`},
		{"reopened", `UPDATE suggestions SET status = 'tracking', closed_at = NULL WHERE tenant_id = 1 AND id = 50`},
		{"closing written to the audit log", `INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, action, from_status, to_status, created_at)
		  VALUES (1, 50, 'system', 'close', 'evaluated', 'closed', now() - interval '90 days')`},
		{"earlier round's reply deleted", `DELETE FROM replies WHERE tenant_id = 1 AND suggestion_id = 9 AND round = 1`},
		{"category changed", `UPDATE suggestions SET category_id = 2 WHERE tenant_id = 1 AND id IN (3, 50)`},
		{"category cleared", `UPDATE suggestions SET category_id = NULL WHERE tenant_id = 1 AND id = 4`},
		{"moved to another meeting", `UPDATE suggestions SET meeting_id = 3 WHERE tenant_id = 1 AND id = 2`},
		{"submission time moved", `UPDATE suggestions SET submitted_at = now() - interval '200 days' WHERE tenant_id = 1 AND id = 1`},
		{"lead deputy changed", `UPDATE suggestions SET lead_deputy_id = 2 WHERE tenant_id = 1 AND id = 5`},
		{"deputy changed delegation", `UPDATE deputies SET delegation_id = 2 WHERE tenant_id = 1 AND id = 1`},
		{"deputy left every delegation", `UPDATE deputies SET delegation_id = NULL WHERE tenant_id = 1 AND id = 2`},
		{"merged away", `UPDATE suggestions SET status = 'merged', merged_into = 50 WHERE tenant_id = 1 AND id = 7`},
		{"lead assignment withdrawn", `UPDATE assignments SET active = false WHERE tenant_id = 1 AND suggestion_id = 11`},
		{"lead assignment deleted", `DELETE FROM assignments WHERE tenant_id = 1 AND suggestion_id = 6`},
		{"suggestion deleted", `DELETE FROM suggestions WHERE tenant_id = 1 AND id = 51`},
		{"other tenant changed", `UPDATE suggestions SET status = 'tracking', closed_at = NULL WHERE tenant_id = 2 AND id = 100`},
		{"no counted change", `UPDATE suggestions SET title = '新标题', version = version + 1, updated_at = now() WHERE tenant_id = 1`},
		{"many at once", `UPDATE suggestions SET status = 'closed', closed_at = now() WHERE tenant_id = 1 AND status = 'tracking'`},
	}
	for _, s := range steps {
		ex(s.sql)
		assertRollupIsRecount(t, st, s.name)
	}
	var pending int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM stats_rollup WHERE NOT compacted`).Scan(&pending); err != nil || pending == 0 {
		t.Fatalf("no difference rows after the changes (%d, %v)", pending, err)
	}
	for _, tenant := range []int{1, 2} {
		ex(`SELECT stats_compact($1)`, tenant)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM stats_rollup WHERE NOT compacted`).Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("%d difference rows left after compaction (%v)", pending, err)
	}
	assertRollupIsRecount(t, st, "compacted")
	ex(`UPDATE suggestions SET status = 'handling', closed_at = NULL WHERE tenant_id = 1 AND id = 1`)
	assertRollupIsRecount(t, st, "changed after compaction")
	ex(`SELECT stats_rebuild(1)`)
	assertRollupIsRecount(t, st, "rebuilt")
}

// Writers in parallel transactions (each only inserting difference rows) and a compaction
// running meanwhile still add up.
func TestStatsRollupConcurrentWriters(t *testing.T) {
	st, _ := statsFixture(t)
	pool := st.Pool()
	ctx := context.Background()
	pgtest.MustExec(t, pool, `INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, submitted_at)
	  SELECT 1, 1000 + i, 1, 1 + i % 2, '标题', '内容', 'submitted', now() - i * interval '1 day' FROM generate_series(1, 80) i`)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 1 + w; i <= 80; i += 4 {
				id := 1000 + i
				tx, err := pool.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				for _, q := range []string{
					`UPDATE suggestions SET status = 'registered', registered_at = now() WHERE tenant_id = 1 AND id = $1`,
					`UPDATE suggestions SET status = 'assigned', assigned_at = now(), reply_due_at = now() - interval '1 day' WHERE tenant_id = 1 AND id = $1`,
					`INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, due_at, return_due_at) VALUES (1, $1::bigint, 1 + $1::bigint % 2, 'lead', now(), now())`,
				} {
					if _, err := tx.Exec(ctx, q, id); err != nil {
						_ = tx.Rollback(ctx)
						errs <- fmt.Errorf("suggestion %d: %w", id, err)
						return
					}
				}
				if err := tx.Commit(ctx); err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					if _, err := pool.Exec(ctx, `SELECT stats_compact(1)`); err != nil {
						errs <- err
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	assertRollupIsRecount(t, st, "after parallel writers")
}
