package mpapi_test

import (
	"net/url"
	"testing"

	"jianyi/internal/wechat/wechattest"
)

// In safe mode (an EncodingAESKey configured) only the encrypted body is signed: the query's
// signature covers the timestamp and nonce alone. So a push that arrives in plain text is
// refused, however its query is signed: anyone who saw one push's URL (a proxy's access log)
// could otherwise send a body of their own with it for five minutes, "pass" for a photo the
// check found risky among them. The encrypted push is applied.
func TestSafeModePushRefusesPlainText(t *testing.T) {
	t.Parallel()
	const aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	b := setup(t, setupOpts{pushAESKey: aesKey})
	tok := b.deputy("openid-safe-push", "jyg", "13800000001")
	att, trace := b.pendingPhoto(tok, "路面塌陷")

	q, body := wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, trace, 0, "risky", 20002), true, aesKey, b.app.MiniAppID)
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		t.Fatalf("encrypted push: %d %q", status, out)
	}
	if got := b.photoCheck(att); got != (photoCheckRow{Status: "risky", Label: 20002, Hidden: true, Flagged: true, Checked: true}) {
		t.Fatalf("after the encrypted risky result: %+v", got)
	}

	// The same signed query, without its encryption, carrying a forged "pass".
	plain := url.Values{}
	for _, k := range []string{"timestamp", "nonce", "signature", "openid"} {
		plain.Set(k, q.Get(k))
	}
	if status, out := b.postPush(plain, checkPushBody(b.app.MiniAppID, trace, 0, "pass", 100)); status != 403 || out != "forbidden" {
		t.Fatalf("plain-text push in safe mode: %d %q", status, out)
	}
	if got := b.photoCheck(att); got != (photoCheckRow{Status: "risky", Label: 20002, Hidden: true, Flagged: true, Checked: true}) {
		t.Fatalf("a plain-text push changed the photo: %+v", got)
	}
}
