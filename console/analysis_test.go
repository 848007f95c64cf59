package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"jianyi/console"
	"jianyi/internal/analysis"
	"jianyi/internal/appraisal/appraisaltest"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
)

// setupAnalysis is setup with the console wired as cmd/jianyi wires 建议集中分析 and 调研报告,
// plus a coordinator "ducha" (8) and a third deputy of the tenant, 王新 (5).
func setupAnalysis(t *testing.T) *bundle {
	t.Helper()
	b := setup(t)
	b.exec(`INSERT INTO users (tenant_id, id, username, display_name, password_hash) VALUES (1, 8, 'ducha', '督查室 周督查', $1)`, passwordHash(t))
	b.exec(`INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 8, 'coordinator')`)
	b.exec(`INSERT INTO deputies (tenant_id, id, name, delegation_id) VALUES (1, 5, '王新', 1)`)
	svc := analysis.NewService(postgres.NewAnalysisStore(b.pool), nil)
	b.remount(func(cfg *console.Config) { cfg.Analysis = svc })
	return b
}

// walkCase takes a suggestion of meeting 1 through registration and assignment to unit
// (its handler handler), led by deputy, and on to the lead deputy's reply rating when
// rating is not "".
func (b *bundle) walkCase(title string, deputy, unit, handler int64, rating suggestion.Rating) int64 {
	b.t.Helper()
	return appraisaltest.Walk(b.t, b.sugg, appraisaltest.Case{TenantID: 1, ReviewerID: 1, DeputyID: deputy, CategoryID: 1,
		LeadUnit: unit, LeadHandler: handler, Title: title}, appraisaltest.Outcome{Reply: rating})
}

var topicRow = regexp.MustCompile(`(?s)<tr class="topic">.*?</tr>`)

func sid(id int64) string { return "/suggestions/" + strconv.FormatInt(id, 10) + `"` }

// Two suggestions about the street lights of one road are one topic, raised by three
// deputies (a co-signer counted once), with its lead units and the one rated 不满意; one about
// the school on that road is not in it (nor any topic); two about school places are a second
// topic, after it (one deputy); one not yet registered is in none.
func TestAnalysisGroupsStreetLights(t *testing.T) {
	t.Parallel()
	b := setupAnalysis(t)
	lightsA := b.walkCase("关于雄关路路灯损坏的建议", 1, 1, 3, suggestion.Unsatisfied)
	lightsB := b.walkCase("雄关路路灯不亮影响夜间出行", 2, 2, 4, "")
	schoolA := b.walkCase("关于增加城区学校学位的建议", 1, 1, 3, "")
	schoolB := b.walkCase("城区学校学位紧张", 1, 1, 3, "")
	// About a school on the same road: it shares the road's name with the street lights, not the matter.
	lone := b.walkCase("关于雄关路小学门前交通拥堵的建议", 2, 1, 3, "")
	b.exec(`INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES (1, $1, 2, 'accepted'), (1, $2, 5, 'accepted')`, lightsA, lightsB)

	d := b.desk("shencha")
	status, page := d.c.get("/analysis")
	if status != http.StatusOK {
		t.Fatalf("/analysis: %d %.400s", status, page)
	}
	contains(t, page, `<a href="/analysis" class="active">建议集中分析</a>`)
	contains(t, page, "比对了已立案的建议 5 件，归为 2 个议题")
	if strings.Contains(page, `id="capped"`) {
		t.Fatal("a meeting of 5 suggestions is said to be capped")
	}
	rows := topicRow.FindAllString(page, -1)
	if len(rows) != 2 {
		t.Fatalf("%d topics, want 2:\n%.3000s", len(rows), page)
	}
	lights, schools := rows[0], rows[1]
	for _, want := range []string{sid(lightsA), sid(lightsB), "<td>2</td><td>3</td>", "市住房和城乡建设局", "市交通运输局", `<span class="tag bad">1</span>`,
		"<b>关于雄关路路灯损坏的建议</b>"} {
		if !strings.Contains(lights, want) {
			t.Fatalf("the street-light topic lacks %q:\n%s", want, lights)
		}
	}
	for _, id := range []int64{schoolA, schoolB, lone, b.sid} {
		if strings.Contains(lights, sid(id)) {
			t.Fatalf("suggestion %d is in the street-light topic:\n%s", id, lights)
		}
	}
	if !strings.Contains(schools, sid(schoolA)) || !strings.Contains(schools, sid(schoolB)) || !strings.Contains(schools, "<td>2</td><td>1</td>") {
		t.Fatalf("the school topic:\n%s", schools)
	}
	if strings.Contains(page, sid(lone)) || strings.Contains(page, sid(b.sid)) {
		t.Fatal("a lone or unregistered suggestion is listed")
	}
	// A topic offers its suggestions to a new report.
	contains(t, lights, `/analysis/reports?covers=`+strconv.FormatInt(lightsA, 10)+`,`+strconv.FormatInt(lightsB, 10))

	// Leaders and coordinators read it too; another meeting has nothing to group.
	for _, who := range []string{"lingdao", "ducha"} {
		if status, page := b.desk(who).c.get("/analysis"); status != http.StatusOK || len(topicRow.FindAllString(page, -1)) != 2 {
			t.Fatalf("%s: %d", who, status)
		}
	}
	b.exec(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on) VALUES (1, 7, '市十届人大四次会议', 2025, '2025-01-10', '2025-01-14')`)
	_, page = d.c.get("/analysis?meeting=7")
	contains(t, page, `<option value="7" selected>市十届人大四次会议</option>`)
	contains(t, page, "本次会议没有相近的建议")
	if status, _ := d.c.get("/analysis?meeting=2"); status != http.StatusNotFound {
		t.Fatalf("another tenant's meeting: %d", status)
	}
}

// Unit staff cannot open the analysis or the reports, nor post a report, and are not offered
// the link; a coordinator reads the reports but is offered no form and cannot post one.
func TestAnalysisHiddenFromUnits(t *testing.T) {
	t.Parallel()
	b := setupAnalysis(t)
	u := b.desk("zhujian")
	for _, p := range []string{"/analysis", "/analysis/reports"} {
		if status, _ := u.c.get(p); status != http.StatusNotFound {
			t.Fatalf("unit handler %s: %d, want 404", p, status)
		}
	}
	if status, _ := u.post("/analysis/reports", url.Values{"title": {"路灯调研"}, "report_on": {"2026-03-01"}}); status != http.StatusNotFound {
		t.Fatalf("unit handler posted a report: %d", status)
	}
	if _, home := u.c.get("/"); strings.Contains(home, `href="/analysis"`) {
		t.Fatal("a unit handler is offered 建议集中分析")
	}
	co := b.desk("ducha")
	status, page := co.c.get("/analysis/reports")
	if status != http.StatusOK || strings.Contains(page, `id="report-form"`) {
		t.Fatalf("coordinator reports page: %d, form offered %v", status, strings.Contains(page, `id="report-form"`))
	}
	if status, _ := co.post("/analysis/reports", url.Values{"title": {"路灯调研"}, "report_on": {"2026-03-01"}}); status != http.StatusNotFound {
		t.Fatalf("coordinator posted a report: %d", status)
	}
	if n := b.count(`SELECT count(*)::int FROM research_reports`); n != 0 {
		t.Fatalf("refused posts wrote %d reports", n)
	}
}

var reportRowRe = regexp.MustCompile(`<tr data-report="(\d+)">`)

func reportIDs(page string) []string {
	var out []string
	for _, m := range reportRowRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func wantCounts(t *testing.T, page string, reports, adopted int) {
	t.Helper()
	want := `<div class="v">` + strconv.Itoa(reports) + `</div><div class="l">调研报告</div></div>
<div class="kpi"><div class="v">` + strconv.Itoa(adopted) + `</div><div class="l">转化为市委市政府举措</div>`
	if !strings.Contains(page, want) {
		t.Fatalf("counts: want %d reports, %d adopted:\n%.1500s", reports, adopted, page)
	}
}

// A reviewer records a report on a topic's suggestions, lists it newest first with its
// suggestions linked, edits and deletes it; the counts at the top follow; a stale edit is
// refused with the form as typed.
func TestResearchReportJourney(t *testing.T) {
	t.Parallel()
	b := setupAnalysis(t)
	lightsA := b.walkCase("关于雄关路路灯损坏的建议", 1, 1, 3, "")
	lightsB := b.walkCase("雄关路路灯不亮影响夜间出行", 2, 2, 4, "")
	d := b.desk("shencha")
	covers := strconv.FormatInt(lightsA, 10) + "," + strconv.FormatInt(lightsB, 10)
	_, page := d.c.get("/analysis/reports?covers=" + covers)
	contains(t, page, `name="suggestions" value="`+strconv.FormatInt(lightsA, 10)+", "+strconv.FormatInt(lightsB, 10)+`"`)
	wantCounts(t, page, 0, 0)

	loc := d.ok("record", "/analysis/reports", url.Values{"title": {"城区道路照明专题调研报告"}, "report_on": {"2026-03-01"},
		"summary": {"雄关路等路段路灯损坏较多"}, "outcome": {"纳入城市照明三年提升行动"}, "adopted": {"1"},
		"suggestions": {strconv.FormatInt(lightsA, 10) + "， " + strconv.FormatInt(lightsB, 10)}})
	if loc != "/analysis/reports" {
		t.Fatalf("recorded, sent to %s", loc)
	}
	d.ok("record second", "/analysis/reports", url.Values{"title": {"老旧小区物业管理调研"}, "report_on": {"2026-05-10"}, "adopted": {"0"}})
	_, page = d.c.get("/analysis/reports")
	wantCounts(t, page, 2, 1)
	ids := reportIDs(page)
	if len(ids) != 2 {
		t.Fatalf("reports listed %v", ids)
	}
	second, first := ids[0], ids[1] // newest (by report date) first
	row := page[strings.Index(page, `<tr data-report="`+first+`">`):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"城区道路照明专题调研报告", "2026-03-01", "纳入城市照明三年提升行动", `<span class="tag ok">已转化</span>`,
		sid(lightsA), sid(lightsB), "关于雄关路路灯损坏的建议"} {
		if !strings.Contains(row, want) {
			t.Fatalf("the first report's row lacks %q:\n%s", want, row)
		}
	}
	_, overview := d.c.get("/analysis")
	contains(t, overview, "调研报告 <b>2</b> 篇，其中转化为市委市政府举措 <b>1</b> 篇")

	// Edit: no longer adopted, one suggestion fewer.
	d.ok("edit", "/analysis/reports/"+first+"/edit", url.Values{"version": {"1"}, "title": {"城区道路照明专题调研报告（修订）"},
		"report_on": {"2026-03-01"}, "adopted": {"0"}, "suggestions": {strconv.FormatInt(lightsB, 10)}})
	_, page = d.c.get("/analysis/reports")
	wantCounts(t, page, 2, 0)
	contains(t, page, "城区道路照明专题调研报告（修订）")
	if n := b.count(`SELECT count(*)::int FROM research_report_suggestions WHERE report_id = $1`, first); n != 1 {
		t.Fatalf("%d suggestions linked after the edit, want 1", n)
	}

	// A stale edit: refused, shown again as typed, nothing changed.
	status, _, body := d.c.post("/analysis/reports/"+first+"/edit", url.Values{"csrf": {d.tok}, "version": {"1"}, "title": {"过期页面上的修改"},
		"report_on": {"2026-03-01"}, "adopted": {"1"}})
	if status != http.StatusConflict {
		t.Fatalf("stale edit: %d", status)
	}
	contains(t, body, "调研报告已被他人修改，请刷新页面后重试")
	contains(t, body, `value="过期页面上的修改"`)
	contains(t, body, `<details class="edit" open>`)
	if n := b.count(`SELECT count(*)::int FROM research_reports WHERE adopted OR title = '过期页面上的修改'`); n != 0 {
		t.Fatal("a stale edit wrote")
	}

	// Delete.
	d.ok("delete", "/analysis/reports/"+first+"/delete", url.Values{"version": {"2"}})
	_, page = d.c.get("/analysis/reports")
	wantCounts(t, page, 1, 0)
	if got := reportIDs(page); len(got) != 1 || got[0] != second {
		t.Fatalf("after delete %v, want only %s", got, second)
	}
	if n := b.count(`SELECT count(*)::int FROM research_report_suggestions`); n != 0 {
		t.Fatalf("the deleted report left %d links", n)
	}
	// The leader may delete too; a second delete of the same report is not found.
	l := b.desk("lingdao")
	l.ok("leader deletes", "/analysis/reports/"+second+"/delete", url.Values{"version": {"1"}})
	if status, _ := l.post("/analysis/reports/"+second+"/delete", url.Values{"version": {"1"}}); status != http.StatusNotFound {
		t.Fatalf("deleting a deleted report: %d", status)
	}
}

// Bad report input gets a Chinese message with the form as typed and writes nothing: another
// tenant's suggestion, an unknown one, a malformed id list, no title, a title too long, no
// date; the form needs its CSRF token.
func TestResearchReportRefusals(t *testing.T) {
	t.Parallel()
	b := setupAnalysis(t)
	mine := b.walkCase("关于雄关路路灯损坏的建议", 1, 1, 3, "")
	d := b.desk("shencha")
	tables := func() string {
		var s string
		if err := b.pool.QueryRow(context.Background(), `SELECT concat_ws('|', (SELECT count(*) FROM research_reports),
			(SELECT count(*) FROM research_report_suggestions))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := tables()
	form := func(title, day, ids string) url.Values {
		return url.Values{"title": {title}, "report_on": {day}, "summary": {"摘要照录"}, "adopted": {"1"}, "suggestions": {ids}}
	}
	other := strconv.FormatInt(b.otherS, 10)
	for _, tc := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"another tenant's suggestion", form("路灯调研", "2026-03-01", strconv.FormatInt(mine, 10)+","+other), "以下系统ID不是本常委会的建议，请核对后重新填写：" + other},
		{"unknown suggestion", form("路灯调研", "2026-03-01", "999999"), "以下系统ID不是本常委会的建议，请核对后重新填写：999999"},
		{"malformed ids", form("路灯调研", "2026-03-01", "12a"), "关联建议应填写系统ID（数字），多个用逗号分隔"},
		{"no title", form("  ", "2026-03-01", ""), "请填写报告标题"},
		{"title too long", form(strings.Repeat("路", 201), "2026-03-01", ""), "报告标题不能超过200个字"},
		{"no date", form("路灯调研", "", ""), "请填写报告日期"},
		{"bad date", form("路灯调研", "2026-02-30", ""), "报告日期不是有效日期"},
		{"201 suggestions", form("路灯调研", "2026-03-01", idList(1, 201)), "一份调研报告最多关联200件建议"},
		// 100,000 ids: refused before they are read, not typed back into the form.
		{"a huge id list", form("路灯调研", "2026-03-01", idList(1, 100000)), "一份调研报告最多关联200件建议"},
	} {
		tc.form.Set("csrf", d.tok)
		status, _, body := d.c.post("/analysis/reports", tc.form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d, want 422", tc.name, status)
		}
		contains(t, body, tc.msg)
		contains(t, body, `<textarea name="summary" rows="3">摘要照录</textarea>`)
		if tc.name == "a huge id list" && len(body) > 100<<10 {
			t.Fatalf("the refused form sent %d bytes back", len(body))
		}
		if tc.name == "another tenant's suggestion" {
			contains(t, body, `value="路灯调研"`)
			contains(t, body, `value="`+strconv.FormatInt(mine, 10)+","+other+`"`)
		}
		if after := tables(); after != before {
			t.Fatalf("%s wrote: %s → %s", tc.name, before, after)
		}
	}
	// Text no one types (a control character) is refused before the handler, back on the
	// reports page, not the dashboard.
	status, loc, _ := d.c.post("/analysis/reports", url.Values{"csrf": {d.tok}, "title": {"a\x01b"}, "report_on": {"2026-03-01"}})
	if status != http.StatusSeeOther || loc != "/analysis/reports" {
		t.Fatalf("control character: %d → %q, want back to /analysis/reports", status, loc)
	}
	// A meeting that is not an id is refused, not quietly replaced by the current one.
	for _, q := range []string{"abc", "-1", "1.5"} {
		if status, page := d.c.get("/analysis?meeting=" + q); status != http.StatusBadRequest || !strings.Contains(page, "会议参数不正确") {
			t.Fatalf("meeting=%s: %d", q, status)
		}
	}
	// Without the form token nothing is recorded.
	status, _, _ = d.c.post("/analysis/reports", form("路灯调研", "2026-03-01", ""))
	if status == http.StatusSeeOther {
		t.Fatal("a report without the CSRF token was recorded")
	}
	if after := tables(); after != before {
		t.Fatalf("a post without the token wrote: %s → %s", before, after)
	}
	// Editing to link another tenant's suggestion is refused the same way.
	d.ok("record", "/analysis/reports", form("路灯调研", "2026-03-01", strconv.FormatInt(mine, 10)))
	id := b.count(`SELECT max(id)::int FROM research_reports`)
	ef := form("路灯调研", "2026-03-01", other)
	ef.Set("version", "1")
	d.refused("edit linking another tenant's", "/analysis/reports/"+strconv.Itoa(id)+"/edit", ef, "/analysis/reports", "以下系统ID不是本常委会的建议")
	if n := b.count(`SELECT count(*)::int FROM research_report_suggestions WHERE suggestion_id = $1`, b.otherS); n != 0 {
		t.Fatal("another tenant's suggestion was linked")
	}
	// Another tenant's reviewer does not find the report.
	oc := b.client()
	tok := oc.login("other", "shencha", testPassword)
	if status, _, _ := oc.post("/analysis/reports/"+strconv.Itoa(id)+"/delete", url.Values{"csrf": {tok}, "version": {"1"}}); status != http.StatusNotFound {
		t.Fatalf("another tenant deleted the report: %d", status)
	}
	if b.count(`SELECT count(*)::int FROM research_reports`) != 1 {
		t.Fatal("the report is gone")
	}
}

// A meeting with more registered suggestions than are compared says so on the page.
func TestAnalysisSaysWhenCapped(t *testing.T) {
	t.Parallel()
	b := setupAnalysis(t)
	// One-character titles have no bigram: nothing to pair, so the comparison stays cheap.
	b.exec(`INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number, category_id)
		SELECT 1, 1, 1, '路', 'b', 'registered', n, 1 FROM generate_series(1, $1::int) AS n`, analysis.MaxSuggestions+1)
	_, page := b.desk("shencha").c.get("/analysis")
	contains(t, page, `id="capped"`)
	contains(t, page, "本次会议已立案的建议超过 2000 件，只比对了最早提出的 2000 件")
	contains(t, page, "比对了已立案的建议 2000 件")
}

// idList is "from,from+1,…,to".
func idList(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		if i > from {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

// A reports list that stops at analysis.MaxReportsShow says how many it shows of how many.
func TestResearchReportsSayWhenCapped(t *testing.T) {
	t.Parallel()
	b := setupAnalysis(t)
	b.exec(`INSERT INTO research_reports (tenant_id, title, report_on, created_by, updated_by)
		SELECT 1, '调研报告' || n, DATE '2026-01-01' + n % 300, 1, 1 FROM generate_series(1, $1::int) AS n`, analysis.MaxReportsShow+1)
	_, page := b.desk("shencha").c.get("/analysis/reports")
	contains(t, page, `<p class="muted" id="reports-capped">列出最新的500份调研报告（共501份）。</p>`)
}
