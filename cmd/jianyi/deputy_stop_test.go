package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
)

// Stopping a deputy in the console's 代表名册 (a deputy who left office, or a lost phone)
// ends every mini-program login they have at once; before, a session kept working for up
// to its seven days. Another deputy's login is untouched.
func TestStoppingADeputyEndsTheirLogins(t *testing.T) {
	wechattest.Start().Install() // before any engine installs the production client
	t.Parallel()
	ctx := context.Background()
	d := testDeps(t, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	d.cfg.WechatMPAppID, d.cfg.WechatMPSecret = "wx-test-stop", "mp-secret"
	hash, err := auth.HashPassword("admin-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	pgtest.MustExec(t, d.pool, `INSERT INTO tenants (id, code, name) VALUES (1, 'jyg', '嘉峪关市人大常委会')`)
	pgtest.MustExec(t, d.pool, `INSERT INTO deputies (tenant_id, id, name, phone) VALUES (1, 7, '张建国', '13900000007'), (1, 8, '李秀英', '13900000008')`)
	pgtest.MustExec(t, d.pool, `INSERT INTO users (tenant_id, id, username, display_name, password_hash) VALUES (1, 1, 'admin', '管理员', $1)`, hash)
	pgtest.MustExec(t, d.pool, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 1, 'admin')`)

	r := newEngine(d)
	if err := mountMiniprogram(r, d); err != nil {
		t.Fatal(err)
	}
	if err := mountConsole(r, d); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	// Two phones of deputy 7 and one of deputy 8 are signed in.
	sessions := account.NewSessions(jredis.NewMPSessions(d.rdb), nil)
	login := func(deputy int64, openid string) string {
		tok, _, err := sessions.Create(ctx, account.Session{TenantID: 1, DeputyID: deputy, OpenID: openid})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	phone, tablet, other := login(7, "o-zhang"), login(7, "o-zhang-2"), login(8, "o-li")
	me := func(tok string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := me(other); code != http.StatusOK {
		t.Fatalf("deputy 8 signed in: %d", code)
	}

	// The administrator stops deputy 7.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := func(path string) string {
		res, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("no csrf token on %s: %d", path, res.StatusCode)
		}
		return string(m[1])
	}
	post := func(path string, form url.Values) *http.Response {
		res, err := hc.PostForm(srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post("/login", url.Values{"csrf": {csrf("/login")}, "tenant": {"jyg"}, "username": {"admin"},
		"password": {"admin-pass-1"}, "next": {"/"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("console sign-in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := post("/admin/deputies", url.Values{"csrf": {csrf("/admin/deputies")}, "id": {"7"}, "name": {"张建国"},
		"phone": {"13900000007"}, "active": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("stop deputy: %d", res.StatusCode)
	}

	if code := me(tablet); code != http.StatusUnauthorized {
		t.Fatalf("stopped deputy's login still works: %d", code)
	}
	if _, err := sessions.Lookup(ctx, phone); err == nil {
		t.Fatal("stopped deputy's other login survived")
	}
	if code := me(other); code != http.StatusOK {
		t.Fatalf("another deputy's login ended: %d", code)
	}
	var active bool
	if err := d.pool.QueryRow(ctx, `SELECT active FROM deputies WHERE tenant_id = 1 AND id = 7`).Scan(&active); err != nil || active {
		t.Fatalf("deputy 7 active=%v (%v)", active, err)
	}
}
