package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"jianyi/internal/analysis"
	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// The meeting's registered suggestions about one road's street lights form a topic with the
// facts it sums; one about schools, one that shares only the place name, one not registered
// yet, another meeting's and another tenant's stay out of it.
func TestAnalysisGroupsAlikeSuggestions(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲'), (2, 'b', '乙')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES
		(1, 1, '五次会议', 2026, '2026-01-01', '2026-01-05', true), (1, 2, '四次会议', 2025, '2025-01-01', '2025-01-05', false),
		(2, 3, '别家', 2026, '2026-01-01', '2026-01-05', true)`)
	ex(`INSERT INTO categories (tenant_id, id, name) VALUES (1, 1, '城乡建设'), (1, 2, '教育')`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三'), (1, 2, '李四'), (1, 3, '王五'), (2, 4, '别家')`)
	ex(`INSERT INTO units (tenant_id, id, name) VALUES (1, 1, '住建局')`)
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, number, category_id) VALUES
	  (1, 1, 1, 1, '关于雄关路路灯损坏的建议', 'b', 'replied', 1, 1),
	  (1, 2, 1, 3, '雄关路路灯不亮影响夜间出行', 'b', 'registered', 2, 1),
	  (1, 3, 1, 1, '关于增加学校学位的建议', 'b', 'registered', 3, 2),
	  (1, 4, 1, 2, '关于雄关广场绿化养护的建议', 'b', 'registered', 4, 1),
	  (1, 5, 1, 2, '雄关路路灯维修', 'b', 'submitted', NULL, NULL),
	  (1, 6, 2, 2, '雄关路路灯修复', 'b', 'closed', 1, 1),
	  (2, 7, 3, 4, '雄关路路灯坏了', 'b', 'registered', 1, NULL)`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 8, '赵六')`)
	// 赵六's duplicate was merged into 2 (并案): its author counts among the topic's deputies.
	ex(`INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES (1, 1, 2, 'accepted'), (1, 2, 1, 'declined'), (1, 2, 8, 'merged')`)
	ex(`INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at) VALUES (1, 1, 1, 'lead', 'replied', now(), now())`)
	ex(`INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating) VALUES (1, 1, 1, 'reply', 1, 'unsatisfied')`)

	ctx := context.Background()
	svc := analysis.NewService(postgres.NewAnalysisStore(pool), nil)
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	o, err := svc.Overview(ctx, rev, 0)
	if err != nil {
		t.Fatal(err)
	}
	if o.Meeting.ID != 1 || o.Considered != 4 || o.Capped {
		t.Fatalf("meeting %d, considered %d capped %v; want the current meeting's 4 registered", o.Meeting.ID, o.Considered, o.Capped)
	}
	if len(o.Topics) != 1 {
		t.Fatalf("%d topics, want the street lights alone: %+v", len(o.Topics), o.Topics)
	}
	tp := o.Topics[0]
	var ids []int64
	for _, it := range tp.Items {
		ids = append(ids, it.SuggestionID)
	}
	if !slices.Equal(ids, []int64{1, 2}) {
		t.Fatalf("topic %v, want the two street-light suggestions", ids)
	}
	// 张三 leads 1 with 李四 co-signing; 王五 leads 2 (张三 declined to co-sign it), 赵六's merged into it.
	if tp.Deputies != 4 || tp.Unsatisfied != 1 || !slices.Equal(tp.LeadUnits, []string{"住建局"}) ||
		!slices.Equal(tp.Categories, []string{"城乡建设"}) || tp.Label != "关于雄关路路灯损坏的建议" {
		t.Fatalf("topic %+v", tp)
	}
	// The other meeting has one registered suggestion: nothing to group.
	if o, err = svc.Overview(ctx, rev, 2); err != nil || len(o.Topics) != 0 || o.Considered != 1 {
		t.Fatalf("meeting 2: %+v %v", o, err)
	}
	// Another tenant's meeting is not found.
	if _, err := svc.Overview(ctx, rev, 3); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another tenant's meeting: %v", err)
	}
}

// A report covers only the tenant's suggestions: another tenant's id is refused with nothing
// written; a stale edit or delete is a conflict; the counts follow.
func TestAnalysisReports(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲'), (2, 'b', '乙')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES (1, 1, 'm', 2026, '2026-01-01', '2026-01-05', true), (2, 2, 'm', 2026, '2026-01-01', '2026-01-05', true)`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三'), (2, 2, '别家')`)
	ex(`INSERT INTO users (tenant_id, id, username, display_name) VALUES (1, 1, 'rev', '审查')`)
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, number) VALUES
	  (1, 1, 1, 1, '路灯', 'b', 'registered', 1), (1, 2, 1, 1, '路灯二', 'b', 'closed', 2), (1, 3, 1, 1, '草稿', 'b', 'draft', NULL),
	  (2, 4, 2, 2, '别家', 'b', 'registered', 1)`)
	ctx := context.Background()
	svc := analysis.NewService(postgres.NewAnalysisStore(pool), nil)
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	in := analysis.ReportInput{Title: "城区路灯专题调研", ReportOn: day, Outcome: "纳入城市照明三年行动", Adopted: true, SuggestionIDs: []int64{2, 1, 2}}

	for _, bad := range [][]int64{{1, 4}, {3}, {99}} {
		bi := in
		bi.SuggestionIDs = bad
		_, err := svc.RecordReport(ctx, rev, bi)
		if apperr.CodeOf(err) != "suggestion_not_found" {
			t.Fatalf("linking %v: %v", bad, err)
		}
	}
	if n := pgtest.Count(t, pool, `SELECT (SELECT count(*) FROM research_reports) + (SELECT count(*) FROM research_report_suggestions)`); n != 0 {
		t.Fatalf("refused reports wrote %d rows", n)
	}
	id, err := svc.RecordReport(ctx, rev, in)
	if err != nil {
		t.Fatal(err)
	}
	// report reads report id back from the list the page shows.
	report := func(a auth.Actor) (analysis.Report, bool) {
		t.Helper()
		rs, _, err := svc.Reports(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.ID == id {
				return r, true
			}
		}
		return analysis.Report{}, false
	}
	r, ok := report(rev)
	if !ok || len(r.Suggestions) != 2 || r.Suggestions[0].ID != 1 || !r.ReportOn.Equal(day) || r.Version != 1 {
		t.Fatalf("report %+v (listed: %v)", r, ok)
	}
	if _, c, err := svc.Reports(ctx, rev); err != nil || c != (analysis.Counts{Reports: 1, Adopted: 1}) {
		t.Fatalf("counts %+v %v", c, err)
	}
	other := auth.Actor{TenantID: 2, Kind: auth.KindStaff, ID: 9, Roles: []auth.Role{auth.RoleReviewer}}
	if _, ok := report(other); ok {
		t.Fatal("another tenant read the report")
	}
	in.Adopted, in.SuggestionIDs = false, []int64{2}
	if err := svc.EditReport(ctx, rev, id, 1, in); err != nil {
		t.Fatal(err)
	}
	if err := svc.EditReport(ctx, rev, id, 1, in); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	in.SuggestionIDs = []int64{4}
	if err := svc.EditReport(ctx, rev, id, 2, in); apperr.CodeOf(err) != "suggestion_not_found" {
		t.Fatalf("edit linking another tenant's: %v", err)
	}
	if r, _ = report(rev); r.Version != 2 || len(r.Suggestions) != 1 || r.Suggestions[0].ID != 2 || r.Adopted {
		t.Fatalf("after edits %+v", r)
	}
	if err := svc.DeleteReport(ctx, other, id, 2); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another tenant deleted: %v", err)
	}
	if err := svc.DeleteReport(ctx, rev, id, 2); err != nil {
		t.Fatal(err)
	}
	if n := pgtest.Count(t, pool, `SELECT (SELECT count(*) FROM research_reports) + (SELECT count(*) FROM research_report_suggestions)`); n != 0 {
		t.Fatalf("delete left %d rows", n)
	}
}

// A suggestion alike to two matters does not chain them into one topic: 新华北路绿化带养护
// shares the road with 新华北路交通拥堵 (Dice 0.40) and the matter with 绿化带养护管理 (0.57);
// the traffic jam stays out of the 绿化 topic and its figures.
func TestAnalysisDoesNotChainMatters(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES (1, 1, '五次会议', 2026, '2026-01-01', '2026-01-05', true)`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三'), (1, 2, '李四'), (1, 3, '王五')`)
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, number) VALUES
	  (1, 1, 1, 1, '关于新华北路交通拥堵的建议', 'b', 'registered', 1),
	  (1, 2, 1, 2, '关于新华北路绿化带养护的建议', 'b', 'registered', 2),
	  (1, 3, 1, 3, '关于绿化带养护管理的建议', 'b', 'registered', 3)`)
	svc := analysis.NewService(postgres.NewAnalysisStore(pool), nil)
	o, err := svc.Overview(context.Background(), auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Topics) != 1 {
		t.Fatalf("%d topics, want one: %+v", len(o.Topics), o.Topics)
	}
	var ids []int64
	for _, it := range o.Topics[0].Items {
		ids = append(ids, it.SuggestionID)
	}
	if !slices.Equal(ids, []int64{2, 3}) || o.Topics[0].Deputies != 2 {
		t.Fatalf("topic %v of %d deputies, want the 绿化带 suggestions 2 and 3 of 2", ids, o.Topics[0].Deputies)
	}
}
