package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/console"
	"jianyi/internal/activity"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// setupActivities is setup with the console wired as cmd/jianyi wires it for 代表参与活动:
// the activity service publishes notices on a real Redis queue.
func setupActivities(t *testing.T) *bundle {
	t.Helper()
	b := setup(t)
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	pub := notify.NewPublisher(postgres.NewNotifyStore(b.pool), queue, nil, nil)
	acts := activity.NewService(postgres.NewActivityStore(b.pool), nil).WithNotices(pub, nil)
	b.remount(nil, console.WithActivities(acts))
	b.registered() // activities link registered suggestions only
	return b
}

// assignSid assigns the suggestion of b.registered to unit 1 as its lead unit (a unit sees of
// an activity only the linked suggestions it handles).
func (b *bundle) assignSid() {
	b.t.Helper()
	sg, err := b.sugg.Get(context.Background(), reviewer(1), b.sid)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.sugg.Assign(context.Background(), reviewer(1), b.sid, sg.Version, suggestion.AssignInput{LeadUnitID: 1}); err != nil {
		b.t.Fatal(err)
	}
}

// activityTables is everything the activity pages could write.
func (b *bundle) activityTables() string {
	b.t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT string_agg(concat_ws('/', id, title, status, cancel_reason, summary, version), ';' ORDER BY id) FROM activities),
		(SELECT string_agg(concat_ws('/', activity_id, deputy_id, answer), ';' ORDER BY 1, 2) FROM activity_invitations),
		(SELECT count(*) FROM activity_suggestions), (SELECT count(*) FROM activity_units),
		(SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// toldDeputies lists the deputies told notices of kind, as "deputy:<id>".
func (b *bundle) toldDeputies(kind string) []string {
	b.t.Helper()
	var out []string
	for _, r := range b.told(kind) {
		if strings.HasPrefix(r, "deputy:") {
			out = append(out, r)
		}
	}
	return out
}

func inThreeDays() string {
	return time.Now().Add(72 * time.Hour).In(shanghaiTZ()).Format("2006-01-02T15:04")
}

var activityLoc = regexp.MustCompile(`^/activities/(\d+)$`)

// Staff create an activity around a suggestion with invited deputies, invite one more, see
// the answers on its page and on the suggestion's card, and cancel it; the deputies are told
// at each step, through the notices table.
func TestActivityConsoleJourney(t *testing.T) {
	t.Parallel()
	b := setupActivities(t)
	rev := b.desk("shencha")

	status, page := rev.c.get("/activities")
	if status != http.StatusOK || !strings.Contains(page, "还没有代表活动") || !strings.Contains(page, `href="/activities"`) {
		t.Fatalf("empty list: %d\n%.1500s", status, page)
	}
	status, page = rev.c.get("/activities/new?suggestion=" + strconv.FormatInt(b.sid, 10))
	if status != http.StatusOK || !strings.Contains(page, "张建国") || !strings.Contains(page, "李秀英") ||
		!strings.Contains(page, `name="suggestions" value="`+strconv.FormatInt(b.sid, 10)+`"`) || !strings.Contains(page, "市住房和城乡建设局") {
		t.Fatalf("new form: %d\n%.3000s", status, page)
	}
	if strings.Contains(page, "王别家") || strings.Contains(page, "别家住建局") {
		t.Fatal("the new form offers another tenant's deputies or units")
	}

	when := inThreeDays()
	status, loc := rev.post("/activities", url.Values{"kind": {"inspection"}, "title": {"视察老旧小区物业管理"}, "starts_at": {when},
		"place": {"雄关区胜利路社区"}, "description": {"实地查看小区物业服务，听取居民意见。"},
		"suggestions": {strconv.FormatInt(b.sid, 10)}, "units": {"1"}, "deputies": {"1"}})
	m := activityLoc.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q", status, loc)
	}
	id := m[1]
	wantTold(t, "created", b.toldDeputies(notify.KindActivityInvited), "deputy:1")

	_, page = rev.c.get(loc)
	for _, want := range []string{"已创建活动，已通知1位受邀代表", "视察老旧小区物业管理", "视察", "待举行", "雄关区胜利路社区", "代表工委 王审查",
		"关于加强老旧小区物业管理的建议", "市住房和城乡建设局", `data-deputy="1"`, "待答复", `action="/activities/` + id + `/invite"`} {
		contains(t, page, want)
	}
	if strings.Contains(page, `data-deputy="2"`) {
		t.Fatal("李秀英 is listed before being invited")
	}

	// Invite one more: only they are told.
	if status, loc := rev.post("/activities/"+id+"/invite", url.Values{"deputies": {"2"}}); status != http.StatusSeeOther || loc != "/activities/"+id {
		t.Fatalf("invite: %d %q", status, loc)
	}
	wantTold(t, "invited", b.toldDeputies(notify.KindActivityInvited), "deputy:1", "deputy:2")
	_, page = rev.c.get("/activities/" + id)
	contains(t, page, "已邀请1位代表")
	contains(t, page, `data-deputy="2"`)

	// The deputy's answer (from the phone) shows on the page.
	b.exec(`UPDATE activity_invitations SET answer = 'declined', note = '在外地出差', answered_at = now() WHERE deputy_id = 2`)
	_, page = rev.c.get("/activities/" + id)
	contains(t, page, "不参加")
	contains(t, page, "在外地出差")

	// The suggestion's page has the card, and the card's fragment lists the activity.
	_, page = rev.c.get("/suggestions/" + strconv.FormatInt(b.sid, 10))
	contains(t, page, `data-activities="/suggestions/`+strconv.FormatInt(b.sid, 10)+`/activities"`)
	status, frag := rev.c.get("/suggestions/" + strconv.FormatInt(b.sid, 10) + "/activities")
	if status != http.StatusOK || !strings.Contains(frag, "视察老旧小区物业管理") || !strings.Contains(frag, "邀请2人") {
		t.Fatalf("card fragment: %d %s", status, frag)
	}
	status, list := rev.c.get("/activities?kind=inspection")
	if status != http.StatusOK || !strings.Contains(list, "视察老旧小区物业管理") || !strings.Contains(list, "2 / 0 / 1") {
		t.Fatalf("list by kind: %d\n%.2000s", status, list)
	}
	if _, list = rev.c.get("/activities?kind=training"); strings.Contains(list, "视察老旧小区物业管理") {
		t.Fatal("the training list shows an inspection")
	}

	// A stale page's cancel is a conflict and changes nothing; the current one cancels.
	before := b.activityTables()
	status, loc = rev.post("/activities/"+id+"/cancel", url.Values{"version": {"7"}, "reason": {"过期页面"}})
	if status != http.StatusSeeOther || loc != "/activities/"+id {
		t.Fatalf("stale cancel: %d %q", status, loc)
	}
	_, page = rev.c.get(loc)
	contains(t, page, "活动已被他人修改或状态已变化")
	if after := b.activityTables(); after != before {
		t.Fatalf("a stale cancel wrote:\n%s\n%s", before, after)
	}
	if status, _ := rev.post("/activities/"+id+"/cancel", url.Values{"version": {"1"}, "reason": {"遇暴雨天气，另行安排"}}); status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", status)
	}
	_, page = rev.c.get("/activities/" + id)
	for _, want := range []string{"活动已取消，已通知受邀代表", "已取消", "取消原因：遇暴雨天气，另行安排"} {
		contains(t, page, want)
	}
	if strings.Contains(page, `id="cancel-form"`) || strings.Contains(page, `id="invite-form"`) {
		t.Fatal("a cancelled activity still offers cancel or invite")
	}
	wantTold(t, "cancelled", b.toldDeputies(notify.KindActivityCancelled), "deputy:1", "deputy:2")
}

// Unit staff find only the activities that concern their unit (none here) and may not
// organise; another tenant's staff find nothing (404); neither writes anything.
func TestActivityPagesAreForOrganisers(t *testing.T) {
	t.Parallel()
	b := setupActivities(t)
	rev := b.desk("shencha")
	status, loc := rev.post("/activities", url.Values{"kind": {"forum"}, "title": {"物业管理座谈会"}, "starts_at": {inThreeDays()},
		"place": {"市人大常委会二楼会议室"}, "deputies": {"1", "2"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d", status)
	}
	_, home := rev.c.get("/")
	contains(t, home, `href="/activities"`)
	lead := b.desk("lingdao")
	if status, _ := lead.c.get(loc); status != http.StatusOK {
		t.Fatalf("a leader reads the activity: %d", status)
	}

	sid := strconv.FormatInt(b.sid, 10)
	before := b.activityTables()
	unit := b.desk("zhujian")
	_, home = unit.c.get("/")
	contains(t, home, `href="/activities"`)
	if status, page := unit.c.get("/activities"); status != http.StatusOK || !strings.Contains(page, "目前没有涉及本单位的代表活动") ||
		strings.Contains(page, "物业管理座谈会") || strings.Contains(page, `id="new-activity"`) {
		t.Errorf("a unit handler's list of an activity not concerning the unit: %d\n%.1500s", status, page)
	}
	for _, path := range []string{"/activities/new", loc, loc + "/edit", "/suggestions/" + sid + "/activities"} {
		if status, page := unit.c.get(path); status != http.StatusNotFound || !strings.Contains(page, "您要找的内容不存在") {
			t.Errorf("unit handler GET %s: %d", path, status)
		}
	}
	for _, path := range []string{"/activities", loc + "/edit", loc + "/invite", loc + "/cancel", loc + "/summary"} {
		if status, _ := unit.post(path, url.Values{"kind": {"forum"}, "title": {"单位自己办的活动"}, "starts_at": {inThreeDays()},
			"place": {"住建局"}, "version": {"1"}, "reason": {"单位取消"}, "deputies": {"1"}, "summary": {"纪要"}}); status != http.StatusNotFound {
			t.Errorf("unit handler POST %s: %d", path, status)
		}
	}

	other := b.client()
	otok := other.login("other", "shencha", testPassword)
	if status, _ := other.get(loc); status != http.StatusNotFound {
		t.Errorf("another tenant's reviewer reads the activity: %d", status)
	}
	if status, _, _ := other.post(loc+"/cancel", url.Values{"csrf": {otok}, "version": {"1"}, "reason": {"别家取消"}}); status != http.StatusNotFound {
		t.Errorf("another tenant's reviewer cancels: %d", status)
	}
	if _, list := other.get("/activities"); strings.Contains(list, "物业管理座谈会") {
		t.Error("another tenant's list shows the activity")
	}
	if status, _ := rev.c.get("/suggestions/" + strconv.FormatInt(b.otherS, 10) + "/activities"); status != http.StatusNotFound {
		t.Errorf("the card of another tenant's suggestion: %d", status)
	}
	if after := b.activityTables(); after != before {
		t.Fatalf("refused requests wrote:\n%s\n%s", before, after)
	}
	// Without a CSRF token nothing is created.
	if status, _, _ := rev.c.post("/activities", url.Values{"kind": {"forum"}, "title": {"无令牌"}, "starts_at": {inThreeDays()}, "place": {"某地"}}); status != http.StatusForbidden {
		t.Fatalf("no csrf: %d", status)
	}
	if after := b.activityTables(); after != before {
		t.Fatal("a post without a csrf token wrote")
	}
}

// A refused form comes back with what was typed and the reason, and writes nothing.
func TestActivityFormRefusals(t *testing.T) {
	t.Parallel()
	b := setupActivities(t)
	rev := b.desk("shencha")
	good := func() url.Values {
		return url.Values{"kind": {"research"}, "title": {"民政路拥堵问题专题调研"}, "starts_at": {inThreeDays()}, "place": {"民政路"},
			"deputies": {"1"}}
	}
	before := b.activityTables()
	tests := []struct {
		name string
		set  func(url.Values)
		msg  string
	}{
		{"no kind", func(v url.Values) { v.Del("kind") }, "请选择活动类型"},
		{"unknown kind", func(v url.Values) { v.Set("kind", "party") }, "请选择活动类型"},
		{"bad time", func(v url.Values) { v.Set("starts_at", "下周三上午") }, "活动时间不是有效时间"},
		{"past time", func(v url.Values) { v.Set("starts_at", "2020-01-01T09:00") }, "活动时间须晚于当前时间"},
		{"no title", func(v url.Values) { v.Set("title", " ") }, "请填写活动名称"},
		{"long place", func(v url.Values) { v.Set("place", strings.Repeat("地", 101)) }, "活动地点不能超过100个字"},
		{"bad suggestion list", func(v url.Values) { v.Set("suggestions", "12, 第3号") }, "关联建议的系统ID不正确"},
		{"another tenant's suggestion", func(v url.Values) { v.Set("suggestions", strconv.FormatInt(b.otherS, 10)) }, "关联的建议（系统ID"},
		{"another tenant's deputy", func(v url.Values) { v.Set("deputies", "3") }, "邀请的代表（ID 3）不存在或已停用"},
		{"another tenant's unit", func(v url.Values) { v.Set("units", "3") }, "关联的单位（ID 3）不存在"},
		{"bad deputy id", func(v url.Values) { v.Set("deputies", "1x") }, "邀请的代表不正确"},
	}
	for _, tt := range tests {
		v := good()
		tt.set(v)
		v.Set("csrf", rev.tok)
		status, _, page := rev.c.post("/activities", v)
		if status != http.StatusBadRequest || !strings.Contains(page, tt.msg) {
			t.Errorf("%s: %d, want 400 with %q\n%.300s", tt.name, status, tt.msg, page)
			continue
		}
		if tt.name == "no title" || tt.name == "bad time" {
			continue
		}
		if !strings.Contains(page, `value="民政路拥堵问题专题调研"`) {
			t.Errorf("%s: the form lost what was typed", tt.name)
		}
	}
	// A control character is refused before any handler reads the form.
	v := good()
	v.Set("title", "调研\x00")
	if status, _ := rev.post("/activities", v); status != http.StatusSeeOther {
		t.Fatalf("NUL in the title: %d", status)
	}
	if after := b.activityTables(); after != before {
		t.Fatalf("refused forms wrote:\n%s\n%s", before, after)
	}
	if status, _ := rev.c.get("/activities?kind=party"); status != http.StatusBadRequest {
		t.Fatalf("an unknown kind filter: %d", status)
	}
	if status, _ := rev.c.get("/activities/999999"); status != http.StatusNotFound {
		t.Fatalf("a missing activity: %d", status)
	}
}

// A form carrying unreadable text goes back to the page it came from: the new-activity form,
// or the activity's own page.
func TestActivityFormsRefuseUnreadableText(t *testing.T) {
	t.Parallel()
	b := setupActivities(t)
	rev := b.desk("shencha")
	before := b.activityTables()
	rev.refused("new activity", "/activities", url.Values{"kind": {"inspection"}, "title": {"视察\x00"}, "starts_at": {inThreeDays()}, "place": {"民政路"}},
		"/activities/new", "无法识别的字符")
	rev.refused("edit activity", "/activities/5/edit", url.Values{"title": {"视察\x01"}}, "/activities/5", "无法识别的字符")
	if after := b.activityTables(); after != before {
		t.Fatalf("refused forms wrote: %s → %s", before, after)
	}
}
