// Package baseline is the yardstick every Jianyi benchmark is reported against: a bare
// gin + pgx endpoint doing one indexed SELECT (GET) or one INSERT (POST), served on
// loopback in the same process and the same run. Reporting "x_baseline" instead of raw
// nanoseconds keeps numbers comparable across machines (tests never assert wall-clock
// times; see TEAM.md).
//
// Typical use:
//
//	func BenchmarkSubmit(b *testing.B) {
//		pool := pgtest.New(b)
//		srv := setup(b, pool)                       // the thing under test
//		baseline.Compare(b, pool, 2000, 8, func() error { return submit(srv) })
//	}
//
// Compare measures the baseline SELECT and the subject with the same request count and
// concurrency, then reports x_baseline (how many baseline requests fit in the time of one
// subject request: 1 = as cheap as one indexed SELECT over gin+pgx), p50_ms, p99_ms and rps.
package baseline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Rows is the number of rows the baseline table holds for the SELECT.
const Rows = 100_000

// ReadTenant and WriteTenant keep the SELECT's rows apart from the POST's inserts.
const (
	ReadTenant  = 1
	WriteTenant = 2
)

const schema = `
CREATE TABLE IF NOT EXISTS bench_baseline (
	tenant_id bigint NOT NULL,
	id bigserial NOT NULL,
	title text NOT NULL,
	PRIMARY KEY (tenant_id, id)
)`

// Start creates and fills bench_baseline if needed (100k rows; a few seconds once per
// database) and serves the baseline endpoints on 127.0.0.1 until tb's cleanup.
// selectURL answers GET with one row by primary key; insertURL answers POST by inserting
// one row.
func Start(tb testing.TB, pool *pgxpool.Pool) (selectURL, insertURL string) {
	tb.Helper()
	ctx := context.Background()
	if err := prepare(ctx, pool); err != nil {
		tb.Fatalf("baseline: %v", err)
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/baseline/:id", func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"code": "bad_id"})
			return
		}
		var title string
		err = pool.QueryRow(c, "SELECT title FROM bench_baseline WHERE tenant_id = $1 AND id = $2", ReadTenant, id).Scan(&title)
		if err != nil {
			c.JSON(http.StatusNotFound, gin.H{"code": "not_found"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": id, "title": title})
	})
	r.POST("/baseline", func(c *gin.Context) {
		var in struct {
			Title string `json:"title"`
		}
		if err := c.ShouldBindJSON(&in); err != nil || in.Title == "" {
			c.JSON(http.StatusBadRequest, gin.H{"code": "bad_title"})
			return
		}
		var id int64
		err := pool.QueryRow(c, "INSERT INTO bench_baseline (tenant_id, title) VALUES ($1, $2) RETURNING id", WriteTenant, in.Title).Scan(&id)
		if err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"code": "internal"})
			return
		}
		c.JSON(http.StatusCreated, gin.H{"id": id})
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("baseline: listen: %v", err)
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	base := "http://" + ln.Addr().String()
	return base + "/baseline/" + strconv.Itoa(Rows/2), base + "/baseline"
}

func prepare(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	// Several benchmarks of one binary may share the database.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(726165)"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, schema); err != nil {
		return fmt.Errorf("create bench_baseline: %w", err)
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM bench_baseline WHERE tenant_id = $1", ReadTenant).Scan(&n); err != nil {
		return err
	}
	if n < Rows {
		_, err := tx.Exec(ctx, `
INSERT INTO bench_baseline (tenant_id, id, title)
SELECT $1, g, 'suggestion ' || g FROM generate_series(1, $2::bigint) g
ON CONFLICT DO NOTHING`, ReadTenant, Rows)
		if err != nil {
			return fmt.Errorf("fill bench_baseline: %w", err)
		}
		if _, err := tx.Exec(ctx, "ANALYZE bench_baseline"); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// Result is one closed-loop measurement.
type Result struct {
	N           int
	Concurrency int
	Elapsed     time.Duration
	RPS         float64
	P50, P99    time.Duration
}

func (r Result) String() string {
	return fmt.Sprintf("%d req, c=%d, %.0f req/s, p50 %v, p99 %v", r.N, r.Concurrency, r.RPS, r.P50, r.P99)
}

// MaxRequests bounds one measurement, so a mistaken b.N cannot flood anything.
const MaxRequests = 1_000_000

// Measure calls do n times from concurrency goroutines, each starting its next call as
// soon as the previous one returns (closed loop), and reports throughput and latency.
// Any error fails tb (after the in-flight calls finish).
func Measure(tb testing.TB, n, concurrency int, do func() error) Result {
	tb.Helper()
	if n <= 0 || n > MaxRequests || concurrency <= 0 {
		tb.Fatalf("baseline: Measure needs 0 < n <= %d and concurrency > 0 (got n=%d, c=%d)", MaxRequests, n, concurrency)
	}
	concurrency = min(concurrency, n)
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var stop atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				if err := do(); err != nil {
					errOnce.Do(func() { firstErr = err })
					stop.Store(true)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		tb.Fatalf("baseline: measured call failed: %v", firstErr)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return Result{
		N:           n,
		Concurrency: concurrency,
		Elapsed:     elapsed,
		RPS:         float64(n) / elapsed.Seconds(),
		P50:         lat[n*50/100],
		P99:         lat[min(n-1, n*99/100)],
	}
}

// Ratio is how many times the baseline's cost one subject request takes, from throughput
// at equal concurrency: 1 = as cheap as the baseline, 3 = three times as expensive.
func Ratio(subject, base Result) float64 {
	if subject.RPS == 0 {
		return 0
	}
	return base.RPS / subject.RPS
}

// FormatRatio renders a ratio for logs: "2.35x baseline".
func FormatRatio(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "x baseline" }

// Report puts subject's numbers on b: x_baseline, p50_ms, p99_ms, rps, and ns/op as the
// subject's wall time per request. It also runs an empty b.Loop so that the benchmark
// function is executed once (the measurement itself ignores b.N).
func Report(b *testing.B, subject, base Result) {
	b.Helper()
	for b.Loop() {
	}
	b.ReportMetric(Ratio(subject, base), "x_baseline")
	b.ReportMetric(float64(subject.P50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(subject.P99.Microseconds())/1000, "p99_ms")
	b.ReportMetric(subject.RPS, "rps")
	b.ReportMetric(float64(subject.Elapsed.Nanoseconds())/float64(subject.N), "ns/op")
	b.Logf("subject: %v; baseline: %v; %s", subject, base, FormatRatio(Ratio(subject, base)))
}

// Compare starts the baseline on pool, measures its SELECT and do with the same n and
// concurrency, and reports (see Report). Call it once per benchmark.
func Compare(b *testing.B, pool *pgxpool.Pool, n, concurrency int, do func() error) Result {
	b.Helper()
	sel, _ := Start(b, pool)
	get := Get(sel)
	Measure(b, min(n, 200), concurrency, get) // warm connections and caches
	base := Measure(b, n, concurrency, get)
	subject := Measure(b, n, concurrency, do)
	Report(b, subject, base)
	return subject
}

var client = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	},
}

// Client is the loopback HTTP client the helpers use (keep-alive, no proxy), for
// benchmarks that build their own requests.
func Client() *http.Client { return client }

// Get returns a call that GETs u (loopback only) and wants a 2xx answer.
func Get(u string) func() error {
	if err := loopback(u); err != nil {
		return func() error { return err }
	}
	return func() error {
		resp, err := client.Get(u)
		return drain(resp, err)
	}
}

// Post returns a call that POSTs body to u (loopback only) and wants a 2xx answer.
func Post(u, contentType string, body []byte) func() error {
	if err := loopback(u); err != nil {
		return func() error { return err }
	}
	return func() error {
		resp, err := client.Post(u, contentType, bytes.NewReader(body))
		return drain(resp, err)
	}
}

func drain(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d from %s", resp.StatusCode, resp.Request.URL.Path)
	}
	return nil
}

// loopback refuses anything but a loopback host: the load driver must never leave the box.
func loopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("baseline: refusing to load a non-loopback host " + host)
}
