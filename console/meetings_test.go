package console_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The unit's assignment page says where its 三见面 stand: a 办前沟通 the deputy disputed is
// not held (and the reply form says it does not count), 办中 and 办后 not yet recorded; once a
// new 办前沟通 is recorded it is held.
func TestAssignmentPageShowsTheThreeMeetings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.accept(asg)
	contact := func(stage, confirmation string) {
		b.exec(`INSERT INTO contacts (tenant_id, suggestion_id, assignment_id, stage, happened_at, method, people, summary, recorded_by, confirmation)
			VALUES (1, $1, $2, $3, now(), '电话', '刘经办、张建国代表', '了解代表意图', 3, $4)`, b.sid, asg, stage, confirmation)
	}
	contact("before", "disputed")
	unit := b.client()
	unit.login("jyg", "zhujian", testPassword)
	path := "/assignments/" + strconv.FormatInt(asg, 10)
	status, page := unit.get(path)
	if status != http.StatusOK {
		t.Fatalf("%s: %d", path, status)
	}
	contains(t, page, `三见面：办前沟通<b class="bad">（代表有异议，请重新沟通）</b> · 办中征求意见<b class="bad">（未登记）</b> · 办后回访<b class="bad">（未登记）</b>`)
	contains(t, page, "尚未登记“办前沟通”记录（代表有异议的记录不计）")

	contact("before", "pending")
	contact("during", "confirmed")
	_, page = unit.get(path)
	contains(t, page, `三见面：办前沟通<b class="ok">（已登记）</b> · 办中征求意见<b class="ok">（代表已确认）</b> · 办后回访<b class="bad">（未登记）</b>`)
	if strings.Contains(page, "尚未登记“办前沟通”记录") {
		t.Fatalf("the reply form still asks for a 办前沟通 once one is held")
	}
}
