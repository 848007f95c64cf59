package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
)

// A category with its own reply clock (categories.reply_months) gives its suggestions that
// deadline at assignment; other categories keep the tenant's three months, and a fast-track
// case keeps its 15 working days.
func TestCategoryReplyClock(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	if _, err := b.pool.Exec(b.ctx, `UPDATE categories SET reply_months = 1 WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Categories[1]); err != nil {
		t.Fatal(err)
	}
	assign := func(title string, category int64, mode suggestion.Mode) string {
		t.Helper()
		s := b.submitted(t, title)
		s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, category))
		s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], Mode: mode}))
		return s.ReplyDueAt.In(shanghai(t)).Format("2006-01-02")
	}
	// 2026-03-20 (Friday) + 1 month = Monday 2026-04-20; + 3 months = 2026-06-20, a Saturday → 06-22.
	if got := assign("关于学校周边交通的建议", b.tn.Categories[1], suggestion.ModeNormal); got != "2026-04-20" {
		t.Errorf("category with a one-month clock: due %s, want 2026-04-20", got)
	}
	if got := assign("关于民政路拓宽的建议", b.tn.Categories[0], suggestion.ModeNormal); got != "2026-06-22" {
		t.Errorf("category on the tenant's clock: due %s, want 2026-06-22", got)
	}
	if got, other := assign("关于路灯抢修的建议", b.tn.Categories[1], suggestion.ModeFastTrack), "2026-04-20"; got >= other {
		t.Errorf("fast track in a one-month category: due %s, want the 15-working-day clock (before %s)", got, other)
	}
}

// An approved extension (complex case, six months) never moves a deadline earlier: a
// category whose own clock is nine months keeps its nine.
func TestExtensionNeverShortensACategoryClock(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	if _, err := b.pool.Exec(b.ctx, `UPDATE categories SET reply_months = 9 WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Categories[1]); err != nil {
		t.Fatal(err)
	}
	s := b.submitted(t, "关于老旧管网改造的建议")
	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[1]))
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]}))
	nine := *s.ReplyDueAt
	asg := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), asg, suggestion.AcceptInput{HandlerName: "孙经办"}))
	e := must(b.svc.RequestExtension(b.ctx, b.unit(0), asg, "涉及多个部门，需要更长时间"))
	s = must(b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, true, ""))
	if got, want := s.ReplyDueAt.In(shanghai(t)).Format("2006-01-02"), nine.In(shanghai(t)).Format("2006-01-02"); got < want {
		t.Fatalf("extension moved the deadline from %s to %s", nine.Format("2006-01-02"), s.ReplyDueAt.Format("2006-01-02"))
	}
}
