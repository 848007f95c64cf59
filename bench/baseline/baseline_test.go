package baseline_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"jianyi/bench/baseline"
	"jianyi/storage/postgres/pgtest"
)

func TestStartServesSelectAndInsert(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	sel, ins := baseline.Start(t, pool)
	if err := baseline.Get(sel)(); err != nil {
		t.Fatalf("GET %s: %v", sel, err)
	}
	if err := baseline.Post(ins, "application/json", []byte(`{"title":"x"}`))(); err != nil {
		t.Fatalf("POST: %v", err)
	}
	if err := baseline.Post(ins, "application/json", []byte(`{}`))(); err == nil {
		t.Fatal("bad body must fail")
	}
	if err := baseline.Get(strings.Replace(sel, "/50000", "/0", 1))(); err == nil {
		t.Fatal("missing row must fail")
	}
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM bench_baseline WHERE tenant_id = 1").Scan(&n); err != nil || n != baseline.Rows {
		t.Fatalf("rows = %d, %v", n, err)
	}
	// Idempotent on the same database.
	baseline.Start(t, pool)
}

func TestMeasureCountsEveryCall(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	r := baseline.Measure(t, 1000, 7, func() error { calls.Add(1); return nil })
	if calls.Load() != 1000 || r.N != 1000 || r.Concurrency != 7 || r.RPS <= 0 || r.P99 < r.P50 {
		t.Fatalf("result %+v after %d calls", r, calls.Load())
	}
}

type fatalRecorder struct {
	testing.TB
	failed atomic.Bool
}

func (f *fatalRecorder) Fatalf(string, ...any) { f.failed.Store(true) }
func (f *fatalRecorder) Helper()               {}

func TestMeasureStopsOnError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	rec := &fatalRecorder{TB: t}
	baseline.Measure(rec, 100000, 4, func() error {
		if calls.Add(1) == 10 {
			return errors.New("boom")
		}
		return nil
	})
	if !rec.failed.Load() || calls.Load() > 1000 {
		t.Fatalf("failed=%v after %d calls", rec.failed.Load(), calls.Load())
	}
}

func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	if err := baseline.Get("http://example.com/")(); err == nil || !strings.Contains(err.Error(), "non-loopback") {
		t.Fatalf("want refusal, got %v", err)
	}
}

func TestRatio(t *testing.T) {
	t.Parallel()
	if got := baseline.Ratio(baseline.Result{RPS: 500}, baseline.Result{RPS: 2000}); got != 4 {
		t.Fatalf("Ratio = %v", got)
	}
	if got := baseline.FormatRatio(2.345); got != "2.35x baseline" && got != "2.34x baseline" {
		t.Fatalf("FormatRatio = %q", got)
	}
}
