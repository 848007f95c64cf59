package mpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// notBoundOnly are the routes a signed-in but unbound WeChat user may call (to bind, to see
// who they are, to leave) and the public ones. Every other route is for bound deputies.
var notBoundOnly = map[string]bool{
	"GET /api/v1/openapi.yaml":      true,
	"GET /api/v1/docs":              true,
	"GET /api/v1/wechat/push":       true,
	"POST /api/v1/wechat/push":      true,
	"POST /api/v1/auth/login":       true,
	"POST /api/v1/auth/bind/phone":  true,
	"POST /api/v1/auth/bind/invite": true,
	"POST /api/v1/auth/logout":      true,
	"GET /api/v1/me":                true,
}

// TestUnboundUserGetsNotBoundEverywhere: a logged-in WeChat user who has not bound a deputy
// gets 403 not_bound on every deputy route. The routes come from the router itself, so a
// new route is covered without touching this test.
func TestUnboundUserGetsNotBoundEverywhere(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok, r := b.login("openid-unbound", "jyg")
	b.want(r, 200, "login")
	b.draft(b.deputy("openid-bound", "jyg", "13800000001"), "已有的草稿") // id 1 exists

	engine, ok := b.srv.Config.Handler.(*gin.Engine)
	if !ok {
		t.Fatalf("the test server's handler is %T, not the gin engine", b.srv.Config.Handler)
	}
	seenOpen := map[string]bool{}
	checked := 0
	for _, rt := range engine.Routes() {
		key := rt.Method + " " + rt.Path
		if notBoundOnly[key] {
			seenOpen[key] = true
			continue
		}
		path := strings.ReplaceAll(rt.Path, ":id", "1")
		var body any
		if rt.Method != http.MethodGet {
			body = "{}"
		}
		r := b.do(rt.Method, path, tok, body, "Idempotency-Key", "unbound-"+rt.Method+path)
		var e struct{ Code, Message string }
		_ = json.Unmarshal(r.Body, &e)
		if r.Status != http.StatusForbidden || e.Code != "not_bound" || e.Message != "请先绑定代表身份" {
			t.Errorf("%s: %d %s, want 403 not_bound", key, r.Status, r.Body)
		}
		checked++
	}
	for key := range notBoundOnly {
		if !seenOpen[key] {
			t.Errorf("%s is listed as open to unbound users but is not a route", key)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d deputy routes found in the router", checked)
	}
	// Nothing was created for the unbound user.
	if n := b.count(`SELECT count(*) FROM suggestions`); n != 1 {
		t.Fatalf("%d suggestions, want the bound deputy's one", n)
	}
	if n := b.count(`SELECT count(*) FROM snaps`); n != 0 {
		t.Fatalf("%d snaps created by an unbound user", n)
	}
}
