// Package core benchmarks the workflow's hot service calls against the cheapest possible
// write on the same database in the same run: a transaction with a single INSERT.
package core

import (
	"context"
	"fmt"
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

// rate runs op n times on `workers` goroutines and returns operations per second.
func rate(b *testing.B, n, workers int, op func(i int) error) float64 {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := op(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return float64(n) / elapsed.Seconds()
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
			b.ResetTimer()
			insert := rate(b, n, workers, func(i int) error { return insertTx(ctx, pool, tn.ID, i) })
			submit := rate(b, n, workers, func(i int) error {
				d := drafts[i]
				_, err := svc.Submit(ctx, auth.Deputy(tn.ID, d.LeadDeputyID), d.ID, d.Version)
				return err
			})
			assign := rate(b, n, workers, func(i int) error {
				r := registered[i]
				_, err := svc.Assign(ctx, reviewer, r.ID, r.Version, suggestion.AssignInput{
					LeadUnitID: tn.Units[0], CoUnitIDs: []int64{tn.Units[1]}})
				return err
			})
			b.StopTimer()
			b.ReportMetric(insert, "insert_tx/s")
			b.ReportMetric(submit, "submit/s")
			b.ReportMetric(assign, "assign/s")
			b.ReportMetric(submit/insert, "submit_x_insert")
			b.ReportMetric(assign/insert, "assign_x_insert")
		})
	}
}

func insertTx(ctx context.Context, pool *pgxpool.Pool, tenantID int64, i int) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO bench_insert (tenant_id, title, body) VALUES ($1,$2,$3)`, tenantID, fmt.Sprintf("建议%d", i), body)
		return err
	})
}
