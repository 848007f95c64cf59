package bot

import (
	"strings"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// endOf is how internal/deadline sets a due time: the end of its day in Shanghai.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, 999999999, shanghai)
}

// The bot writes dates as the notices do (internal/notify, internal/remind, internal/activity):
// zero-padded month and day.
func TestDatesWrittenAsNotices(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 9, 4, 1, 30, 0, 0, time.UTC) // 09:30 in Shanghai
	if got := day(at); got != "2026年09月04日" {
		t.Fatalf("day = %q", got)
	}
	if got := day(endOf(2026, 8, 3)); got != "2026年08月03日" {
		t.Fatalf("day of a deadline = %q", got)
	}
	if got := when(at); got != "2026年09月04日 09:30" {
		t.Fatalf("when = %q", got)
	}
}

// A list row says what comes next: an overdue reply deadline says so (by 查询's rule), an
// escalated case waits for the face-to-face consultation and the unit's new reply, and a
// reply whose rating window has passed is no longer waiting for the deputy's rating.
func TestNextStep(t *testing.T) {
	t.Parallel()
	due := endOf(2026, 8, 3)
	ratingDue := endOf(2026, 9, 18)
	sameEvening := time.Date(2026, 8, 3, 22, 0, 0, 0, shanghai)
	nextMorning := time.Date(2026, 8, 4, 8, 0, 0, 0, shanghai)
	for _, tc := range []struct {
		name string
		s    suggestion.Summary
		now  time.Time
		want string
	}{
		{"due today", suggestion.Summary{Status: suggestion.StatusHandling, ReplyDueAt: &due}, sameEvening, "答复期限2026年08月03日"},
		{"overdue", suggestion.Summary{Status: suggestion.StatusHandling, ReplyDueAt: &due}, nextMorning, "答复期限2026年08月03日（已逾期）"},
		{"assigned overdue", suggestion.Summary{Status: suggestion.StatusAssigned, ReplyDueAt: &due}, nextMorning, "答复期限2026年08月03日（已逾期）"},
		{"rehandling overdue", suggestion.Summary{Status: suggestion.StatusRehandling, ReplyDueAt: &due}, nextMorning, "答复期限2026年08月03日（已逾期）"},
		{"escalated", suggestion.Summary{Status: suggestion.StatusEscalated, ReplyDueAt: &due}, sameEvening,
			"待承办单位与代表当面协商后重新答复，答复期限2026年08月03日"},
		{"escalated overdue", suggestion.Summary{Status: suggestion.StatusEscalated, ReplyDueAt: &due}, nextMorning,
			"待承办单位与代表当面协商后重新答复，答复期限2026年08月03日（已逾期）"},
		{"escalated without deadline", suggestion.Summary{Status: suggestion.StatusEscalated}, nextMorning, "待承办单位与代表当面协商后重新答复"},
		{"rating due", suggestion.Summary{Status: suggestion.StatusReplied, RatingDueAt: &ratingDue}, nextMorning, "待您评价（2026年09月18日前）"},
		{"rating window passed", suggestion.Summary{Status: suggestion.StatusReplied, RatingDueAt: &ratingDue},
			time.Date(2026, 9, 19, 9, 0, 0, 0, shanghai), "评价期限已过（计为未反馈）"},
	} {
		if got := nextStep(tc.s, tc.now); got != tc.want {
			t.Errorf("%s: nextStep = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// 查询 of a reply whose rating window has passed says that the window closed and the case
// counts as 未反馈, and invites no rating.
func TestDetailAfterRatingWindow(t *testing.T) {
	t.Parallel()
	ratingDue := endOf(2026, 9, 18)
	d := &suggestion.Detail{
		Suggestion: suggestion.Suggestion{ID: 1, Number: 8, Title: "关于新华路信号灯的建议", Status: suggestion.StatusReplied,
			LeadDeputyID: 7, RatingDueAt: &ratingDue},
		RateReplyUntil: &ratingDue, // as the service offered it before it refused late ratings
	}
	open := formatDetail(d, 7, time.Date(2026, 9, 18, 20, 0, 0, 0, shanghai))
	if !strings.Contains(open, "等待：您评价答复（2026年09月18日前），回复“评价 8 满意/基本满意/不满意”") {
		t.Fatalf("inside the window:\n%s", open)
	}
	for _, who := range []int64{7, 9} { // the lead deputy, a co-signer
		got := formatDetail(d, who, time.Date(2026, 9, 21, 9, 0, 0, 0, shanghai))
		if !strings.Contains(got, "答复评价期限2026年09月18日已过，计为未反馈") {
			t.Fatalf("deputy %d after the window:\n%s", who, got)
		}
		if strings.Contains(got, "您评价答复") || strings.Contains(got, "评价 8") || strings.Contains(got, "尚未评价") {
			t.Fatalf("deputy %d invited to rate after the window:\n%s", who, got)
		}
	}
}
