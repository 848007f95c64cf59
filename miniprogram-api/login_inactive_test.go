package mpapi_test

import (
	"strings"
	"testing"

	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// TestLoginOfInactiveDeputy: a deputy taken off the roster (active = false) who logs in
// with the WeChat account bound before gets 403 deputy_inactive and no session.
func TestLoginOfInactiveDeputy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.deputy("openid-retired", "jyg", "13800000001")
	if _, r := b.login("openid-retired", "jyg"); r.Status != 200 {
		t.Fatalf("login while active: %d %s", r.Status, r.Body)
	}
	before := b.app.Count(wechattest.APICode2Session)

	pgtest.MustExec(t, b.pool, `UPDATE deputies SET active = false WHERE tenant_id = 1 AND id = 10`)
	tok, r := b.login("openid-retired", "jyg")
	b.want(r, 403, "login of an inactive deputy")
	var e struct{ Code, Message string }
	r.json(t, &e)
	if e.Code != "deputy_inactive" || e.Message != "该代表账号已停用" {
		t.Fatalf("refusal: %s", r.Body)
	}
	if tok != "" || strings.Contains(string(r.Body), "token") {
		t.Fatalf("a session was issued: %s", r.Body)
	}
	if n := b.app.Count(wechattest.APICode2Session); n != before+1 {
		t.Fatalf("%d code2session calls, want %d", n, before+1)
	}
	// Back on the roster, the same WeChat account logs in bound again.
	pgtest.MustExec(t, b.pool, `UPDATE deputies SET active = true WHERE tenant_id = 1 AND id = 10`)
	tok, r = b.login("openid-retired", "jyg")
	b.want(r, 200, "login after reactivation")
	var lr struct{ Bound bool }
	r.json(t, &lr)
	if !lr.Bound || tok == "" {
		t.Fatalf("login after reactivation: %s", r.Body)
	}
}

// TestAuthLogsCarryNoSecrets: logging in and binding, with WeChat failing once on each step
// (so the API does log), never writes the session_key, the wx.login code, the phone code,
// the phone number, the openid or the session token.
func TestAuthLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	b := setup(t, setupOpts{logs: &logs})
	const (
		openid    = "openid-secret-logs"
		loginCode = "login-code-7f3a9c"
		phoneCode = "phone-code-5b2e81"
		phone     = "13800000002"
	)
	b.app.FailNext(wechattest.APICode2Session, -1, 1)
	b.app.AddLogin(loginCode, openid, "")
	b.want(b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": loginCode, "tenant": "jyg"}), 503, "login while WeChat fails")
	b.app.AddLogin(loginCode, openid, "")
	r := b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": loginCode, "tenant": "jyg"})
	b.want(r, 200, "login")
	var lr struct{ Token string }
	r.json(t, &lr)

	b.app.FailNext(wechattest.APIPhoneNumber, -1, 1)
	b.app.AddPhone(phoneCode, phone)
	b.want(b.do("POST", "/api/v1/auth/bind/phone", lr.Token, map[string]string{"code": phoneCode}), 503, "bind while WeChat fails")
	b.app.AddPhone(phoneCode, phone)
	b.want(b.do("POST", "/api/v1/auth/bind/phone", lr.Token, map[string]string{"code": phoneCode}), 200, "bind")

	// The session_key WeChat gave is only on the server, in the session.
	sess, err := jredis.NewMPSessions(redistest.New(t)).Get(t.Context(), lr.Token)
	if err != nil {
		t.Fatal(err)
	}
	if sess.SessionKey == "" {
		t.Fatal("no session_key kept in the session")
	}

	out := logs.String()
	if !strings.Contains(out, "request failed") {
		t.Fatalf("expected the WeChat failures in the logs, got %q", out)
	}
	for name, secret := range map[string]string{"session_key": sess.SessionKey, "login code": loginCode, "phone code": phoneCode,
		"phone": phone, "openid": openid, "token": lr.Token} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains the %s %q", name, secret)
		}
	}
}
