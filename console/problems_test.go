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
	"time"

	"jianyi/console"
	"jianyi/internal/notify"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// setupProblems is setup with the console wired as cmd/jianyi wires it for 问题清单 and 约谈:
// the supervise service publishes notices (on a real Redis queue). It adds 住建局's leader
// "zhujian_ld" (7), a coordinator "ducha" (8) and a 住建局 handler who left (9, inactive).
func setupProblems(t *testing.T) *bundle {
	t.Helper()
	b := setup(t)
	h := passwordHash(t)
	for _, u := range []struct {
		id       int64
		username string
		name     string
		unit     *int64
		role     string
		active   bool
	}{
		{7, "zhujian_ld", "住建局 孙局长", ptr(1), "unit_leader", true},
		{8, "ducha", "督查室 周督查", nil, "coordinator", true},
		{9, "zhujian_old", "住建局 已调离", ptr(1), "unit_handler", false},
	} {
		b.exec(`INSERT INTO users (tenant_id, id, username, display_name, password_hash, unit_id, active) VALUES (1, $1, $2, $3, $4, $5, $6)`,
			u.id, u.username, u.name, h, u.unit, u.active)
		b.exec(`INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, $1, $2)`, u.id, u.role)
	}
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	sup := supervise.NewService(postgres.NewSuperviseStore(b.pool), nil).
		WithNotices(notify.NewPublisher(postgres.NewNotifyStore(b.pool), queue, nil, nil), nil)
	b.remount(func(cfg *console.Config) { cfg.Supervise = sup })
	return b
}

// problemTables is everything posting to /problems, /problems/:id/rectify and /interviews
// could write, so a refused post can be seen to write nothing.
func (b *bundle) problemTables() string {
	b.t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT string_agg(concat_ws('/', id, unit_id, state, rectification, closed_at), ';' ORDER BY id) FROM problem_items),
		(SELECT count(*) FROM interviews), (SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// told lists who got notices of kind, as "user:<id>", each once per notice.
func (b *bundle) told(kind string) []string {
	b.t.Helper()
	return pgtest.Told(b.t, b.pool, 1, kind)
}

// notice is the latest notice of kind to a user, with the channels its deliveries use.
func (b *bundle) notice(kind string, user int64) (title, body, page, channels string) {
	b.t.Helper()
	err := b.pool.QueryRow(context.Background(), `SELECT n.title, n.body, n.page,
		(SELECT string_agg(d.channel || '=' || d.status, ',' ORDER BY d.seq) FROM deliveries d WHERE d.tenant_id = n.tenant_id AND d.notice_id = n.id)
		FROM notices n WHERE n.tenant_id = 1 AND n.kind = $1 AND n.recipient_kind = 'user' AND n.recipient_id = $2
		ORDER BY n.id DESC LIMIT 1`, kind, user).Scan(&title, &body, &page, &channels)
	if err != nil {
		b.t.Fatalf("no %s notice to user %d: %v", kind, user, err)
	}
	return
}

func (b *bundle) lastProblem() int64 {
	return int64(b.count(`SELECT COALESCE(max(id), 0)::int FROM problem_items`))
}

func wantTold(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s told %v, want %v", what, got, want)
	}
}

// post posts form with the desk's token and returns the status and where it was sent.
func (d *desk) post(path string, form url.Values) (int, string) {
	d.t.Helper()
	form.Set("csrf", d.tok)
	status, loc, _ := d.c.post(path, form)
	return status, loc
}

// Recording a problem against a unit is for supervisors only, and tells that unit's staff
// (handlers and leader, in the inbox and on the official account) with the 整改时限.
func TestProblemItemTellsTheUnitsStaff(t *testing.T) {
	t.Parallel()
	b := setupProblems(t)
	form := func() url.Values {
		return url.Values{"unit": {"1"}, "problem": {"老旧小区物业监管不到位，代表反映的问题长期未解决"}, "responsible": {"分管副局长"}, "due_on": {"2099-07-15"}}
	}
	before := b.problemTables()
	for _, who := range []string{"zhujian", "zhujian_ld", "jiaotong"} {
		if status, _ := b.desk(who).post("/problems", form()); status != http.StatusNotFound {
			t.Fatalf("%s recorded a problem: %d", who, status)
		}
	}
	if after := b.problemTables(); after != before {
		t.Fatalf("a unit's refused post wrote:\n%s\n%s", before, after)
	}

	if status, loc := b.desk("ducha").post("/problems", form()); status != http.StatusSeeOther || loc != "/problems" {
		t.Fatalf("coordinator: %d %s", status, loc)
	}
	wantTold(t, "a problem of 住建局", b.told(notify.KindProblemRecorded), "user:3", "user:7")
	title, body, page, channels := b.notice(notify.KindProblemRecorded, 3)
	if title != "本单位被列入问题清单" || !strings.Contains(body, "老旧小区物业监管不到位") || !strings.Contains(body, "整改时限：2099年07月15日") || page != "/problems" {
		t.Fatalf("notice %q %q %q", title, body, page)
	}
	if channels != "inapp=sent,oa_staff=pending" {
		t.Fatalf("deliveries %s, want the inbox and an official-account push", channels)
	}
	if _, inbox := b.desk("zhujian_ld").c.get("/inbox"); !strings.Contains(inbox, "整改时限：2099年07月15日") {
		t.Fatalf("the unit leader's inbox lacks the problem:\n%.1500s", inbox)
	}

	// Without a 整改时限 the notice says to rectify promptly; only the unit concerned hears.
	if status, _ := b.desk("shencha").post("/problems", url.Values{"unit": {"2"}, "problem": {"答复敷衍"}}); status != http.StatusSeeOther {
		t.Fatalf("reviewer: %d", status)
	}
	wantTold(t, "a problem of each unit", b.told(notify.KindProblemRecorded), "user:3", "user:4", "user:7")
	if _, body, _, _ := b.notice(notify.KindProblemRecorded, 4); strings.Contains(body, "整改时限") || !strings.Contains(body, "请及时整改") {
		t.Fatalf("notice without a due date: %q", body)
	}
}

// A unit reports rectification of its own item only; the report tells the reviewers and
// coordinators, once per report.
func TestRectificationReportTellsTheSupervisors(t *testing.T) {
	t.Parallel()
	b := setupProblems(t)
	rev := b.desk("shencha")
	if status, _ := rev.post("/problems", url.Values{"unit": {"1"}, "problem": {"物业收费不透明"}, "due_on": {"2099-07-15"}}); status != http.StatusSeeOther {
		t.Fatalf("reviewer: %d", status)
	}
	path := "/problems/" + strconv.FormatInt(b.lastProblem(), 10) + "/rectify"
	report := func(text string) url.Values { return url.Values{"state": {"rectifying"}, "rectification": {text}} }

	before := b.problemTables()
	if status, _ := b.desk("jiaotong").post(path, report("别家单位代报")); status != http.StatusNotFound {
		t.Fatalf("another unit's report: %d", status)
	}
	b.desk("zhujian").refused("the unit closing its own item", path, url.Values{"state": {"done"}, "rectification": {"已整改"}}, "/problems", "您没有权限进行此操作")
	if after := b.problemTables(); after != before {
		t.Fatalf("refused reports wrote:\n%s\n%s", before, after)
	}

	unit := b.desk("zhujian")
	if status, loc := unit.post(path, report("已公开收费标准并建立台账")); status != http.StatusSeeOther || loc != "/problems" {
		t.Fatalf("unit report: %d %s", status, loc)
	}
	// Reviewers (1; 2 is admin and reviewer) and the coordinator; not the leader, not the unit.
	wantTold(t, "a report", b.told(notify.KindRectificationReported), "user:1", "user:2", "user:8")
	title, body, page, _ := b.notice(notify.KindRectificationReported, 8)
	if title != "单位报送整改情况" || !strings.Contains(body, "市住房和城乡建设局") || !strings.Contains(body, "已公开收费标准并建立台账") || page != "/problems" {
		t.Fatalf("notice %q %q %q", title, body, page)
	}
	// The same report again (a double click) tells nobody twice; a new report tells again.
	unit.post(path, report("已公开收费标准并建立台账"))
	wantTold(t, "a repeated report", b.told(notify.KindRectificationReported), "user:1", "user:2", "user:8")
	unit.post(path, report("已完成全部小区收费公示"))
	wantTold(t, "a second report", b.told(notify.KindRectificationReported), "user:1", "user:1", "user:2", "user:2", "user:8", "user:8")
	// Sent back (退回重新整改), the same report made again is a new round: told again.
	if status, _ := rev.post(path, url.Values{"state": {"open"}}); status != http.StatusSeeOther {
		t.Fatalf("reviewer sending back: %d", status)
	}
	unit.post(path, report("已完成全部小区收费公示"))
	if n := len(b.told(notify.KindRectificationReported)); n != 9 {
		t.Fatalf("a report after 退回 told %d, want 3 more", n-6)
	}
	// A supervisor closing the item is not a unit's report.
	if status, _ := rev.post(path, url.Values{"state": {"done"}}); status != http.StatusSeeOther {
		t.Fatalf("reviewer closing: %d", status)
	}
	if n := len(b.told(notify.KindRectificationReported)); n != 9 {
		t.Fatalf("closing told %d", n-9)
	}
}

// Recording an interview is for supervisors only, and tells the interviewed unit's staff,
// with the 整改时限 of the problem it is about.
func TestInterviewTellsTheUnitsStaff(t *testing.T) {
	t.Parallel()
	b := setupProblems(t)
	admin := b.desk("admin")
	if status, _ := admin.post("/problems", url.Values{"unit": {"1"}, "problem": {"物业收费不透明"}, "due_on": {"2099-08-01"}}); status != http.StatusSeeOther {
		t.Fatalf("admin: %d", status)
	}
	pid := strconv.FormatInt(b.lastProblem(), 10)
	held := time.Now().In(shanghaiTZ()).Add(-time.Hour).Format("2006-01-02T15:04")
	form := func(unit, problem string) url.Values {
		return url.Values{"unit": {unit}, "problem": {problem}, "held_at": {held}, "leader": {"赵副主任"}, "summary": {"约谈住建局主要负责人"}, "follow_up": {"两周内完成整改"}}
	}

	before := b.problemTables()
	for _, who := range []string{"zhujian", "jiaotong"} {
		if status, _ := b.desk(who).post("/interviews", form("1", pid)); status != http.StatusNotFound {
			t.Fatalf("%s recorded an interview: %d", who, status)
		}
	}
	admin.refused("interview about another unit's problem", "/interviews", form("2", pid), "/problems", "问题清单与约谈单位不一致")
	if after := b.problemTables(); after != before {
		t.Fatalf("refused interviews wrote:\n%s\n%s", before, after)
	}

	if status, loc := admin.post("/interviews", form("1", pid)); status != http.StatusSeeOther || loc != "/problems#interviews" {
		t.Fatalf("admin: %d %s", status, loc)
	}
	wantTold(t, "an interview of 住建局", b.told(notify.KindInterviewed), "user:3", "user:7")
	title, body, page, channels := b.notice(notify.KindInterviewed, 7)
	if title != "本单位被约谈" || !strings.Contains(body, "赵副主任约谈了本单位") || !strings.Contains(body, "两周内完成整改") ||
		!strings.Contains(body, "整改时限：2099年08月01日") || page != "/problems" || channels != "inapp=sent,oa_staff=pending" {
		t.Fatalf("notice %q %q %q %s", title, body, page, channels)
	}
	if status, _ := b.desk("ducha").post("/interviews", form("2", "")); status != http.StatusSeeOther {
		t.Fatalf("coordinator: %d", status)
	}
	wantTold(t, "an interview of each unit", b.told(notify.KindInterviewed), "user:3", "user:4", "user:7")
}

var problemRowRe = regexp.MustCompile(`<tr data-problem="(\d+)"( class="overdue")?>`)

// problemRows reads the rows of /problems: every item id, and those marked 逾期.
func problemRows(t *testing.T, page string) (all, overdue []int64) {
	t.Helper()
	for _, m := range problemRowRe.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		all = append(all, id)
		if m[2] != "" {
			overdue = append(overdue, id)
		}
	}
	slices.Sort(all)
	slices.Sort(overdue)
	return all, overdue
}

// An item past its 整改时限 (a Shanghai date) and not rectified is marked 逾期 and can be
// listed alone; the unit's inbox counts its open and overdue items.
func TestProblemsMarkOverdue(t *testing.T) {
	t.Parallel()
	b := setupProblems(t)
	today := time.Now().In(shanghaiTZ())
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	ids := map[string]int64{}
	for _, p := range []struct {
		name  string
		unit  int64
		due   *string
		state string
	}{
		{"late", 1, ptr2(day(-1)), "open"},
		{"late rectifying", 1, ptr2(day(-3)), "rectifying"},
		{"late but done", 1, ptr2(day(-1)), "done"},
		{"due today", 1, ptr2(day(0)), "open"},
		{"due tomorrow", 1, ptr2(day(1)), "open"},
		{"no due date", 1, nil, "open"},
		{"jiaotong late", 2, ptr2(day(-10)), "open"},
	} {
		var id int64
		if err := b.pool.QueryRow(context.Background(), `INSERT INTO problem_items (tenant_id, unit_id, problem, due_on, state, created_by)
			VALUES (1, $1, $2, $3::date, $4, 1) RETURNING id`, p.unit, p.name, p.due, p.state).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[p.name] = id
	}
	want := func(names ...string) []int64 {
		var out []int64
		for _, n := range names {
			out = append(out, ids[n])
		}
		slices.Sort(out)
		return out
	}

	rev := b.desk("shencha")
	status, page := rev.c.get("/problems")
	all, overdue := problemRows(t, page)
	if status != http.StatusOK || len(all) != 7 || !slices.Equal(overdue, want("late", "late rectifying", "jiaotong late")) {
		t.Fatalf("/problems: %d, rows %v, overdue %v", status, all, overdue)
	}
	contains(t, page, `<span class="tag bad">逾期</span>`)
	_, page = rev.c.get("/problems?overdue=1")
	if all, overdue = problemRows(t, page); !slices.Equal(all, overdue) || !slices.Equal(all, want("late", "late rectifying", "jiaotong late")) {
		t.Fatalf("overdue filter: rows %v, overdue %v", all, overdue)
	}
	contains(t, page, `name="overdue" value="1" checked`)
	_, page = rev.c.get("/problems?overdue=1&unit=2")
	if all, _ = problemRows(t, page); !slices.Equal(all, want("jiaotong late")) {
		t.Fatalf("overdue filter of 交通局: %v", all)
	}
	status, page = rev.c.get("/problems?overdue=yes")
	if status != http.StatusBadRequest || !strings.Contains(page, "“只看逾期”筛选条件不正确") {
		t.Fatalf("/problems?overdue=yes: %d %.300s", status, page)
	}

	unit := b.desk("zhujian")
	_, page = unit.c.get("/problems?overdue=1")
	if all, _ = problemRows(t, page); !slices.Equal(all, want("late", "late rectifying")) {
		t.Fatalf("住建局's overdue items: %v", all)
	}
	_, page = unit.c.get("/unit")
	contains(t, page, `<a href="/problems">本单位待整改问题 5 项（其中逾期 2 项）</a>`)
	jt := b.desk("jiaotong")
	_, page = jt.c.get("/unit")
	contains(t, page, "本单位待整改问题 1 项（其中逾期 1 项）")

	// Closing 交通局's only item takes the line off its inbox.
	if status, _ := rev.post("/problems/"+strconv.FormatInt(ids["jiaotong late"], 10)+"/rectify", url.Values{"state": {"done"}, "rectification": {"已整改"}}); status != http.StatusSeeOther {
		t.Fatalf("closing: %d", status)
	}
	if _, page = jt.c.get("/unit"); strings.Contains(page, "本单位待整改问题") {
		t.Fatalf("a unit with nothing to rectify still sees the line:\n%.1500s", page)
	}
}

func ptr2(s string) *string { return &s }
