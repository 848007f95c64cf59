package mpapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/suggestion"
)

// apiTimeRe is the one shape of a time this API answers: UTC, at most microseconds.
var apiTimeRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$`)

// looksLikeTime catches any RFC 3339 time among the strings of an answer, whatever its zone.
var looksLikeTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d`)

// checkAPITimes fails for every string of the JSON body that is a time but not in the
// API's shape, naming where it was.
func checkAPITimes(t testing.TB, body []byte) (seen int) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(path+"[]", e)
			}
		case string:
			if looksLikeTime.MatchString(x) {
				seen++
				if !apiTimeRe.MatchString(x) {
					t.Errorf("%s = %q: want UTC with at most microseconds (…Z)", path, x)
				}
			}
		}
	}
	walk("", v)
	return seen
}

// TestTimesLeaveInUTC: whatever zone a time comes in — the server's local zone (pgx reads
// timestamptz in time.Local, and production runs with TZ=Asia/Shanghai) or the Shanghai
// end-of-day of a rating deadline, to the nanosecond — the detail and the list answer it in
// UTC to the microsecond, like every other time of the API.
func TestTimesLeaveInUTC(t *testing.T) {
	t.Parallel()
	sh := func(d, h int) time.Time { return time.Date(2027, 1, d, h, 30, 15, 123456789, deadline.Shanghai) }
	end := time.Date(2027, 1, 15, 23, 59, 59, 999999999, deadline.Shanghai)
	p := func(t time.Time) *time.Time { return &t }
	d := &suggestion.Detail{
		Suggestion: suggestion.Suggestion{ID: 7, Number: 12, Title: "t", Status: suggestion.StatusTracking, Mode: suggestion.ModeNormal,
			ReplyDueAt: p(sh(2, 9)), RatingDueAt: p(end), SubmittedAt: p(sh(3, 1)), CreatedAt: sh(1, 8), UpdatedAt: sh(4, 0)},
		Assignments: []suggestion.Assignment{{Active: true, UnitName: "市住建局", DueAt: sh(5, 23), AcceptedAt: p(sh(6, 0))}},
		Contacts:    []suggestion.Contact{{ID: 1, HappenedAt: sh(7, 10), ConfirmedAt: p(sh(7, 11))}},
		Progress:    []suggestion.ProgressNote{{Body: "b", CreatedAt: sh(8, 12)}},
		Replies: []suggestion.Reply{{ID: 3, Round: 1, Class: suggestion.ClassB, RepliedAt: sh(9, 13),
			Commitments: []suggestion.Commitment{{What: "w", DueOn: sh(10, 0), DoneAt: p(sh(11, 14))}}}},
		Evaluations:    []suggestion.Evaluation{{Kind: suggestion.EvalReply, Round: 1, Rating: "satisfied", CreatedAt: sh(12, 15)}},
		Timeline:       []suggestion.AuditEvent{{Action: string(suggestion.ActReply), CreatedAt: sh(13, 16)}},
		RateReplyUntil: p(end),
		RateImplUntil:  p(end),
	}
	body, err := json.Marshal(toDetail(d, 10, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if n := checkAPITimes(t, body); n != 16 {
		t.Errorf("saw %d times in the detail, want 16: %s", n, body)
	}
	if !strings.Contains(string(body), `"implementation_rating_until":"2027-01-15T15:59:59.999999Z"`) ||
		!strings.Contains(string(body), `"reply_rating_until":"2027-01-15T15:59:59.999999Z"`) {
		t.Errorf("rating deadlines not the Shanghai end of day in UTC: %s", body)
	}

	l := toSummaries([]suggestion.Summary{{ID: 7, Title: "t", Status: suggestion.StatusReplied,
		ReplyDueAt: p(sh(2, 9)), RatingDueAt: p(end), UpdatedAt: sh(4, 0)}}, 10, 0)
	if n := checkAPITimes(t, l.appendJSON(nil)); n != 3 {
		t.Errorf("saw %d times in the list, want 3", n)
	}
}
