package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

func (b *bundle) status(id int64) string {
	b.t.Helper()
	var s string
	if err := b.pool.QueryRow(context.Background(), `SELECT status::text FROM suggestions WHERE id = $1`, id).Scan(&s); err != nil {
		b.t.Fatal(err)
	}
	return s
}

func reviewer(tenant int64) auth.Actor {
	return auth.Actor{TenantID: tenant, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
}

func unitActor(userID, unitID int64) auth.Actor {
	return auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: userID, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: unitID}
}

// registerAndAssign takes the bundle's suggestion to "assigned" (lead 住建局, co 交通局) and
// returns the lead assignment id.
// registered registers the bundle's suggestion (category 1) and returns it.
func (b *bundle) registered() *suggestion.Suggestion {
	b.t.Helper()
	ctx := context.Background()
	sg, err := b.sugg.Get(ctx, reviewer(1), b.sid)
	if err != nil {
		b.t.Fatal(err)
	}
	if sg, err = b.sugg.Register(ctx, reviewer(1), b.sid, sg.Version, 1); err != nil {
		b.t.Fatal(err)
	}
	return sg
}

// accept has unit 1's handler sign assignment asg, naming 刘经办 and his phone.
func (b *bundle) accept(asg int64) {
	b.t.Helper()
	if _, err := b.sugg.Accept(context.Background(), unitActor(3, 1), asg,
		suggestion.AcceptInput{HandlerName: "刘经办", HandlerPhone: "0937-6200000"}); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bundle) registerAndAssign() int64 {
	b.t.Helper()
	ctx := context.Background()
	sg := b.registered()
	if _, err := b.sugg.Assign(ctx, reviewer(1), b.sid, sg.Version, suggestion.AssignInput{LeadUnitID: 1, CoUnitIDs: []int64{2}}); err != nil {
		b.t.Fatal(err)
	}
	var id int64
	if err := b.pool.QueryRow(ctx, `SELECT id FROM assignments WHERE tenant_id = 1 AND suggestion_id = $1 AND unit_id = 1`, b.sid).Scan(&id); err != nil {
		b.t.Fatal(err)
	}
	return id
}

func TestCSRFRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client()
	good := c.login("jyg", "shencha", testPassword)
	path := "/suggestions/" + strconv.FormatInt(b.sid, 10) + "/register"
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"no token", url.Values{"version": {"2"}, "category": {"1"}}},
		{"wrong token", url.Values{"csrf": {"x" + good}, "version": {"2"}, "category": {"1"}}},
		{"another session's token", url.Values{"csrf": {b.client().login("jyg", "admin", testPassword)}, "version": {"2"}, "category": {"1"}}},
	} {
		status, _, body := c.post(path, tc.form)
		if status != http.StatusForbidden {
			t.Fatalf("%s: status %d", tc.name, status)
		}
		contains(t, body, "CSRF")
		if st := b.status(b.sid); st != "submitted" {
			t.Fatalf("%s: suggestion moved to %s", tc.name, st)
		}
	}
	// Logout without a token is refused too.
	if status, _, _ := c.post("/logout", nil); status != http.StatusForbidden {
		t.Fatalf("logout without csrf: %d", status)
	}
	// The login form has its own double-submit token.
	if status, _, _ := c.post("/login", url.Values{"tenant": {"jyg"}, "username": {"shencha"}, "password": {testPassword}}); status != http.StatusForbidden {
		t.Fatalf("login without csrf: %d", status)
	}
	// With the right token the same form goes through.
	sg, _ := b.sugg.Get(context.Background(), reviewer(1), b.sid)
	status, loc, _ := c.post(path, url.Values{"csrf": {good}, "version": {strconv.Itoa(sg.Version)}, "category": {"1"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/suggestions/") || b.status(b.sid) != "registered" {
		t.Fatalf("good token: %d %s %s", status, loc, b.status(b.sid))
	}
}

func TestUnitSeesOnlyItsAssignments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	path := "/assignments/" + strconv.FormatInt(asg, 10)

	own := b.client()
	own.login("jyg", "zhujian", testPassword)
	if status, body := own.get(path); status != http.StatusOK {
		t.Fatalf("own assignment: %d %.500s", status, body)
	}

	other := b.client()
	tok := other.login("jyg", "jiaotong", testPassword) // the co-unit: sees the suggestion, not this assignment
	if status, _ := other.get(path); status != http.StatusNotFound {
		t.Fatalf("another unit's assignment: %d, want 404", status)
	}
	status, _, _ := other.post(path+"/accept", url.Values{"csrf": {tok}, "handler_name": {"冒名"}})
	if status != http.StatusNotFound {
		t.Fatalf("accept another unit's assignment: %d, want 404", status)
	}
	var state string
	_ = b.pool.QueryRow(context.Background(), `SELECT state::text FROM assignments WHERE id = $1`, asg).Scan(&state)
	if state != "pending" {
		t.Fatalf("assignment changed to %s", state)
	}
	if status, _ := other.get("/assignments/999999"); status != http.StatusNotFound {
		t.Fatalf("unknown assignment: %d", status)
	}
	// Unit pages are not there for a reviewer.
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	if status, _ := rev.get(path); status != http.StatusNotFound {
		t.Fatalf("reviewer on unit page: %d", status)
	}
	// A unit with no assignment at all cannot read the suggestion.
	pgExec(t, b, `INSERT INTO units (tenant_id, id, name) VALUES (1, 9, '市教育局')`)
	pgExec(t, b, `INSERT INTO users (tenant_id, id, username, display_name, password_hash, unit_id) VALUES (1, 9, 'jiaoyu', '教育局', $1, 9)`, passwordHash(t))
	pgExec(t, b, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 9, 'unit_handler')`)
	edu := b.client()
	edu.login("jyg", "jiaoyu", testPassword)
	if status, _ := edu.get("/suggestions/" + strconv.FormatInt(b.sid, 10)); status != http.StatusNotFound {
		t.Fatalf("unrelated unit read the suggestion: %d", status)
	}
	if _, body := edu.get("/unit"); strings.Contains(body, "老旧小区") {
		t.Fatal("unrelated unit's inbox shows the suggestion")
	}
}

func pgExec(t *testing.T, b *bundle, sql string, args ...any) {
	t.Helper()
	if _, err := b.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func TestOtherTenantNeverAppears(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.registerAndAssign()
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	if status, _ := c.get("/suggestions/" + strconv.FormatInt(b.otherS, 10)); status != http.StatusNotFound {
		t.Fatalf("other tenant's suggestion: %d", status)
	}
	for _, p := range []string{"/", "/review", "/suggestions", "/assign", "/supervise/overdue", "/problems", "/admin/deputies", "/exports"} {
		status, body := c.get(p)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", p, status)
		}
		for _, leak := range []string{"别家", "王别家"} {
			if strings.Contains(body, leak) {
				t.Fatalf("%s shows another tenant's %q", p, leak)
			}
		}
	}
	// The other tenant's reviewer, with the same username, sees only their own.
	o := b.client()
	o.login("other", "shencha", testPassword)
	if status, _ := o.get("/suggestions/" + strconv.FormatInt(b.sid, 10)); status != http.StatusNotFound {
		t.Fatalf("jyg suggestion from other tenant: %d", status)
	}
	_, body := o.get("/review")
	contains(t, body, "别家的机密建议")
	if strings.Contains(body, "老旧小区") {
		t.Fatal("other tenant's review queue shows jyg's suggestion")
	}
	// A session cookie of tenant 2 relabelled as tenant 1 is worthless.
	u, _ := url.Parse(b.srv.URL)
	for _, ck := range o.hc.Jar.Cookies(u) {
		if ck.Name == "jy_console" {
			_, tok, _ := strings.Cut(ck.Value, ".")
			forged := b.client()
			forged.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "jy_console", Value: "1." + tok, Path: "/"}})
			if status, _ := forged.get("/"); status != http.StatusSeeOther {
				t.Fatalf("forged cookie accepted: %d", status)
			}
		}
	}
}

func TestLockout(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client()
	for i := 1; i <= 4; i++ {
		status, _, body := c.tryLogin("jyg", "shencha", "wrong-password")
		if status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, status)
		}
		contains(t, body, "不正确")
	}
	status, _, body := c.tryLogin("jyg", "shencha", "wrong-password")
	if status != http.StatusTooManyRequests {
		t.Fatalf("5th failure: %d", status)
	}
	contains(t, body, "锁定")
	// The right password no longer works while locked.
	status, _, body = c.tryLogin("jyg", "shencha", testPassword)
	if status != http.StatusTooManyRequests {
		t.Fatalf("locked user signed in: %d", status)
	}
	contains(t, body, "锁定")
	var until time.Time
	if err := b.pool.QueryRow(context.Background(), `SELECT locked_until FROM users WHERE tenant_id = 1 AND username = 'shencha'`).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(until); d < 14*time.Minute || d > 16*time.Minute {
		t.Fatalf("locked for %v, want 15 minutes", d)
	}
	// Another tenant's user with the same name is not affected.
	b.client().login("other", "shencha", testPassword)
	// An admin unlocks; then the right password works.
	a := b.client()
	tok := a.login("jyg", "admin", testPassword)
	if status, _, _ := a.post("/admin/users/1/unlock", url.Values{"csrf": {tok}}); status != http.StatusSeeOther {
		t.Fatalf("unlock: %d", status)
	}
	c.login("jyg", "shencha", testPassword)
}

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client()
	if status, _ := c.get("/"); status != http.StatusSeeOther {
		t.Fatalf("anonymous dashboard: %d", status)
	}
	tok := c.login("jyg", "shencha", testPassword)
	u, _ := url.Parse(b.srv.URL)
	resp, err := c.hc.Get(b.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_ = u
	// The session cookie is HttpOnly and SameSite=Lax; Secure follows X-Forwarded-Proto.
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || !strings.Contains(sc, "Secure") {
		t.Fatalf("cookie flags over TLS: %s", sc)
	}
	if status, loc, _ := c.post("/logout", url.Values{"csrf": {tok}}); status != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout: %d %s", status, loc)
	}
	if status, _ := c.get("/"); status != http.StatusSeeOther {
		t.Fatalf("dashboard after logout: %d", status)
	}
	if status, _, _ := c.tryLogin("nope", "shencha", testPassword); status != http.StatusUnauthorized {
		t.Fatalf("unknown tenant: %d", status)
	}
}
