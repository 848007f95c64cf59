package bot_test

import (
	"testing"

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
