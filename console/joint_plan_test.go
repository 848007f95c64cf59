package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The assign form takes the 办理工作方案 of a 协同联办 case with its 两抓一办 chain: without a
// plan, or with one too long, the case stays registered and the form says why; with one, the
// suggestion's page shows it under the units and chain, and the lead unit's and the
// co-unit's assignment pages show it with the chain, escaped and line by line.
func TestAssignFormTakesTheJointPlan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sg := b.registered()
	rev := b.client()
	tok := rev.login("jyg", "shencha", testPassword)
	detail := "/suggestions/" + strconv.FormatInt(b.sid, 10)
	_, page := rev.get(detail)
	contains(t, page, `<textarea name="plan" id="plan"`)
	contains(t, page, "办理工作方案")

	form := func(plan string) url.Values {
		return url.Values{"csrf": {tok}, "version": {strconv.Itoa(sg.Version)}, "lead_unit": {"1"}, "co_units": {"2"},
			"mode": {"joint"}, "chain_principal": {"市政府分管副市长"}, "chain_in_charge": {"市住建局局长"},
			"chain_handler": {"物业科科长"}, "plan": {plan}}
	}
	refused := func(name, plan, msg string) {
		t.Helper()
		status, loc, body := rev.post(detail+"/assign", form(plan))
		refusedShown(t, rev, name, status, loc, body, detail, msg)
		if st := b.status(b.sid); st != "registered" {
			t.Fatalf("%s: the refused assignment moved the suggestion to %s", name, st)
		}
		if n := b.count(`SELECT count(*) FROM assignments WHERE tenant_id = 1 AND suggestion_id = $1`, b.sid); n != 0 {
			t.Fatalf("%s: the refused assignment wrote %d assignments", name, n)
		}
	}
	refused("no plan", "  ", "协同联办须填写办理工作方案")
	refused("too long", strings.Repeat("案", 2001), "办理工作方案不能超过2000个字")

	plan := "一、市住建局牵头，制定物业服务整治方案；\r\n二、市交通局配合整治小区周边停车秩序 <b>9月底前</b> 完成。"
	status, loc, body := rev.post(detail+"/assign", form(plan))
	if status != http.StatusSeeOther || loc != detail || b.status(b.sid) != "assigned" {
		t.Fatalf("joint assignment with a plan: %d %s %s %.300s", status, loc, b.status(b.sid), body)
	}
	first, second := "一、市住建局牵头，制定物业服务整治方案；", "二、市交通局配合整治小区周边停车秩序 "+html.EscapeString("<b>9月底前</b>")+" 完成。"
	shows := func(who, page string) {
		t.Helper()
		for _, w := range []string{"办理工作方案", `id="plan-text"`, first, second, "主要领导：市政府分管副市长"} {
			if !strings.Contains(page, w) {
				t.Fatalf("%s: page lacks %q:\n%.3000s", who, w, page)
			}
		}
		if strings.Contains(page, "<b>9月底前</b>") {
			t.Fatalf("%s: the plan's markup was not escaped", who)
		}
		if strings.Contains(page, "\r") {
			t.Fatalf("%s: the plan's CRLF line break reached the page", who)
		}
		if n := strings.Count(page, `id="plan-text"`); n != 1 {
			t.Fatalf("%s: the plan is shown %d times", who, n)
		}
	}
	_, page = rev.get(detail)
	shows("reviewer's suggestion page", page)

	for _, u := range []struct {
		user string
		unit int64
	}{{"zhujian", 1}, {"jiaotong", 2}} {
		var asg int64
		if err := b.pool.QueryRow(ctx, `SELECT id FROM assignments WHERE tenant_id = 1 AND suggestion_id = $1 AND unit_id = $2`, b.sid, u.unit).Scan(&asg); err != nil {
			t.Fatal(err)
		}
		c := b.client()
		c.login("jyg", u.user, testPassword)
		status, page := c.get("/assignments/" + strconv.FormatInt(asg, 10))
		if status != http.StatusOK {
			t.Fatalf("%s's assignment page: %d", u.user, status)
		}
		contains(t, page, `id="plan-section"`)
		shows(u.user+"'s assignment page", page)
	}
}

// A normal case's pages have no plan section.
func TestNormalCaseShowsNoPlan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	c := b.client()
	c.login("jyg", "zhujian", testPassword)
	_, page := c.get("/assignments/" + strconv.FormatInt(asg, 10))
	if strings.Contains(page, "plan-section") || strings.Contains(page, "plan-text") {
		t.Fatalf("a normal case shows a plan:\n%.2000s", page)
	}
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	_, page = rev.get("/suggestions/" + strconv.FormatInt(b.sid, 10))
	if strings.Contains(page, "plan-text") {
		t.Fatalf("a normal case's page shows a plan:\n%.2000s", page)
	}
}
