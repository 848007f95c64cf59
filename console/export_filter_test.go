package console_test

import (
	"net/http"
	"strings"
	"testing"
)

// A hand-edited export address whose meeting or unit is not one of the reader's choices
// (not an id, another tenant's, gone) is refused with the reason, like the statistics
// export: never a workbook of every meeting's or every unit's rows that the reader takes
// for the one they asked for.
func TestListExportsRefuseUnknownFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handleAndReply(b.registerAndAssign())
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	for _, tc := range []struct{ path, want string }{
		{"/exports/deputy-opinions.xlsx?meeting=abc", "会议“abc”不存在"},
		{"/exports/deputy-opinions.xlsx?meeting=2", "会议“2”不存在"}, // the other tenant's meeting
		{"/exports/deputy-opinions.xlsx?meeting=-1", "会议“-1”不存在"},
		{"/exports/unit-assignments.xlsx?meeting=1x", "会议“1x”不存在"},
		{"/exports/unit-assignments.xlsx?unit=3", "承办单位“3”不存在"}, // the other tenant's unit
		{"/exports/unit-assignments.xlsx?unit=%E4%BD%8F%E5%BB%BA", "承办单位“住建”不存在"},
	} {
		resp, body := c.getResp(tc.path)
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("%s: %d %s, want the 400 page", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		contains(t, string(body), "未导出清单")
		contains(t, string(body), tc.want)
	}
	// The tenant's own meeting and unit still export their rows.
	if rows := readSheet(t, c.download("/exports/deputy-opinions.xlsx?meeting=1")); len(rows) != 2 {
		t.Fatalf("deputy list of meeting 1: %d rows", len(rows))
	}
	if rows := readSheet(t, c.download("/exports/unit-assignments.xlsx?meeting=1&unit=1")); len(rows) != 2 {
		t.Fatalf("unit list of unit 1: %d rows", len(rows))
	}
}
