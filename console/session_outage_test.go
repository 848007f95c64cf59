package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jianyi/console"
	"jianyi/internal/auth"
	"jianyi/storage/postgres"
)

// A database outage is not a sign-out: a signed-in reviewer whose session cannot be read gets
// a 503 page saying the system is unavailable, the session cookie is kept, and once the
// database answers again the same cookie opens the page.
func TestSessionUnreadableKeepsTheSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	// The console reads sessions through a pool of its own, which the test can cut off.
	pool, err := postgres.Open(ctx, b.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	sessions := func(store auth.Store) func(*console.Config) {
		return func(cfg *console.Config) { cfg.Sessions = auth.NewSessions(store, auth.DefaultPolicy(), nil) }
	}
	b.remount(sessions(postgres.NewConsoleAuthStore(pool)))
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	u, _ := url.Parse(b.srv.URL)
	cookies := c.hc.Jar.Cookies(u)
	if len(cookies) == 0 {
		t.Fatal("no session cookie after sign-in")
	}

	pool.Close() // the database is gone, as far as the console can tell
	resp, body := c.getResp("/suggestions")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "系统暂时不可用") || !strings.Contains(string(body), "仍处于登录状态") {
		t.Fatalf("session unreadable: %d %s\n%.600s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, "jy_console=") {
			t.Fatalf("the outage cleared the session cookie: %s", sc)
		}
	}

	// The database is back (the console reads sessions from the test's pool now).
	b.remount(sessions(postgres.NewConsoleAuthStore(b.pool)))
	c.base = b.srv.URL
	if status, _ := c.get("/suggestions"); status != http.StatusOK {
		t.Fatalf("after the outage, the same cookie: %d", status)
	}
}
