package console_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheets reads every sheet of a workbook as rows of cells.
func sheets(t *testing.T, body []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return out
}

// cellAfter finds the row whose first cell is label and returns its second cell.
func cellAfter(rows [][]string, label string) string {
	for _, r := range rows {
		if len(r) > 1 && r[0] == label {
			return r[1]
		}
	}
	return "<none>"
}

// 办理情况统计表: the dashboard a leader reads, as a workbook for the annual report — the totals
// with every rate's numerator and denominator, the unit ranking with 落实率, the trend — and
// limited to what the reader may see. The dashboard links to it with its filters.
func TestStatisticsExport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handleAndReply(b.registerAndAssign()) // tenant 1: one suggestion, replied B, rated 满意

	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	_, page := rev.get("/?meeting=1&unit=1")
	contains(t, page, `href="/exports/statistics.xlsx?meeting=1&amp;unit=1"`)
	contains(t, page, "<th>落实率</th>")

	book := sheets(t, rev.download("/exports/statistics.xlsx?meeting=1"))
	total, units, trend := book["总体情况"], book["承办单位"], book["月度趋势"]
	if total == nil || units == nil || trend == nil {
		t.Fatalf("sheets: %v", book)
	}
	for label, want := range map[string]string{"提出建议": "1", "交办": "1", "答复": "1", "B类答复": "1", "满意": "1",
		"答复率": "100.0%", "满意率": "100.0%", "解决率": "0.0%", "落实率": "—", "统计范围": "市十届人大五次会议"} {
		if got := cellAfter(total, label); got != want {
			t.Errorf("总体情况 %s = %q, want %q", label, got, want)
		}
	}
	if strings.Join(units[0], ",") != "序号,承办单位,交办,答复,按期答复,答复率,按期答复率,满意率,解决率,落实率,办结,逾期未答复,不满意,未反馈" {
		t.Fatalf("unit sheet header: %v", units[0])
	}
	var housing []string
	for _, r := range units[1:] {
		if len(r) > 1 && r[1] == "市住房和城乡建设局" {
			housing = r
		}
		if len(r) > 1 && strings.Contains(r[1], "别家") {
			t.Fatalf("another tenant's unit in the ranking: %v", r)
		}
	}
	if len(housing) < 10 || housing[2] != "1" || housing[3] != "1" || housing[7] != "100.0%" {
		t.Fatalf("housing bureau row: %v", housing)
	}
	if len(trend) < 2 {
		t.Fatalf("trend: %v", trend)
	}

	// A unit's handler gets its own unit only.
	unit := b.client()
	unit.login("jyg", "jiaotong", testPassword)
	ub := sheets(t, unit.download("/exports/statistics.xlsx?unit=1"))
	if len(ub["承办单位"]) != 2 || ub["承办单位"][1][1] != "市交通运输局" {
		t.Fatalf("a unit's export ranks %v, want its own unit only", ub["承办单位"])
	}
	if got := cellAfter(ub["总体情况"], "统计范围"); got != "承办单位：市交通运输局" {
		t.Fatalf("a unit's export says it covers %q (it asked for unit 1 but counts its own)", got)
	}
	// A committee counts its categories and says so.
	b.addStaff(62, "gongwei", []string{"committee"}, 2)
	cm := b.client()
	cm.login("jyg", "gongwei", testPassword)
	cb := sheets(t, cm.download("/exports/statistics.xlsx"))
	if got := cellAfter(cb["总体情况"], "统计范围"); got != "类别：交通运输" {
		t.Fatalf("a committee's export says it covers %q", got)
	}
	if got := cellAfter(cb["总体情况"], "提出建议"); got != "0" {
		t.Fatalf("the transport committee's export counts %s suggestions, want 0 (the case is 城乡建设)", got)
	}
	if got := cellAfter(ub["总体情况"], "提出建议"); got != "0" {
		t.Fatalf("transport bureau's export counts %s suggestions, want 0 (the case is the housing bureau's)", got)
	}
}
