package console_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var timelineLine = regexp.MustCompile(`(?s)<li><span class="when">.*?</li>`)

// The timeline on a suggestion's page names who acted — 姓名（单位） for a unit's staff, the
// name for the committee's, the deputy's name — tags a leader's note as 督办意见 (and the
// leader is told it was recorded as one), and shows "→ 状态" only for a change of status.
// Before, every staff line read 工作人员, a leader's note looked like the unit's progress, and
// every line without a change showed "→ 办理中".
func TestTimelineShowsAuthors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.accept(asg)
	detail := suggestionURL(b.sid)

	leader := b.desk("lingdao")
	loc := leader.ok("leader's note", detail+"/progress", url.Values{"body": {"请加快办理，月底前报送进展"}})
	_, page := leader.c.get(loc)
	contains(t, page, "已记录督办意见")
	unit := b.desk("zhujian")
	loc = unit.ok("unit's note", detail+"/progress", url.Values{"body": {"已完成现场勘查"}})
	_, page = unit.c.get(loc)
	contains(t, page, "已记录办理进展")

	_, page = b.desk("shencha").c.get(detail)
	lines := timelineLine.FindAllString(page, -1)
	find := func(action string, n int) string {
		t.Helper()
		for _, l := range lines {
			if strings.Contains(l, "<b>"+action+"</b>") {
				if n == 0 {
					return l
				}
				n--
			}
		}
		t.Fatalf("no %q line on the timeline:\n%s", action, strings.Join(lines, "\n"))
		return ""
	}
	for _, c := range []struct {
		action string
		n      int
		actor  string
		moved  string // "" when the status did not change
		tag    bool
	}{
		{"提交建议", 0, "张建国（代表）", "→", false},
		{"立案", 0, "代表工委 王审查", "→", false},
		{"承办单位签收", 0, "住建局 刘经办（市住房和城乡建设局）", "已交办 → 办理中", false},
		{"办理进展", 0, "常委会 赵领导", "", true},
		{"办理进展", 1, "住建局 刘经办（市住房和城乡建设局）", "", false},
	} {
		l := find(c.action, c.n)
		if !strings.Contains(l, c.actor) {
			t.Errorf("%s line lacks %q: %s", c.action, c.actor, l)
		}
		if strings.Contains(l, "工作人员") {
			t.Errorf("%s line names no one: %s", c.action, l)
		}
		if c.moved == "" && strings.Contains(l, "→") {
			t.Errorf("%s line shows a change of status it did not make: %s", c.action, l)
		}
		if c.moved != "" && !strings.Contains(l, c.moved) {
			t.Errorf("%s line lacks %q: %s", c.action, c.moved, l)
		}
		if got := strings.Contains(l, "督办意见"); got != c.tag {
			t.Errorf("%s line tagged 督办意见: %v, want %v: %s", c.action, got, c.tag, l)
		}
	}
}
