package mpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"jianyi/internal/wechat/wechattest"
)

// A login or phone code with a space, a line break or a character WeChat never puts in a
// code is refused as an invalid code (422) before WeChat is asked: it was a 503 "WeChat is
// unavailable", and "&" or "#" rewrote the code2session request.
func TestMalformedWeChatCodesRefusedBeforeWeChat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	codes := []string{"abc def", "abc\ndef", "abc\tdef", "abc&js_code=x", "abc#x", "abc?x", "abc/x", "代码", "abc%20def",
		strings.Repeat("a", 257)}
	logins := b.app.Count(wechattest.APICode2Session)
	for _, code := range codes {
		b.app.AddLogin(code, "openid-odd", "")
		r := b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": code, "tenant": "jyg"})
		b.wantRefusal(r, 422, "wechat_code_invalid", fmt.Sprintf("login with %q", code))
	}
	if n := b.app.Count(wechattest.APICode2Session); n != logins {
		t.Fatalf("WeChat was asked %d times about malformed login codes", n-logins)
	}
	// Surrounding white space is still forgiven.
	b.app.AddLogin("padded-code", "openid-padded", "")
	r := b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": " padded-code\n", "tenant": "jyg"})
	b.want(r, 200, "padded code")
	var lr struct{ Token string }
	r.json(t, &lr)

	phones := b.app.Count(wechattest.APIPhoneNumber)
	for _, code := range codes {
		b.app.AddPhone(code, "13800000001")
		r := b.do("POST", "/api/v1/auth/bind/phone", lr.Token, map[string]string{"code": code})
		b.wantRefusal(r, 422, "wechat_code_invalid", fmt.Sprintf("bind with %q", code))
	}
	if n := b.app.Count(wechattest.APIPhoneNumber); n != phones {
		t.Fatalf("WeChat was asked %d times about malformed phone codes", n-phones)
	}
	r = b.do("GET", "/api/v1/me", lr.Token, nil)
	b.want(r, 200, "me")
	var me struct{ Bound bool }
	r.json(t, &me)
	if me.Bound {
		t.Fatal("a malformed phone code bound the account")
	}
}
