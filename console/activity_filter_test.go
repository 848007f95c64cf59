package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A unit's staff read an activity of their unit with only the linked suggestions their unit
// handles. Filtering the list by another suggestion's system id must not tell them that the
// activity is about it: that suggestion is not theirs, so the filter is a 404 like its page.
func TestUnitCannotProbeActivityLinksBySuggestionFilter(t *testing.T) {
	t.Parallel()
	b := setupActivities(t)
	b.assignSid()
	notMine := b.submit(1, 2, "关于整治背街小巷停车秩序的建议", "背街小巷乱停车严重，建议划定停车位并加强巡查。")
	// Registered (an activity links registered suggestions), handled by no unit yet.
	if _, err := b.sugg.Register(context.Background(), reviewer(1), notMine, b.version(notMine), 2); err != nil {
		t.Fatal(err)
	}
	rev := b.desk("shencha")
	status, loc := rev.post("/activities", url.Values{"kind": {"inspection"}, "title": {"视察老旧小区物业管理"}, "starts_at": {inThreeDays()},
		"place": {"雄关区胜利路社区"}, "suggestions": {strconv.FormatInt(b.sid, 10) + "," + strconv.FormatInt(notMine, 10)}, "units": {"1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d %q", status, loc)
	}
	unit := b.desk("zhujian")
	// Its own suggestion: the activity is listed.
	status, page := unit.c.get("/activities?suggestion=" + strconv.FormatInt(b.sid, 10))
	if status != http.StatusOK || !strings.Contains(page, "视察老旧小区物业管理") {
		t.Fatalf("filtered by the unit's own suggestion: %d\n%.1500s", status, page)
	}
	// Another suggestion, one that does not exist, or not an id: nothing is told.
	for _, q := range []string{strconv.FormatInt(notMine, 10), strconv.FormatInt(b.otherS, 10), "999999"} {
		status, page := unit.c.get("/activities?suggestion=" + q)
		if status != http.StatusNotFound || strings.Contains(page, "视察老旧小区物业管理") {
			t.Fatalf("filtered by suggestion %s: %d, want 404 without the activity\n%.1500s", q, status, page)
		}
	}
	status, page = unit.c.get("/activities?suggestion=abc")
	if status != http.StatusBadRequest || !strings.Contains(page, "关联建议不正确") {
		t.Fatalf("filtered by suggestion abc: %d\n%.1500s", status, page)
	}
	// Organisers filter by any of the tenant's suggestions as before.
	if status, page := rev.c.get("/activities?suggestion=" + strconv.FormatInt(notMine, 10)); status != http.StatusOK || !strings.Contains(page, "视察老旧小区物业管理") {
		t.Fatalf("organiser's filter: %d", status)
	}
}
