package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"jianyi/internal/notify"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// An operator sees the workers' backlog on /metrics: tasks waiting on the queue (a reminder
// due tomorrow is scheduled, a delivery due now is pending) and workflow events the relay has
// not turned into notices, with how long the oldest has waited.
func TestMetricsShowTheWorkersBacklog(t *testing.T) {
	t.Parallel()
	d := testDeps(t, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	queue := jredis.NewQueue(d.rdb)
	t.Cleanup(func() { _ = queue.Close() })
	if err := queue.EnqueueReminder(ctx, "metrics-test", time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := queue.EnqueueDelivery(ctx, notify.Job{TenantID: 1, DeliveryID: 42, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.pool.Exec(ctx, `INSERT INTO outbox (tenant_id, event, suggestion_id, payload, created_at)
		VALUES (1, 'suggestion.submitted', 7, '{}', now() - interval '10 minutes'), (1, 'suggestion.registered', 7, '{}', now())`); err != nil {
		t.Fatal(err)
	}
	d.metrics.MustRegister(newBacklogCollector(queue, postgres.NewNotifyStore(d.pool), d.log))

	rec := get(t, newEngine(d), "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	value := func(series string) float64 {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s:\n%s", series, body)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	for series, want := range map[string]float64{
		`jianyi_queue_tasks{state="scheduled"}`: 1,
		`jianyi_queue_tasks{state="pending"}`:   1,
		`jianyi_outbox_pending`:                 2,
		`jianyi_backlog_up{source="queue"}`:     1,
		`jianyi_backlog_up{source="outbox"}`:    1,
	} {
		if got := value(series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if age := value("jianyi_outbox_oldest_pending_seconds"); age < 590 || age > 900 {
		t.Errorf("the oldest outbox event waited %vs, want about 600", age)
	}
}
