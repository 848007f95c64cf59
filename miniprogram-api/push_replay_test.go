package mpapi_test

import (
	"testing"

	"jianyi/internal/wechat/wechattest"
)

// In plain mode WeChat signs a push's timestamp and nonce, not its body. Whoever captured a
// push URL while it was fresh (a proxy's access log keeps it) could post a body of their own
// under it, such as "pass" for a photo the check found risky. The query is remembered with its
// body: the same body again is WeChat's retry and is answered "success"; another body is
// refused and changes nothing.
func TestPlainPushQueryCannotCarryAnotherBody(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-push-replay", "jyg", "13800000001")
	att, trace := b.pendingPhoto(tok, "路面塌陷")
	risky := photoCheckRow{Status: "risky", Label: 20002, Hidden: true, Flagged: true, Checked: true}

	q, body := wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, trace, 0, "risky", 20002), false, "", "")
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		t.Fatalf("push: %d %q", status, out)
	}
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		t.Fatalf("WeChat's retry of the same push: %d %q", status, out)
	}
	if status, out := b.postPush(q, checkPushBody(b.app.MiniAppID, trace, 0, "pass", 100)); status != 403 || out != "forbidden" {
		t.Fatalf("the same query with a forged body: %d %q, want 403", status, out)
	}
	if got := b.photoCheck(att); got != risky {
		t.Fatalf("the forged body changed the photo: %+v", got)
	}
}
