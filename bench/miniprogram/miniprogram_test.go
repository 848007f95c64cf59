// Package miniprogram benchmarks the deputies' API against the bare gin+pgx baseline in the
// same run: my suggestions and detail with 100,000 suggestions in the tenant, and submit.
// Run with `make bench` (never part of `make test`).
package miniprogram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/bench/baseline"
	"jianyi/internal/account"
	"jianyi/internal/media"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	mpapi "jianyi/miniprogram-api"
	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

const (
	tenantRows = 100_000
	requests   = 2000
	draftBase  = 1_000_000 // ids of the drafts the submit benchmark sends
	deputyID   = 10
)

// concurrency is how many requests each measurement keeps in flight, subject and baseline
// alike: 8 unless JIANYI_BENCH_CONCURRENCY (1–64) says otherwise, to see how a ratio changes
// once the machine's cores are saturated.
var concurrency = func() int {
	if n, err := strconv.Atoi(os.Getenv("JIANYI_BENCH_CONCURRENCY")); err == nil && n >= 1 && n <= 64 {
		return n
	}
	return 8
}()

type world struct {
	pool  *pgxpool.Pool
	url   string
	token string
}

// seed fills tenant 1 with `rows` suggestions (1% led by the benchmark deputy, ~1% more
// co-signed), one audit event each, and `drafts` drafts to submit, in a few set-based
// statements inside one transaction.
//
// The similarity vectors (suggestion_search, kept by a trigger) are not seeded: the read
// benchmarks never touch them, and session_replication_role=replica skips the trigger.
func seed(b *testing.B, pool *pgxpool.Pool, rows, drafts int) {
	b.Helper()
	t0 := time.Now()
	ctx := context.Background()
	// Secondary indexes (a trigram GIN among them) are dropped for the bulk insert and built
	// again afterwards: one sort per index instead of 100,000 incremental GIN updates.
	var defs []string
	idx, err := pool.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
		AND tablename IN ('suggestions', 'audit_events', 'suggestion_cosigners') AND indexname NOT LIKE '%_pkey'`)
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for idx.Next() {
		var n, d string
		if err := idx.Scan(&n, &d); err != nil {
			b.Fatal(err)
		}
		names, defs = append(names, n), append(defs, d)
	}
	idx.Close()
	for _, n := range names {
		if _, err := pool.Exec(ctx, `DROP INDEX `+n); err != nil {
			b.Fatal(err)
		}
	}
	steps := []string{
		`INSERT INTO tenants (id, code, name) VALUES (1, 'jyg', '嘉峪关市人大常委会')`,
		`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES (1, 1, '十届五次', 2026, '2026-01-01', '2026-12-31', true)`,
		`INSERT INTO categories (tenant_id, id, name) VALUES (1, 1, '城建环保')`,
		`INSERT INTO deputies (tenant_id, id, name, phone) VALUES (1, 10, '张三', '13800000001')`,
		`INSERT INTO deputies (tenant_id, id, name, phone) SELECT 1, g, '代表' || g, '139' || lpad(g::text, 8, '0') FROM generate_series(100, 1099) g`,
	}
	if rows > 0 {
		steps = append(steps,
			// parts (migration 00064): the co-signed rows below.
			fmt.Sprintf(`INSERT INTO suggestions (tenant_id, id, meeting_id, number, lead_deputy_id, title, body, status, category_id, submitted_at, created_at, updated_at, parts)
			SELECT 1, g, 1, g, CASE WHEN g %% 100 = 0 THEN 10 ELSE 100 + g %% 1000 END, '关于第' || g || '号问题的建议',
				repeat('建议正文，说明问题和具体建议。', 4),
				(ARRAY['submitted','registered','assigned','handling','replied','closed'])[1 + g %% 6]::suggestion_status, 1,
				now() - g * interval '1 minute', now() - g * interval '1 minute', now(),
				CASE WHEN g %% 97 = 1 AND g %% 100 <> 0 THEN 1 ELSE 0 END
			FROM generate_series(1, %d) g`, rows),
			fmt.Sprintf(`INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, actor_id, action, from_status, to_status)
			SELECT 1, g, 'deputy', 10, 'submit', 'draft', 'submitted' FROM generate_series(1, %d) g`, rows),
			fmt.Sprintf(`INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state)
			SELECT 1, g, 10, 'accepted' FROM generate_series(1, %d, 97) g WHERE g %% 100 <> 0`, rows))
	}
	steps = append(steps,
		fmt.Sprintf(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, created_at, updated_at)
			SELECT 1, g, 1, 10, '待提交的建议' || g, repeat('建议正文，说明问题和具体建议。', 4), 'draft', now(), now()
			FROM generate_series(%d, %d) g`, draftBase+1, draftBase+drafts),
		`SELECT setval(pg_get_serial_sequence('suggestions', 'id'), (SELECT coalesce(max(id), 1) FROM suggestions WHERE tenant_id = 1))`)
	steps = append(steps, defs...)
	tx, err := pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	// The generated rows are consistent by construction; skipping the per-row foreign-key
	// triggers (superuser test database) takes most of the seeding time away.
	if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		b.Fatal(err)
	}
	for _, q := range steps {
		t1 := time.Now()
		if _, err := tx.Exec(ctx, q); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
		if d := time.Since(t1); d > 2*time.Second {
			b.Logf("seed step took %v: %.60s", d.Round(time.Millisecond), q)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	// A live database is vacuumed and analyzed by autovacuum (this machine's PostgreSQL runs
	// with it off): statistics for the planner, the visibility map for index-only scans.
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) suggestions, audit_events, suggestion_cosigners, deputies`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d suggestions in %v", rows+drafts, time.Since(t0).Round(time.Millisecond))
}

func setup(b *testing.B, rows, drafts int) *world { return setupWith(b, rows, drafts, true) }

// setupWith builds the world; with listCache=false every page of "my suggestions" is read
// from the database.
func setupWith(b *testing.B, rows, drafts int, listCache bool) *world {
	b.Helper()
	gin.SetMode(gin.ReleaseMode)
	pool := pgtest.New(b)
	seed(b, pool, rows, drafts)
	rdb := redistest.New(b)
	store := objtest.New(b)
	app := wechattest.Start().NewApp(b)
	wc, err := wechat.New(app.Config(), wechattest.NewMemoryCache(), nil)
	if err != nil {
		b.Fatal(err)
	}
	sugg := suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	mstore := postgres.NewMediaStore(pool)
	deps := mpapi.Deps{
		Suggestions: sugg,
		Accounts:    account.NewService(postgres.NewAccountStore(pool), nil),
		Sessions:    account.NewSessions(jredis.NewMPSessions(rdb), nil),
		Media:       media.NewService(mstore, objects.MediaAdapter{S: store}, wc, nil, nil),
		Snaps:       media.NewSnaps(mstore, mpapi.DraftMaker(sugg), nil),
		WeChat:      wc,
		Idempotency: postgres.NewMPIdempotency(pool),
		Limiter:     jredis.NewMPLimiter(rdb),
		// Production-shaped limits, high enough for one benchmark client.
		Limits: mpapi.Limits{Window: time.Minute, PerIP: 1 << 30, PerUser: 1 << 30, LoginPerIP: 100, JSONBody: 64 << 10},
	}
	deps.UncachedLists = !listCache
	api, err := mpapi.New(deps)
	if err != nil {
		b.Fatal(err)
	}
	r := gin.New()
	if err := api.Mount(r); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(r)
	b.Cleanup(srv.Close)

	// Log in and bind over HTTP, as the phone does.
	app.AddLogin("bench-code", "openid-bench", "")
	app.AddPhone("bench-phone", "13800000001")
	var login struct{ Token string }
	post(b, srv.URL+"/api/v1/auth/login", "", `{"code":"bench-code","tenant":"jyg"}`, &login)
	post(b, srv.URL+"/api/v1/auth/bind/phone", login.Token, `{"code":"bench-phone"}`, nil)
	return &world{pool: pool, url: srv.URL, token: login.Token}
}

func post(b *testing.B, url, token, body string, out any) {
	b.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		b.Fatalf("%s: %d %s", url, res.StatusCode, data)
	}
	if out != nil {
		_ = json.Unmarshal(data, out)
	}
}

func (w *world) call(method, path string, body []byte, hdr ...string) error {
	req, err := http.NewRequest(method, w.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := baseline.Client().Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d", method, path, res.StatusCode)
	}
	return nil
}

// report adds the rate ratio the targets are written in (subject rps ÷ baseline rps: list
// and detail ≥ 0.5 of the bare SELECT, submit ≥ 0.3 of the bare INSERT) next to
// baseline.Report's x_baseline, p50_ms, p99_ms and rps.
func report(b *testing.B, subject, base baseline.Result) {
	baseline.Report(b, subject, base)
	b.ReportMetric(subject.RPS/base.RPS, "rate_ratio")
	b.ReportMetric(base.RPS, "baseline_rps")
	b.ReportMetric(float64(base.P99.Microseconds())/1000, "baseline_p99_ms")
}

// medianRounds × medianPer requests of each side go to rate_ratio_median.
const medianRounds, medianPer = 9, 300

// reportMedian alternates short runs of the bare endpoint and the subject and reports the
// median of their per-round rate ratios: a burst of load from elsewhere moves single rounds,
// not the median, where one long run of each (rate_ratio) takes the burst whole.
func reportMedian(b *testing.B, base, subject func() error) {
	b.Helper()
	ratios := make([]float64, medianRounds)
	for i := range ratios {
		bs := baseline.Measure(b, medianPer, concurrency, base)
		ss := baseline.Measure(b, medianPer, concurrency, subject)
		ratios[i] = ss.RPS / bs.RPS
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "rate_ratio_median")
}

func measureSelect(b *testing.B, pool *pgxpool.Pool) (baseline.Result, func() error) {
	sel, _ := baseline.Start(b, pool)
	get := baseline.Get(sel)
	baseline.Measure(b, 200, concurrency, get) // warm up
	return baseline.Measure(b, requests, concurrency, get), get
}

// BenchmarkMySuggestions: GET /api/v1/suggestions (first page of 20) against one indexed
// SELECT. "cached" is the API as served: the deputy's list did not change between reads, so
// the page comes from the page cache after one primary-key read of the list's stamp. "database"
// reads every page from PostgreSQL, as after each change to the deputy's suggestions.
func BenchmarkMySuggestions(b *testing.B) {
	for _, cached := range []bool{true, false} {
		name := "cached"
		if !cached {
			name = "database"
		}
		b.Run(name, func(b *testing.B) {
			w := setupWith(b, tenantRows, 0, cached)
			base, get := measureSelect(b, w.pool)
			list := func() error { return w.call("GET", "/api/v1/suggestions?limit=20", nil) }
			baseline.Measure(b, 200, concurrency, list)
			report(b, baseline.Measure(b, requests, concurrency, list), base)
			reportMedian(b, get, list)
		})
	}
}

// BenchmarkSuggestionDetail: GET /api/v1/suggestions/{id} (whole timeline) against one indexed SELECT.
func BenchmarkSuggestionDetail(b *testing.B) {
	w := setup(b, tenantRows, 0)
	base, get := measureSelect(b, w.pool)
	var i atomic.Int64
	detail := func() error {
		id := 100 * (1 + i.Add(1)%1000) // the benchmark deputy leads every 100th suggestion
		return w.call("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), nil)
	}
	baseline.Measure(b, 200, concurrency, detail)
	report(b, baseline.Measure(b, requests, concurrency, detail), base)
	reportMedian(b, get, detail)
}

// BenchmarkSubmit: POST /api/v1/suggestions/{id}/submit (idempotency row, text check on the
// fake WeChat, conditional update with audit and outbox) against one INSERT.
func BenchmarkSubmit(b *testing.B) {
	w := setup(b, 0, requests+200+medianRounds*medianPer)
	_, ins := baseline.Start(b, w.pool)
	insert := baseline.Post(ins, "application/json", []byte(`{"title":"建议"}`))
	baseline.Measure(b, 200, concurrency, insert)
	base := baseline.Measure(b, requests, concurrency, insert)
	var next atomic.Int64
	submit := func() error {
		id := draftBase + next.Add(1)
		return w.call("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), []byte(`{}`),
			mpapi.HeaderIdempotencyKey, fmt.Sprintf("bench-%d", id))
	}
	baseline.Measure(b, 200, concurrency, submit)
	report(b, baseline.Measure(b, requests, concurrency, submit), base)
	reportMedian(b, insert, submit)
}
