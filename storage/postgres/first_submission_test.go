package postgres_test

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/stats"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// Migration 00079: a suggestion resubmitted before the upgrade gets back the time of its first
// submission, and with it the month of its 提出; one submitted once keeps its time.
func TestFirstSubmissionMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, dsn := pgtest.At(t, 78)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES (1, 1, 'm', 2026, '2026-01-10', '2026-01-14', true)`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三')`)
	// 1: submitted in March, returned, resubmitted in May; 2: submitted once in April; 3: in May
	// with no audit event (imported); 4: a draft.
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, submitted_at) VALUES
	  (1, 1, 1, 1, '一', '内容', 'submitted', '2026-05-06 02:00+00'), (1, 2, 1, 1, '二', '内容', 'submitted', '2026-04-02 02:00+00'),
	  (1, 3, 1, 1, '三', '内容', 'submitted', '2026-05-08 02:00+00'), (1, 4, 1, 1, '四', '内容', 'draft', NULL)`)
	ex(`INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, actor_id, action, from_status, to_status, created_at) VALUES
	  (1, 1, 'deputy', 1, 'submit', 'draft', 'submitted', '2026-03-03 02:00+00'),
	  (1, 1, 'staff', 9, 'return', 'submitted', 'returned', '2026-03-10 02:00+00'),
	  (1, 1, 'deputy', 1, 'submit', 'returned', 'submitted', '2026-05-06 02:00+00'),
	  (1, 2, 'deputy', 1, 'submit', 'draft', 'submitted', '2026-04-02 02:00+00')`)
	st := postgres.NewStatsStore(pool)
	may := func(step string, want int) {
		t.Helper()
		if err := st.VerifyRollup(ctx, 1); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		from, to := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		c, _, err := st.Counts(ctx, 1, stats.Filter{From: from, To: to}, nil, false, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if c.Submitted != want {
			t.Fatalf("%s: 提出 in May %d, want %d", step, c.Submitted, want)
		}
	}
	may("before 00079", 2) // 1 (resubmitted in May) and 3
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	for id, want := range map[int64]string{1: "2026-03-03 02:00:00+00", 2: "2026-04-02 02:00:00+00", 3: "2026-05-08 02:00:00+00"} {
		var got time.Time
		if err := pool.QueryRow(ctx, `SELECT submitted_at FROM suggestions WHERE tenant_id = 1 AND id = $1`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if w, _ := time.Parse("2006-01-02 15:04:05-07", want); !got.Equal(w) {
			t.Errorf("suggestion %d: 提出时间 %v, want %v", id, got, w)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM suggestions WHERE tenant_id = 1 AND id = 4 AND submitted_at IS NULL`); n != 1 {
		t.Error("the draft got a 提出时间")
	}
	// The rollup followed: May keeps only 3; 1 went back to March.
	may("after 00079", 1)
}
