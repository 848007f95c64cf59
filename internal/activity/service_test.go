package activity_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/notify"
)

// Organising is for the standing committee's and the government office's staff (reviewer,
// coordinator, leader, admin); units, committees and deputies may not. A deputy sees and
// answers only their own invitation; only the organiser (or an admin) writes the 纪要.
func TestWhoMayDoWhat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tn := b.tn
	organisers := map[string]auth.Actor{
		"reviewer":    b.reviewer(),
		"coordinator": staff(tn, tn.Coordinator, auth.RoleCoordinator),
		"leader":      staff(tn, tn.Leader, auth.RoleLeader),
		"admin":       staff(tn, tn.Admin, auth.RoleAdmin),
	}
	unitStaff := func(id int64, r auth.Role) auth.Actor {
		a := staff(tn, id, r)
		a.UnitID = tn.Units[0]
		return a
	}
	committee := staff(tn, tn.Committee, auth.RoleCommittee)
	committee.CategoryIDs = tn.Categories[:1]
	others := map[string]auth.Actor{
		"unit handler": unitStaff(tn.Handlers[0], auth.RoleUnitHandler),
		"unit leader":  unitStaff(tn.UnitLeaders[0], auth.RoleUnitLeader),
		"committee":    committee,
		"deputy":       b.deputy(0),
	}
	var made []*activity.Activity
	for name, a := range organisers {
		act, err := b.svc.Create(ctx, a, b.input())
		if err != nil {
			t.Fatalf("%s may organise: %v", name, err)
		}
		if act.OrganizerID != a.ID {
			t.Errorf("%s: organiser %d, want %d", name, act.OrganizerID, a.ID)
		}
		made = append(made, act)
	}
	act := made[0]
	before := b.tables()
	for name, a := range others {
		_, err := b.svc.Create(ctx, a, b.input())
		wantCode(t, name+" creates", err, activity.ErrForbidden, "forbidden")
		_, err = b.svc.Update(ctx, a, act.ID, act.Version, b.input())
		wantCode(t, name+" edits", err, activity.ErrNotFound, "not_found")
		_, err = b.svc.Invite(ctx, a, act.ID, []int64{tn.Deputies[2]})
		wantCode(t, name+" invites", err, activity.ErrNotFound, "not_found")
		_, err = b.svc.Cancel(ctx, a, act.ID, act.Version, "有事")
		wantCode(t, name+" cancels", err, activity.ErrNotFound, "not_found")
		if a.IsDeputy() || a.IsUnit() { // the unit's staff read (TestUnitsHearAndSee)
			continue
		}
		_, err = b.svc.Get(ctx, a, act.ID)
		wantCode(t, name+" reads", err, activity.ErrNotFound, "not_found")
		_, err = b.svc.List(ctx, a, activity.Filter{})
		wantCode(t, name+" lists", err, activity.ErrForbidden, "forbidden")
	}
	// Staff do not answer for deputies.
	_, err := b.svc.Answer(ctx, b.reviewer(), act.ID, true, "")
	wantCode(t, "staff answers", err, activity.ErrForbidden, "forbidden")
	if after := b.tables(); after != before {
		t.Fatalf("refusals wrote:\n%s\n%s", before, after)
	}

	// An invited deputy sees the activity with their own invitation only; one not invited
	// sees nothing and cannot answer.
	got, err := b.svc.Get(ctx, b.deputy(0), act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Invitations) != 1 || got.Invitations[0].DeputyID != tn.Deputies[0] {
		t.Fatalf("the deputy sees invitations %+v, want only their own", got.Invitations)
	}
	_, err = b.svc.Get(ctx, b.deputy(3), act.ID)
	wantCode(t, "an uninvited deputy reads", err, activity.ErrNotFound, "not_found")
	_, err = b.svc.Answer(ctx, b.deputy(3), act.ID, true, "")
	wantCode(t, "an uninvited deputy answers", err, activity.ErrNotFound, "not_found")
	list, err := b.svc.List(ctx, b.deputy(3), activity.Filter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("an uninvited deputy lists %d activities (%v)", len(list), err)
	}
	list, err = b.svc.List(ctx, b.deputy(0), activity.Filter{})
	if err != nil || len(list) != 4 {
		t.Fatalf("the invited deputy lists %d activities (%v), want 4", len(list), err)
	}
	if inv := list[0].Invitations; len(inv) != 1 || inv[0].DeputyID != tn.Deputies[0] || inv[0].Answer != activity.AnswerInvited {
		t.Fatalf("the deputy's list row carries %+v, want their own pending invitation", inv)
	}

	// 纪要: the organiser (or an admin), once the activity has started.
	b.set(act.StartsAt.Add(2 * time.Hour))
	cur, err := b.svc.Get(ctx, b.reviewer(), act.ID)
	if err != nil {
		t.Fatal(err)
	}
	var organiser, other auth.Actor
	for _, a := range organisers {
		switch a.ID {
		case cur.OrganizerID:
			organiser = a
		case tn.Coordinator, tn.Leader:
			other = a
		}
	}
	_, err = b.svc.RecordSummary(ctx, other, act.ID, cur.Version, "纪要")
	wantCode(t, "another organiser's summary", err, activity.ErrForbidden, "not_organizer")
	if _, err := b.svc.RecordSummary(ctx, organiser, act.ID, cur.Version, "查看了三个小区，居民反映的问题已交办。"); err != nil {
		t.Fatalf("the organiser's summary: %v", err)
	}
	if _, err := b.svc.RecordSummary(ctx, organisers["admin"], act.ID, cur.Version+1, "管理员补充的纪要。"); err != nil {
		t.Fatalf("an admin's summary: %v", err)
	}
	got, _ = b.svc.Get(ctx, b.deputy(0), act.ID)
	if got.Summary != "管理员补充的纪要。" {
		t.Fatalf("the deputy reads summary %q", got.Summary)
	}
}

// Another tenant's activity is not found, for staff and deputies alike, and another tenant's
// suggestions, units and deputies cannot be linked or invited; nothing is written.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	act := b.create(b.input())
	o := b.other
	oRev := staff(o, o.Reviewer, auth.RoleReviewer)
	oDep := auth.Deputy(o.ID, o.Deputies[0])
	theirs := b.suggestion(o, "别家的建议", false)
	before := b.tables()

	_, err := b.svc.Get(ctx, oRev, act.ID)
	wantCode(t, "read across tenants", err, activity.ErrNotFound, "not_found")
	_, err = b.svc.Update(ctx, oRev, act.ID, act.Version, b.input())
	wantCode(t, "edit across tenants", err, activity.ErrNotFound, "not_found")
	_, err = b.svc.Invite(ctx, oRev, act.ID, []int64{o.Deputies[0]})
	wantCode(t, "invite across tenants", err, activity.ErrNotFound, "not_found")
	_, err = b.svc.Cancel(ctx, oRev, act.ID, act.Version, "取消")
	wantCode(t, "cancel across tenants", err, activity.ErrNotFound, "not_found")
	_, err = b.svc.Answer(ctx, oDep, act.ID, true, "")
	wantCode(t, "answer across tenants", err, activity.ErrNotFound, "not_found")
	if list, err := b.svc.List(ctx, oRev, activity.Filter{}); err != nil || len(list) != 0 {
		t.Fatalf("the other tenant lists %d activities (%v)", len(list), err)
	}

	links := map[string]func(*activity.Input){
		"unknown_suggestion": func(in *activity.Input) { in.SuggestionIDs = []int64{theirs} },
		"unknown_unit":       func(in *activity.Input) { in.UnitIDs = []int64{o.Units[0]} },
		"unknown_deputy":     func(in *activity.Input) { in.DeputyIDs = []int64{b.tn.Deputies[0], o.Deputies[0]} },
	}
	for code, f := range links {
		in := b.input()
		f(&in)
		_, err := b.svc.Create(ctx, b.reviewer(), in)
		wantCode(t, "create with "+code, err, activity.ErrInvalid, code)
		if code != "unknown_deputy" {
			_, err = b.svc.Update(ctx, b.reviewer(), act.ID, act.Version, in)
			wantCode(t, "edit with "+code, err, activity.ErrInvalid, code)
		}
	}
	_, err = b.svc.Invite(ctx, b.reviewer(), act.ID, []int64{o.Deputies[0]})
	wantCode(t, "invite another tenant's deputy", err, activity.ErrInvalid, "unknown_deputy")
	if after := b.tables(); after != before {
		t.Fatalf("cross-tenant attempts wrote:\n%s\n%s", before, after)
	}
}

// Bad input gets a Chinese message and a stable code, and nothing is written.
func TestBadInputIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	act := b.create(b.input())
	draft := b.suggestion(b.tn, "还是草稿的建议", true)
	b.pgExec(`UPDATE deputies SET active = false WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Deputies[5])
	now := b.clock()
	long := func(n int) string { return strings.Repeat("字", n) }
	tests := []struct {
		name string
		f    func(*activity.Input)
		code string
	}{
		{"no kind", func(in *activity.Input) { in.Kind = "" }, "bad_kind"},
		{"unknown kind", func(in *activity.Input) { in.Kind = "party" }, "bad_kind"},
		{"no title", func(in *activity.Input) { in.Title = "  " }, "title_required"},
		{"long title", func(in *activity.Input) { in.Title = long(101) }, "title_too_long"},
		{"NUL in title", func(in *activity.Input) { in.Title = "视察\x00" }, "bad_text"},
		{"newline in title", func(in *activity.Input) { in.Title = "视察\n小区" }, "bad_text"},
		{"zero-width space in title", func(in *activity.Input) { in.Title = "视察\u200b小区" }, "bad_text"},
		{"right-to-left override in place", func(in *activity.Input) { in.Place = "\u202e社区" }, "bad_text"},
		{"ESC in place", func(in *activity.Input) { in.Place = "\x1b社区" }, "bad_text"},
		{"DEL in description", func(in *activity.Input) { in.Description = "内容\x7f" }, "bad_text"},
		{"C1 in description", func(in *activity.Input) { in.Description = "内\u0085容" }, "bad_text"},
		{"bad UTF-8", func(in *activity.Input) { in.Description = "内\xc3容" }, "bad_text"},
		{"no place", func(in *activity.Input) { in.Place = "" }, "place_required"},
		{"long place", func(in *activity.Input) { in.Place = long(101) }, "place_too_long"},
		{"long description", func(in *activity.Input) { in.Description = long(2001) }, "description_too_long"},
		{"no time", func(in *activity.Input) { in.StartsAt = time.Time{} }, "starts_at_required"},
		{"in the past", func(in *activity.Input) { in.StartsAt = now.Add(-time.Minute) }, "starts_at_past"},
		{"year 1", func(in *activity.Input) { in.StartsAt = time.Date(1, 1, 1, 10, 0, 0, 0, time.UTC) }, "starts_at_past"},
		{"too far ahead", func(in *activity.Input) { in.StartsAt = now.AddDate(3, 0, 0) }, "starts_at_too_far"},
		{"year 9999", func(in *activity.Input) { in.StartsAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }, "starts_at_too_far"},
		{"zero suggestion id", func(in *activity.Input) { in.SuggestionIDs = []int64{0} }, "bad_suggestion"},
		{"negative unit id", func(in *activity.Input) { in.UnitIDs = []int64{-3} }, "bad_unit"},
		{"a draft", func(in *activity.Input) { in.SuggestionIDs = []int64{draft} }, "unknown_suggestion"},
		{"no such suggestion", func(in *activity.Input) { in.SuggestionIDs = []int64{1 << 40} }, "unknown_suggestion"},
		{"no such unit", func(in *activity.Input) { in.UnitIDs = []int64{1 << 40} }, "unknown_unit"},
		{"a deputy who left", func(in *activity.Input) { in.DeputyIDs = []int64{b.tn.Deputies[5]} }, "unknown_deputy"},
		{"too many suggestions", func(in *activity.Input) {
			for i := range activity.MaxSuggestions + 1 {
				in.SuggestionIDs = append(in.SuggestionIDs, int64(i+1))
			}
		}, "bad_suggestion"},
	}
	before := b.tables()
	for _, tt := range tests {
		in := b.input()
		tt.f(&in)
		_, err := b.svc.Create(ctx, b.reviewer(), in)
		wantCode(t, "create: "+tt.name, err, activity.ErrInvalid, tt.code)
		if tt.code == "unknown_deputy" {
			continue
		}
		_, err = b.svc.Update(ctx, b.reviewer(), act.ID, act.Version, in)
		wantCode(t, "edit: "+tt.name, err, activity.ErrInvalid, tt.code)
	}
	for _, bad := range []struct{ note, code string }{{"备注\x00", "bad_text"}, {strings.Repeat("字", 201), "note_too_long"}} {
		_, err := b.svc.Answer(ctx, b.deputy(0), act.ID, false, bad.note)
		wantCode(t, "answer note "+bad.code, err, activity.ErrInvalid, bad.code)
	}
	for _, bad := range []struct{ reason, code string }{{"", "reason_required"}, {"\x01", "bad_text"}, {long(201), "reason_too_long"}} {
		_, err := b.svc.Cancel(ctx, b.reviewer(), act.ID, act.Version, bad.reason)
		wantCode(t, "cancel reason "+bad.code, err, activity.ErrInvalid, bad.code)
	}
	_, err := b.svc.Invite(ctx, b.reviewer(), act.ID, nil)
	wantCode(t, "invite nobody", err, activity.ErrInvalid, "deputies_required")
	_, err = b.svc.Invite(ctx, b.reviewer(), act.ID, []int64{b.tn.Deputies[0], b.tn.Deputies[1]})
	wantCode(t, "invite the invited", err, activity.ErrInvalid, "already_invited")
	_, err = b.svc.List(ctx, b.reviewer(), activity.Filter{Kind: "party"})
	wantCode(t, "list an unknown kind", err, activity.ErrInvalid, "bad_kind")
	if after := b.tables(); after != before {
		t.Fatalf("refused input wrote:\n%s\n%s", before, after)
	}
}

func (b *bundle) pgExec(sql string, args ...any) {
	b.t.Helper()
	if _, err := b.pool.Exec(context.Background(), sql, args...); err != nil {
		b.t.Fatal(err)
	}
}

// A deputy answers (and may change the answer) until the activity starts; after the start,
// or once it is cancelled, the answer is refused and stays as it was. The 纪要 waits for
// the start; a started or cancelled activity is no longer edited, cancelled or added to.
func TestAnswersCloseAtTheStart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	act := b.create(b.input())
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, false, "当天有会"); err != nil {
		t.Fatal(err)
	}
	got, err := b.svc.Answer(ctx, b.deputy(0), act.ID, true, "会议改期，可以参加")
	if err != nil {
		t.Fatal(err)
	}
	if inv := got.Invitations[0]; inv.Answer != activity.AnswerAccepted || inv.Note != "会议改期，可以参加" || inv.AnsweredAt == nil {
		t.Fatalf("changed answer: %+v", inv)
	}
	_, err = b.svc.RecordSummary(ctx, b.reviewer(), act.ID, act.Version, "提前写的纪要")
	wantCode(t, "summary before the start", err, activity.ErrInvalidTransition, "not_started")

	b.set(act.StartsAt)
	before := b.tables()
	_, err = b.svc.Answer(ctx, b.deputy(1), act.ID, true, "")
	wantCode(t, "answer at the start", err, activity.ErrInvalidTransition, "answer_closed")
	_, err = b.svc.Answer(ctx, b.deputy(0), act.ID, false, "")
	wantCode(t, "change the answer after the start", err, activity.ErrInvalidTransition, "answer_closed")
	_, err = b.svc.Update(ctx, b.reviewer(), act.ID, act.Version, b.input())
	wantCode(t, "edit after the start", err, activity.ErrInvalidTransition, "activity_started")
	_, err = b.svc.Invite(ctx, b.reviewer(), act.ID, []int64{b.tn.Deputies[2]})
	wantCode(t, "invite after the start", err, activity.ErrInvalidTransition, "activity_started")
	_, err = b.svc.Cancel(ctx, b.reviewer(), act.ID, act.Version, "来不及了")
	wantCode(t, "cancel after the start", err, activity.ErrInvalidTransition, "activity_started")
	if after := b.tables(); after != before {
		t.Fatalf("refused changes after the start wrote:\n%s\n%s", before, after)
	}
	got, err = b.svc.Get(ctx, b.reviewer(), act.ID)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[int64]activity.Answer{}
	for _, inv := range got.Invitations {
		answers[inv.DeputyID] = inv.Answer
	}
	if answers[b.tn.Deputies[0]] != activity.AnswerAccepted || answers[b.tn.Deputies[1]] != activity.AnswerInvited {
		t.Fatalf("answers after the start: %v", answers)
	}
	if got.PhaseAt(b.clock()) != activity.PhaseHeld {
		t.Fatalf("phase %s, want held", got.PhaseAt(b.clock()))
	}

	// Cancelled: no answer, no summary.
	b.set(act.StartsAt.Add(-72 * time.Hour))
	other := b.create(b.input())
	if _, err := b.svc.Cancel(ctx, b.reviewer(), other.ID, other.Version, "场地临时维修"); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.Answer(ctx, b.deputy(0), other.ID, true, "")
	wantCode(t, "answer a cancelled activity", err, activity.ErrInvalidTransition, "activity_cancelled")
	_, err = b.svc.Cancel(ctx, b.reviewer(), other.ID, other.Version+1, "再取消一次")
	wantCode(t, "cancel twice", err, activity.ErrInvalidTransition, "activity_cancelled")
	b.set(other.StartsAt.Add(time.Hour))
	_, err = b.svc.RecordSummary(ctx, b.reviewer(), other.ID, other.Version+1, "纪要")
	wantCode(t, "summary of a cancelled activity", err, activity.ErrInvalidTransition, "activity_cancelled")
}

// Two staff acting on the same version of an activity: exactly one wins, the other gets a
// conflict and changes nothing.
func TestConcurrentChangesConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	act := b.create(b.input())
	coord := staff(b.tn, b.tn.Coordinator, auth.RoleCoordinator)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, a := range []auth.Actor{b.reviewer(), coord} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				in := b.input()
				in.Title = "改名后的视察"
				_, errs[i] = b.svc.Update(ctx, a, act.ID, act.Version, in)
			} else {
				_, errs[i] = b.svc.Cancel(ctx, a, act.ID, act.Version, "领导另有安排")
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		default:
			var e *activity.Error
			if !(errors.As(err, &e) && (e.Code == "conflict" || e.Code == "activity_cancelled")) {
				t.Fatalf("the loser got %v, want a conflict", err)
			}
		}
	}
	if won != 1 {
		t.Fatalf("%d winners (%v)", won, errs)
	}
	got, err := b.svc.Get(ctx, b.reviewer(), act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != act.Version+1 {
		t.Fatalf("version %d after one change from %d", got.Version, act.Version)
	}
	if (errs[0] == nil) == (got.Status == activity.StatusCancelled) || (errs[0] == nil) != (got.Title == "改名后的视察") {
		t.Fatalf("the stored activity (%s, %q) is not the winner's", got.Status, got.Title)
	}
}

// Invited deputies are told when invited (each once), when the kind, title, time or place
// changes (a new time also asks them to answer again), and when it is cancelled; the
// organiser is told of each new answer. The notices are rows of the notices table.
func TestNotices(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tn := b.tn
	dep := func(ids ...int) []string {
		var out []string
		for _, i := range ids {
			out = append(out, fmt.Sprintf("deputy:%d", tn.Deputies[i]))
		}
		slices.Sort(out)
		return out
	}
	unit := unitStaffOf(tn, 0)
	want := func(what, kind string, wantTo []string) {
		t.Helper()
		got := b.told(kind)
		slices.Sort(got)
		wantTo = slices.Sorted(slices.Values(wantTo))
		if !slices.Equal(got, wantTo) {
			t.Fatalf("%s: %s told %v, want %v", what, kind, got, wantTo)
		}
	}
	in := b.input()
	in.SuggestionIDs = []int64{b.suggestion(tn, "关于老旧小区改造的建议", false)}
	act := b.create(in)
	want("created", notify.KindActivityInvited, dep(0, 1))
	var title, body, page string
	if err := b.pool.QueryRow(ctx, `SELECT title, body, page FROM notices WHERE kind = $1 AND recipient_kind = 'deputy' AND recipient_id = $2`,
		notify.KindActivityInvited, tn.Deputies[0]).Scan(&title, &body, &page); err != nil {
		t.Fatal(err)
	}
	if title != "代表活动邀请" || !strings.Contains(body, "视察《视察老旧小区改造》") || !strings.Contains(body, "2026年06月04日 09:00") ||
		!strings.Contains(body, "雄关区胜利路社区") || !strings.Contains(body, "1件代表建议") || page != activity.MiniProgramPage(act.ID) {
		t.Fatalf("invitation notice: %q %q %q", title, body, page)
	}
	if n, err := b.svc.Invite(ctx, b.reviewer(), act.ID, []int64{tn.Deputies[1], tn.Deputies[2]}); err != nil || n != 1 {
		t.Fatalf("invite: %d, %v", n, err)
	}
	want("invited one more", notify.KindActivityInvited, dep(0, 1, 2))

	// Answers go to the organiser; the same answer twice tells once, a changed one again.
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, true, "准时参加"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, true, "准时参加"); err != nil {
		t.Fatal(err)
	}
	organiser := []string{fmt.Sprintf("user:%d", tn.Reviewer)}
	want("answered", notify.KindActivityAnswered, organiser)
	if err := b.pool.QueryRow(ctx, `SELECT body, page FROM notices WHERE kind = $1`, notify.KindActivityAnswered).Scan(&body, &page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "张建国代表答复将参加") || !strings.Contains(body, "准时参加") || page != "/activities/"+fmt.Sprint(act.ID) {
		t.Fatalf("answer notice: %q %q", body, page)
	}
	if _, err := b.svc.Answer(ctx, b.deputy(1), act.ID, false, "在外地出差"); err != nil {
		t.Fatal(err)
	}
	want("two answers", notify.KindActivityAnswered, append(organiser, organiser...))

	// A new description alone is not worth a push; a new place is, to every invitee.
	cur, _ := b.svc.Get(ctx, b.reviewer(), act.ID)
	in.Description = "补充：请穿便于行走的鞋。"
	if _, err := b.svc.Update(ctx, b.reviewer(), act.ID, cur.Version, in); err != nil {
		t.Fatal(err)
	}
	want("description edited", notify.KindActivityChanged, nil)
	in.Place = "雄关区新华路社区"
	if _, err := b.svc.Update(ctx, b.reviewer(), act.ID, cur.Version+1, in); err != nil {
		t.Fatal(err)
	}
	want("place changed", notify.KindActivityChanged, append(dep(0, 1, 2), unit...))
	got, _ := b.svc.Get(ctx, b.reviewer(), act.ID)
	for _, inv := range got.Invitations {
		if inv.DeputyID == tn.Deputies[0] && inv.Answer != activity.AnswerAccepted {
			t.Fatalf("a new place reset the answer: %+v", inv)
		}
	}

	// A new time resets the answers and says so.
	in.StartsAt = in.StartsAt.Add(24 * time.Hour)
	if _, err := b.svc.Update(ctx, b.reviewer(), act.ID, cur.Version+2, in); err != nil {
		t.Fatal(err)
	}
	want("time changed", notify.KindActivityChanged, slices.Concat(dep(0, 1, 2), dep(0, 1, 2), unit, unit))
	got, _ = b.svc.Get(ctx, b.reviewer(), act.ID)
	for _, inv := range got.Invitations {
		if inv.Answer != activity.AnswerInvited || inv.Note != "" || inv.AnsweredAt != nil {
			t.Fatalf("after a new time the answer is %+v, want a pending invitation", inv)
		}
	}
	if err := b.pool.QueryRow(ctx, `SELECT body FROM notices WHERE kind = $1 AND recipient_kind = 'deputy' AND recipient_id = $2 ORDER BY id DESC LIMIT 1`,
		notify.KindActivityChanged, tn.Deputies[0]).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "活动时间") || !strings.Contains(body, "请重新确认是否参加") || !strings.Contains(body, "2026年06月05日 09:00") {
		t.Fatalf("time change notice: %q", body)
	}

	// Cancelled: every invitee, with the reason.
	if _, err := b.svc.Cancel(ctx, b.reviewer(), act.ID, cur.Version+3, "遇暴雨天气，另行安排"); err != nil {
		t.Fatal(err)
	}
	want("cancelled", notify.KindActivityCancelled, append(dep(0, 1, 2), unit...))
	if err := b.pool.QueryRow(ctx, `SELECT body FROM notices WHERE kind = $1 AND recipient_kind = 'deputy' AND recipient_id = $2`,
		notify.KindActivityCancelled, tn.Deputies[2]).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "已取消") || !strings.Contains(body, "遇暴雨天气，另行安排") {
		t.Fatalf("cancel notice: %q", body)
	}
	// Every notice has its push deliveries queued for the deputies' channels.
	var pending int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE channel = 'mp_subscribe'`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending == 0 {
		t.Fatal("no mini-program push was queued for the deputies")
	}
}

// The list puts upcoming activities first, soonest first, then held and cancelled ones,
// latest first; it filters by kind and by linked suggestion.
func TestListOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	start := b.clock()
	sid := b.suggestion(b.tn, "关于公交线路的建议", false)
	mk := func(title string, kind activity.Kind, in time.Duration, link bool) *activity.Activity {
		i := b.input()
		i.Title, i.Kind, i.StartsAt = title, kind, start.Add(in)
		if link {
			i.SuggestionIDs = []int64{sid}
		}
		return b.create(i)
	}
	mk("一天后", activity.KindForum, 24*time.Hour, false)
	mk("十天后", activity.KindResearch, 240*time.Hour, true)
	mk("两天后", activity.KindForum, 48*time.Hour, false)
	cancelled := mk("五天后取消", activity.KindVisit, 120*time.Hour, false)
	mk("三小时后", activity.KindTraining, 3*time.Hour, true)
	if _, err := b.svc.Cancel(ctx, b.reviewer(), cancelled.ID, cancelled.Version, "改期"); err != nil {
		t.Fatal(err)
	}
	b.set(start.Add(36 * time.Hour)) // 三小时后 and 一天后 are over
	titles := func(f activity.Filter) string {
		t.Helper()
		list, err := b.svc.List(ctx, b.reviewer(), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.Title)
		}
		return strings.Join(out, ",")
	}
	if got, want := titles(activity.Filter{}), "两天后,十天后,五天后取消,一天后,三小时后"; got != want {
		t.Fatalf("order %s, want %s", got, want)
	}
	if got, want := titles(activity.Filter{Kind: activity.KindForum}), "两天后,一天后"; got != want {
		t.Fatalf("forums %s, want %s", got, want)
	}
	if got, want := titles(activity.Filter{SuggestionID: sid}), "十天后,三小时后"; got != want {
		t.Fatalf("linked to the suggestion %s, want %s", got, want)
	}
	list, _ := b.svc.List(ctx, b.reviewer(), activity.Filter{Kind: activity.KindResearch})
	if len(list) != 1 || list[0].Invited != 2 || list[0].Accepted != 0 {
		t.Fatalf("counts: %+v", list)
	}
}
