package bot

import (
	"testing"
	"time"
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
