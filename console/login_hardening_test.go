package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jianyi/console"
	"jianyi/internal/auth"
	"jianyi/storage/postgres"
)

// withLimiter serves the console with sign-ins bounded by l (the tests' own, so that tests
// running in parallel do not share the process-wide one).
func withLimiter(b *bundle, l *auth.HashLimiter) {
	b.remount(func(cfg *console.Config) {
		cfg.Sessions = auth.NewSessions(postgres.NewConsoleAuthStore(b.pool), auth.DefaultPolicy(), nil, auth.WithHashLimiter(l))
	})
}

var loginErrRe = regexp.MustCompile(`role="alert">([^<]*)<`)

// loginAnswer is what a sign-in attempt shows: the status and the error message.
type loginAnswer struct {
	status int
	msg    string
}

func tryLoginAnswer(b *bundle, tenant, user, pw string) loginAnswer {
	status, _, body := b.client().tryLogin(tenant, user, pw)
	m := loginErrRe.FindStringSubmatch(body)
	if m == nil {
		return loginAnswer{status, ""}
	}
	return loginAnswer{status, html.UnescapeString(m[1])}
}

// parallelLogins posts n sign-ins at once, each from its own browser, and returns the answers;
// answered (if not nil) counts them as they come.
func parallelLogins(b *bundle, n int, tenant, user, pw string, answered *atomic.Int32) []loginAnswer {
	clients := make([]*client, n)
	toks := make([]string, n)
	for i := range clients {
		clients[i] = b.client()
		toks[i] = clients[i].csrf("/login")
	}
	out := make([]loginAnswer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			resp, err := clients[i].hc.PostForm(b.srv.URL+"/login", url.Values{"csrf": {toks[i]}, "tenant": {tenant}, "username": {user}, "password": {pw}, "next": {"/"}})
			if err != nil {
				b.t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			out[i].status = resp.StatusCode
			if m := loginErrRe.FindStringSubmatch(string(body)); m != nil {
				out[i].msg = html.UnescapeString(m[1])
			}
			if resp.StatusCode == http.StatusTooManyRequests && strings.Contains(out[i].msg, "登录请求过多") && resp.Header.Get("Retry-After") == "" {
				b.t.Error("busy answer without Retry-After")
			}
			if answered != nil {
				answered.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// 12 wrong passwords sent at once used to get 12 × 401 with no lock, and the right password
// then signed in. Now 4 are told the password is wrong and 8 that the account is locked, and
// the right password is refused as locked; the other tenant's user of the same name can still
// sign in.
func TestParallelWrongPasswordsLock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	withLimiter(b, auth.NewHashLimiter(4, 32))
	wrong, locked := 0, 0
	for _, a := range parallelLogins(b, 12, "jyg", "shencha", "wrong-password", nil) {
		switch {
		case a.status == http.StatusUnauthorized && strings.Contains(a.msg, "不正确"):
			wrong++
		case a.status == http.StatusTooManyRequests && strings.Contains(a.msg, "锁定"):
			locked++
		default:
			t.Fatalf("answer %d %q", a.status, a.msg)
		}
	}
	if wrong != 4 || locked != 8 {
		t.Fatalf("%d answered wrong, %d locked; want 4 and 8", wrong, locked)
	}
	if a := tryLoginAnswer(b, "jyg", "shencha", testPassword); a.status != http.StatusTooManyRequests || !strings.Contains(a.msg, "锁定") {
		t.Fatalf("right password after the parallel guesses: %+v", a)
	}
	b.client().login("other", "shencha", testPassword)
}

// An account that exists, one that does not and one that is disabled answer the same to the
// same attempts, status and words: wrong password (stating the rule) four times, then locked.
// The locked answer tells the real user what to do.
func TestLockoutDoesNotTellWhichAccountsExist(t *testing.T) {
	t.Parallel()
	b := setup(t)
	withLimiter(b, auth.NewHashLimiter(2, 32))
	ctx := context.Background()
	if _, err := b.pool.Exec(ctx, `UPDATE users SET active = false WHERE tenant_id = 1 AND username = 'lingdao'`); err != nil {
		t.Fatal(err)
	}
	seq := func(user string) []loginAnswer {
		var out []loginAnswer
		for range 6 {
			out = append(out, tryLoginAnswer(b, "jyg", user, "wrong-password"))
		}
		// the right password (for the disabled user too) while locked
		return append(out, tryLoginAnswer(b, "jyg", user, testPassword))
	}
	known, unknown, disabled := seq("shencha"), seq("no-such-user"), seq("lingdao")
	for i := range known {
		if known[i] != unknown[i] || known[i] != disabled[i] {
			t.Fatalf("attempt %d: existing %+v, unknown %+v, disabled %+v", i+1, known[i], unknown[i], disabled[i])
		}
	}
	if known[0].status != http.StatusUnauthorized || known[0].msg != "单位代码、用户名或密码不正确；连续输错5次将锁定15分钟" {
		t.Fatalf("wrong password: %+v", known[0])
	}
	if known[4].status != http.StatusTooManyRequests || !strings.Contains(known[4].msg, "锁定15分钟") || !strings.Contains(known[4].msg, "管理员解锁") {
		t.Fatalf("5th failure: %+v", known[4])
	}
}

// While every hashing slot is taken and the queue is full, sign-ins are refused at once with
// 429 "登录请求过多，请稍后再试" instead of each holding 64 MiB in a queue without end; the
// ones allowed to wait are served once slots free up, never more at once than the bound.
func TestSignInFloodIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l := auth.NewHashLimiter(2, 4)
	withLimiter(b, l)
	release := make(chan struct{})
	for range 2 { // two checks in progress hold both slots
		go l.Do(context.Background(), func() { <-release })
	}
	waitUntil(t, "both slots taken", func() bool { return l.Running() == 2 })

	var answers []loginAnswer
	var answered atomic.Int32
	done := make(chan struct{})
	go func() {
		answers = parallelLogins(b, 10, "jyg", "nobody-here", "wrong-password", &answered)
		close(done)
	}()
	// Six are answered at once while four wait for a slot.
	waitUntil(t, "4 sign-ins waiting, 6 answered", func() bool { return l.Waiting() == 4 && answered.Load() == 6 })
	if l.Running() != 2 {
		t.Fatalf("%d checks running, bound 2", l.Running())
	}
	close(release)
	<-done
	busy, wrong := 0, 0
	for _, a := range answers {
		switch {
		case a.status == http.StatusTooManyRequests && a.msg == "登录请求过多，请稍后再试":
			busy++
		case a.status == http.StatusUnauthorized:
			wrong++
		default:
			t.Fatalf("answer %+v of %+v", a, answers)
		}
	}
	if busy != 6 || wrong != 4 {
		t.Fatalf("%d refused as busy, %d checked; want 6 and 4", busy, wrong)
	}
	// A flood is not a failure of anyone's password: the real user signs in afterwards.
	b.client().login("jyg", "shencha", testPassword)
}

// Every attempt costs a password check, whatever the account: with the checker saturated, a
// disabled account, a locked one, an unknown name and an unknown tenant all wait for it like a
// real one (a disabled account used to answer in 2-4 ms without any, a locked one too).
func TestEveryAttemptWaitsForTheChecker(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l := auth.NewHashLimiter(1, 0)
	withLimiter(b, l)
	ctx := context.Background()
	if _, err := b.pool.Exec(ctx, `UPDATE users SET active = false WHERE tenant_id = 1 AND username = 'lingdao'`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.pool.Exec(ctx, `UPDATE users SET locked_until = now() + interval '10 minutes' WHERE tenant_id = 1 AND username = 'zhujian'`); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	go l.Do(ctx, func() { <-release })
	waitUntil(t, "the slot taken", func() bool { return l.Running() == 1 })
	for _, c := range []struct{ tenant, user, pw string }{
		{"jyg", "shencha", "wrong-password"},
		{"jyg", "lingdao", "wrong-password"},
		{"jyg", "lingdao", testPassword},
		{"jyg", "zhujian", testPassword},
		{"jyg", "no-such-user", "wrong-password"},
		{"nope", "shencha", testPassword},
	} {
		if a := tryLoginAnswer(b, c.tenant, c.user, c.pw); a.status != http.StatusTooManyRequests || a.msg != "登录请求过多，请稍后再试" {
			t.Errorf("%s/%s answered without a password check: %+v", c.tenant, c.user, a)
		}
	}
	close(release)
}

// The admin's user form refuses passwords an attacker would try first, with the reason; the
// user is not created, and a refused reset leaves the old password working.
func TestWeakPasswordsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.desk("admin")
	for _, c := range []struct{ user, pw, msg string }{
		{"xinren", "12345678", "连续的数字或字母"},
		{"xinren", "aaaaaaaa", "同一个字符"},
		{"xinren", "88888888", "同一个字符"},
		{"xinren", "password", "过于常见"},
		{"xinren", "woaini1314", "过于常见"},
		{"xinren", "xinren-2026", "不能包含用户名"},
		{"xinren", "abcdefghij", "连续的数字或字母"},
		{"xinren", "correcthorse", "至少两种"},
	} {
		status, _, page := admin.c.post("/admin/users", url.Values{"csrf": {admin.tok}, "username": {c.user}, "display_name": {"新人"}, "roles": {"reviewer"}, "password": {c.pw}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, c.msg) || strings.Contains(page, `value="`+c.pw+`"`) {
			t.Errorf("new user with %q: %d, want 422 with %q and the password not filled in\n%.300s", c.pw, status, c.msg, page)
		}
	}
	var n int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE username = 'xinren'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a refused user was created: %d %v", n, err)
	}
	// A reset to a weak password is refused too.
	status, _, page := admin.c.post("/admin/users", url.Values{"csrf": {admin.tok}, "id": {"1"}, "username": {"shencha"}, "display_name": {"代表工委 王审查"},
		"roles": {"reviewer"}, "active": {"1"}, "password": {"11111111"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "同一个字符") {
		t.Fatalf("weak reset: %d %.300s", status, page)
	}
	b.client().login("jyg", "shencha", testPassword)
	// A good one is taken.
	status, _, page = admin.c.post("/admin/users", url.Values{"csrf": {admin.tok}, "username": {"xinren"}, "display_name": {"新人"}, "roles": {"reviewer"}, "password": {"长城-jianyi-7"}})
	if status != http.StatusSeeOther {
		t.Fatalf("good password: %d %.300s", status, page)
	}
	b.client().login("jyg", "xinren", "长城-jianyi-7")
}
