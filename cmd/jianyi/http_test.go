package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jianyi/internal/notify"
	"jianyi/internal/wechat/wechattest"
	mpapi "jianyi/miniprogram-api"
)

// apiEngine is the serve engine with the mini-program API (and, with console, the staff
// console) mounted, trusting the given proxies.
func apiEngine(t *testing.T, proxies []string, console bool) http.Handler {
	t.Helper()
	d := testDeps(t, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	d.cfg.TrustedProxies = proxies
	d.cfg.WechatMPAppID, d.cfg.WechatMPSecret = "wx-test-proxy", "mp-secret"
	r := newEngine(d)
	if err := mountMiniprogram(r, d); err != nil {
		t.Fatal(err)
	}
	if console {
		if err := mountConsole(r, d); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// randomIPs returns n distinct addresses in 198.18.0.0/15 (benchmarking range), so runs
// sharing the test binary's Redis database never share a rate-limit key.
func randomIPs(n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		ip := fmt.Sprintf("198.%d.%d.%d", 18+rand.IntN(2), rand.IntN(256), 1+rand.IntN(254))
		if !seen[ip] {
			seen[ip] = true
			out = append(out, ip)
		}
	}
	return out
}

// login posts an empty login (refused with 422 before WeChat is called, but counted by
// the per-IP login limit) from peer, with the given forwarding headers.
func login(t *testing.T, h http.Handler, peer string, hdr ...string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = peer + ":40000"
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// exhaust sends the login limit's worth of attempts, which must all pass the limiter;
// hdr(i) gives the forwarding headers of the i-th.
func exhaust(t *testing.T, h http.Handler, peer string, hdr func(i int) []string) {
	t.Helper()
	for i := range mpapi.DefaultLimits.LoginPerIP {
		if code := login(t, h, peer, hdr(i)...); code == http.StatusTooManyRequests {
			t.Fatalf("attempt %d limited already", i+1)
		}
	}
}

func TestTrustedProxyForwardsClientIP(t *testing.T) {
	t.Parallel()
	const proxy = "10.7.0.2"
	h := apiEngine(t, []string{"10.7.0.0/16"}, false)
	ips := randomIPs(4)
	a, b, c, direct := ips[0], ips[1], ips[2], ips[3]

	// Deputies behind the proxy are limited one by one, not as the proxy's one address.
	exhaust(t, h, proxy, func(int) []string { return []string{"X-Forwarded-For", a} })
	if code := login(t, h, proxy, "X-Forwarded-For", a); code != http.StatusTooManyRequests {
		t.Fatalf("client a over its limit: %d, want 429", code)
	}
	if code := login(t, h, proxy, "X-Forwarded-For", b); code == http.StatusTooManyRequests {
		t.Fatal("client b is limited for client a's attempts: the proxy's address is used")
	}
	if code := login(t, h, proxy, "X-Real-IP", b); code == http.StatusTooManyRequests {
		t.Fatal("X-Real-IP from the proxy is not used")
	}

	// Entries a client puts in front of the one the proxy appends do not make it anew.
	exhaust(t, h, proxy, func(i int) []string { return []string{"X-Forwarded-For", fmt.Sprintf("203.0.113.%d, %s", i+1, c)} })
	if code := login(t, h, proxy, "X-Forwarded-For", "203.0.113.200, "+c); code != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For behind the proxy escaped the limit: %d", code)
	}

	// A peer that is not a trusted proxy cannot name another client.
	exhaust(t, h, direct, func(i int) []string { return []string{"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1)} })
	if code := login(t, h, direct, "X-Forwarded-For", "203.0.113.201", "X-Real-IP", "203.0.113.202"); code != http.StatusTooManyRequests {
		t.Fatalf("untrusted peer escaped the limit with forwarding headers: %d", code)
	}
}

func TestNoTrustedProxyIgnoresForwardingHeaders(t *testing.T) {
	t.Parallel()
	h := apiEngine(t, nil, false)
	client := randomIPs(1)[0]
	exhaust(t, h, client, func(i int) []string {
		return []string{"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i+1)}
	})
	if code := login(t, h, client, "X-Forwarded-For", "203.0.113.250", "X-Real-IP", "198.51.100.250"); code != http.StatusTooManyRequests {
		t.Fatalf("forged forwarding headers escaped the limit: %d, want 429", code)
	}
}

// TestUnmatchedPaths: the API answers unknown paths and wrong methods under /api/v1 in
// JSON, the bot's /wechat/ paths keep gin's text 404, and every other path gets the
// console's Chinese error page (404, or 405 for a wrong method on a console path).
func TestUnmatchedPaths(t *testing.T) {
	t.Parallel()
	h := apiEngine(t, nil, true)
	tests := []struct {
		method, path string
		status       int
		code         string // JSON error code; "text" gin's text 404; "page" the console's page
		allow        string
	}{
		{"GET", "/api/v1/no-such-thing", 404, "not_found", ""},
		{"GET", "/api/v1", 404, "not_found", ""},
		{"POST", "/api/v1/me", 405, "method_not_allowed", "GET"},
		{"PUT", "/api/v1/auth/login", 405, "method_not_allowed", "POST"},
		{"GET", "/no-such-page", 404, "page", ""},
		{"GET", "/suggestions/12/no-such-tab", 404, "page", ""},
		{"GET", "/static/no-such-file.css", 404, "page", ""},
		{"GET", "/api/v10/me", 404, "page", ""},
		{"DELETE", "/login", 405, "page", "GET, POST"},
		{"PUT", "/logout", 405, "page", "POST"},
		{"POST", "/healthz", 405, "page", "GET"},
		{"GET", "/wechat/oa", 404, "text", ""},
		{"GET", "/wechat/oa/jyg/extra", 404, "text", ""},
		{"PUT", "/wechat/oa/jyg", 404, "text", ""}, // the bot's path, wrong method: text 404 as before
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			ct := rec.Header().Get("Content-Type")
			switch tt.code {
			case "text":
				if ct != "text/plain" || rec.Body.String() != "404 page not found" {
					t.Fatalf("want gin's text 404, got %q %q", ct, rec.Body)
				}
				return
			case "page":
				body := rec.Body.String()
				want := map[int]string{404: "页面不存在", 405: "访问方式不正确"}[tt.status]
				if !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, want) || !strings.Contains(body, `href="/"`) ||
					strings.Contains(body, "page not found") || strings.Contains(body, "method not allowed") {
					t.Fatalf("want the console's Chinese %d page, got %q %.300q", tt.status, ct, body)
				}
				return
			}
			var body struct{ Code, Message string }
			if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
				t.Fatalf("want JSON, got %q %q", ct, rec.Body)
			}
			if body.Code != tt.code || body.Message == "" {
				t.Fatalf("body %+v, want code %q and a message", body, tt.code)
			}
		})
	}
}

// Staff WeChat template messages link to console pages (JIANYI_CONSOLE_URL + the notice's
// page): each page a notice or reminder names must be a route of the console, which sends a
// signed-out reader to the sign-in page rather than answering "not found".
func TestStaffNoticeLinksAreConsolePages(t *testing.T) {
	wechattest.Start().Install() // before any engine installs the production client
	t.Parallel()
	h := apiEngine(t, nil, true)
	for _, page := range []string{notify.ConsolePage(12) + "?nid=34", notify.ConsoleInbox, notify.ConsoleOverdue} {
		req := httptest.NewRequest(http.MethodGet, page, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("GET %s: %d %q, want the sign-in redirect of a console page", page, rec.Code, rec.Header().Get("Location"))
		}
	}
}
