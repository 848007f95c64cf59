package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

func TestSuperviseListsProblemsInterviews(t *testing.T) {
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲'), (2, 'b', '乙')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on) VALUES (1, 1, 'm', 2026, '2026-01-01', '2026-01-05'), (2, 2, 'm', 2026, '2026-01-01', '2026-01-05')`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三'), (2, 2, '李四')`)
	ex(`INSERT INTO units (tenant_id, id, name) VALUES (1, 1, '住建局'), (1, 2, '交通局'), (2, 3, '别家')`)
	ex(`INSERT INTO users (tenant_id, id, username, display_name) VALUES (1, 7, 'ld', '赵领导')`)
	// 1 overdue key handling; 2 tracking; 3 unsatisfied rehandling; 4 flagged submitted; 5 other tenant overdue.
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, number, is_key, leader_user_id, reply_due_at, content_flag) VALUES
	  (1, 1, 1, 1, '逾期重点', 'b', 'handling', 1, true, 7, now() - interval '2 days', ''),
	  (1, 2, 1, 1, '跟踪', 'b', 'tracking', 2, false, NULL, now() + interval '2 days', ''),
	  (1, 3, 1, 1, '不满意', 'b', 'rehandling', 3, false, NULL, now() + interval '20 days', ''),
	  (1, 4, 1, 1, '待复核', 'b', 'submitted', NULL, false, NULL, NULL, 'review'),
	  (2, 5, 2, 2, '别家逾期', 'b', 'handling', 1, true, NULL, now() - interval '2 days', '')`)
	ex(`INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, state, due_at, return_due_at) VALUES
	  (1, 1, 1, 1, 'lead', 'accepted', now() - interval '2 days', now()), (1, 2, 2, 2, 'lead', 'replied', now(), now()),
	  (1, 3, 3, 1, 'lead', 'accepted', now() + interval '20 days', now()), (2, 4, 5, 3, 'lead', 'accepted', now() - interval '2 days', now())`)
	ex(`INSERT INTO tracking_items (tenant_id, suggestion_id, reason) VALUES (1, 2, '承诺明年完成')`)
	ex(`INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating, reason) VALUES (1, 3, 1, 'reply', 1, 'unsatisfied', '没有解决')`)

	ctx := context.Background()
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), nil)
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	unit2 := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 2, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: 2}
	// 跟踪督办 holds the long-term case (2) and the one its deputy was 不满意 with (3), each
	// with why it is there; 不满意 is the second alone.
	for _, tc := range []struct {
		list   supervise.List
		actor  auth.Actor
		leader int64
		want   []int64
		notes  []string // nil: not checked
	}{
		{supervise.ListKey, rev, 0, []int64{1}, nil},
		{supervise.ListKey, rev, 99, nil, nil},
		{supervise.ListKey, rev, 7, []int64{1}, nil},
		{supervise.ListOverdue, rev, 0, []int64{1}, nil},
		{supervise.ListTracking, rev, 0, []int64{2, 3}, []string{"承诺明年完成", "代表不满意：没有解决"}},
		{supervise.ListUnsatisfied, rev, 0, []int64{3}, []string{"没有解决"}},
		{supervise.ListFlagged, rev, 0, []int64{4}, []string{"review"}},
		{supervise.ListOverdue, unit2, 0, nil, nil},
		{supervise.ListTracking, unit2, 0, []int64{2}, []string{"承诺明年完成"}},
	} {
		got, err := svc.Cases(ctx, tc.actor, tc.list, tc.leader)
		if err != nil {
			t.Fatalf("%s: %v", tc.list, err)
		}
		var ids []int64
		var notes []string
		for _, c := range got {
			ids, notes = append(ids, c.SuggestionID), append(notes, c.Note)
		}
		if !slices.Equal(ids, tc.want) {
			t.Fatalf("%s (unit %d, leader %d): %v, want %v", tc.list, tc.actor.UnitID, tc.leader, ids, tc.want)
		}
		if tc.notes != nil && !slices.Equal(notes, tc.notes) {
			t.Fatalf("%s notes %q, want %q", tc.list, notes, tc.notes)
		}
	}
	if _, err := svc.Cases(ctx, unit2, supervise.ListFlagged, 0); !errors.Is(err, supervise.ErrForbidden) {
		t.Fatalf("unit flagged list: %v", err)
	}
	inbox, err := svc.Inbox(ctx, auth.Actor{TenantID: 1, Kind: auth.KindStaff, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: 1}, supervise.InboxFilter{})
	if err != nil || len(inbox) != 2 || !inbox[0].Overdue || inbox[0].AssignmentID != 1 {
		t.Fatalf("inbox %+v %v", inbox, err)
	}
	if _, err := svc.UnitAssignment(ctx, unit2, 1); !errors.Is(err, supervise.ErrNotFound) {
		t.Fatalf("other unit's assignment: %v", err)
	}
	if sid, err := svc.UnitAssignment(ctx, unit2, 2); err != nil || sid != 2 {
		t.Fatalf("own assignment: %d %v", sid, err)
	}

	// Problem list and interviews with rectification follow-up.
	p := &supervise.ProblemItem{UnitID: 1, SuggestionID: 1, Problem: "逾期未答复", Responsible: "分管副局长"}
	if err := svc.CreateProblemItem(ctx, rev, p); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateProblemItem(ctx, unit2, &supervise.ProblemItem{UnitID: 2, Problem: "x"}); !errors.Is(err, supervise.ErrForbidden) {
		t.Fatalf("unit created a problem item: %v", err)
	}
	if err := svc.CreateProblemItem(ctx, rev, &supervise.ProblemItem{UnitID: 3, Problem: "别家单位"}); !errors.Is(err, supervise.ErrInvalid) {
		t.Fatalf("other tenant's unit: %v", err)
	}
	if err := svc.RecordInterview(ctx, rev, &supervise.Interview{UnitID: 1, ProblemItemID: p.ID, HeldAt: time.Now().Add(-time.Hour), Leader: "赵副主任", Summary: "约谈住建局", FollowUp: "两周内整改"}); err != nil {
		t.Fatal(err)
	}
	items, err := svc.ProblemItems(ctx, rev, 0, "")
	if err != nil || len(items) != 1 || items[0].State != supervise.ProblemRectifying || items[0].Interviews != 1 {
		t.Fatalf("after interview %+v %v", items, err)
	}
	// The unit writes its rectification; another unit cannot see the item.
	if _, err := svc.Rectify(ctx, unit2, p.ID, "已整改", supervise.ProblemRectifying); !errors.Is(err, supervise.ErrNotFound) {
		t.Fatalf("other unit rectified: %v", err)
	}
	unit1 := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 3, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: 1}
	if _, err := svc.Rectify(ctx, unit1, p.ID, "已答复代表并建立台账", supervise.ProblemDone); !errors.Is(err, supervise.ErrForbidden) {
		t.Fatalf("unit closed its own problem: %v", err)
	}
	if _, err := svc.Rectify(ctx, unit1, p.ID, "已答复代表并建立台账", supervise.ProblemRectifying); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.Rectify(ctx, rev, p.ID, "", supervise.ProblemDone); err != nil || got.ClosedAt == nil || got.Rectification != "已答复代表并建立台账" {
		t.Fatalf("close: %+v %v", got, err)
	}
	if ivs, _ := svc.Interviews(ctx, unit2, 0, 0); len(ivs) != 0 {
		t.Fatalf("unit 2 sees unit 1's interviews: %+v", ivs)
	}
	if ds, err := svc.Decisions(ctx, rev); err != nil || len(ds) != 0 {
		t.Fatalf("decisions %+v %v", ds, err)
	}
}

// A unit's 问题清单 holds its own items only, whatever unit it asks for; supervisors see all.
func TestUnitSeesOnlyItsProblemItems(t *testing.T) {
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲')`)
	ex(`INSERT INTO units (tenant_id, id, name) VALUES (1, 1, '住建局'), (1, 2, '交通局')`)
	ctx := context.Background()
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), nil)
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	unit := func(id int64, role auth.Role) auth.Actor {
		return auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 10 + id, Roles: []auth.Role{role}, UnitID: id}
	}
	for _, p := range []*supervise.ProblemItem{{UnitID: 1, Problem: "住建局逾期未答复"}, {UnitID: 2, Problem: "交通局未见面沟通"}} {
		if err := svc.CreateProblemItem(ctx, rev, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		actor auth.Actor
		asked int64
		want  []int64
	}{
		{"reviewer, all", rev, 0, []int64{1, 2}},
		{"reviewer, unit 2", rev, 2, []int64{2}},
		{"unit 1", unit(1, auth.RoleUnitHandler), 0, []int64{1}},
		{"unit 1 asking for unit 2", unit(1, auth.RoleUnitHandler), 2, []int64{1}},
		{"unit 2 leader", unit(2, auth.RoleUnitLeader), 0, []int64{2}},
		{"unit 2 asking for unit 1", unit(2, auth.RoleUnitHandler), 1, []int64{2}},
	} {
		items, err := svc.ProblemItems(ctx, tc.actor, tc.asked, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := map[int64]bool{}
		for _, p := range items {
			got[p.UnitID] = true
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: units %v, want %v", tc.name, got, tc.want)
		}
		for _, u := range tc.want {
			if !got[u] {
				t.Fatalf("%s: units %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

// 三见面未落实 lists the 部门快办 cases answered in the last six months whose lead unit has not
// held 办中征求意见 or 办后回访问效 (not recorded, or disputed by the deputy), saying which; a
// unit sees its own; once both stand, the case leaves the list.
func TestSuperviseContactsList(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on) VALUES (1, 1, 'm', 2026, '2026-01-01', '2026-01-05')`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三')`)
	ex(`INSERT INTO units (tenant_id, id, name) VALUES (1, 1, '住建局'), (1, 2, '交通局')`)
	// 1 fast track, 办前 only; 2 fast track, all three but 办后 disputed; 3 fast track, all held;
	// 4 normal mode, none; 5 fast track still handling; 6 fast track answered a year ago;
	// 7 fast track of unit 2 whose old (re-routed) assignment held them all, the new none;
	// 8 fast track rehandled: its 办后 came after the first round's reply, none after the second.
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, number, mode, replied_at) VALUES
	  (1, 1, 1, 1, '一', 'b', 'replied', 1, 'fast_track', now() - interval '3 days'),
	  (1, 2, 1, 1, '二', 'b', 'closed', 2, 'fast_track', now() - interval '20 days'),
	  (1, 3, 1, 1, '三', 'b', 'closed', 3, 'fast_track', now() - interval '20 days'),
	  (1, 4, 1, 1, '四', 'b', 'replied', 4, 'normal', now() - interval '3 days'),
	  (1, 5, 1, 1, '五', 'b', 'handling', 5, 'fast_track', NULL),
	  (1, 6, 1, 1, '六', 'b', 'closed', 6, 'fast_track', now() - interval '400 days'),
	  (1, 7, 1, 1, '七', 'b', 'replied', 7, 'fast_track', now() - interval '3 days'),
	  (1, 8, 1, 1, '八', 'b', 'replied', 8, 'fast_track', now() - interval '3 days')`)
	ex(`INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, state, active, due_at, return_due_at)
	  SELECT 1, g, g, 1, 'lead', 'replied', true, now(), now() FROM generate_series(1, 6) g`)
	ex(`INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, state, active, due_at, return_due_at) VALUES (1, 9, 8, 1, 'lead', 'replied', true, now(), now())`)
	// The replies, at the cases' reply times (8: two rounds).
	ex(`INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time, replied_at)
	  SELECT 1, s.id, a.id, a.unit_id, 1, 'A', '答复', 3, true, s.replied_at FROM suggestions s
	  JOIN assignments a ON a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active
	  WHERE s.tenant_id = 1 AND s.replied_at IS NOT NULL AND s.id <> 8`)
	ex(`INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time, replied_at) VALUES
	  (1, 8, 9, 1, 1, 'B', '答复', 3, true, now() - interval '30 days'), (1, 8, 9, 1, 2, 'A', '答复', 3, true, now() - interval '3 days')`)
	ex(`INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, state, active, due_at, return_due_at) VALUES
	  (1, 7, 7, 1, 'lead', 'reassigned', false, now(), now()), (1, 8, 7, 2, 'lead', 'replied', true, now(), now())`)
	contactAt := func(asg, sid int, stage, confirmation, ago string) {
		ex(`INSERT INTO contacts (tenant_id, suggestion_id, assignment_id, stage, happened_at, method, people, summary, recorded_by, confirmation)
		  VALUES (1, $1, $2, $3, now() - $5::interval, '电话', '张建国', '沟通', 3, $4)`, sid, asg, stage, confirmation, ago)
	}
	contact := func(asg, sid int, stage, confirmation string) { contactAt(asg, sid, stage, confirmation, "0") }
	contactAt(9, 8, "before", "confirmed", "40 days")
	contactAt(9, 8, "during", "confirmed", "35 days")
	contactAt(9, 8, "after", "confirmed", "25 days")
	contact(1, 1, "before", "confirmed")
	for _, st := range []string{"before", "during"} {
		contact(2, 2, st, "confirmed")
		contact(3, 3, st, "pending")
		contact(7, 7, st, "confirmed")
	}
	contact(2, 2, "after", "disputed")
	contact(3, 3, "after", "confirmed")
	contact(7, 7, "after", "confirmed")

	ctx := context.Background()
	svc := supervise.NewService(postgres.NewSuperviseStore(pool), nil)
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	list := func(a auth.Actor) ([]int64, []string) {
		t.Helper()
		got, err := svc.Cases(ctx, a, supervise.ListContacts, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		var notes []string
		for _, c := range got {
			ids, notes = append(ids, c.SuggestionID), append(notes, c.Note)
		}
		return ids, notes
	}
	ids, notes := list(rev)
	if !slices.Equal(ids, []int64{1, 2, 7, 8}) || !slices.Equal(notes, []string{"未落实：办中征求意见、办后回访问效", "未落实：办后回访问效",
		"未落实：办中征求意见、办后回访问效", "未落实：办后回访问效"}) {
		t.Fatalf("三见面未落实 %v %q", ids, notes)
	}
	unit2 := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 2, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: 2}
	if ids, _ := list(unit2); !slices.Equal(ids, []int64{7}) {
		t.Fatalf("unit 2 sees %v, want its own 7", ids)
	}
	contact(1, 1, "during", "pending")
	contact(1, 1, "after", "pending")
	if ids, _ := list(rev); !slices.Equal(ids, []int64{2, 7, 8}) {
		t.Fatalf("after 1's contacts: %v", ids)
	}
	// A co-unit of 8 does not see the lead unit's gap: it may not record that contact.
	ex(`INSERT INTO assignments (tenant_id, id, suggestion_id, unit_id, role, state, active, due_at, return_due_at) VALUES (1, 10, 8, 2, 'co', 'accepted', true, now(), now())`)
	if ids, _ := list(unit2); !slices.Equal(ids, []int64{7}) {
		t.Fatalf("unit 2 (co-unit of 8) sees %v, want its own lead case 7", ids)
	}
}
