package suggestion_test

import (
	"testing"
	"time"
)

// 提出时间 is the first submission: a suggestion returned for revision and sent again a
// month later keeps the date it was raised, so the month's 提出 figure never shrinks; the
// timeline still shows both submissions.
func TestResubmissionKeepsTheSubmissionDate(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := b.submitted(t, "关于民政路拓宽的建议")
	first := *s.SubmittedAt
	s = must(b.svc.Return(b.ctx, b.reviewer(), s.ID, s.Version, "请补充具体路段"))
	b.now = b.now.AddDate(0, 1, 0)
	s = must(b.svc.Submit(b.ctx, b.deputy(0), s.ID, s.Version))
	if !s.SubmittedAt.Equal(first) {
		t.Fatalf("resubmitted: 提出时间 %v, want the first submission %v", s.SubmittedAt, first)
	}
	var stored time.Time
	var submits int
	if err := b.pool.QueryRow(b.ctx, `SELECT submitted_at, (SELECT count(*) FROM audit_events e WHERE e.tenant_id = s.tenant_id
		AND e.suggestion_id = s.id AND e.action = 'submit') FROM suggestions s WHERE tenant_id = $1 AND id = $2`, b.tn.ID, s.ID).Scan(&stored, &submits); err != nil {
		t.Fatal(err)
	}
	if !stored.Equal(first) || submits != 2 {
		t.Fatalf("stored 提出时间 %v (want %v), %d submissions in the timeline (want 2)", stored, first, submits)
	}
}
