package console_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// A dashboard filter that cannot be applied is named in a Chinese message and no figures are
// shown (a 400 page), rather than the whole tenant's numbers under a filter that looks set;
// the statistics export refuses the same filters instead of writing an unfiltered workbook.
func TestBadStatisticsFiltersAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handleAndReply(b.registerAndAssign())
	rev := b.desk("lingdao")

	for _, tc := range []struct{ query, msg string }{
		{"from=2026-13-01", "提出时间的开始日期“2026-13-01”不是有效日期"},
		{"from=abc", "提出时间的开始日期“abc”不是有效日期"},
		{"to=2026-02-30", "提出时间的结束日期“2026-02-30”不是有效日期"},
		{"from=2026-12-01&to=2026-01-01", "开始日期（2026-12-01）晚于结束日期（2026-01-01）"},
		{"meeting=abc", "会议“abc”不存在"},
		{"meeting=2", "会议“2”不存在"}, // another tenant's meeting
		{"unit=-1", "承办单位“-1”不存在"},
		{"category=3", "类别“3”不存在"},
		{"delegation=0", "代表团“0”不存在"},
	} {
		status, page := rev.c.get("/?" + tc.query)
		if status != http.StatusBadRequest || !strings.Contains(page, `id="filter-error"`) || !strings.Contains(page, tc.msg) {
			t.Fatalf("/?%s: %d, want 400 saying %q:\n%.3000s", tc.query, status, tc.msg, page)
		}
		if strings.Contains(page, `id="kpis"`) || strings.Contains(page, `id="counts"`) || strings.Contains(page, "export-statistics") {
			t.Fatalf("/?%s: figures are shown under a filter that was not applied", tc.query)
		}
		contains(t, page, `id="no-figures"`)

		resp, err := rev.c.hc.Get(rev.c.base + "/exports/statistics.xlsx?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") ||
			!strings.Contains(string(body), "未导出统计表") || !strings.Contains(string(body), tc.msg) {
			t.Fatalf("export ?%s: %d %s, want 400 saying %q:\n%.2000s", tc.query, resp.StatusCode, resp.Header.Get("Content-Type"), tc.msg, body)
		}
	}

	// Good filters still count, and an empty period bound is no filter.
	for _, q := range []string{"from=2026-01-01&to=2026-12-31", "from=&to=&meeting=1", "from=2026-01-01&to=2026-01-01"} {
		status, page := rev.c.get("/?" + q)
		if status != http.StatusOK || !strings.Contains(page, `id="kpis"`) || strings.Contains(page, `id="filter-error"`) {
			t.Fatalf("/?%s: %d %.2000s", q, status, page)
		}
	}
	rev.c.download("/exports/statistics.xlsx?meeting=1&from=2026-01-01&to=2026-12-31")
}
