package remind_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"jianyi/internal/notify"
	"jianyi/internal/remind"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

func usedMemory(b *testing.B, rdb *goredis.Client) int64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO")
	return 0
}

// BenchmarkReminderRedisMemory: 1,000,000 pending reminders (250,000 open reply obligations
// × 4 offsets, deadlines spread over 120 days) live in PostgreSQL; the reconciler queues the
// ones inside its window as asynq tasks. Reports the Redis used_memory delta for that (the
// design's real footprint), and asynq's bytes per queued reminder measured on 50,000 tasks,
// extrapolated to all 1,000,000 queued at once (what a no-window design would need).
func BenchmarkReminderRedisMemory(b *testing.B) {
	const obligations = 250_000
	ctx := context.Background()
	pool := pgtest.New(b)
	tn := pgtest.NewTenant(b, pool)
	now := sh(2026, 3, 2, 10)
	pgtest.MustExec(b, pool, `INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status)
		SELECT $1, 1000000 + g, $2, $3, '关于第' || g || '件事项的建议', '正文', 'handling' FROM generate_series(1, $4::int) g`,
		tn.ID, tn.MeetingID, tn.Deputies[0], obligations)
	pgtest.MustExec(b, pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at)
		SELECT $1, 1000000 + g, $2, 'lead', 'accepted', $3::timestamptz + ((g % 120) + 1) * interval '1 day' + (g % 7) * interval '1 hour', $3::timestamptz
		FROM generate_series(1, $4::int) g`, tn.ID, tn.Units[0], now, obligations)
	pgtest.MustExec(b, pool, `ANALYZE assignments`)
	rs := redistest.StartServer(b)
	rdb := rs.Client(b)
	queue := jredis.NewQueue(rdb)
	defer queue.Close()
	clk := &clock{t: now}
	svc := remind.New(postgres.NewRemindStore(pool), queue, notify.NewPublisher(postgres.NewNotifyStore(pool), nopQueue(), clk, nil), clk)

	// Warm asynq's bookkeeping keys so they do not count as reminders.
	_ = queue.EnqueueReminder(ctx, "r:warm", now.Add(time.Hour))
	before := usedMemory(b, rdb)
	start := time.Now()
	queued, err := svc.Reconcile(ctx)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	windowBytes := usedMemory(b, rdb) - before

	// asynq's cost per reminder task, measured on 50,000 tasks with real keys.
	const sample = 50_000
	before = usedMemory(b, rdb)
	for i := range sample {
		k := fmt.Sprintf("r:%d:reply:%d:1:20260701:b202606%02d", tn.ID, 5000000+i, i%28+1)
		if err := queue.EnqueueReminder(ctx, k, now.Add(time.Duration(i+1)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	perTask := float64(usedMemory(b, rdb)-before) / sample
	for b.Loop() {
	}
	b.ReportMetric(float64(queued), "queued_in_window")
	b.ReportMetric(float64(windowBytes)/(1<<20), "window_MB")
	b.ReportMetric(perTask, "bytes/task")
	b.ReportMetric(perTask*1_000_000/(1<<20), "all_1M_MB")
	b.ReportMetric(took.Seconds(), "reconcile_s")
	b.Logf("1,000,000 pending reminders: %d queued in the %s window using %.1f MB; asynq costs %.0f B/task, so all 1M queued would need %.0f MB",
		queued, svc.Window, float64(windowBytes)/(1<<20), perTask, perTask*1_000_000/(1<<20))
}
