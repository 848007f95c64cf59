package mpapi_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	mpapi "jianyi/miniprogram-api"
)

// TestPerIPLimit: every request that is not signed in (log-ins of different WeChat users,
// the spec, a request with a token that is not a session) counts against the client's IP.
// Past PerIP in the window the next one gets 429 rate_limited with its Chinese message and a
// Retry-After, whichever user it is for; signed-in requests are limited per user instead.
func TestPerIPLimit(t *testing.T) {
	t.Parallel()
	const perIP = 4
	b := setup(t, setupOpts{limiterPrefix: fmt.Sprintf("ip%d:", time.Now().UnixNano()),
		limits: mpapi.Limits{Window: time.Minute, PerIP: perIP, PerUser: 1000, LoginPerIP: 1000, JSONBody: 64 << 10}})

	// Two users log in from the same IP, then the spec is read and a stale token tried.
	tokA, r := b.login("openid-ip-a", "jyg")
	b.want(r, 200, "first user logs in (1)")
	tokB, r := b.login("openid-ip-b", "jyg")
	b.want(r, 200, "second user logs in (2)")
	b.want(b.do("GET", "/api/v1/openapi.yaml", "", nil), 200, "spec (3)")
	b.want(b.do("GET", "/api/v1/me", "1.notasession", nil), 401, "no session (4)")

	// The next of either kind, for yet another user, is refused.
	for _, tc := range []struct {
		what string
		do   func() resp
	}{
		{"third user logs in", func() resp { _, r := b.login("openid-ip-c", "jyg"); return r }},
		{"spec", func() resp { return b.do("GET", "/api/v1/openapi.yaml", "", nil) }},
		{"no session", func() resp { return b.do("GET", "/api/v1/me", "1.notasession", nil) }},
	} {
		r := tc.do()
		b.want(r, 429, tc.what+" past the per-IP limit")
		var e struct{ Code, Message string }
		r.json(t, &e)
		if e.Code != "rate_limited" || e.Message != "操作过于频繁，请稍后再试" {
			t.Fatalf("%s: refusal %s", tc.what, r.Body)
		}
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 60 {
			t.Fatalf("%s: Retry-After %q, want 1..60 seconds", tc.what, r.Header.Get("Retry-After"))
		}
	}

	// Signed-in users are counted per user, not per IP: both still get through.
	b.want(b.do("GET", "/api/v1/me", tokA, nil), 200, "first user signed in")
	b.want(b.do("GET", "/api/v1/me", tokB, nil), 200, "second user signed in")
}
