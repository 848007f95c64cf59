package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// 不予立案 from the console forwards the opinion letter to the units the reviewer ticks: the
// unit finds it on its inbox page and may open it; another unit may not.
func TestNotRegisterForwardsTheOpinionLetter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sid := strconv.FormatInt(b.sid, 10)
	rev := b.client()
	tok := rev.login("jyg", "shencha", testPassword)
	_, page := rev.get("/suggestions/" + sid)
	contains(t, page, `name="forward_units" value="1"`)

	refused := func(want string, units ...string) {
		t.Helper()
		status, loc, page := rev.post("/suggestions/"+sid+"/not-register", url.Values{"csrf": {tok}, "version": {"2"}, "reason": {"属于部门日常工作范围"}, "forward_units": units})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, want) || !strings.Contains(page, "已提交") ||
			!strings.Contains(page, "属于部门日常工作范围</textarea>") {
			t.Fatalf("bad units %v: %d %s, want %q and the case still submitted\n%.800s", units, status, loc, want, page)
		}
	}
	refused("转交单位", "abc")
	refused("所选转交单位不存在", "3") // another tenant's unit

	status, loc, _ := rev.post("/suggestions/"+sid+"/not-register", url.Values{"csrf": {tok}, "version": {"2"},
		"reason": {"属于部门日常工作范围"}, "forward_units": {"1"}})
	if status != http.StatusSeeOther || loc != "/suggestions/"+sid {
		t.Fatalf("not register: %d %s", status, loc)
	}
	unit := b.client()
	unit.login("jyg", "zhujian", testPassword)
	_, page = unit.get("/unit")
	contains(t, page, `id="forwarded"`)
	contains(t, page, `href="/suggestions/`+sid+`"`)
	if status, page := unit.get("/suggestions/" + sid); status != http.StatusOK || !strings.Contains(page, "老旧小区物业管理") {
		t.Fatalf("the forwarded unit opens the letter: %d", status)
	}
	other := b.client()
	other.login("jyg", "jiaotong", testPassword)
	if status, _ := other.get("/suggestions/" + sid); status != http.StatusNotFound {
		t.Fatalf("another unit opens the letter: %d", status)
	}
	if _, page := other.get("/unit"); strings.Contains(page, `id="forwarded"`) {
		t.Fatal("another unit lists the letter")
	}
}
