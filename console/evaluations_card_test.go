package console_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// cosignedReply creates a suggestion led by 张建国 (deputy 1) and co-signed by 李秀英 (deputy
// 2), assigned to 住建局 alone, accepted, with the "before" contact, and replied with class;
// B and C carry one commitment due in three months. It returns the suggestion and the lead
// assignment.
func (b *bundle) cosignedReply(class suggestion.ReplyClass) (int64, int64) {
	b.t.Helper()
	ctx := context.Background()
	lead, co := auth.Deputy(1, 1), auth.Deputy(1, 2)
	sg, err := b.sugg.CreateDraft(ctx, lead, suggestion.DraftInput{Title: "关于民政路提升改建的建议", Body: "民政路路面破损、信号灯配时不合理，建议提升改建并优化信号灯。"})
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.sugg.InviteCosigners(ctx, lead, sg.ID, []int64{2}); err != nil {
		b.t.Fatal(err)
	}
	if err := b.sugg.RespondCosign(ctx, co, sg.ID, true); err != nil {
		b.t.Fatal(err)
	}
	if sg, err = b.sugg.Get(ctx, lead, sg.ID); err != nil {
		b.t.Fatal(err)
	}
	if sg, err = b.sugg.Submit(ctx, lead, sg.ID, sg.Version); err != nil {
		b.t.Fatal(err)
	}
	if sg, err = b.sugg.Register(ctx, reviewer(1), sg.ID, sg.Version, 1); err != nil {
		b.t.Fatal(err)
	}
	if _, err = b.sugg.Assign(ctx, reviewer(1), sg.ID, sg.Version, suggestion.AssignInput{LeadUnitID: 1}); err != nil {
		b.t.Fatal(err)
	}
	var asg int64
	if err := b.pool.QueryRow(ctx, `SELECT id FROM assignments WHERE tenant_id = 1 AND suggestion_id = $1 AND unit_id = 1`, sg.ID).Scan(&asg); err != nil {
		b.t.Fatal(err)
	}
	u := unitActor(3, 1)
	b.accept(asg)
	if _, err := b.sugg.RecordContact(ctx, u, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: time.Now().Add(-time.Hour),
		Method: "电话", People: "张建国", Summary: "了解诉求"}); err != nil {
		b.t.Fatal(err)
	}
	in := suggestion.ReplyInput{Class: class, Body: "经研究，已将民政路提升改建纳入年度计划并完成信号灯优化。"}
	if class != suggestion.ClassA {
		in.Commitments = []suggestion.CommitmentInput{{What: "完成民政路提升改建工程", DueOn: time.Now().AddDate(0, 3, 0)}}
	}
	if _, err := b.sugg.Reply(ctx, u, asg, in); err != nil {
		b.t.Fatal(err)
	}
	return sg.ID, asg
}

// The 代表评价（双测评） card names each deputy who rated and says whether they lead the
// suggestion (领衔) or co-signed it (联名), never a bare record id.
func TestEvaluationsCardNamesTheDeputies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sid, _ := b.cosignedReply(suggestion.ClassA)
	if _, err := b.sugg.RateReply(ctx, auth.Deputy(1, 1), sid, suggestion.Satisfied, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.RateReply(ctx, auth.Deputy(1, 2), sid, suggestion.BasicallySatisfied, ""); err != nil {
		t.Fatal(err)
	}
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	_, page := rev.get("/suggestions/" + strconv.FormatInt(sid, 10))
	i := strings.Index(page, "代表评价（双测评）")
	if i < 0 {
		t.Fatalf("no evaluations card:\n%.3000s", page)
	}
	card := page[i:]
	card = card[:strings.Index(card, "</section>")]
	rows := regexp.MustCompile(`(?s)<tr><td>(.*?)</td><td>(.*?)</td>`).FindAllStringSubmatch(card, -1)
	got := map[string]string{}
	for _, r := range rows {
		got[strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(r[1], ""))] = r[2]
	}
	for _, who := range []string{"张建国 领衔", "李秀英 联名"} {
		if _, ok := got[who]; !ok {
			t.Fatalf("the card lacks a row for %q; rows %q:\n%s", who, got, card)
		}
	}
	if strings.Contains(card, "代表ID") || regexp.MustCompile(`<tr><td>\d+</td>`).MatchString(card) {
		t.Fatalf("the card still shows raw deputy ids:\n%s", card)
	}
}
