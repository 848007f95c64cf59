package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// A draft made while the congress sits is a 大会期间 suggestion, one made after its last day a
// 闭会期间 one; the day is Shanghai's, whatever the database server's time zone.
func TestRecessFollowsShanghaiDays(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	if _, err := b.pool.Exec(b.ctx, `UPDATE meetings SET starts_on = '2026-01-10', ends_on = '2026-01-14' WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.MeetingID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at     time.Time
		recess bool
	}{
		{time.Date(2026, 1, 9, 15, 59, 0, 0, time.UTC), true},   // 23:59 on the 9th in Shanghai
		{time.Date(2026, 1, 9, 16, 0, 0, 0, time.UTC), false},   // 00:00 on the 10th
		{time.Date(2026, 1, 14, 15, 59, 0, 0, time.UTC), false}, // 23:59 on the 14th
		{time.Date(2026, 1, 14, 16, 0, 0, 0, time.UTC), true},   // 00:00 on the 15th
	} {
		b.now = c.at
		d := must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "关于路灯的建议", Body: body}))
		if d.InRecess != c.recess {
			t.Errorf("draft at %s: in recess %v, want %v", c.at.In(shanghai(t)).Format("2006-01-02 15:04"), d.InRecess, c.recess)
		}
	}
}
