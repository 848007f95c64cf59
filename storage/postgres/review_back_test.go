package postgres_test

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// 回头看 lists the closed cases that need a second look: the lead deputy's last rating of the
// reply or of the implementation was 不满意, or a commitment was never done. Cases closed to
// the deputy's satisfaction are not on it, and a reopened case leaves it.
func TestReviewBackList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)
	svc := suggestion.NewService(postgres.NewSuggestionStore(pool), func() time.Time { return now })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v (%s)", err, suggestion.CodeOf(err))
		}
	}
	staff := func(id int64, roles ...auth.Role) auth.Actor {
		return auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: id, Roles: roles}
	}
	rev, lead := staff(tn.Reviewer, auth.RoleReviewer), auth.Deputy(tn.ID, tn.Deputies[0])
	unit := staff(tn.Handlers[0], auth.RoleUnitHandler)
	unit.UnitID = tn.Units[0]

	// replied drives a case to its first reply of class.
	replied := func(title string, class suggestion.ReplyClass) int64 {
		t.Helper()
		d, err := svc.CreateDraft(ctx, lead, suggestion.DraftInput{Title: title, Body: "民政路早晚高峰拥堵严重，建议拓宽道路并优化红绿灯配时。"})
		must(err)
		s, err := svc.Submit(ctx, lead, d.ID, d.Version)
		must(err)
		s, err = svc.Register(ctx, rev, s.ID, s.Version, tn.Categories[0])
		must(err)
		s, err = svc.Assign(ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: tn.Units[0]})
		must(err)
		det, err := svc.Detail(ctx, rev, s.ID)
		must(err)
		asg := det.Assignments[0].ID
		_, err = svc.Accept(ctx, unit, asg, suggestion.AcceptInput{HandlerName: "孙经办"})
		must(err)
		_, err = svc.RecordContact(ctx, unit, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
			HappenedAt: now.Add(-time.Hour), Method: "电话", People: "孙经办、代表", Summary: "沟通了办理思路"})
		must(err)
		in := suggestion.ReplyInput{Class: class, Body: "经研究，已列入年度计划并完成信号灯优化。"}
		if class == suggestion.ClassB {
			in.Commitments = []suggestion.CommitmentInput{{What: "完成拓宽工程", DueOn: now.AddDate(0, 2, 0)}}
		}
		_, err = svc.Reply(ctx, unit, asg, in)
		must(err)
		return s.ID
	}
	version := func(id int64) int {
		s, err := svc.Get(ctx, rev, id)
		must(err)
		return s.Version
	}

	// Satisfied: closed, not listed.
	happy := replied("满意的建议", suggestion.ClassA)
	_, err := svc.RateReply(ctx, lead, happy, suggestion.Satisfied, "")
	must(err)
	// Two 不满意 (escalated), then closed by the reviewer: listed for the reply.
	twice := replied("两次不满意的建议", suggestion.ClassA)
	_, err = svc.RateReply(ctx, lead, twice, suggestion.Unsatisfied, "没有解决")
	must(err)
	det, err := svc.Detail(ctx, rev, twice)
	must(err)
	_, err = svc.Reply(ctx, unit, det.Assignments[0].ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "再次研究后已补充完成信号灯优化。"})
	must(err)
	_, err = svc.RateReply(ctx, lead, twice, suggestion.Unsatisfied, "仍未拓宽")
	must(err)
	_, err = svc.Close(ctx, rev, twice, version(twice), "已当面协商，作出说明")
	must(err)
	// Implementation rated 不满意, then closed: listed for the implementation.
	impl := replied("落实不满意的建议", suggestion.ClassB)
	_, err = svc.RateReply(ctx, lead, impl, suggestion.Satisfied, "")
	must(err)
	det, err = svc.Detail(ctx, rev, impl)
	must(err)
	must(svc.CompleteCommitment(ctx, unit, det.Replies[0].Commitments[0].ID, "工程已完工"))
	_, err = svc.RateImplementation(ctx, lead, impl, suggestion.Unsatisfied, "只拓宽了一半")
	must(err)
	_, err = svc.Close(ctx, rev, impl, version(impl), "列入下年度计划")
	must(err)

	// Closed after the rating window with its commitment still open: listed.
	open := replied("承诺未完成的建议", suggestion.ClassB)
	// A first-round commitment replaced by a second-round answer the deputy was happy with:
	// the old promise is not owed any more, so the case is not listed.
	replaced := replied("第二轮答复满意的建议", suggestion.ClassB)
	_, err = svc.RateReply(ctx, lead, replaced, suggestion.Unsatisfied, "承诺太远")
	must(err)
	det, err = svc.Detail(ctx, rev, replaced)
	must(err)
	_, err = svc.Reply(ctx, unit, det.Assignments[0].ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经再次研究，拓宽工程已提前完工。"})
	must(err)
	_, err = svc.RateReply(ctx, lead, replaced, suggestion.Satisfied, "")
	must(err)
	now = now.AddDate(0, 2, 0) // the rating window of the open case has passed
	_, err = svc.Close(ctx, rev, open, version(open), "评价期限已过，代表未反馈")
	must(err)

	list := func(a auth.Actor) map[int64]string {
		t.Helper()
		got, err := supervise.NewService(postgres.NewSuperviseStore(pool), nil).Cases(ctx, a, supervise.ListReviewBack, 0)
		must(err)
		out := map[int64]string{}
		for _, c := range got {
			out[c.SuggestionID] = c.Note
		}
		return out
	}
	cases := func() map[int64]string { return list(rev) }
	got := cases()
	if len(got) != 3 || got[twice] != "答复不满意" || got[impl] != "落实情况不满意" || got[open] != "承诺事项未全部完成" {
		t.Fatalf("回头看 list: %v (want %d 答复不满意, %d 落实情况不满意, %d 承诺事项未全部完成; %d and %d not listed)",
			got, twice, impl, open, happy, replaced)
	}
	// The unit that handled them sees them; another unit and another tenant see none.
	if got := list(unit); len(got) != 3 {
		t.Fatalf("the handling unit's 回头看: %v", got)
	}
	other := staff(tn.Handlers[1], auth.RoleUnitHandler)
	other.UnitID = tn.Units[1]
	if got := list(other); len(got) != 0 {
		t.Fatalf("another unit's 回头看: %v", got)
	}
	tn2 := pgtest.NewTenant(t, pool)
	if got := list(auth.Actor{TenantID: tn2.ID, Kind: auth.KindStaff, ID: tn2.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}); len(got) != 0 {
		t.Fatalf("another tenant's 回头看: %v", got)
	}
	_, err = svc.Reopen(ctx, rev, twice, version(twice), "回头看：道路仍未拓宽")
	must(err)
	if got := cases(); len(got) != 2 || got[twice] != "" {
		t.Fatalf("after reopening %d: %v", twice, got)
	}
}
