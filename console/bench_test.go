package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/bench/baseline"
	"jianyi/console"
	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/internal/export"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// Bench scale: 1,000,000 suggestions over 10 tenants (JIANYI_BENCH_SUGGESTIONS overrides
// the total for a quick look).
const (
	benchTenants  = 10
	benchDeputies = 200
	benchUnits    = 20
)

func benchTotal() int {
	if v := os.Getenv("JIANYI_BENCH_SUGGESTIONS"); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil && n >= benchTenants {
			return n
		}
	}
	return 1_000_000
}

// seedBench fills the database in SQL with generate_series: per tenant a meeting, 10
// categories, 5 delegations, 200 deputies, 20 units, a reviewer and a unit handler, and
// total/10 suggestions spread over every status with their assignments, replies and ratings.
func seedBench(tb testing.TB, pool *pgxpool.Pool, total int) {
	tb.Helper()
	per := total / benchTenants
	h := passwordHash(tb)
	ctx := context.Background()
	stmts := []string{
		`SET synchronous_commit = off`,
		`SET maintenance_work_mem = '512MB'`,
		// The dashboard rollup (migration 00023) is built once after the bulk insert instead of
		// row by row by its triggers.
		`SET jianyi.stats_bulk = 'on'`,
		// The trigram index is built once after the bulk insert: much faster than row by row.
		`DROP INDEX IF EXISTS suggestions_title_trgm`,
		fmt.Sprintf(`INSERT INTO tenants (id, code, name) SELECT t, 'bench' || t, '基准常委会' || t FROM generate_series(1, %d) t`, benchTenants),
		fmt.Sprintf(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current, next_number)
		  SELECT t, t, '基准会议', 2026, '2026-01-10', '2026-01-14', true, %d FROM generate_series(1, %d) t`, per+1, benchTenants),
		fmt.Sprintf(`INSERT INTO categories (tenant_id, id, name) SELECT t, (t-1)*10 + c, '类别' || c FROM generate_series(1, %d) t, generate_series(1, 10) c`, benchTenants),
		fmt.Sprintf(`INSERT INTO delegations (tenant_id, id, name) SELECT t, (t-1)*5 + d, '代表团' || d FROM generate_series(1, %d) t, generate_series(1, 5) d`, benchTenants),
		fmt.Sprintf(`INSERT INTO deputies (tenant_id, id, name, delegation_id) SELECT t, (t-1)*%[1]d + d, '代表' || d, (t-1)*5 + d %% 5 + 1
		  FROM generate_series(1, %[2]d) t, generate_series(1, %[1]d) d`, benchDeputies, benchTenants),
		fmt.Sprintf(`INSERT INTO units (tenant_id, id, name) SELECT t, (t-1)*%[1]d + u, '承办单位' || u FROM generate_series(1, %[2]d) t, generate_series(1, %[1]d) u`, benchUnits, benchTenants),
		fmt.Sprintf(`INSERT INTO users (tenant_id, id, username, display_name, password_hash, unit_id)
		  SELECT t, (t-1)*10 + 1, 'shencha', '审查', '%[1]s', NULL FROM generate_series(1, %[2]d) t
		  UNION ALL SELECT t, (t-1)*10 + 2, 'danwei', '经办', '%[1]s', (t-1)*%[3]d + 7 FROM generate_series(1, %[2]d) t`, h, benchTenants, benchUnits),
		`INSERT INTO user_roles (tenant_id, user_id, role) SELECT tenant_id, id, CASE WHEN username = 'shencha' THEN 'reviewer'::user_role ELSE 'unit_handler'::user_role END FROM users`,
		// Suggestions: the status follows i % 20 (10% submitted, 5% not registered, 5%
		// registered, 10% assigned, 15% handling, 10% replied, 5% evaluated, 10% tracking,
		// 25% closed, 5% rehandling); submissions are spread over the last year.
		fmt.Sprintf(`INSERT INTO suggestions (tenant_id, id, meeting_id, number, lead_deputy_id, title, body, category_id, status,
		    is_key, submitted_at, registered_at, assigned_at, reply_due_at, replied_at, rating_due_at, closed_at, created_at, updated_at, parts)
		  SELECT t, (t-1)*%[1]d + i, t,
		    CASE WHEN x.st NOT IN ('submitted', 'not_registered') THEN i END,
		    (t-1)*%[2]d + i %% %[2]d + 1, '关于' || (ARRAY['加强','改善','推进','完善','解决','优化','规范','加快'])[i %% 8 + 1] || (ARRAY['雄关区','长城区','镜铁区','新城镇','峪泉镇','文殊镇'])[i %% 6 + 1] ||
		      (ARRAY['老旧小区改造','物业管理','供热管网','公交线路','学校周边交通','社区养老','农贸市场','停车位','雨污分流','口袋公园','食品安全','医疗服务',
		        '垃圾分类','路灯照明','人行通道','文化设施','就业培训','河道治理','背街小巷','充电桩'])[i %% 20 + 1] || '第' || i || '号问题的建议', '建议内容：请有关部门研究解决第' || i || '号问题。',
		    CASE WHEN x.st NOT IN ('submitted', 'not_registered') THEN (t-1)*10 + i %% 10 + 1 END, x.st::suggestion_status,
		    i %% 50 = 0, x.sub,
		    CASE WHEN x.st NOT IN ('submitted', 'not_registered') THEN x.sub + interval '1 day' END,
		    CASE WHEN x.st NOT IN ('submitted', 'not_registered', 'registered') THEN x.sub + interval '2 days' END,
		    CASE WHEN x.st NOT IN ('submitted', 'not_registered', 'registered') THEN x.sub + interval '92 days' END,
		    CASE WHEN x.st IN ('replied', 'evaluated', 'tracking', 'closed', 'rehandling') THEN x.sub + interval '30 days' END,
		    CASE WHEN x.st IN ('replied', 'evaluated', 'tracking', 'closed', 'rehandling') THEN x.sub + interval '58 days' END,
		    CASE WHEN x.st = 'closed' THEN x.sub + interval '60 days' END,
		    x.sub, x.sub,
		    -- suggestions.parts (migration 00064) of the assignments, replies and ratings below
		    CASE WHEN x.st NOT IN ('submitted', 'not_registered', 'registered') THEN 2 ELSE 0 END |
		    CASE WHEN x.st IN ('replied', 'evaluated', 'tracking', 'closed', 'rehandling') THEN 32 ELSE 0 END |
		    CASE WHEN x.st IN ('evaluated', 'tracking', 'closed', 'rehandling') THEN 64 ELSE 0 END
		  FROM generate_series(1, %[3]d) t, generate_series(1, %[1]d) i,
		    LATERAL (SELECT (ARRAY['submitted','submitted','not_registered','registered','assigned','assigned','handling','handling','handling',
		      'replied','replied','evaluated','tracking','tracking','closed','closed','closed','closed','rehandling','closed'])[i %% 20 + 1] AS st,
		      now() - (i %% 365) * interval '1 day' - (i %% 7) * interval '1 hour' AS sub) x`, per, benchDeputies, benchTenants),
		fmt.Sprintf(`INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, assigned_at, due_at, return_due_at, accepted_at)
		  SELECT s.tenant_id, s.id, (s.tenant_id-1)*%d + s.id %% %d + 1, 'lead',
		    CASE s.status WHEN 'assigned' THEN 'pending' WHEN 'handling' THEN 'accepted' WHEN 'rehandling' THEN 'accepted' ELSE 'replied' END::assignment_state,
		    s.assigned_at, s.reply_due_at, s.assigned_at + interval '9 days',
		    CASE WHEN s.status <> 'assigned' THEN s.assigned_at + interval '1 day' END
		  FROM suggestions s WHERE s.assigned_at IS NOT NULL`, benchUnits, benchUnits),
		`INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, replied_at, on_time)
		  SELECT a.tenant_id, a.suggestion_id, a.id, a.unit_id, 1, (ARRAY['A','B','C','D'])[a.suggestion_id % 4 + 1]::reply_class,
		    '答复内容', 0, s.replied_at, a.suggestion_id % 3 <> 0
		  FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id WHERE s.replied_at IS NOT NULL`,
		`INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating)
		  SELECT tenant_id, id, lead_deputy_id, 'reply', 1, (ARRAY['satisfied','basically_satisfied','unsatisfied'])[id % 3 + 1]::rating
		  FROM suggestions WHERE status IN ('evaluated', 'tracking', 'closed', 'rehandling')`,
		`INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating)
		  SELECT tenant_id, id, lead_deputy_id, 'implementation', 1, (ARRAY['satisfied','basically_satisfied','unsatisfied'])[id % 3 + 1]::rating
		  FROM suggestions WHERE status = 'closed' AND id % 2 = 0`,
		`SELECT stats_rebuild(NULL)`,
		`RESET jianyi.stats_bulk`,
		`CREATE INDEX suggestions_title_trgm ON suggestions USING gin (tenant_id, title gin_trgm_ops)`,
		`SELECT setval(pg_get_serial_sequence('suggestions', 'id'), (SELECT max(id) FROM suggestions))`,
		`SELECT setval(pg_get_serial_sequence('users', 'id'), 1000)`,
		`VACUUM ANALYZE`,
	}
	start := time.Now()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Release()
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			tb.Fatalf("seed: %v\n%.200s", err, q)
		}
	}
	tb.Logf("seeded %d suggestions over %d tenants in %v", total, benchTenants, time.Since(start).Round(time.Second))
}

// benchPool returns a fresh seeded database, or with JIANYI_BENCH_DATABASE_URL a kept one
// (migrated, and seeded only when empty) so repeated runs skip the seeding.
func benchPool(b *testing.B) *pgxpool.Pool {
	u := os.Getenv("JIANYI_BENCH_DATABASE_URL")
	if u == "" {
		pool := pgtest.New(b)
		seedBench(b, pool, benchTotal())
		return pool
	}
	ctx := context.Background()
	if err := postgres.Migrate(ctx, u, "up"); err != nil {
		b.Fatal(err)
	}
	pool, err := postgres.Open(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		seedBench(b, pool, benchTotal())
	}
	return pool
}

// serverTimes records how long the console's handlers take (server time, no network).
type serverTimes struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *serverTimes) middleware(c *gin.Context) {
	t0 := time.Now()
	c.Next()
	s.mu.Lock()
	s.d = append(s.d, time.Since(t0))
	s.mu.Unlock()
}

func (s *serverTimes) reset() {
	s.mu.Lock()
	s.d = s.d[:0]
	s.mu.Unlock()
}

func (s *serverTimes) percentile(p int) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d) == 0 {
		return 0
	}
	d := append([]time.Duration(nil), s.d...)
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, len(d)*p/100)]
}

// BenchmarkConsolePages measures the dashboard and the list pages of one tenant of ten
// (1,000,000 suggestions in all) and reports server-time p95 per page and the ratio against
// the bare gin+pgx baseline measured in the same run.
func BenchmarkConsolePages(b *testing.B) {
	pool := benchPool(b)
	gin.SetMode(gin.ReleaseMode)
	st := &serverTimes{}
	r := gin.New()
	r.Use(st.middleware)
	cfg := console.Config{
		Sessions:    auth.NewSessions(postgres.NewConsoleAuthStore(pool), auth.DefaultPolicy(), nil),
		Suggestions: suggestion.NewService(postgres.NewSuggestionStore(pool), nil),
		Directory:   directory.NewService(postgres.NewDirectoryStore(pool)),
		Stats:       stats.NewService(postgres.NewStatsStore(pool), nil),
		Supervise:   supervise.NewService(postgres.NewSuperviseStore(pool), nil),
		Export:      export.NewService(postgres.NewExportStore(pool), nil),
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := console.Mount(r, cfg); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()
	cookieFor := func(user string) string {
		c := newClient(b, srv.URL)
		c.login("bench5", user, testPassword)
		u, _ := url.Parse(srv.URL)
		for _, ck := range c.hc.Jar.Cookies(u) {
			if ck.Name == "jy_console" {
				return ck.Value
			}
		}
		b.Fatal("no session cookie")
		return ""
	}
	reviewer, unit := cookieFor("shencha"), cookieFor("danwei")
	get := func(path, cookie string) func() error {
		return func() error {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "jy_console", Value: cookie})
			resp, err := baseline.Client().Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
			}
			return nil
		}
	}
	sel, _ := baseline.Start(b, pool)
	base := baseline.Get(sel)
	conc := max(2, runtime.GOMAXPROCS(0))
	pages := []struct {
		name, path, cookie string
		n                  int
	}{
		{"dashboard", "/", reviewer, 60},
		{"dashboard_filtered", "/?meeting=5&category=41&delegation=21&from=2026-01-01", reviewer, 60},
		{"suggestions", "/suggestions", reviewer, 300},
		{"suggestions_status", "/suggestions?status=handling", reviewer, 300},
		{"review_queue", "/review", reviewer, 100},
		{"review_similar_fragment", fmt.Sprintf("/review/similar/%d", 4*benchTotal()/benchTenants+1), reviewer, 30},
		{"assign_queue", "/assign", reviewer, 300},
		{"overdue", "/supervise/overdue", reviewer, 60},
		{"unit_inbox", "/unit", unit, 100},
		{"unit_inbox_all", "/unit?all=1", unit, 100},
		{"unit_dashboard", "/", unit, 100},
	}
	// The dashboard without its cache: every request has a different period, so each one
	// runs the counting queries over the tenant's 100,000 suggestions.
	b.Run("dashboard_uncached", func(b *testing.B) {
		var i int
		var mu sync.Mutex
		do := func() error {
			mu.Lock()
			i++
			from := time.Now().AddDate(-2, 0, 0).AddDate(0, 0, i).Format("2006-01-02")
			mu.Unlock()
			return get("/?from="+from, reviewer)()
		}
		bres := baseline.Measure(b, 200, conc, base)
		st.reset()
		res := baseline.Measure(b, 40, conc, do)
		p95 := st.percentile(95)
		baseline.Report(b, res, bres)
		b.ReportMetric(float64(p95.Microseconds())/1000, "server_p95_ms")
		b.Logf("dashboard uncached: server p95 %v (p50 %v), %s", p95, st.percentile(50), baseline.FormatRatio(baseline.Ratio(res, bres)))
	})
	// The dashboard right after a workflow change, as in real use (any audit event invalidates
	// the cache): before each request one suggestion of the tenant changes status (through
	// the rollup's triggers) and an audit event is written, so every request recomputes from
	// fresh difference rows and, every so often, folds them (inside the measured request).
	// The write's own time is reported apart (write_p95_ms).
	per := benchTotal() / benchTenants
	for _, v := range []struct{ name, cookie string }{
		{"dashboard_after_change", reviewer},
		{"unit_dashboard_after_change", unit},
	} {
		b.Run(v.name, func(b *testing.B) {
			var mu sync.Mutex
			var k int
			var writes []time.Duration
			do := func() error {
				mu.Lock()
				k++
				id := int64(4*per + (20*k)%per + 7) // i % 20 = 7: a suggestion in handling
				mu.Unlock()
				t0 := time.Now()
				_, err := pool.Exec(context.Background(), `UPDATE suggestions SET updated_at = now(),
				  status = CASE status WHEN 'handling' THEN 'escalated' ELSE 'handling' END::suggestion_status
				  WHERE tenant_id = 5 AND id = $1`, id)
				if err != nil {
					return err
				}
				if _, err := pool.Exec(context.Background(), `INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, action)
				  VALUES (5, $1, 'staff', 'bench')`, id); err != nil {
					return err
				}
				mu.Lock()
				writes = append(writes, time.Since(t0))
				mu.Unlock()
				return get("/", v.cookie)()
			}
			bres := baseline.Measure(b, 200, conc, base)
			st.reset()
			res := baseline.Measure(b, 60, conc, do)
			p95 := st.percentile(95)
			sort.Slice(writes, func(i, j int) bool { return writes[i] < writes[j] })
			wp95 := writes[min(len(writes)-1, len(writes)*95/100)]
			baseline.Report(b, res, bres)
			b.ReportMetric(float64(p95.Microseconds())/1000, "server_p95_ms")
			b.ReportMetric(float64(wp95.Microseconds())/1000, "write_p95_ms")
			b.Logf("%s: server p95 %v (p50 %v); status change + audit event p95 %v", v.name, p95, st.percentile(50), wp95)
		})
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			do := get(p.path, p.cookie)
			baseline.Measure(b, 20, conc, do) // warm caches
			baseline.Measure(b, 200, conc, base)
			bres := baseline.Measure(b, p.n*4, conc, base)
			st.reset()
			res := baseline.Measure(b, p.n, conc, do)
			p95 := st.percentile(95)
			baseline.Report(b, res, bres)
			b.ReportMetric(float64(p95.Microseconds())/1000, "server_p95_ms")
			b.Logf("%s: server p95 %v (p50 %v), %s", p.path, p95, st.percentile(50), baseline.FormatRatio(baseline.Ratio(res, bres)))
		})
	}
}
