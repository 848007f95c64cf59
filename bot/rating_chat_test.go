package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jianyi/bot"
	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// evaluationsOf counts the ratings recorded on suggestion id.
func (b *bundle) evaluationsOf(id int64) int {
	b.t.Helper()
	return b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, id)
}

// A word that merely begins with a rating word is no rating: "满意度很低" once closed the
// case as 满意 for good. It gets the usage hint and nothing is recorded; the rating word
// followed by a separator and the reason is a rating.
func TestRatingWordStandsAlone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-rate-words"
	s := b.replied(0, "关于新华路信号灯安装的建议")
	b.link(me, 0)
	n := itoa(s.Number)
	for _, msg := range []string{
		"评价 " + n + " 满意度很低，信号灯根本没装",
		"评价" + n + "满意度很低",
		"评价 " + n + " 满意吗",
		"评价 " + n + " 不满意度太高了吧？",
		"评价 " + n + " 基本满意度",
	} {
		contains(t, b.say(me, msg), "评价 编号 满意")
		if got := b.evaluationsOf(s.ID); got != 0 {
			t.Fatalf("%q recorded %d ratings", msg, got)
		}
	}
	if got := must(b.svc.Get(b.ctx, b.reviewer(), s.ID)); got.Status != suggestion.StatusReplied {
		t.Fatalf("the case moved on to %s", got.Status)
	}
	contains(t, b.say(me, "评价 "+n+" 不满意：信号灯根本没装"), "已记录", "不满意")
	var rating, reason string
	if err := b.pool.QueryRow(b.ctx, `SELECT rating::text, reason FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`,
		b.tn.ID, s.ID).Scan(&rating, &reason); err != nil {
		t.Fatal(err)
	}
	if rating != "unsatisfied" || reason != "信号灯根本没装" {
		t.Fatalf("recorded %q %q", rating, reason)
	}

	s2 := b.replied(0, "关于民政路路灯维修的建议")
	contains(t, b.say(me, "评价 "+itoa(s2.Number)+" 基本满意，还有一段没修"), "已记录", "基本满意")
	if err := b.pool.QueryRow(b.ctx, `SELECT rating::text, reason FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`,
		b.tn.ID, s2.ID).Scan(&rating, &reason); err != nil {
		t.Fatal(err)
	}
	if rating != "basically_satisfied" || reason != "还有一段没修" {
		t.Fatalf("recorded %q %q", rating, reason)
	}
}

// Once a reply's 20-working-day rating window has passed, 查询 and 我的建议 say the rating
// period has ended (the case counts as 未反馈) instead of inviting a rating, and 评价 … 不满意
// asks for no reason the rating could not take.
func TestRatingWindowPassedInChat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-late"
	s := b.replied(0, "关于新华路信号灯安装的建议")
	b.link(me, 0)
	n := itoa(s.Number)
	contains(t, b.say(me, "查询 "+n), "您评价答复")
	contains(t, b.say(me, "我的建议"), "待您评价")

	if _, err := b.pool.Exec(b.ctx, `UPDATE suggestions SET rating_due_at = now() - interval '2 days' WHERE tenant_id=$1 AND id=$2`,
		b.tn.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	got := b.say(me, "查询 "+n)
	contains(t, got, "答复评价期限", "已过", "未反馈")
	if strings.Contains(got, "您评价答复") || strings.Contains(got, "评价 "+n) {
		t.Fatalf("查询 still invites a rating:\n%s", got)
	}
	mine := b.say(me, "我的建议")
	contains(t, mine, "评价期限已过（计为未反馈）")
	if strings.Contains(mine, "待您评价") {
		t.Fatalf("我的建议 still invites a rating:\n%s", mine)
	}
	contains(t, b.say(me, "评价 "+n+" 不满意"), "答复评价期限", "已过", "不能再评价")
	contains(t, b.say(me, "取消"), "没有进行中")
	if got := b.evaluationsOf(s.ID); got != 0 {
		t.Fatalf("%d ratings recorded", got)
	}
}

// refusingRatings is the workflow refusing every rating, as suggestion.Service refuses one
// that comes after the window.
type refusingRatings struct{ bot.Suggestions }

func (refusingRatings) RateReply(context.Context, auth.Actor, int64, suggestion.Rating, string) (*suggestion.Suggestion, error) {
	return nil, &suggestion.Error{Kind: suggestion.ErrInvalidTransition, Code: "rating_closed", Message: "答复评价期限已过"}
}

// The service's refusal of a rating reaches the deputy as it is.
func TestServiceRefusalOfRatingShown(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(d *bot.Deps) { d.Suggestions = refusingRatings{d.Suggestions} })
	const me = "o-refused"
	s := b.replied(0, "关于新华路信号灯安装的建议")
	b.link(me, 0)
	for _, msg := range []string{"评价 " + itoa(s.Number) + " 满意", "评价 " + itoa(s.Number) + " 不满意 信号灯没装"} {
		if got := b.say(me, msg); got != "答复评价期限已过" {
			t.Fatalf("%q answered %q", msg, got)
		}
	}
}

var cst = time.FixedZone("CST", 8*3600) // Asia/Shanghai, which has no daylight saving

// 我的建议 marks an overdue reply deadline as 查询 does, and gives an escalated case (a second
// 不满意) its next step: the face-to-face consultation and the unit's new reply.
func TestMineSaysOverdueAndEscalation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-mine-steps"
	h := b.handling(0, "关于民政路拓宽改造的建议")
	b.link(me, 0)
	if strings.Contains(b.say(me, "我的建议"), "已逾期") {
		t.Fatal("a case within its deadline marked overdue")
	}
	if _, err := b.pool.Exec(b.ctx, `UPDATE suggestions SET reply_due_at = now() - interval '3 days' WHERE tenant_id=$1 AND id=$2`,
		b.tn.ID, h.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.pool.Exec(b.ctx, `UPDATE assignments SET due_at = now() - interval '3 days' WHERE tenant_id=$1 AND suggestion_id=$2 AND role='lead'`,
		b.tn.ID, h.ID); err != nil {
		t.Fatal(err)
	}
	contains(t, b.say(me, "查询 "+itoa(h.Number)), "已逾期")
	due := time.Now().Add(-72 * time.Hour).In(cst).Format("2006年01月02日")
	contains(t, b.say(me, "我的建议"), "民政路拓宽改造", "答复期限"+due+"（已逾期）")

	// Two 不满意 in a row escalate the case.
	s := b.replied(0, "关于新华路信号灯安装的建议")
	must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "信号灯没装"))
	var lead int64
	for _, a := range must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments {
		if a.Role == suggestion.RoleLead {
			lead = a.ID
		}
	}
	must(b.svc.Reply(b.ctx, b.unit(0), lead, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经研究，新华路路口信号灯已于本月完成安装并投入使用。"}))
	if s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "还是没装")); s.Status != suggestion.StatusEscalated {
		t.Fatalf("second 不满意: %s", s.Status)
	}
	s = must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
	contains(t, b.say(me, "我的建议"), "新华路信号灯安装", "当面协商督办，待承办单位与代表当面协商后重新答复，答复期限"+
		s.ReplyDueAt.In(cst).Format("2006年01月02日"))
}
