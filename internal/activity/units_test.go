package activity_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// unitStaffOf names the staff of tn's i-th unit as notices address them.
func unitStaffOf(tn *pgtest.Tenant, i int) []string {
	return []string{fmt.Sprintf("user:%d", tn.Handlers[i]), fmt.Sprintf("user:%d", tn.UnitLeaders[i])}
}

func unitHandler(tn *pgtest.Tenant, i int) auth.Actor {
	a := staff(tn, tn.Handlers[i], auth.RoleUnitHandler)
	a.UnitID = tn.Units[i]
	return a
}

// noticeTo is the newest notice of kind to a user: its title, body and page.
func (b *bundle) noticeTo(kind string, userID int64) (title, body, page string) {
	b.t.Helper()
	if err := b.pool.QueryRow(context.Background(), `SELECT title, body, page FROM notices
		WHERE kind = $1 AND recipient_kind = 'user' AND recipient_id = $2 ORDER BY id DESC LIMIT 1`, kind, userID).
		Scan(&title, &body, &page); err != nil {
		b.t.Fatalf("no %s notice to user %d: %v", kind, userID, err)
	}
	return title, body, page
}

// The units an activity concerns receive the deputies: their staff hear of it when it is
// organised, when it moves, when they are taken off it and when it is called off, and they
// can read it (who is coming, not what the deputies wrote to the organiser). Other units,
// and other tenants, see nothing.
func TestUnitsHearAndSee(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tn := b.tn
	in := b.input() // linked to Units[0]
	act := b.create(in)

	told := func(what, kind string, want ...[]string) {
		t.Helper()
		var users []string
		for _, r := range b.told(kind) {
			if strings.HasPrefix(r, "user:") {
				users = append(users, r)
			}
		}
		slices.Sort(users)
		w := slices.Sorted(slices.Values(slices.Concat(want...)))
		if !slices.Equal(users, w) {
			t.Fatalf("%s: %s told staff %v, want %v", what, kind, users, w)
		}
	}
	told("organised", notify.KindActivityUnit, unitStaffOf(tn, 0))
	title, body, page := b.noticeTo(notify.KindActivityUnit, tn.UnitLeaders[0])
	if title != "代表活动涉及本单位" || !strings.Contains(body, "视察《视察老旧小区改造》涉及本单位") ||
		!strings.Contains(body, "2026年06月04日 09:00") || !strings.Contains(body, "雄关区胜利路社区") || page != activity.ConsolePage(act.ID) {
		t.Fatalf("the unit's notice: %q %q %q", title, body, page)
	}

	// The linked unit reads it and lists it; the deputies' notes to the organiser stay theirs.
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, false, "家中老人住院"); err != nil {
		t.Fatal(err)
	}
	got, err := b.svc.Get(ctx, unitHandler(tn, 0), act.ID)
	if err != nil {
		t.Fatalf("the linked unit reads: %v", err)
	}
	if len(got.Invitations) != 2 {
		t.Fatalf("the unit sees %d invitations, want both invited deputies", len(got.Invitations))
	}
	for _, inv := range got.Invitations {
		if inv.Note != "" {
			t.Fatalf("the unit reads a deputy's note to the organiser: %q", inv.Note)
		}
		if inv.DeputyID == tn.Deputies[0] && inv.Answer != activity.AnswerDeclined {
			t.Fatalf("the unit does not see who is not coming: %+v", inv)
		}
	}
	if list, err := b.svc.List(ctx, unitHandler(tn, 0), activity.Filter{}); err != nil || len(list) != 1 || list[0].ID != act.ID {
		t.Fatalf("the linked unit lists %v (%v), want the activity", list, err)
	}
	// Another unit, and another tenant's unit, find nothing.
	_, err = b.svc.Get(ctx, unitHandler(tn, 1), act.ID)
	wantCode(t, "another unit reads", err, activity.ErrNotFound, "not_found")
	if list, err := b.svc.List(ctx, unitHandler(tn, 1), activity.Filter{}); err != nil || len(list) != 0 {
		t.Fatalf("another unit lists %d activities (%v), want none", len(list), err)
	}
	foreign := unitHandler(b.other, 0)
	_, err = b.svc.Get(ctx, foreign, act.ID)
	wantCode(t, "another tenant's unit reads", err, activity.ErrNotFound, "not_found")
	// Reading is all a unit may do.
	_, err = b.svc.Update(ctx, unitHandler(tn, 0), act.ID, act.Version, in)
	wantCode(t, "the unit edits", err, activity.ErrNotFound, "not_found")

	// Moved to another unit and another place: the new unit hears of it, the old one that
	// it need not prepare; nobody hears twice of the same thing.
	cur, _ := b.svc.Get(ctx, b.reviewer(), act.ID)
	in.UnitIDs = []int64{tn.Units[1]}
	in.Place = "雄关区新华路社区"
	if _, err := b.svc.Update(ctx, b.reviewer(), act.ID, cur.Version, in); err != nil {
		t.Fatal(err)
	}
	told("moved to another unit", notify.KindActivityUnit, unitStaffOf(tn, 0), unitStaffOf(tn, 1))
	told("moved to another unit", notify.KindActivityChanged, unitStaffOf(tn, 0))
	if title, body, _ := b.noticeTo(notify.KindActivityChanged, tn.Handlers[0]); title != "代表活动不再涉及本单位" || !strings.Contains(body, "无需再做准备") {
		t.Fatalf("the dropped unit's notice: %q %q", title, body)
	}
	if _, err := b.svc.Get(ctx, unitHandler(tn, 0), act.ID); err == nil {
		t.Fatal("the dropped unit still reads the activity")
	}

	// Both units and a new time: the unit kept hears what changed, the one added hears of it.
	in.UnitIDs = []int64{tn.Units[0], tn.Units[1]}
	in.StartsAt = in.StartsAt.Add(24 * time.Hour)
	if _, err := b.svc.Update(ctx, b.reviewer(), act.ID, cur.Version+1, in); err != nil {
		t.Fatal(err)
	}
	told("a unit added back, time moved", notify.KindActivityUnit, unitStaffOf(tn, 0), unitStaffOf(tn, 1), unitStaffOf(tn, 0))
	told("a unit added back, time moved", notify.KindActivityChanged, unitStaffOf(tn, 0), unitStaffOf(tn, 1))
	if title, body, _ := b.noticeTo(notify.KindActivityChanged, tn.Handlers[1]); title != "代表活动有调整" ||
		!strings.Contains(body, "活动时间已调整") || !strings.Contains(body, "2026年06月05日 09:00") {
		t.Fatalf("the kept unit's notice: %q %q", title, body)
	}

	// Called off: both units, with the reason.
	if _, err := b.svc.Cancel(ctx, b.reviewer(), act.ID, cur.Version+2, "遇暴雨天气，另行安排"); err != nil {
		t.Fatal(err)
	}
	told("cancelled", notify.KindActivityCancelled, unitStaffOf(tn, 0), unitStaffOf(tn, 1))
	if title, body, _ := b.noticeTo(notify.KindActivityCancelled, tn.UnitLeaders[1]); title != "代表活动已取消" || !strings.Contains(body, "遇暴雨天气，另行安排") {
		t.Fatalf("the unit's cancel notice: %q %q", title, body)
	}
}

// Of the suggestions an activity is about, a unit's staff see those their unit handles: a
// case assigned to another unit, or not yet assigned, is not theirs to read.
func TestUnitSeesOnlyItsOwnLinkedSuggestions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tn := b.tn
	ours := b.suggestion(tn, "关于老旧小区加装电梯的建议", false)
	theirs := b.suggestion(tn, "关于公交线路调整的建议", false)
	unassigned := b.suggestion(tn, "关于社区食堂的建议", false)
	for id, unit := range map[int64]int64{ours: tn.Units[0], theirs: tn.Units[1]} {
		sg, err := b.sugg.Get(ctx, b.reviewer(), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.sugg.Assign(ctx, b.reviewer(), id, sg.Version, suggestion.AssignInput{LeadUnitID: unit}); err != nil {
			t.Fatal(err)
		}
	}
	in := b.input() // linked to Units[0]
	in.SuggestionIDs = []int64{ours, theirs, unassigned}
	act := b.create(in)

	got, err := b.svc.Get(ctx, unitHandler(tn, 0), act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Suggestions) != 1 || got.Suggestions[0].ID != ours {
		t.Fatalf("the unit sees linked suggestions %+v, want only its own case %d", got.Suggestions, ours)
	}
	if org, _ := b.svc.Get(ctx, b.reviewer(), act.ID); len(org.Suggestions) != 3 {
		t.Fatalf("the organiser sees %d linked suggestions, want all 3", len(org.Suggestions))
	}
	// Nor does the list, filtered by a suggestion, tell the unit which of its activities a
	// case it does not handle is linked to.
	for id, want := range map[int64]int{ours: 1, theirs: 0, unassigned: 0} {
		list, err := b.svc.List(ctx, unitHandler(tn, 0), activity.Filter{SuggestionID: id})
		if err != nil || len(list) != want {
			t.Fatalf("the unit's list filtered by suggestion %d: %d activities (%v), want %d", id, len(list), err, want)
		}
	}
}
