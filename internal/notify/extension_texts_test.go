package notify_test

import (
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/notify"
)

// TestExtensionApprovedGivesTheNewDeadline: the unit reads until when it may now reply.
func TestExtensionApprovedGivesTheNewDeadline(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "assigned")
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	asg := must(b.svc.Detail(b.ctx, rev, s.ID)).Assignments[0]
	before := replyDueOf(t, b, s.ID)
	e := must(b.svc.RequestExtension(b.ctx, unitActor(b, 0), asg.ID, "涉及管网整体改造，需专项资金"))
	must(b.svc.DecideExtension(b.ctx, rev, e.ID, true, ""))
	b.drain(t)
	after := replyDueOf(t, b, s.ID)
	if !after.After(before) {
		t.Fatalf("reply deadline %s not later than %s", after, before)
	}
	subj := subjectOf(t, b, s.ID)
	title, body, _, note := noticeOf(t, b, "user", b.tn.Handlers[0], notify.KindReturnDecided)
	wantText(t, "unit's title", title, "延期申请已获批准")
	wantText(t, "unit's notice", body, "贵单位关于建议"+subj+"的延期申请已获批准，答复期限延长至"+day(after)+"。")
	wantText(t, "unit's note", note, "答复期限延至"+day(after))
}

// TestExtensionRejectedKeepsTheDeadline: a refused extension says the deadline stands.
func TestExtensionRejectedKeepsTheDeadline(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "assigned")
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	asg := must(b.svc.Detail(b.ctx, rev, s.ID)).Assignments[0]
	e := must(b.svc.RequestExtension(b.ctx, unitActor(b, 0), asg.ID, "涉及管网整体改造，需专项资金"))
	must(b.svc.DecideExtension(b.ctx, rev, e.ID, false, "请先实施应急排涝"))
	b.drain(t)
	due := replyDueOf(t, b, s.ID)
	title, body, _, _ := noticeOf(t, b, "user", b.tn.Handlers[0], notify.KindReturnDecided)
	wantText(t, "unit's title", title, "延期申请未获批准")
	wantText(t, "unit's notice", body, "贵单位关于建议"+subjectOf(t, b, s.ID)+"的延期申请未获批准，答复期限仍为"+day(due)+"。原因：请先实施应急排涝")
}
