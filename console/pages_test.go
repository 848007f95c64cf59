package console_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Every page renders for the roles that may open it, with populated and empty data.
func TestPagesRender(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.handleAndReply(asg)
	sid := strconv.FormatInt(b.sid, 10)

	admin := b.client()
	admin.login("jyg", "admin", testPassword)
	for _, p := range []string{"/", "/?meeting=1&unit=1&category=1&delegation=1&from=2026-01-01&to=2026-12-31", "/suggestions", "/suggestions?status=tracking&q=物业&key=1&overdue=1",
		"/suggestions/" + sid, "/review", "/review/flagged", "/assign", "/decisions", "/supervise/key", "/supervise/overdue", "/supervise/tracking",
		"/supervise/unsatisfied", "/problems", "/exports", "/inbox", "/admin", "/admin/units", "/admin/deputies", "/admin/users", "/admin/users?edit=3",
		"/admin/catalog", "/admin/settings", "/admin/holidays"} {
		status, body := admin.get(p)
		if status != http.StatusOK {
			t.Fatalf("admin %s: %d %.500s", p, status, body)
		}
	}
	unit := b.client()
	unit.login("jyg", "zhujian", testPassword)
	for _, p := range []string{"/", "/unit", "/unit?all=1", "/assignments/" + strconv.FormatInt(asg, 10), "/suggestions/" + sid, "/supervise/overdue", "/problems", "/exports", "/inbox"} {
		if status, body := unit.get(p); status != http.StatusOK {
			t.Fatalf("unit %s: %d %.500s", p, status, body)
		}
	}
	for _, p := range []string{"/review", "/assign", "/decisions", "/admin/users", "/admin/settings"} {
		if status, _ := unit.get(p); status != http.StatusNotFound {
			t.Fatalf("unit %s: %d, want 404", p, status)
		}
	}
	leader := b.client()
	leader.login("jyg", "lingdao", testPassword)
	for _, p := range []string{"/", "/suggestions", "/supervise/key", "/problems"} {
		if status, body := leader.get(p); status != http.StatusOK {
			t.Fatalf("leader %s: %d %.300s", p, status, body)
		}
	}
	// Unknown pages and ids are a Chinese 404.
	status, body := admin.get("/suggestions/99999")
	if status != http.StatusNotFound {
		t.Fatalf("unknown suggestion: %d", status)
	}
	contains(t, body, "不存在")
}

func TestAdminForms(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client()
	tok := c.login("jyg", "admin", testPassword)
	post := func(path string, form url.Values) string {
		t.Helper()
		form.Set("csrf", tok)
		status, loc, body := c.post(path, form)
		if status != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", path, status, body)
		}
		return loc
	}
	post("/admin/units", url.Values{"name": {"市教育局"}, "kind": {"government"}})
	post("/admin/categories", url.Values{"name": {"教育科技"}})
	post("/admin/meetings", url.Values{"name": {"市十届人大六次会议"}, "year": {"2027"}, "starts_on": {"2027-01-10"}, "ends_on": {"2027-01-13"}})
	post("/admin/holidays", url.Values{"date": {"2026-06-01"}, "working": {"0"}, "name": {"本地节日"}})
	post("/admin/settings/clocks", url.Values{"reply_months": {"2"}, "complex_reply_months": {"6"}, "return_window_workdays": {"5"},
		"co_opinion_months": {"1"}, "before_contact_workdays": {"10"}, "rating_workdays": {"20"}, "rehandle_months": {"1"},
		"impl_rating_workdays": {"10"}, "publish_workdays": {"20"}, "fast_track_reply_workdays": {"15"}, "reminder_offsets": {"10,5,1"},
		"require_before_contact": {"1"}})
	post("/admin/settings/labels", url.Values{"A": {"已解决"}})
	post("/admin/settings/templates", url.Values{"kind": {"replied"}, "channel": {"mp_subscribe"}, "template_id": {"tpl-reply-001"}})
	post("/admin/users", url.Values{"username": {"jiaoyu"}, "display_name": {"教育局经办"}, "password": {"edu-pass-2026"}, "roles": {"unit_handler"}, "unit": {"101"}})

	var settings, labels string
	_ = b.pool.QueryRow(context.Background(), `SELECT settings::text, reply_labels::text FROM tenants WHERE id = 1`).Scan(&settings, &labels)
	if !strings.Contains(settings, `"reply_months": 2`) || !strings.Contains(labels, "已解决") {
		t.Fatalf("settings %s labels %s", settings, labels)
	}
	_, page := c.get("/admin/settings")
	contains(t, page, "tpl-reply-001")
	// Out-of-range clocks are refused with a Chinese message and change nothing.
	status, _, page := c.post("/admin/settings/clocks", url.Values{"csrf": {tok}, "reply_months": {"99"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("out-of-range clocks: %d, want the form again (422)", status)
	}
	contains(t, page, "超出允许范围")
	contains(t, page, `name="reply_months" value="99"`)
	// The new unit user can sign in and sees the unit desk.
	u := b.client()
	u.login("jyg", "jiaoyu", "edu-pass-2026")
	if status, _ := u.get("/unit"); status != http.StatusOK {
		t.Fatalf("new unit user: %d", status)
	}

	// Deputy import from .xlsx: one bad line refuses the file, then a good file imports.
	upload := func(rows [][]string) string {
		f := excelize.NewFile()
		for i, r := range rows {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = f.SetCellValue("Sheet1", cell, v)
			}
		}
		var x bytes.Buffer
		_ = f.Write(&x)
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("csrf", tok)
		fw, _ := w.CreateFormFile("file", "deputies.xlsx")
		_, _ = fw.Write(x.Bytes())
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/admin/deputies/import", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		_, page := c.get("/admin/deputies")
		return page
	}
	page = upload([][]string{{"姓名", "手机号", "代表团", "代表小组"}, {"周一", "13911112222", "长城区代表团", "第一小组"}, {"吴二", "12345", "", ""}})
	contains(t, page, "第3行手机号格式不正确")
	if strings.Contains(page, "周一") {
		t.Fatal("a bad file was partly imported")
	}
	page = upload([][]string{{"代表小组", "姓名", "手机号", "代表团"}, {"第一小组", "周一", "13911112222", "长城区代表团"}, {"", "吴二", "13911113333", ""}, {"", "张建国", "13900000001", "雄关区代表团"}})
	contains(t, page, "新增2名代表，更新1名")
	contains(t, page, "长城区代表团")
	var n int
	_ = b.pool.QueryRow(context.Background(), `SELECT count(*) FROM deputy_groups WHERE tenant_id = 1 AND name = '第一小组'`).Scan(&n)
	if n != 1 {
		t.Fatalf("groups %d", n)
	}
}
