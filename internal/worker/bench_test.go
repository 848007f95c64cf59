package worker_test

import (
	"context"
	"testing"
	"time"

	"jianyi/storage/redis/redistest"
)

// BenchmarkDeliveriesEndToEnd: outbox rows → relay → asynq → claim → fake WeChat's recorded
// call, with two workers. Reports deliveries/s.
func BenchmarkDeliveriesEndToEnd(b *testing.B) {
	t := &testing.T{}
	_ = t
	const deputies = 500
	_, pool := newDB(b)
	seed(b, pool, deputies)
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
	per := max(1, b.N/deputies)
	n := per * deputies
	b.ResetTimer()
	start := time.Now()
	addEvents(b, pool, deputies, per)
	for {
		if _, got := rec.snapshot(); got >= n {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatal("timeout")
		}
		time.Sleep(2 * time.Millisecond)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(n)/el.Seconds(), "deliveries/s")
	b.ReportMetric(0, "ns/op")
}
