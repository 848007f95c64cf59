package mpapi_test

import (
	"fmt"
	"testing"
	"time"

	"jianyi/internal/wechat/wechattest"
	mpapi "jianyi/miniprogram-api"
)

// WeChat sends every image-check result from a few addresses, and a result answered 429 is
// not sent again: the photo would wait for its verdict for ever. A verified push is never
// limited; a push whose signature does not hold counts against its IP like any anonymous
// request, and past the limit is answered 429.
func TestPushLimitCountsOnlyRefusedPushes(t *testing.T) {
	t.Parallel()
	const perIP = 3
	b := setup(t, setupOpts{limiterPrefix: fmt.Sprintf("push%d:", time.Now().UnixNano()),
		limits: mpapi.Limits{Window: time.Minute, PerIP: perIP, PerUser: 1000, LoginPerIP: 1000, JSONBody: 64 << 10}})
	tok := b.deputy("openid-push-limit", "jyg", "13800000001") // the login is the IP's first request
	var traces []string
	for i := range 2 * perIP {
		_, trace := b.pendingPhoto(tok, fmt.Sprintf("路灯不亮%d", i))
		traces = append(traces, trace)
	}
	for _, trace := range traces {
		b.pushCheck(trace, "pass", 100) // fails the test unless 200 "success"
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE check_status = 'pass'`); n != len(traces) {
		t.Fatalf("%d of %d results applied", n, len(traces))
	}

	forged := func() (int, string) {
		q, body := wechattest.SignQuery(pushToken, b.mediaCheckBody(traces[0], "risky", 20002), false, "", "")
		q.Set("signature", "0000000000000000000000000000000000000000")
		return b.postPush(q, body)
	}
	for i := 2; i <= perIP; i++ {
		if status, _ := forged(); status != 403 {
			t.Fatalf("forged push %d within the IP's limit: %d, want 403", i, status)
		}
	}
	if status, out := forged(); status != 429 {
		t.Fatalf("forged push past the IP's limit: %d %q, want 429", status, out)
	}
	// WeChat's own push still goes through from that address.
	_, trace := b.pendingPhoto(tok, "井盖缺失")
	b.pushCheck(trace, "pass", 100)
	if n := b.count(`SELECT count(*) FROM attachments WHERE check_status = 'risky'`); n != 0 {
		t.Fatal("a forged push changed a photo")
	}
}
