// Package core benchmarks the workflow's hot service calls against the cheapest possible
// write on the same database in the same run: a transaction with a single INSERT.
package core

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

const body = "民政路早晚高峰拥堵严重，建议拓宽道路并优化红绿灯配时，方便群众出行。"

// measure runs the operations interleaved in small rounds, so that a machine whose load
// changes during the run slows each of them alike. It returns operations per second for each
// over the whole run, and for each the median over rounds of its rate relative to ops[0] in
// the same round (a burst of load from elsewhere then moves single rounds, not the median).
// Each op is called with indices 0..n-1 exactly once, spread over `workers` goroutines.
func measure(b *testing.B, n, workers int, ops ...func(i int) error) (rates, medianRatio []float64) {
	b.Helper()
	const round = 50
	spent := make([]time.Duration, len(ops))
	ratios := make([][]float64, len(ops))
	for lo := 0; lo < n; lo += round {
		hi := min(lo+round, n)
		took := make([]time.Duration, len(ops))
		for k, op := range ops {
			start := time.Now()
			if err := parallel(lo, hi, workers, op); err != nil {
				b.Fatal(err)
			}
			took[k] = time.Since(start)
			spent[k] += took[k]
		}
		for k := range ops {
			ratios[k] = append(ratios[k], took[0].Seconds()/took[k].Seconds())
		}
	}
	rates = make([]float64, len(ops))
	medianRatio = make([]float64, len(ops))
	for k := range ops {
		rates[k] = float64(n) / spent[k].Seconds()
		slices.Sort(ratios[k])
		medianRatio[k] = ratios[k][len(ratios[k])/2]
	}
	return rates, medianRatio
}

func parallel(lo, hi, workers int, op func(i int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int, hi-lo)
	for i := lo; i < hi; i++ {
		next <- i
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := op(i); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func BenchmarkSubmitAndAssignVsInsert(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.New(b)
	tn := pgtest.NewTenant(b, pool)
	svc := suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	reviewer := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	if _, err := pool.Exec(ctx, `CREATE TABLE bench_insert (tenant_id bigint, id bigserial, title text, body text,
		created_at timestamptz DEFAULT now(), PRIMARY KEY (tenant_id, id))`); err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 200)
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			drafts := make([]*suggestion.Suggestion, n)
			registered := make([]*suggestion.Suggestion, n)
			for i := range n {
				dep := auth.Deputy(tn.ID, tn.Deputies[i%len(tn.Deputies)])
				d, err := svc.CreateDraft(ctx, dep, suggestion.DraftInput{Title: fmt.Sprintf("建议%d", i), Body: body})
				if err != nil {
					b.Fatal(err)
				}
				drafts[i] = d
				r, err := svc.CreateDraft(ctx, dep, suggestion.DraftInput{Title: fmt.Sprintf("待交办%d", i), Body: body})
				if err != nil {
					b.Fatal(err)
				}
				if r, err = svc.Submit(ctx, dep, r.ID, r.Version); err != nil {
					b.Fatal(err)
				}
				if r, err = svc.Register(ctx, reviewer, r.ID, r.Version, tn.Categories[0]); err != nil {
					b.Fatal(err)
				}
				registered[i] = r
			}
			// A live database is analyzed by autovacuum, which this machine's PostgreSQL runs
			// without: with no statistics for the fresh rows the planner may look a suggestion
			// up through any index that starts with tenant_id.
			if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			rates, ratio := measure(b, n, workers,
				func(i int) error { return insertTx(ctx, pool, tn.ID, i) },
				func(i int) error {
					d := drafts[i]
					_, err := svc.Submit(ctx, auth.Deputy(tn.ID, d.LeadDeputyID), d.ID, d.Version)
					return err
				},
				func(i int) error {
					r := registered[i]
					_, err := svc.Assign(ctx, reviewer, r.ID, r.Version, suggestion.AssignInput{
						LeadUnitID: tn.Units[0], CoUnitIDs: []int64{tn.Units[1]}})
					return err
				})
			insert, submit, assign := rates[0], rates[1], rates[2]
			b.StopTimer()
			b.ReportMetric(insert, "insert_tx/s")
			b.ReportMetric(submit, "submit/s")
			b.ReportMetric(assign, "assign/s")
			b.ReportMetric(submit/insert, "submit_x_insert")
			b.ReportMetric(assign/insert, "assign_x_insert")
			b.ReportMetric(ratio[1], "submit_x_insert_median")
			b.ReportMetric(ratio[2], "assign_x_insert_median")
		})
	}
}

func insertTx(ctx context.Context, pool *pgxpool.Pool, tenantID int64, i int) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO bench_insert (tenant_id, title, body) VALUES ($1,$2,$3)`, tenantID, fmt.Sprintf("建议%d", i), body)
		return err
	})
}
