package mpapi_test

import (
	"fmt"
	"testing"
)

// Text no one can type — NUL (which PostgreSQL refuses: it was a 500), other control
// characters, invalid UTF-8, half a surrogate pair (silently stored as U+FFFD) — is refused
// in every JSON field of every endpoint with 422 bad_text and a Chinese message; nothing is
// written, and an Idempotency-Key sent with the refusal stays free for the corrected request.
func TestUnreadableTextRefusedEverywhere(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-text", "jyg", "13800000001")
	unbound, _ := b.login("openid-text-unbound", "jyg")
	draft := b.draft(zhang, "新华路井盖缺失")
	r := b.do("POST", "/api/v1/snaps", zhang, map[string]any{"note": "井盖缺失", "location": map[string]any{"address": "新华路"}})
	b.want(r, 201, "snap")
	var snap struct{ ID int64 }
	r.json(t, &snap)

	bad := map[string]string{
		"escaped NUL":        `"井盖\u0000缺失"`,
		"escaped bell":       `"井盖\u0007缺失"`,
		"escaped escape":     `"井盖\u001B缺失"`,
		"escaped DEL":        `"井盖\u007f缺失"`,
		"raw NUL":            "\"井盖\x00缺失\"",
		"raw control":        "\"井盖\x01缺失\"",
		"invalid UTF-8":      "\"井盖\xff\xfe缺失\"",
		"truncated UTF-8":    "\"井盖\xe4\xba缺失\"",
		"lone high half":     `"井盖\ud83d缺失"`,
		"lone low half":      `"井盖\ude00缺失"`,
		"high half, no pair": `"井盖\ud83d\u0041"`,
	}
	endpoints := []struct {
		method, path, token, body string // body has %s where the text goes
		idem                      bool
	}{
		{"POST", "/api/v1/suggestions", zhang, `{"title": %s, "body": "正文"}`, true},
		{"POST", "/api/v1/suggestions", zhang, `{"title": "标题", "body": %s}`, true},
		{"POST", "/api/v1/suggestions", zhang, `{"title": "标题", "body": "正文", "location": {"address": %s}}`, true},
		{"PATCH", fmt.Sprintf("/api/v1/suggestions/%d", draft), zhang, `{"version": 1, "title": "标题", "body": %s}`, false},
		{"POST", fmt.Sprintf("/api/v1/suggestions/%d/ratings", draft), zhang, `{"kind": "reply", "rating": "dissatisfied", "reason": %s}`, true},
		{"POST", "/api/v1/contacts/1/confirmation", zhang, `{"confirm": false, "comment": %s}`, false},
		{"POST", "/api/v1/snaps", zhang, `{"note": %s, "location": {"address": "新华路"}}`, true},
		{"POST", "/api/v1/snaps", zhang, `{"note": "井盖", "location": {"address": %s}}`, true},
		{"POST", fmt.Sprintf("/api/v1/snaps/%d/draft", snap.ID), zhang, `{"title": %s}`, true},
		{"POST", "/api/v1/uploads/complete", zhang, `{"key": %s}`, true},
		{"POST", "/api/v1/subscriptions", zhang, `{"results": [{"template_id": %s, "accepted": true}]}`, true},
		{"POST", "/api/v1/auth/login", "", `{"code": "c-text", "tenant": %s}`, false},
		{"POST", "/api/v1/auth/bind/invite", unbound, `{"code": %s}`, false},
		{"POST", "/api/v1/suggestions", zhang, `{%s: "标题"}`, false}, // a key, not a value
	}
	before := b.dbState()
	n := 0
	for name, text := range bad {
		for _, e := range endpoints {
			n++
			what := fmt.Sprintf("%s %s with %s", e.method, e.body, name)
			var hdr []string
			if e.idem {
				hdr = []string{"Idempotency-Key", fmt.Sprintf("text-%d", n)}
			}
			r := b.do(e.method, e.path, e.token, fmt.Sprintf(e.body, text), hdr...)
			b.wantRefusal(r, 422, "bad_text", what)
			var body struct{ Message string }
			r.json(t, &body)
			if body.Message != "内容含有无法识别的字符，请删除后重试" {
				t.Fatalf("%s: message %q", what, body.Message)
			}
		}
	}
	if after := b.dbState(); after != before {
		t.Fatalf("refused requests changed the database:\nbefore %s\nafter  %s", before, after)
	}

	// The key of a refused request is not burnt: the corrected request is carried out.
	b.wantRefusal(b.do("POST", "/api/v1/suggestions", zhang, `{"title": "路灯\u0000不亮", "body": "正文"}`,
		"Idempotency-Key", "fix-me"), 422, "bad_text", "NUL with a key")
	r = b.do("POST", "/api/v1/suggestions", zhang, `{"title": "路灯不亮", "body": "正文"}`, "Idempotency-Key", "fix-me")
	b.want(r, 201, "corrected request, same key")
	b.wantRefusal(b.do("POST", fmt.Sprintf("/api/v1/snaps/%d/draft", snap.ID), zhang, `{"title": "井盖\u0000"}`,
		"Idempotency-Key", "snap-fix"), 422, "bad_text", "snap draft with NUL")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/snaps/%d/draft", snap.ID), zhang, `{"title": "井盖缺失"}`,
		"Idempotency-Key", "snap-fix"), 201, "corrected snap draft, same key")

	// What people do type still goes through: tabs, line breaks, emoji (a surrogate pair).
	r = b.do("POST", "/api/v1/suggestions", zhang, `{"title": "路灯不亮\ud83d\ude00", "body": "第一段\r\n\t第二段😀"}`)
	b.want(r, 201, "tabs, line breaks and emoji")
	var s struct{ Title, Body string }
	r.json(t, &s)
	if s.Title != "路灯不亮😀" || s.Body != "第一段\r\n\t第二段😀" {
		t.Fatalf("stored %q / %q", s.Title, s.Body)
	}
}
