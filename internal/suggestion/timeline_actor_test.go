package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// The timeline says who acted: a staff user's name with the unit for a unit's staff, a
// deputy's name; a leader's progress note is a 督办意见, the unit's own is not; and only a
// change of status shows as one. Names are read within the tenant: an actor id that names
// somebody in another tenant names nobody here.
func TestTimelineNamesWhoActed(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "关于民政路拓宽的建议")
	must(b.svc.Accept(b.ctx, b.unit(0), asgs[0].ID, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.AddProgress(b.ctx, b.leader(), s.ID, "请加快办理，月底前报送进展", false))
	must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已完成现场勘查", false))
	other := pgtest.NewTenant(t, b.pool)
	pgtest.MustExec(t, b.pool, `INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, actor_id, action)
		VALUES ($1, $2, 'staff', $3, 'progress'), ($1, $2, 'deputy', $4, 'nudge')`, b.tn.ID, s.ID, other.Reviewer, other.Deputies[0])

	type line struct {
		action, name, unit, label string
		supervision, moved        bool
	}
	var got []line
	for _, e := range must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Timeline {
		got = append(got, line{e.Action, e.ActorName, e.ActorUnit, e.ActorLabel(), e.Supervision(), e.Moved()})
	}
	const unit = "市住房和城乡建设局"
	want := []line{
		{"create_draft", "张建国", "", "张建国（代表）", false, false},
		{"submit", "张建国", "", "张建国（代表）", false, true},
		{"register", "代表工委王科长", "", "代表工委王科长", false, true},
		{"assign", "代表工委王科长", "", "代表工委王科长", false, true},
		{"accept", unit + "经办人", unit, unit + "经办人（" + unit + "）", false, true},
		{"progress", "常委会赵副主任", "", "常委会赵副主任", true, false},
		{"progress", unit + "经办人", unit, unit + "经办人（" + unit + "）", false, false},
		{"progress", "", "", "工作人员", true, false}, // another tenant's user: nobody here
		{"nudge", "", "", "代表", false, false},
	}
	if len(got) != len(want) {
		t.Fatalf("timeline:\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
