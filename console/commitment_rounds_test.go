package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// A reply replaced by a later round's reply keeps its commitments in the record, but only the
// latest reply's commitments are offered for 承诺事项完成登记 (the only ones CompleteCommitment
// accepts); the earlier ones are listed as the earlier reply's, with no form.
func TestOnlyTheLatestReplysCommitmentsAreOffered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	asg := b.registerAndAssign()
	b.handleAndReplyUnrated(asg) // round 1: class B, 出台物业收费公示办法
	if _, err := b.sugg.RateReply(ctx, auth.Deputy(1, 1), b.sid, suggestion.Unsatisfied, "没有时间表"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Reply(ctx, unitActor(3, 1), asg, suggestion.ReplyInput{Class: suggestion.ClassB, Body: "重新研究后，年内完成物业企业信用评价。",
		Commitments: []suggestion.CommitmentInput{{What: "建立物业企业信用评价制度", DueOn: time.Now().AddDate(0, 2, 0)}}}); err != nil {
		t.Fatal(err)
	}
	commitment := func(round int) int64 {
		return int64(b.count(`SELECT c.id FROM commitments c JOIN replies r ON r.id = c.reply_id WHERE r.suggestion_id = $1 AND r.round = $2`, b.sid, round))
	}
	old, latest := commitment(1), commitment(2)
	done := func(id int64) string { return `action="/commitments/` + strconv.FormatInt(id, 10) + `/done"` }
	page := "/assignments/" + strconv.FormatInt(asg, 10)
	unit := b.desk("zhujian")

	check := func(when string) {
		t.Helper()
		_, body := unit.c.get(page)
		if n := strings.Count(body, `/done"`); n != 1 || !strings.Contains(body, done(latest)) {
			t.Fatalf("%s: want exactly the round-2 commitment's form (%d), found %d:\n%.5000s", when, latest, n, body)
		}
		if strings.Contains(body, done(old)) {
			t.Fatalf("%s: the replaced round-1 commitment is offered for completion", when)
		}
		earlier := regexp.MustCompile(`<p class="muted commitment-earlier">[^<]*</p>`).FindAllString(body, -1)
		if len(earlier) != 1 || !strings.Contains(earlier[0], "第1轮答复的承诺：出台物业收费公示办法") ||
			!strings.Contains(earlier[0], "已由第2轮答复取代") {
			t.Fatalf("%s: the round-1 commitment is not listed as the earlier reply's: %q", when, earlier)
		}
	}
	check("round 2 replied")
	// Rated 满意 on the B reply: tracking, the same offer.
	if _, err := b.sugg.RateReply(ctx, auth.Deputy(1, 1), b.sid, suggestion.Satisfied, ""); err != nil {
		t.Fatal(err)
	}
	if st := b.status(b.sid); st != "tracking" {
		t.Fatalf("status %s, want tracking", st)
	}
	check("tracking")

	// The offered form works; the old commitment is never completed by it.
	if loc := unit.ok("complete round 2", "/commitments/"+strconv.FormatInt(latest, 10)+"/done", url.Values{"note": {"信用评价制度已印发"}, "back": {page}}); loc != page {
		t.Fatalf("completing the offered commitment went to %s", loc)
	}
	if n := b.count(`SELECT count(*) FROM commitments WHERE id = $1 AND done_at IS NOT NULL`, latest); n != 1 {
		t.Fatal("the offered commitment was not recorded as done")
	}
	if n := b.count(`SELECT count(*) FROM commitments WHERE id = $1 AND done_at IS NULL`, old); n != 1 {
		t.Fatal("the replaced commitment changed")
	}
	status, body := unit.c.get(page)
	if status != http.StatusOK || strings.Contains(body, `/done"`) {
		t.Fatalf("with the latest commitment done a completion form is still offered: %d\n%.5000s", status, body)
	}
}
