package console_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jianyi/internal/auth"
	"jianyi/internal/export"
	"jianyi/internal/suggestion"
)

// handleAndReply takes the bundle's suggestion through acceptance, the before contact and a
// class B reply with one commitment, and the lead deputy rates it 满意.
func (b *bundle) handleAndReply(asg int64) {
	b.t.Helper()
	b.handleAndReplyUnrated(asg)
	if _, err := b.sugg.RateReply(context.Background(), auth.Deputy(1, 1), b.sid, suggestion.Satisfied, ""); err != nil {
		b.t.Fatal(err)
	}
}

func readSheet(t *testing.T, body []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (c *client) download(path string) []byte {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		c.t.Fatalf("%s: %d %s %.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return body
}

func TestExportsReadBack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pgExec(t, b, `INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES (1, $1, 2, 'accepted')`, b.sid)
	asg := b.registerAndAssign()
	b.handleAndReply(asg)
	// A second, unassigned submission: only in the deputy list.
	second := b.submit(1, 2, "关于增设社区养老服务站的建议", "建议在新建小区配建社区养老服务站，解决老人就近养老的问题。")

	today := time.Now().In(shanghaiTZ()).Format("2006-01-02")
	st := b.status(b.sid)
	stLabel := suggestion.Status(st).Label()
	c := b.client()
	c.login("jyg", "shencha", testPassword)

	rows := readSheet(t, c.download("/exports/deputy-opinions.xlsx"))
	want := [][]string{
		export.DeputyOpinionHeaders,
		{"1", "张建国", "雄关区代表团", "领衔", "第0001号", "关于加强老旧小区物业管理的建议", "城乡建设", today, stLabel, "市住房和城乡建设局", "市交通运输局", "B类 正在解决或列入计划逐步解决", today, "满意"},
		{"2", "李秀英", "雄关区代表团", "联名", "第0001号", "关于加强老旧小区物业管理的建议", "城乡建设", today, stLabel, "市住房和城乡建设局", "市交通运输局", "B类 正在解决或列入计划逐步解决", today},
		{"3", "李秀英", "雄关区代表团", "领衔", "", "关于增设社区养老服务站的建议", "", today, "已提交待审核"},
	}
	compareRows(t, "代表意见清单", rows, want)
	_ = second

	rows = readSheet(t, c.download("/exports/unit-assignments.xlsx"))
	due := func(unit int64) string {
		var d time.Time
		if err := b.pool.QueryRow(context.Background(), `SELECT due_at FROM assignments WHERE suggestion_id = $1 AND unit_id = $2`, b.sid, unit).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d.In(shanghaiTZ()).Format("2006-01-02")
	}
	want = [][]string{
		export.UnitAssignmentHeaders,
		{"1", "市住房和城乡建设局", "主办", "第0001号", "关于加强老旧小区物业管理的建议", "张建国", "常规办理", today, due(1), "已答复", today, "是"},
		{"2", "市交通运输局", "协办", "第0001号", "关于加强老旧小区物业管理的建议", "张建国", "常规办理", today, due(2), "待签收"},
	}
	compareRows(t, "部门交办清单", rows, want)

	// A unit handler gets only their own unit's lines, whatever they ask for.
	u := b.client()
	u.login("jyg", "jiaotong", testPassword)
	rows = readSheet(t, u.download("/exports/unit-assignments.xlsx?unit=1"))
	if len(rows) != 2 || rows[1][1] != "市交通运输局" {
		t.Fatalf("unit export %v", rows)
	}
	if status, _ := u.get("/exports/deputy-opinions.xlsx"); status != http.StatusForbidden {
		t.Fatalf("unit exported the deputy list: %d", status)
	}
	// The other tenant's export has none of jyg's rows.
	o := b.client()
	o.login("other", "shencha", testPassword)
	rows = readSheet(t, o.download("/exports/deputy-opinions.xlsx"))
	if len(rows) != 2 || rows[1][1] != "王别家" {
		t.Fatalf("other tenant export %v", rows)
	}
}

func compareRows(t *testing.T, name string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d:\n%v", name, len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		for len(g) > 0 && g[len(g)-1] == "" { // excelize drops trailing empty cells
			g = g[:len(g)-1]
		}
		w := want[i]
		if strings.Join(g, "|") != strings.Join(w, "|") {
			t.Fatalf("%s row %d:\n got %q\nwant %q", name, i+1, g, w)
		}
	}
}

// A committee (专工委) opens only the suggestions of its bound categories, so its 代表意见清单
// holds those and no others.
func TestCommitteeExportKeepsToItsCategories(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pgExec(t, b, `INSERT INTO users (tenant_id, id, username, display_name, password_hash) VALUES (1, 50, 'jiaowei', '交通工委 周委员', $1)`, passwordHash(t))
	pgExec(t, b, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 50, 'committee')`)
	pgExec(t, b, `INSERT INTO user_categories (tenant_id, user_id, category_id) VALUES (1, 50, 2)`)
	register := func(id, category int64) {
		sg, err := b.sugg.Get(ctx, reviewer(1), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.sugg.Register(ctx, reviewer(1), id, sg.Version, category); err != nil {
			t.Fatal(err)
		}
	}
	register(b.sid, 1) // 城乡建设: not the committee's
	traffic := b.submit(1, 2, "关于优化公交线路的建议", "建议优化城区公交线路，增加早晚高峰班次，方便群众出行。")
	register(traffic, 2) // 交通运输: the committee's

	c := b.client()
	c.login("jyg", "jiaowei", testPassword)
	if status, _ := c.get("/suggestions/" + strconv.FormatInt(b.sid, 10)); status != http.StatusNotFound {
		t.Fatalf("committee opened a suggestion outside its categories: %d", status)
	}
	rows := readSheet(t, c.download("/exports/deputy-opinions.xlsx"))
	if len(rows) != 2 || rows[1][5] != "关于优化公交线路的建议" || rows[1][6] != "交通运输" {
		t.Fatalf("committee export %v", rows)
	}
	for _, r := range rows {
		for _, cell := range r {
			if strings.Contains(cell, "物业") {
				t.Fatalf("committee export holds a suggestion outside its categories: %v", r)
			}
		}
	}
	// The reviewer still exports both.
	r := b.client()
	r.login("jyg", "shencha", testPassword)
	if rows := readSheet(t, r.download("/exports/deputy-opinions.xlsx")); len(rows) != 3 {
		t.Fatalf("reviewer export %v", rows)
	}
}
