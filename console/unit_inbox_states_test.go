package console_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// The unit's inbox says which cases are in 当面协商督办 (a second 不满意) or 跟踪督办, and a
// tracked case whose commitments are not all done stays in the default 待办 view and in the
// handler's workload, overdue once a commitment is past its date; done, it leaves both.
func TestUnitInboxShowsEscalatedAndTrackedWork(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, lead := unitActor(3, 1), auth.Deputy(1, 1)

	// Tracked: a B reply with one commitment, rated 满意.
	b.handleAndReply(b.registerAndAssign())
	if st := b.status(b.sid); st != "tracking" {
		t.Fatalf("status %s, want tracking", st)
	}
	// Escalated: the lead deputy is unsatisfied twice.
	esc, escAsg := b.cosignedReply(suggestion.ClassA)
	if _, err := b.sugg.RateReply(ctx, lead, esc, suggestion.Unsatisfied, "没有解决实际问题"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Reply(ctx, u, escAsg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经再次研究，已完成民政路信号灯配时优化。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.RateReply(ctx, lead, esc, suggestion.Unsatisfied, "仍未解决"); err != nil {
		t.Fatal(err)
	}
	if st := b.status(esc); st != "escalated" {
		t.Fatalf("status %s, want escalated", st)
	}
	b.exec(`UPDATE commitments SET due_on = current_date - 2 WHERE suggestion_id = $1`, b.sid)

	unit := b.client()
	unit.login("jyg", "zhujian", testPassword)
	row := func(page, title string) string {
		t.Helper()
		for _, r := range regexp.MustCompile(`(?s)<tr class="[^"]*">.*?</tr>`).FindAllString(page, -1) {
			if strings.Contains(r, title) {
				return r
			}
		}
		return ""
	}
	_, page := unit.get("/unit")
	r := row(page, "民政路提升改建")
	if r == "" || !strings.Contains(r, "当面协商督办") {
		t.Fatalf("the escalated case's row does not say 当面协商督办:\n%s", r)
	}
	r = row(page, "老旧小区物业管理")
	if r == "" {
		t.Fatalf("the tracked case with an open commitment is missing from 待办:\n%.3000s", page)
	}
	for _, w := range []string{"跟踪督办", "承诺事项1项未完成", "已逾期"} {
		if !strings.Contains(r, w) {
			t.Fatalf("the tracked case's row lacks %q:\n%s", w, r)
		}
	}
	contains(t, page, `住建局 刘经办</td><td>2</td><td class="bad">1</td>`)

	// The commitment done: nothing is owed on the tracked case any more.
	cid := int64(b.count(`SELECT id FROM commitments WHERE suggestion_id = $1`, b.sid))
	if err := b.sugg.CompleteCommitment(ctx, u, cid, "已出台并公示"); err != nil {
		t.Fatal(err)
	}
	_, page = unit.get("/unit")
	if row(page, "老旧小区物业管理") != "" {
		t.Fatal("a tracked case with every commitment done is still in 待办")
	}
	contains(t, page, `住建局 刘经办</td><td>1</td><td class="">0</td>`)
	// 查看全部 still lists it, as 跟踪督办.
	_, page = unit.get("/unit?all=1")
	if r := row(page, "老旧小区物业管理"); !strings.Contains(r, "跟踪督办") || strings.Contains(r, "未完成") {
		t.Fatalf("查看全部: the tracked case's row:\n%s", r)
	}
}
