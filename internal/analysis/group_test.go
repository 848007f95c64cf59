package analysis_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"jianyi/internal/analysis"
	"jianyi/internal/apperr"
	"jianyi/internal/auth"
)

func item(id int64, number int, title, category, unit string, unsatisfied bool, deputies ...int64) analysis.Item {
	return analysis.Item{SuggestionID: id, Number: number, Title: title, Category: category, LeadUnit: unit, Unsatisfied: unsatisfied, Deputies: deputies}
}

func ids(t analysis.Topic) []int64 {
	var out []int64
	for _, it := range t.Items {
		out = append(out, it.SuggestionID)
	}
	return out
}

// Suggestions that are all alike each other form a topic; lone suggestions are not topics; the topic raised by the most deputies comes first, then the
// larger one; each topic sums its deputies once, its categories, lead units and 不满意.
func TestGroup(t *testing.T) {
	t.Parallel()
	items := []analysis.Item{
		item(1, 3, "雄关路路灯损坏夜间出行不便", "城乡建设", "住建局", true, 10, 11),
		item(2, 1, "雄关路路灯不亮", "城乡建设", "住建局", false, 11),
		item(3, 2, "修复雄关路路灯", "交通运输", "交通局", true, 12),
		item(4, 4, "增加学校学位", "教育", "教育局", false, 20),
		item(5, 5, "中小学学位不足", "教育", "教育局", false, 21),
		item(6, 6, "学位供给紧张", "教育", "", false, 22),
		item(7, 7, "规范物业收费", "城乡建设", "住建局", false, 10),
		item(8, 0, "扩建学校", "教育", "教育局", false, 20),
	}
	pairs := []analysis.Pair{{1, 2, 0.5}, {2, 3, 0.6}, {1, 3, 0.45}, {4, 5, 0.5}, {6, 5, 0.5}, {8, 4, 0.5}, {4, 6, 0.4},
		{5, 8, 0.4}, {6, 8, 0.4}, {99, 7, 0.9}}
	got := analysis.Group(items, pairs)
	if len(got) != 2 {
		t.Fatalf("%d topics, want 2: %+v", len(got), got)
	}
	school, lights := got[0], got[1]
	if want := []int64{4, 5, 6, 8}; !slices.Equal(ids(school), want) {
		t.Fatalf("first topic %v, want the schools %v (3 deputies, 4 suggestions) with the unnumbered last", ids(school), want)
	}
	if school.Deputies != 3 || school.Label != "扩建学校" || !slices.Equal(school.LeadUnits, []string{"教育局"}) || school.Unsatisfied != 0 {
		t.Fatalf("schools %+v", school)
	}
	if want := []int64{2, 3, 1}; !slices.Equal(ids(lights), want) {
		t.Fatalf("second topic %v, want the street lights by number %v", ids(lights), want)
	}
	if lights.Deputies != 3 || lights.Unsatisfied != 2 || lights.Label != "雄关路路灯不亮" ||
		!slices.Equal(lights.Categories, []string{"城乡建设", "交通运输"}) || !slices.Equal(lights.LeadUnits, []string{"住建局", "交通局"}) {
		t.Fatalf("lights %+v", lights)
	}

	// Same deputies: the larger topic first.
	two := analysis.Group([]analysis.Item{item(1, 1, "甲甲", "", "", false, 1), item(2, 2, "甲乙", "", "", false, 1),
		item(3, 3, "丙丙", "", "", false, 1), item(4, 4, "丙丁", "", "", false, 1), item(5, 5, "丙戊", "", "", false, 1)},
		[]analysis.Pair{{1, 2, 0.5}, {3, 4, 0.5}, {4, 5, 0.5}, {3, 5, 0.5}})
	if len(two) != 2 || len(two[0].Items) != 3 || len(two[1].Items) != 2 {
		t.Fatalf("by size: %+v", two)
	}
	// A suggestion alike to two matters does not chain them: 2 shares the road with 1 and the
	// subject with 3, 1 and 3 share nothing. The more alike pair makes the topic; 1 stays alone.
	chain := analysis.Group([]analysis.Item{item(1, 1, "新华北路交通拥堵", "", "", false, 1), item(2, 2, "新华北路绿化带养护", "", "", false, 2),
		item(3, 3, "绿化带养护管理", "", "", false, 3)}, []analysis.Pair{{1, 2, 0.4}, {2, 3, 0.62}})
	if len(chain) != 1 || !slices.Equal(ids(chain[0]), []int64{2, 3}) {
		t.Fatalf("chained topics: %+v", chain)
	}
	if none := analysis.Group(items[:1], nil); len(none) != 0 {
		t.Fatalf("a lone suggestion made a topic: %+v", none)
	}
}

// refuseStore fails the test if the service writes after refusing.
type refuseStore struct {
	analysis.Store
	t *testing.T
}

func (s refuseStore) InsertReport(context.Context, int64, analysis.ReportInput, int64) (int64, error) {
	s.t.Fatal("a refused report reached the store")
	return 0, nil
}

// Bad report input is refused with a stable code before anything is stored; only reviewers,
// leaders and admins record reports.
func TestReportInputRefused(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	svc := analysis.NewService(refuseStore{t: t}, func() time.Time { return now })
	rev := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	title201 := strings.Repeat("字", 201)
	for _, tc := range []struct {
		name string
		in   analysis.ReportInput
		code string
	}{
		{"no title", analysis.ReportInput{Title: "  ", ReportOn: day}, "title_required"},
		{"long title", analysis.ReportInput{Title: title201, ReportOn: day}, "title_too_long"},
		{"title with a line break", analysis.ReportInput{Title: "路灯\n调研", ReportOn: day}, "bad_text"},
		{"no date", analysis.ReportInput{Title: "路灯调研"}, "date_required"},
		{"future date", analysis.ReportInput{Title: "路灯调研", ReportOn: now.AddDate(0, 0, 2)}, "date_in_future"},
		{"bad id", analysis.ReportInput{Title: "路灯调研", ReportOn: day, SuggestionIDs: []int64{3, -1}}, "bad_suggestions"},
	} {
		_, err := svc.RecordReport(context.Background(), rev, tc.in)
		if !errors.Is(err, apperr.ErrInvalid) || apperr.CodeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	coord := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 2, Roles: []auth.Role{auth.RoleCoordinator}}
	if _, err := svc.RecordReport(context.Background(), coord, analysis.ReportInput{Title: "路灯调研", ReportOn: day}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("coordinator recorded a report: %v", err)
	}
	if !analysis.CanRead(coord) || analysis.CanRead(auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 3, UnitID: 1, Roles: []auth.Role{auth.RoleUnitHandler}}) {
		t.Fatal("reading: a coordinator may, a unit handler may not")
	}
}
