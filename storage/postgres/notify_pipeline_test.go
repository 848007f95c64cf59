package postgres_test

import (
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// TestPipelineFailsOnlyTheFailingCall: calls pipelined together share a transaction; when one
// fails, the others are run again alone and take effect exactly once.
func TestPipelineFailsOnlyTheFailingCall(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	pgtest.MustExec(t, pool, `CREATE TABLE pipe_probe (id int PRIMARY KEY)`)
	p := postgres.NewPipeline(pool, 16, 1)
	const n = 200
	errs := make([]error, n)
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sql := `INSERT INTO pipe_probe (id) VALUES ($1) RETURNING id`
			if i%17 == 0 {
				sql = `INSERT INTO pipe_probe (id) VALUES ($1 / 0) RETURNING id`
			}
			errs[i] = p.Do(func(b *pgx.Batch) {
				b.Queue(sql, i).QueryRow(func(row pgx.Row) error {
					_ = row.Scan(&got[i])
					return nil
				})
			})
		}()
	}
	wg.Wait()
	for i := range n {
		if (errs[i] != nil) != (i%17 == 0) {
			t.Fatalf("call %d: err %v", i, errs[i])
		}
		if errs[i] == nil && got[i] != i {
			t.Fatalf("call %d returned %d", i, got[i])
		}
	}
	var rows, distinct int
	if err := pool.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT id) FROM pipe_probe`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := n - (n+16)/17; rows != want || distinct != want {
		t.Fatalf("%d rows (%d distinct), want %d", rows, distinct, want)
	}
}
