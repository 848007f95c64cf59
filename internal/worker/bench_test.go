package worker_test

import (
	"context"
	"testing"
	"time"

	"jianyi/bench/baseline"
	"jianyi/storage/redis/redistest"
)

// BenchmarkDeliveriesEndToEnd: outbox rows → relay → asynq → claim → the fake WeChat's
// accepted call, with two workers in this process, 4,000 deliveries (b.N is ignored: one
// fixed run). Reports deliveries/s and x_baseline: how many baseline gin+pgx SELECT requests
// (bench/baseline, same database, same run, concurrency 8) fit in the time of one delivery.
func BenchmarkDeliveriesEndToEnd(b *testing.B) {
	const deputies, per = 500, 8
	_, pool := newDB(b)
	seed(b, pool, deputies)
	sel, _ := baseline.Start(b, pool)
	get := baseline.Get(sel)
	baseline.Measure(b, 200, 8, get)
	base := baseline.Measure(b, 2000, 8, get)

	rs := redistest.StartServer(b)
	rdb := rs.Client(b)
	_, _, wx, rec := fakeWithB(b, rdb)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		w, closeQ := newWorker(pool, rdb, wx, testTuning)
		if err := w.Start(ctx); err != nil {
			b.Fatal(err)
		}
		defer closeQ()
		defer w.Stop()
	}
	n := deputies * per
	start := time.Now()
	addEvents(b, pool, deputies, per)
	var relayed time.Duration
	// The probes must not load what they measure: the outbox count (a query) every 20 ms,
	// the WeChat accepts (a counter) every 2 ms.
	for i := 0; ; i++ {
		if relayed == 0 && i%10 == 0 {
			var c int
			_ = pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE dispatched_at IS NULL`).Scan(&c)
			if c == 0 {
				relayed = time.Since(start)
			}
		}
		if rec.accepts() >= n {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatal("timeout")
		}
		time.Sleep(2 * time.Millisecond)
	}
	el := time.Since(start)
	for b.Loop() {
	}
	dps := float64(n) / el.Seconds()
	b.ReportMetric(dps, "deliveries/s")
	b.ReportMetric(base.RPS/dps, "x_baseline")
	b.ReportMetric(base.RPS, "baseline_rps")
	b.Log(timingSummary())
	b.Log(sendSummary())
	b.Logf("outbox relayed after %s", relayed.Round(time.Millisecond))
	b.Logf("%d deliveries in %s = %.0f/s; baseline %v", n, el.Round(time.Millisecond), dps, base)
}
