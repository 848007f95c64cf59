package console_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"jianyi/console"
	"jianyi/internal/auth"
	"jianyi/internal/logtest"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// testLimiter is cmd/jianyi's consoleLimiter on the test binary's Redis database, under a
// prefix of the test's own so tests sharing the database never share a count.
type testLimiter struct {
	l      *jredis.RateLimiter
	prefix string
}

func (t testLimiter) Allow(ctx context.Context, subject string, limit int, window time.Duration) (bool, time.Duration, error) {
	return t.l.Allow(ctx, jredis.GlobalKey("console-test", t.prefix, subject), limit, window)
}

func newTestLimiter(rdb *jredis.Client) testLimiter {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return testLimiter{l: jredis.NewRateLimiter(rdb), prefix: hex.EncodeToString(b)}
}

// limitAnswer is a sign-in answer with its Retry-After.
type limitAnswer struct {
	loginAnswer
	retryAfter string
	location   string
}

// loginFrom signs in from client IP ip (X-Forwarded-For: the test engine trusts every proxy,
// as gin does by default; cmd/jianyi trusts only JIANYI_TRUSTED_PROXIES).
func loginFrom(b *bundle, ip, tenant, user, pw string) limitAnswer {
	b.t.Helper()
	c := b.client()
	do := func(req *http.Request) (*http.Response, string) {
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := c.hc.Do(req)
		if err != nil {
			b.t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/login", nil)
	_, page := do(req)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatal("no csrf token on /login")
	}
	form := url.Values{"csrf": {m[1]}, "tenant": {tenant}, "username": {user}, "password": {pw}, "next": {"/"}}
	req, _ = http.NewRequest(http.MethodPost, b.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := do(req)
	a := limitAnswer{loginAnswer: loginAnswer{status: resp.StatusCode}, retryAfter: resp.Header.Get("Retry-After"), location: resp.Header.Get("Location")}
	if m := loginErrRe.FindStringSubmatch(body); m != nil {
		a.msg = html.UnescapeString(m[1])
	}
	return a
}

// One client IP used to be able to keep the password checker full (16 running + 32 waiting)
// so that every real sign-in got 429 "登录请求过多". Now an IP makes at most 20 attempts a
// minute; the 21st is refused with 429, a Chinese message and Retry-After before any password
// is checked (here the checker is full, yet the answer is the per-IP refusal, not "busy"), and
// it counts as no failure. Another address is not affected, and signs in.
func TestSignInLimitedPerIP(t *testing.T) {
	t.Parallel()
	b := setup(t)
	hashing := auth.NewHashLimiter(1, 0)
	b.remount(func(cfg *console.Config) {
		cfg.Sessions = auth.NewSessions(postgres.NewConsoleAuthStore(b.pool), auth.DefaultPolicy(), nil, auth.WithHashLimiter(hashing))
		cfg.LoginLimiter = newTestLimiter(redistest.New(t)) // LoginPerIP 0: the default, 20 a minute
	})
	ips := randomIPs(2)
	attacker, office := ips[0], ips[1]

	// The checker is full: an attempt the per-IP limit lets through is answered "busy"
	// without a check (and so costs the test nothing).
	release := make(chan struct{})
	held := make(chan struct{})
	go func() {
		_ = hashing.Do(context.Background(), func() { <-release })
		close(held)
	}()
	waitUntil(t, "the slot taken", func() bool { return hashing.Running() == 1 })
	for i := range console.DefaultLoginPerIP {
		if a := loginFrom(b, attacker, "jyg", "shencha", "wrong-password"); a.status != http.StatusTooManyRequests || a.msg != "登录请求过多，请稍后再试" {
			t.Fatalf("attempt %d within the limit: %+v", i+1, a)
		}
	}
	a := loginFrom(b, attacker, "jyg", "shencha", "wrong-password")
	secs, _ := strconv.Atoi(a.retryAfter)
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.msg, "登录尝试过于频繁") || secs < 1 || secs > 60 ||
		!strings.Contains(a.msg, a.retryAfter+"秒后再试") {
		t.Fatalf("attempt %d from one address: %+v, want 429 with the per-IP message and Retry-After 1-60", console.DefaultLoginPerIP+1, a)
	}
	if a := loginFrom(b, office, "jyg", "shencha", "wrong-password"); a.msg != "登录请求过多，请稍后再试" {
		t.Fatalf("another address was limited too: %+v", a)
	}
	close(release)
	<-held

	// Checks are free again: the limited address is still refused, even with the right
	// password, without a check; the other address signs in.
	if a := loginFrom(b, attacker, "jyg", "shencha", testPassword); a.status != http.StatusTooManyRequests || !strings.Contains(a.msg, "登录尝试过于频繁") {
		t.Fatalf("right password from the limited address: %+v", a)
	}
	if a := loginFrom(b, office, "jyg", "shencha", testPassword); a.status != http.StatusSeeOther || a.location != "/" {
		t.Fatalf("sign-in from another address: %+v", a)
	}
	// None of the refused attempts was judged, so none counted toward the lock.
	var failed int
	var locked *time.Time
	if err := b.pool.QueryRow(context.Background(), `SELECT failed_logins, locked_until FROM users WHERE tenant_id = 1 AND username = 'shencha'`).Scan(&failed, &locked); err != nil {
		t.Fatal(err)
	}
	if failed != 0 || locked != nil {
		t.Fatalf("failed_logins %d, locked_until %v after attempts that were never judged", failed, locked)
	}
}

// A smaller limit from the config is the one applied.
func TestSignInLimitFromConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.remount(func(cfg *console.Config) {
		cfg.LoginLimiter = newTestLimiter(redistest.New(t))
		cfg.LoginPerIP, cfg.LoginWindow = 2, time.Hour
	})
	ip := randomIPs(1)[0]
	for range 2 {
		if a := loginFrom(b, ip, "jyg", "no-such-user", "wrong-password"); a.status != http.StatusUnauthorized {
			t.Fatalf("within the limit: %+v", a)
		}
	}
	a := loginFrom(b, ip, "jyg", "no-such-user", "wrong-password")
	secs, _ := strconv.Atoi(a.retryAfter)
	if a.status != http.StatusTooManyRequests || secs <= 60 || secs > 3600 {
		t.Fatalf("3rd attempt with 2 an hour: %+v", a)
	}
}

// A Redis outage does not shut staff out: the limiter cannot count, so the attempt goes on
// (with a warning in the log), and the account lockout still applies.
func TestSignInLimiterDownLetsStaffIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Redis "down": nothing listens on the port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	var logs syncBuffer
	b.remount(func(cfg *console.Config) {
		cfg.LoginLimiter = newTestLimiter(rdb)
		cfg.LoginPerIP = 1
		cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ip := randomIPs(1)[0]
	for range 2 {
		if a := loginFrom(b, ip, "jyg", "shencha", testPassword); a.status != http.StatusSeeOther || a.location != "/" {
			t.Fatalf("sign-in with the limiter down: %+v", a)
		}
	}
	if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "rate limiter unavailable") {
		t.Fatalf("no warning logged:\n%s", out)
	}
	if strings.Contains(logs.String(), ip) {
		t.Fatal("the warning logs the client's address")
	}
	for i := 1; i <= 5; i++ {
		a := loginFrom(b, ip, "jyg", "shencha", "wrong-password")
		if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusUnauthorized}[i == 5]; a.status != want {
			t.Fatalf("wrong password %d with the limiter down: %+v", i, a)
		}
	}
	if a := loginFrom(b, ip, "jyg", "shencha", testPassword); a.status != http.StatusTooManyRequests || !strings.Contains(a.msg, "锁定") {
		t.Fatalf("right password after 5 failures: %+v", a)
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer = logtest.Buffer

// randomIPs returns n distinct addresses in 198.18.0.0/15 (the benchmarking range).
func randomIPs(n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		ip := net.IPv4(198, 18+b[0]%2, b[1], 1+b[2]%254).String()
		if !seen[ip] {
			seen[ip] = true
			out = append(out, ip)
		}
	}
	return out
}
