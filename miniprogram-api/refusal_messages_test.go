package mpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// wantSaying is wantRefusal whose Chinese message must also say what.
func (b *bundle) wantSaying(r resp, status int, code, says, what string) {
	b.t.Helper()
	b.wantRefusal(r, status, code, what)
	var e struct{ Message string }
	r.json(b.t, &e)
	if !strings.Contains(e.Message, says) {
		b.t.Fatalf("%s: message %q does not say %q", what, e.Message, says)
	}
}

// TestBindWhenBoundSaysSo: a session already bound that asks to bind again (by phone or by
// invite) is told that it is bound already, not that the deputy is bound to another WeChat
// account, which is what a second account binding the same deputy is told.
func TestBindWhenBoundSaysSo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-bound-twice", "jyg", "13800000001")
	b.app.AddPhone("phone-again", "13800000001")
	before := b.dbState()
	b.wantSaying(b.do("POST", "/api/v1/auth/bind/phone", tok, map[string]string{"code": "phone-again"}),
		409, "already_bound_self", "您已绑定代表身份，无需重复绑定", "bind by phone again")
	b.wantSaying(b.do("POST", "/api/v1/auth/bind/invite", tok, map[string]string{"code": "ABCD2345"}),
		409, "already_bound_self", "您已绑定代表身份，无需重复绑定", "bind by invite when bound")
	if b.dbState() != before {
		t.Fatal("a refused binding changed the database")
	}
	// Another WeChat account asking for the same deputy hears that someone else holds it.
	other, r := b.login("openid-bound-other", "jyg")
	b.want(r, 200, "login of another account")
	b.app.AddPhone("phone-other", "13800000001")
	b.wantSaying(b.do("POST", "/api/v1/auth/bind/phone", other, map[string]string{"code": "phone-other"}),
		409, "already_bound", "已绑定其他微信账号", "another account binding the same deputy")
}

// TestUploadPolicyRefusesBadTarget: a policy asked for no target, or a target of no kind
// photos go to, or without an id, is 422 bad_target with a Chinese message (it was 404
// not_found), and nothing is written; a suggestion or snap that is not the deputy's is still
// not found.
func TestUploadPolicyRefusesBadTarget(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-upload-target", "jyg", "13800000001")
	before := b.dbState()
	for _, body := range []any{
		nil,
		map[string]any{},
		map[string]any{"target": map[string]any{"kind": "x", "id": 37}},
		map[string]any{"target": map[string]any{"kind": "snap"}},
		map[string]any{"target": map[string]any{"id": 37}},
		map[string]any{"target": map[string]any{"kind": "suggestion", "id": -3}},
		map[string]any{"target": nil},
	} {
		b.wantSaying(b.do("POST", "/api/v1/uploads", tok, body), 422, "bad_target", "target.kind", fmt.Sprintf("policy for %v", body))
	}
	if b.dbState() != before {
		t.Fatal("a refused upload policy changed the database")
	}
	// The body is still read strictly, and a target that could exist but is not the
	// deputy's is not found.
	b.wantRefusal(b.do("POST", "/api/v1/uploads", tok, `{"target":{"kind":"snap","id":1},"x":1}`), 400, "bad_request", "unknown field")
	b.wantRefusal(b.do("POST", "/api/v1/uploads", tok, map[string]any{"target": map[string]any{"kind": "snap", "id": 99999}}), 404, "not_found", "no such snap")
	// A good target gets its policy, the body handed on intact.
	id := b.draft(tok, "关于修复雄关路路灯的建议")
	b.want(b.do("POST", "/api/v1/uploads", tok, map[string]any{"target": map[string]any{"kind": "suggestion", "id": id}}), 201, "policy")
}

// TestLoginWithoutTenant: a login naming no standing committee is 422 tenant_required (it was
// 404 tenant_unknown, which is for a code that names none), before WeChat is asked.
func TestLoginWithoutTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, body := range []map[string]any{{"code": "dev-code-1"}, {"code": "dev-code-1", "tenant": "  "}} {
		b.wantSaying(b.do("POST", "/api/v1/auth/login", "", body), 422, "tenant_required", "人大常委会", fmt.Sprintf("login %v", body))
	}
	b.wantRefusal(b.do("POST", "/api/v1/auth/login", "", map[string]any{"code": "dev-code-1", "tenant": "nope"}), 404, "tenant_unknown", "unknown tenant")
}
