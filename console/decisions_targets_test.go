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
)

var unitOption = regexp.MustCompile(`<option value="(\d+)">([^<]*)</option>`)

// The decisions page offers as 改派 targets only the units the case may go to: never the
// unit asking to return it, nor another unit on the case, except a co-unit taking over the
// lead from the lead unit that asks to return it.
func TestDecisionsOfferOnlyUnitsNotOnTheCase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.exec(`INSERT INTO units (tenant_id, id, name) VALUES (1, 101, '市教育局'), (1, 102, '市已撤销局')`)
	b.exec(`UPDATE units SET active = false WHERE id = 102`)
	lead := b.registerAndAssign() // lead 住建局 (1), co 交通局 (2)
	var co int64
	if err := b.pool.QueryRow(context.Background(), `SELECT id FROM assignments WHERE suggestion_id = $1 AND unit_id = 2`, b.sid).Scan(&co); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		user string
		asg  int64
	}{{"zhujian", lead}, {"jiaotong", co}} {
		d := b.desk(r.user)
		d.ok("request return", "/assignments/"+strconv.FormatInt(r.asg, 10)+"/request-return", url.Values{"reason": {"不属于本单位职责"}})
	}
	rev := b.desk("shencha")
	_, page := rev.c.get("/decisions")
	targets := func(asg int64) []string {
		t.Helper()
		i := strings.Index(page, `action="/assignments/`+strconv.FormatInt(asg, 10)+`/decide-return"`)
		if i < 0 {
			t.Fatalf("no decision form for assignment %d", asg)
		}
		sel := page[i:]
		sel = sel[:strings.Index(sel, "</select>")]
		var out []string
		for _, m := range unitOption.FindAllStringSubmatch(sel, -1) {
			out = append(out, m[2])
		}
		return out
	}
	if got, want := targets(lead), []string{"市交通运输局", "市教育局"}; !slices.Equal(got, want) {
		t.Fatalf("the lead unit's return offers %q, want %q", got, want)
	}
	if got, want := targets(co), []string{"市教育局"}; !slices.Equal(got, want) {
		t.Fatalf("the co-unit's return offers %q, want %q", got, want)
	}
	// What is offered is taken.
	status, loc, body := rev.c.post("/assignments/"+strconv.FormatInt(co, 10)+"/decide-return",
		url.Values{"csrf": {rev.tok}, "decision": {"reassign"}, "new_unit": {"101"}, "reason": {"改由教育局协办"}})
	if status != http.StatusSeeOther || loc != "/decisions" {
		t.Fatalf("reassign to an offered unit: %d %s %.300s", status, loc, body)
	}
	_, page = rev.c.get("/decisions")
	contains(t, page, "已改派")
}
