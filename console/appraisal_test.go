package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"jianyi/console"
	"jianyi/internal/appraisal"
	"jianyi/internal/appraisal/appraisaltest"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// setupAppraisal is setupProblems (住建局's leader "zhujian_ld" 7, coordinator "ducha" 8, a
// 住建局 handler who left, 9) with the console wired as cmd/jianyi wires 专题测评: the
// appraisal service over the real statistics, publishing notices on a real Redis queue.
func setupAppraisal(t *testing.T) *bundle {
	t.Helper()
	b := setupProblems(t)
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	pub := notify.NewPublisher(postgres.NewNotifyStore(b.pool), queue, nil, nil)
	svc := appraisal.NewService(postgres.NewAppraisalStore(b.pool), stats.NewService(postgres.NewStatsStore(b.pool), nil), nil).WithNotices(pub, nil)
	b.remount(nil, console.WithAppraisals(svc))
	return b
}

// seedRatings takes suggestions of meeting 1 through the workflow and adds 市教育局 (101,
// a government department with one assignment):
//
//	住建局 (1) leads A 满意 (co 交通局), B 不满意, E 基本满意: 3 suggestions, 3 rated, 满意率 2/3 = 66.7%
//	交通局 (2) co-handles A and leads C (满意, 落实不满意) and D (基本满意, 落实满意): 3, 满意率
//	2/2 = 100.0%, 落实率 1/2 = 50.0%
//	市教育局 (101) leads F (assigned only): 1
//
// In all 满意率 4/5 = 80.0%, 落实率 1/2 = 50.0%; rated 不满意: B (住建局) and C (交通局).
func (b *bundle) seedRatings() (bad, implBad int64) {
	b.t.Helper()
	b.exec(`INSERT INTO units (tenant_id, id, name) VALUES (1, 101, '市教育局')`)
	b.exec(`INSERT INTO users (tenant_id, id, username, display_name, password_hash, unit_id) VALUES (1, 110, 'jiaoyu', '教育局 黄经办', $1, 101)`, passwordHash(b.t))
	b.exec(`INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 110, 'unit_handler')`)
	walk := func(title string, lead, handler, co int64, o appraisaltest.Outcome) int64 {
		return appraisaltest.Walk(b.t, b.sugg, appraisaltest.Case{TenantID: 1, ReviewerID: 1, DeputyID: 1, CategoryID: 1,
			LeadUnit: lead, LeadHandler: handler, CoUnit: co, Title: title}, o)
	}
	walk("关于老旧小区加装电梯的建议", 1, 3, 2, appraisaltest.Outcome{Reply: suggestion.Satisfied})
	bad = walk("关于雨污分流改造的建议", 1, 3, 0, appraisaltest.Outcome{Reply: suggestion.Unsatisfied})
	implBad = walk("关于校园周边交通安全的建议", 2, 4, 0, appraisaltest.Outcome{Reply: suggestion.Satisfied, Commit: true, Impl: suggestion.Unsatisfied})
	walk("关于优化公交线路的建议", 2, 4, 0, appraisaltest.Outcome{Reply: suggestion.BasicallySatisfied, Commit: true, Impl: suggestion.Satisfied})
	walk("关于规范物业收费的建议", 1, 3, 0, appraisaltest.Outcome{Reply: suggestion.BasicallySatisfied})
	walk("关于增加学位供给的建议", 101, 110, 0, appraisaltest.Outcome{})
	return bad, implBad
}

// appraisalTables is everything the appraisal pages could write.
func (b *bundle) appraisalTables() string {
	b.t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT string_agg(concat_ws('/', id, meeting_id, unit_id, session, held_on, satisfied, basic, unsatisfied, version), ';' ORDER BY id) FROM appraisal_hearings),
		(SELECT string_agg(concat_ws('/', meeting_id, opinion, sent_on, version), ';' ORDER BY 1) FROM appraisal_feedbacks),
		(SELECT count(*) FROM appraisal_events), (SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

var rankingRow = regexp.MustCompile(`<tr data-unit="(\d+)"( class="suggested")?>`)

// The meeting's page ranks the units by the suggestions they handle with the two busiest
// government departments marked; choosing one for a hearing and recording the vote tells
// its active staff; a stale correction is refused and the page keeps the recorded result.
func TestAppraisalHearingJourney(t *testing.T) {
	t.Parallel()
	b := setupAppraisal(t)
	b.seedRatings()
	d := b.desk("shencha")

	status, page := d.c.get("/appraisal/meetings/1")
	if status != http.StatusOK {
		t.Fatalf("meeting page: %d %.300s", status, page)
	}
	ranking := page[strings.Index(page, `id="ranking"`):strings.Index(page, `id="hearings"`)]
	var rows []string
	for _, m := range rankingRow.FindAllStringSubmatch(ranking, -1) {
		rows = append(rows, m[1]+m[2])
	}
	if want := []string{`1 class="suggested"`, `2 class="suggested"`, "101"}; !slices.Equal(rows, want) {
		t.Fatalf("ranking rows %q, want %q", rows, want)
	}
	if n := strings.Count(ranking, `<span class="tag ok">建议选取</span>`); n != 2 {
		t.Fatalf("%d units marked 建议选取, want 2", n)
	}

	loc := d.ok("hearing", "/appraisal/meetings/1/hearings", url.Values{"unit": {"1"}, "session": {"市十届人大常委会第二十次会议"}, "held_on": {"2026-01-05"}})
	if loc != "/appraisal/meetings/1" {
		t.Fatalf("hearing went to %s", loc)
	}
	wantTold(t, "chosen", b.told(notify.KindHearingChosen), "user:3", "user:7")
	hid := b.count(`SELECT id::int FROM appraisal_hearings WHERE tenant_id = 1 AND unit_id = 1`)
	votePath := "/appraisal/meetings/1/hearings/" + itoa(hid) + "/vote"
	d.ok("vote", votePath, url.Values{"version": {"1"}, "satisfied": {"30"}, "basic": {"12"}, "unsatisfied": {"3"}})
	wantTold(t, "voted", b.told(notify.KindHearingVoted), "user:3", "user:7")
	_, body, _, _ := b.notice(notify.KindHearingVoted, 7)
	contains(t, body, "满意率93.3%")

	before := b.appraisalTables()
	d.refused("stale correction", votePath, url.Values{"version": {"1"}, "satisfied": {"20"}, "basic": {"12"}, "unsatisfied": {"13"}},
		"/appraisal/meetings/1", "记录已被他人修改")
	if after := b.appraisalTables(); after != before {
		t.Fatalf("a stale correction wrote:\n%s\n%s", before, after)
	}
	d.ok("correction", votePath, url.Values{"version": {"2"}, "satisfied": {"29"}, "basic": {"12"}, "unsatisfied": {"4"}})
	_, page = d.c.get("/appraisal/meetings/1")
	contains(t, page, `满意率 <b class="rate">91.1%</b>`)
	contains(t, page, "更正满意度测评结果")
	if n := len(b.told(notify.KindHearingVoted)); n != 4 {
		t.Fatalf("the correction told %d notices in all, want 4", n)
	}

	// 住建局's own page shows its hearing and result.
	_, unitPage := b.desk("zhujian").c.get("/appraisal/unit?meeting=1")
	contains(t, unitPage, "市十届人大常委会第二十次会议")
	contains(t, unitPage, "91.1%")
}

// Bad input on the appraisal forms gets a Chinese message and writes nothing; other
// tenants' ids are not found; unit staff and committees cannot reach the pages.
func TestAppraisalRefusals(t *testing.T) {
	t.Parallel()
	b := setupAppraisal(t)
	d := b.desk("shencha")
	d.ok("hearing", "/appraisal/meetings/1/hearings", url.Values{"unit": {"1"}, "session": {"第二十次会议"}, "held_on": {"2026-01-05"}})
	hid := itoa(b.count(`SELECT id::int FROM appraisal_hearings WHERE tenant_id = 1`))
	votePath := "/appraisal/meetings/1/hearings/" + hid + "/vote"
	vote := func(s, ba, u string) url.Values {
		return url.Values{"version": {"1"}, "satisfied": {s}, "basic": {ba}, "unsatisfied": {u}}
	}
	back := "/appraisal/meetings/1"
	before := b.appraisalTables()
	for _, tc := range []struct {
		name, path string
		form       url.Values
		msg        string
	}{
		{"negative", votePath, vote("30", "-1", "0"), "票数不能为负数"},
		{"zero total", votePath, vote("0", "0", "0"), "合计须大于0"},
		{"empty", votePath, vote("", "", ""), "合计须大于0"},
		{"too many", votePath, vote("1001", "0", "0"), "不能超过1000票"},
		{"too many in all", votePath, vote("600", "300", "101"), "不能超过1000票"},
		{"not a number", votePath, vote("三十", "0", "0"), "满意票数请填写整数"},
		{"a fraction", votePath, vote("30", "1.5", "0"), "基本满意票数请填写整数"},
		{"a huge number", votePath, vote("30", "0", "99999999999999999999"), "不满意票数请填写整数"},
		{"no version", votePath, url.Values{"satisfied": {"30"}}, "页面版本信息缺失"},
		{"another tenant's unit", "/appraisal/meetings/1/hearings", url.Values{"unit": {"3"}, "session": {"第二十次会议"}, "held_on": {"2026-01-05"}}, "所选单位不存在或已停用"},
		{"the same unit again", "/appraisal/meetings/1/hearings", url.Values{"unit": {"1"}, "session": {"第二十一次会议"}, "held_on": {"2026-01-06"}}, "已确定作专题工作报告"},
		{"no unit", "/appraisal/meetings/1/hearings", url.Values{"session": {"第二十次会议"}, "held_on": {"2026-01-05"}}, "请选择作专题工作报告的单位"},
		{"a unit that is no id", "/appraisal/meetings/1/hearings", url.Values{"unit": {"x"}, "session": {"第二十次会议"}, "held_on": {"2026-01-05"}}, "作专题工作报告的单位不正确"},
		{"a bad date", "/appraisal/meetings/1/hearings", url.Values{"unit": {"2"}, "session": {"第二十次会议"}, "held_on": {"2026-02-30"}}, "会议日期不是有效日期"},
		{"year 1999", "/appraisal/meetings/1/hearings", url.Values{"unit": {"2"}, "session": {"第二十次会议"}, "held_on": {"1999-12-31"}}, "会议日期须在2000年至2100年之间"},
		{"a control character", "/appraisal/meetings/1/hearings", url.Values{"unit": {"2"}, "session": {"第二十次\x07会议"}, "held_on": {"2026-01-05"}}, "无法识别的字符"},
		{"a session too long", "/appraisal/meetings/1/hearings", url.Values{"unit": {"2"}, "session": {strings.Repeat("会", 61)}, "held_on": {"2026-01-05"}}, "不能超过60个字"},
	} {
		d.refused(tc.name, tc.path, tc.form, back, tc.msg)
	}
	d.refused("opinion with a control character", "/appraisal/meetings/1/opinion", url.Values{"version": {"0"}, "opinion": {"意见\x01"}},
		"/appraisal/meetings/1/feedback", "无法识别的字符")
	d.refused("opinion without version", "/appraisal/meetings/1/opinion", url.Values{"opinion": {"意见"}},
		"/appraisal/meetings/1/feedback", "页面版本信息缺失")
	d.refused("send a bad date", "/appraisal/meetings/1/send", url.Values{"version": {"1"}, "sent_on": {"明天"}},
		"/appraisal/meetings/1/feedback", "反馈日期不是有效日期")
	// Another tenant's meeting (2), and a hearing of this one under another meeting's path.
	for _, path := range []string{"/appraisal/meetings/2/hearings", "/appraisal/meetings/2/opinion", "/appraisal/meetings/2/send",
		"/appraisal/meetings/2/hearings/" + hid + "/vote"} {
		if status, _ := d.post(path, url.Values{"version": {"1"}, "unit": {"1"}, "session": {"会议"}, "held_on": {"2026-01-05"},
			"satisfied": {"3"}, "opinion": {"意见"}, "sent_on": {"2026-01-05"}}); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, status)
		}
	}
	for _, path := range []string{"/appraisal/meetings/2", "/appraisal/meetings/2/feedback", "/appraisal/meetings/2/feedback.xlsx"} {
		if status, _ := d.c.get(path); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
	// Unit staff reach their own page only.
	for _, who := range []string{"zhujian", "zhujian_ld"} {
		u := b.desk(who)
		for _, path := range []string{"/appraisal", "/appraisal/meetings/1", "/appraisal/meetings/1/feedback", "/appraisal/meetings/1/feedback.xlsx"} {
			if status, _ := u.c.get(path); status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", who, path, status)
			}
		}
		if status, _ := u.post(votePath, vote("1", "0", "0")); status != http.StatusNotFound {
			t.Errorf("%s voted: %d", who, status)
		}
		if status, _ := u.post("/appraisal/meetings/1/opinion", url.Values{"version": {"0"}, "opinion": {"单位写的意见"}}); status != http.StatusNotFound {
			t.Errorf("%s wrote the opinion: %d", who, status)
		}
		if status, _ := u.c.get("/appraisal/unit"); status != http.StatusOK {
			t.Errorf("%s's own page: %d", who, status)
		}
	}
	if status, _ := d.c.get("/appraisal/unit"); status != http.StatusNotFound {
		t.Errorf("a reviewer's unit page: %d", status)
	}
	if after := b.appraisalTables(); after != before {
		t.Fatalf("refusals wrote:\n%s\n%s", before, after)
	}
	// A leader (常委会领导) may run it.
	if status, _ := b.desk("lingdao").c.get("/appraisal/meetings/1"); status != http.StatusOK {
		t.Fatalf("leader: %d", status)
	}
}

// The feedback page and its workbook carry the 双测评 figures per lead unit as computed by
// hand from the seeded ratings, and the suggestions rated 不满意. Sending needs the 审议意见,
// tells 住建局's and 交通局's active staff once, links them to their page, and a second send
// tells nobody; the opinion corrected afterwards is marked.
func TestAppraisalFeedbackSendAndExport(t *testing.T) {
	t.Parallel()
	b := setupAppraisal(t)
	bad, implBad := b.seedRatings()
	d := b.desk("shencha")
	feedback := "/appraisal/meetings/1/feedback"

	_, page := d.c.get(feedback)
	ratingRow := func(page, unit string) string {
		t.Helper()
		i := strings.Index(page, `<tr data-unit="`+unit+`">`)
		if i < 0 {
			t.Fatalf("no 双测评 row of %s", unit)
		}
		row := page[i:]
		return row[:strings.Index(row, "</tr>")]
	}
	for unit, want := range map[string][]string{
		"1":     {`<td class="sat">66.7%</td>`, `<td class="impl">—</td>`},
		"2":     {`<td class="sat">100.0%</td>`, `<td class="impl">50.0%</td>`},
		"total": {`<td class="sat"><b>80.0%</b></td>`, `<td class="impl"><b>50.0%</b></td>`},
	} {
		row := ratingRow(page, unit)
		for _, w := range want {
			if !strings.Contains(row, w) {
				t.Errorf("unit %s row lacks %s:\n%s", unit, w, row)
			}
		}
	}
	contains(t, page, `<b id="case-count">2</b>`)
	contains(t, page, `data-case="`+itoa(int(bad))+`"`)
	contains(t, page, `data-case="`+itoa(int(implBad))+`"`)

	d.refused("send before the opinion", "/appraisal/meetings/1/send", url.Values{"version": {"1"}, "sent_on": {"2026-01-20"}}, feedback, "请先录入常委会审议意见")
	d.ok("opinion", "/appraisal/meetings/1/opinion", url.Values{"version": {"0"}, "opinion": {"一、办理工作总体较好。\n二、对测评不满意的建议要逐件回头看。"}})
	d.refused("a second desk's first opinion", "/appraisal/meetings/1/opinion", url.Values{"version": {"0"}, "opinion": {"另一份"}}, feedback, "记录已被他人修改")
	if n := len(b.told(notify.KindReviewBackDue)); n != 0 {
		t.Fatalf("%d review-back notices before sending", n)
	}
	d.ok("send", "/appraisal/meetings/1/send", url.Values{"version": {"1"}, "sent_on": {"2026-01-20"}})
	_, page = d.c.get(feedback)
	contains(t, page, "已通知2个承办单位对2件测评不满意的建议开展回头看")
	contains(t, page, "已于 2026-01-20 反馈市政府")
	// 住建局: handler 3 and leader 7 (not 9, who left); 交通局: handler 4; 市教育局 has none.
	wantTold(t, "review back", b.told(notify.KindReviewBackDue), "user:3", "user:4", "user:7")
	_, body, link, _ := b.notice(notify.KindReviewBackDue, 7)
	contains(t, body, "1件建议")
	if link != "/appraisal/unit?meeting=1" {
		t.Fatalf("notice links to %s", link)
	}
	d.ok("send again", "/appraisal/meetings/1/send", url.Values{"version": {"2"}, "sent_on": {"2026-01-21"}})
	_, page = d.c.get(feedback)
	contains(t, page, "未重复通知")
	contains(t, page, "已于 2026-01-20 反馈市政府")
	wantTold(t, "review back after a second send", b.told(notify.KindReviewBackDue), "user:3", "user:4", "user:7")

	// What 交通局 sees from the notice: its one suggestion, not 住建局's.
	_, unitPage := b.desk("jiaotong").c.get(link)
	contains(t, unitPage, `data-case="`+itoa(int(implBad))+`"`)
	if strings.Contains(unitPage, `data-case="`+itoa(int(bad))+`"`) {
		t.Fatal("交通局 sees 住建局's suggestion")
	}

	if strings.Contains(page, `id="changed-after-send"`) {
		t.Fatal("marked changed before any change")
	}
	d.ok("correct the opinion", "/appraisal/meetings/1/opinion", url.Values{"version": {"2"}, "opinion": {"一、办理工作总体较好。（更正）"}})
	_, page = d.c.get(feedback)
	contains(t, page, `id="changed-after-send"`)

	x := d.c.download("/appraisal/meetings/1/feedback.xlsx")
	sheets := sheets(t, x)
	find := func(sheet, first string) []string {
		t.Helper()
		for _, r := range sheets[sheet] {
			if len(r) > 1 && r[1] == first {
				return r
			}
		}
		t.Fatalf("sheet %s has no row %s: %v", sheet, first, sheets[sheet])
		return nil
	}
	if got := find("双测评结果", "市住房和城乡建设局"); !slices.Equal(got[4:], []string{"3", "1", "1", "1", "0", "66.7%", "0", "0", "0", "0", "—"}) {
		t.Errorf("住建局 in the workbook: %q", got)
	}
	if got := find("双测评结果", "市交通运输局"); !slices.Equal(got[4:], []string{"2", "1", "1", "0", "0", "100.0%", "2", "1", "0", "1", "50.0%"}) {
		t.Errorf("交通局 in the workbook: %q", got)
	}
	if got := find("双测评结果", "合计"); got[9] != "80.0%" || got[14] != "50.0%" {
		t.Errorf("totals in the workbook: %q", got)
	}
	if n := len(sheets["不满意建议"]) - 1; n != 2 {
		t.Errorf("%d 不满意 rows in the workbook, want 2", n)
	}
	if got := find("不满意建议", "第0003号"); got[5] != "满意" || got[6] != "不满意" || got[4] != "市交通运输局" {
		t.Errorf("the implementation-unsatisfied row: %q", got)
	}
	opinion := sheets["审议意见"]
	if !strings.Contains(opinion[2][1], "（更正）") || !strings.HasPrefix(opinion[3][1], "2026-01-20") || !strings.Contains(opinion[4][1], "反馈后") {
		t.Errorf("the opinion sheet: %q", opinion)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
