package mpapi_test

import (
	"strconv"
	"testing"
	"time"

	"jianyi/internal/activity"
)

// 代表述职 (a deputy reporting to the voters at a 代表家站, as the source case has them do)
// is an activity kind of its own: the invited deputy finds it under ?kind=voter_report, named
// 述职 on the phone.
func TestVoterReportIsAnActivityKind(t *testing.T) {
	t.Parallel()
	r := setupActivities(t)
	tok := r.deputy("openid-zs", "jyg", "13800000001")
	id := r.activity(1, activity.KindVoterReport, "代表进家站向选民述职", 72*time.Hour, 10)
	r.activity(1, activity.KindForum, "代表座谈会", 24*time.Hour, 10)
	if got := r.titles(tok, "?kind=voter_report"); got != "代表进家站向选民述职" {
		t.Fatalf("my 述职 activities: %q", got)
	}
	res := r.do("GET", "/api/v1/activities/"+strconv.FormatInt(id, 10), tok, nil)
	r.want(res, 200, "detail")
	var d activityItem
	res.json(t, &d)
	if d.Kind != "voter_report" || d.KindLabel != "述职" {
		t.Fatalf("kind %q labelled %q, want voter_report 述职", d.Kind, d.KindLabel)
	}
}
