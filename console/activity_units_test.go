package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"jianyi/internal/notify"
)

// A unit named on an activity hears of it and reads it from its own desk: when, where, what
// it concerns and who is coming, but neither the deputies' notes to the organiser nor any
// way to change it. Another unit's staff still find nothing.
func TestUnitReadsTheActivityThatConcernsIt(t *testing.T) {
	t.Parallel()
	b := setupActivities(t)
	// The unit handles the suggestion the activity is about (it sees only the ones it handles).
	b.assignSid()
	rev := b.desk("shencha")
	status, loc := rev.post("/activities", url.Values{"kind": {"inspection"}, "title": {"视察老旧小区物业管理"}, "starts_at": {inThreeDays()},
		"place": {"雄关区胜利路社区"}, "suggestions": {strconv.FormatInt(b.sid, 10)}, "units": {"1"}, "deputies": {"1", "2"}})
	if status != http.StatusSeeOther || !activityLoc.MatchString(loc) {
		t.Fatalf("create: %d %q", status, loc)
	}
	staff := b.told(notify.KindActivityUnit)
	if len(staff) == 0 {
		t.Fatal("the unit named on the activity was not told")
	}
	for _, r := range staff {
		if !strings.HasPrefix(r, "user:") {
			t.Fatalf("the unit notice went to %s", r)
		}
	}
	b.exec(`UPDATE activity_invitations SET answer = 'declined', note = '家中老人住院', answered_at = now() WHERE deputy_id = 2`)

	unit := b.desk("zhujian") // 市住房和城乡建设局, unit 1
	status, list := unit.c.get("/activities")
	if status != http.StatusOK || !strings.Contains(list, "视察老旧小区物业管理") || strings.Contains(list, `id="new-activity"`) {
		t.Fatalf("the unit's list: %d\n%.2000s", status, list)
	}
	status, page := unit.c.get(loc)
	if status != http.StatusOK {
		t.Fatalf("the unit reads the activity: %d", status)
	}
	for _, want := range []string{"视察老旧小区物业管理", "雄关区胜利路社区", "市住房和城乡建设局", "关于加强老旧小区物业管理的建议", `data-deputy="2"`, "不参加"} {
		contains(t, page, want)
	}
	for _, never := range []string{"家中老人住院", `id="cancel-form"`, `id="invite-form"`, `href="` + loc + `/edit"`,
		`href="/suggestions/` + strconv.FormatInt(b.sid, 10) + `"`} {
		if strings.Contains(page, never) {
			t.Errorf("the unit's page shows %q", never)
		}
	}
	// Reading is all: the organiser's actions stay closed to the unit.
	before := b.activityTables()
	for _, path := range []string{loc + "/cancel", loc + "/invite", loc + "/edit"} {
		if status, _ := unit.post(path, url.Values{"version": {"1"}, "reason": {"单位取消"}, "deputies": {"3"}}); status != http.StatusNotFound {
			t.Errorf("the unit POST %s: %d", path, status)
		}
	}
	if after := b.activityTables(); after != before {
		t.Fatalf("the unit's refused posts wrote:\n%s\n%s", before, after)
	}
}
