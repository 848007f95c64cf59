package wechat_test

import (
	"testing"

	"jianyi/internal/wechat/wechattest"
)

// The bot links a follower to a deputy by unionid: user/info gives it for a follower of an
// account bound to the Open Platform, and nothing once they unfollow.
func TestOAUnionID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetUnionID("oa-1", "union-1")
	got, err := b.c.OAUnionID(t.Context(), "oa-1")
	if err != nil || got != "union-1" {
		t.Fatalf("OAUnionID = %q, %v; want union-1", got, err)
	}
	if got, err := b.c.OAUnionID(t.Context(), "oa-unknown"); err != nil || got != "" {
		t.Fatalf("unknown follower: %q, %v; want empty", got, err)
	}
	b.app.SetNotFollowing("oa-1")
	if got, _ := b.c.OAUnionID(t.Context(), "oa-1"); got != "" {
		t.Fatalf("unfollowed user still has unionid %q", got)
	}
	b.app.FailNext(wechattest.APIUserInfo, 40001, 1)
	if got, err := b.c.OAUnionID(t.Context(), "oa-2"); err != nil || got != "" {
		t.Fatalf("after a token error the call must be retried once: %q, %v", got, err)
	}
	if n := b.app.Count(wechattest.APIUserInfo); n != 5 {
		t.Fatalf("user/info called %d times, want 5", n)
	}
}
