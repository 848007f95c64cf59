// Package bench holds cross-cutting benchmarks; the baseline itself lives in bench/baseline.
package bench_test

import (
	"testing"

	"jianyi/bench/baseline"
	"jianyi/storage/postgres/pgtest"
)

// BenchmarkBaselineSelect measures the yardstick against itself: x_baseline should be
// close to 1, and its spread shows the noise of the machine.
func BenchmarkBaselineSelect(b *testing.B) {
	pool := pgtest.New(b)
	sel, _ := baseline.Start(b, pool)
	baseline.Compare(b, pool, 2000, 8, baseline.Get(sel))
}

// BenchmarkBaselineInsert is the cost of one INSERT over gin+pgx relative to one SELECT.
func BenchmarkBaselineInsert(b *testing.B) {
	pool := pgtest.New(b)
	_, ins := baseline.Start(b, pool)
	baseline.Compare(b, pool, 2000, 8, baseline.Post(ins, "application/json", []byte(`{"title":"建议"}`)))
}
