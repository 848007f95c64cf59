package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"jianyi/internal/wechat/wechattest"
)

// TEMPLATESENDJOBFINISH reaches the delivery row of the template message it reports on.
func TestTemplateFinishRecordsDelivery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const msgID = 200163836
	var notice int64
	if err := b.pool.QueryRow(b.ctx, `INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, delivery_key)
		VALUES ($1, 'deputy', $2, 'test', '答复提醒', '您的建议已答复', 'bot-test-finish') RETURNING id`, b.tn.ID, b.tn.Deputies[0]).Scan(&notice); err != nil {
		t.Fatal(err)
	}
	if _, err := b.pool.Exec(b.ctx, `INSERT INTO deliveries (tenant_id, notice_id, channel, recipient_kind, recipient_id, status, wechat_msgid)
		VALUES ($1, $2, 'oa_template', 'deputy', $3, 'sent', $4)`, b.tn.ID, notice, b.tn.Deputies[0], msgID); err != nil {
		t.Fatal(err)
	}
	p := b.event("o-finish", "TEMPLATESENDJOBFINISH", "")
	p.TemplMsgID, p.Status = msgID, c("failed:user block")
	if got := b.send(p); got != "" {
		t.Fatalf("template finish answered %q", got)
	}
	var result, status, reason string
	if err := b.pool.QueryRow(b.ctx, `SELECT wechat_result, status, reason FROM deliveries WHERE tenant_id=$1 AND wechat_msgid=$2`,
		b.tn.ID, msgID).Scan(&result, &status, &reason); err != nil {
		t.Fatal(err)
	}
	if result != "failed:user block" || status != "failed" || reason != "user_block" {
		t.Fatalf("delivery %q %q %q", result, status, reason)
	}
}

// 评价 N 不满意 without a reason asks for one only when the rating would be accepted: a
// suggestion not yet replied, or a reply the deputy already rated, gets the refusal and no
// question (so the next message is no reason).
func TestReasonAskedOnlyWhenDue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-due"
	h := b.handling(0, "关于民政路拓宽改造的建议")
	r := b.replied(0, "关于新华路路灯维修的建议")
	b.link(me, 0)

	contains(t, b.say(me, "评价 "+itoa(h.Number)+" 不满意"), "当前没有待评价的答复")
	contains(t, b.say(me, "取消"), "没有进行中")

	// Already rated this round (as a co-signer's rating leaves the suggestion replied).
	if _, err := b.pool.Exec(b.ctx, `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating)
		VALUES ($1, $2, $3, 'reply', $4, 'satisfied')`, b.tn.ID, r.ID, b.tn.Deputies[0], r.Round); err != nil {
		t.Fatal(err)
	}
	contains(t, b.say(me, "评价 "+itoa(r.Number)+" 不满意"), "您已评价过本轮答复")
	contains(t, b.say(me, "取消"), "没有进行中")
}

// The 24-hour unionid cache still checks the deputy: a disabled deputy gets the guide.
func TestUnionCacheHonoursDisabledDeputy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handling(2, "关于民政路拓宽改造的建议")
	if _, err := b.pool.Exec(b.ctx, `UPDATE deputies SET unionid='union-off' WHERE tenant_id=$1 AND id=$2`, b.tn.ID, b.tn.Deputies[2]); err != nil {
		t.Fatal(err)
	}
	b.app.SetUnionID("o-off", "union-off")
	contains(t, b.say("o-off", "我的建议"), "民政路拓宽改造") // linked and cached
	if _, err := b.pool.Exec(b.ctx, `UPDATE deputies SET active=false WHERE tenant_id=$1 AND id=$2`, b.tn.ID, b.tn.Deputies[2]); err != nil {
		t.Fatal(err)
	}
	got := b.say("o-off", "我的建议")
	contains(t, got, "绑定 123456")
	if strings.Contains(got, "民政路") {
		t.Fatalf("disabled deputy answered %q", got)
	}
}

// A 随手拍 takes at most nine photos.
func TestSnapPhotoLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-nine"
	b.link(me, 0)
	for i := range 9 {
		if got := b.send(b.image(me, fmt.Sprintf("m-%d", i))); strings.Contains(got, "最多") {
			t.Fatalf("photo %d refused: %q", i+1, got)
		}
	}
	contains(t, b.send(b.image(me, "m-9")), "最多9张")
	contains(t, b.send(b.location(me, 39.8, 98.3, "民政路")), "几句话")
	contains(t, b.send(b.image(me, "m-10")), "最多9张")
}

// An ordinary follower's messages do not each cost a user/info call.
func TestNotDeputyCached(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetUnionID("o-follower", "union-nobody")
	for _, who := range []string{"o-follower", "o-no-union"} {
		before := b.app.Count(wechattest.APIUserInfo)
		for range 3 {
			contains(t, b.say(who, "帮助"), "绑定 123456")
		}
		if n := b.app.Count(wechattest.APIUserInfo) - before; n != 1 {
			t.Fatalf("%s: user/info called %d times for 3 messages", who, n)
		}
	}
	// Binding still works for a cached non-deputy.
	code, _, err := b.accounts.IssueOABindCode(b.ctx, b.tn.ID, b.tn.Deputies[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, b.say("o-follower", "绑定 "+code), "绑定成功")
	contains(t, b.say("o-follower", "帮助"), "我的建议")
}
