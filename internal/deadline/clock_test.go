package deadline

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestDueDefaults(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	// Start Wed 2026-04-01 10:00: 清明 (Apr 4-6), 劳动节 (May 1-5) and 国庆 (Oct 1-7) are in play.
	start := at(t, "2026-04-01", 10, 0)
	cases := []struct {
		clock Clock
		want  string
	}{
		{ClockReply, "2026-07-01"},          // 3 months
		{ClockReplyComplex, "2026-10-08"},   // 6 months = Oct 1, 国庆: extends to Thu Oct 8
		{ClockReturnWindow, "2026-04-13"},   // 7 wd: Apr 2,3,7,8,9,10,13
		{ClockCoOpinion, "2026-05-06"},      // 1 month = May 1, 劳动节: extends to Wed May 6
		{ClockBeforeContact, "2026-04-16"},  // 10 wd
		{ClockRating, "2026-04-30"},         // 20 wd
		{ClockRehandle, "2026-05-06"},       // 1 month, extended as co_opinion
		{ClockImplRating, "2026-04-16"},     // 10 wd
		{ClockPublish, "2026-04-30"},        // 20 wd
		{ClockFastTrackReply, "2026-04-23"}, // 15 wd
	}
	if len(cases) != len(Clocks) {
		t.Fatalf("test covers %d clocks, package has %d", len(cases), len(Clocks))
	}
	for _, tc := range cases {
		t.Run(string(tc.clock), func(t *testing.T) {
			t.Parallel()
			if !tc.clock.Valid() {
				t.Errorf("%q.Valid() = false", tc.clock)
			}
			got, err := c.Due(tc.clock, start, DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			assertTime(t, "Due", got, endOf(t, tc.want))
		})
	}
}

func TestDueAcrossHolidays(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	s := DefaultSettings()
	s.RehandleMonths = 3
	s.FastTrackReplyWorkdays = 7
	cases := []struct {
		name  string
		clock Clock
		start time.Time
		want  string
	}{
		// Sep 20 (1), 21-24 (5), 28-30 (8), Oct 8 (9), 9 (10), Oct 10 Sat (11), 12-16 (16), 19-22 (20).
		{"rating 20 wd from 2026-09-18", ClockRating, at(t, "2026-09-18", 15, 30), "2026-10-22"},
		{"publish 20 wd from 2026-09-18", ClockPublish, at(t, "2026-09-18", 15, 30), "2026-10-22"},
		// Feb 13, 14 (Sat), 24, 25, 26, 27, 28 (Sat).
		{"fast track 7 wd from 2026-02-12", ClockFastTrackReply, at(t, "2026-02-12", 9, 0), "2026-02-28"},
		// Feb 13, 14 (Sat), 24..27, Feb 28 (Sat), Mar 2, 3, 4.
		{"before contact 10 wd from 2026-02-12", ClockBeforeContact, at(t, "2026-02-12", 9, 0), "2026-03-04"},
		{"rehandle 3 months lands on 国庆", ClockRehandle, at(t, "2026-07-01", 9, 0), "2026-10-08"},
		{"reply 3 months lands on 春节", ClockReply, at(t, "2025-11-15", 9, 0), "2026-02-24"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Due(tc.clock, tc.start, s)
			if err != nil {
				t.Fatal(err)
			}
			assertTime(t, "Due", got, endOf(t, tc.want))
		})
	}
}

func TestDueErrors(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	start := at(t, "2026-04-01", 10, 0)
	bad := func(f func(*Settings)) Settings { s := DefaultSettings(); f(&s); return s }
	cases := []struct {
		name  string
		clock Clock
		s     Settings
		want  error
	}{
		{"unknown clock", Clock("nope"), DefaultSettings(), ErrUnknownClock},
		{"empty clock", Clock(""), DefaultSettings(), ErrUnknownClock},
		{"zero rating workdays", ClockRating, bad(func(s *Settings) { s.RatingWorkdays = 0 }), ErrInvalidSettings},
		{"rehandle 4 months", ClockRehandle, bad(func(s *Settings) { s.RehandleMonths = 4 }), ErrInvalidSettings},
		{"reply 13 months", ClockReply, bad(func(s *Settings) { s.ReplyMonths = 13 }), ErrInvalidSettings},
		{"zero-value settings", ClockPublish, Settings{}, ErrInvalidSettings},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Due(tc.clock, start, tc.s)
			if !errors.Is(err, tc.want) || !got.IsZero() {
				t.Errorf("Due = %v, %v; want zero time, %v", got, err, tc.want)
			}
		})
	}
	if Clock("nope").Valid() {
		t.Error(`Clock("nope").Valid() = true`)
	}
}

func TestReminderTimes(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	with := func(offsets ...int) Settings { s := DefaultSettings(); s.ReminderOffsets = offsets; return s }
	cases := []struct {
		name string
		c    *Calendar
		due  time.Time
		s    Settings
		want []string // 09:00 Shanghai of these dates
	}{
		{
			// Back from Oct 8: Sep 30 (1), 29, 28 (3), 24, 23, 22, 21 (7), Sep 20 Sun (8), 18, 17,
			// 16, 15, 14, 11, Sep 10 (15). 中秋 Sep 25-27 and 国庆 Oct 1-7 are skipped.
			name: "defaults before 2026-10-08", c: c, due: endOf(t, "2026-10-08"), s: DefaultSettings(),
			want: []string{"2026-09-10", "2026-09-21", "2026-09-28", "2026-09-30"},
		},
		{
			// Back from Feb 28: 27 (1), 26, 25 (3), 24, Feb 14 Sat (5), 13, 12 (7), 11, 10, 9, 6, 5,
			// 4, 3, Feb 2 (15). 春节 Feb 15-23 is skipped.
			name: "defaults before 2026-02-28", c: c, due: endOf(t, "2026-02-28"), s: DefaultSettings(),
			want: []string{"2026-02-02", "2026-02-12", "2026-02-25", "2026-02-27"},
		},
		{
			name: "T-1 before Tue Feb 24 is make-up Sat Feb 14", c: c, due: endOf(t, "2026-02-24"), s: with(1),
			want: []string{"2026-02-14"},
		},
		{
			name: "due on a holiday counts from its date", c: c, due: at(t, "2026-10-03", 18, 0), s: with(1),
			want: []string{"2026-09-30"},
		},
		{
			name: "local holiday is skipped", c: mustCalendar(t, Override{Date: "2026-09-30"}), due: endOf(t, "2026-10-08"), s: with(3, 1),
			want: []string{"2026-09-24", "2026-09-29"},
		},
		{
			name: "unsorted, duplicate and non-positive offsets", c: c, due: endOf(t, "2026-10-08"), s: with(1, 3, 3, 0, -2),
			want: []string{"2026-09-28", "2026-09-30"},
		},
		{name: "no offsets", c: c, due: endOf(t, "2026-10-08"), s: with(), want: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.c.ReminderTimes(tc.due, tc.s)
			if len(got) != len(tc.want) {
				t.Fatalf("ReminderTimes = %v, want 09:00 of %v", got, tc.want)
			}
			for i, w := range tc.want {
				assertTime(t, "reminder", got[i], at(t, w, 9, 0))
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	mod := func(f func(*Settings)) Settings { s := DefaultSettings(); f(&s); return s }
	ok := []struct {
		name string
		s    Settings
	}{
		{"defaults", DefaultSettings()},
		{"upper bounds", mod(func(s *Settings) {
			s.ReplyMonths, s.ComplexReplyMonths, s.CoOpinionMonths, s.RehandleMonths = 12, 12, 12, 3
			s.ReturnWindowWorkdays, s.BeforeContactWorkdays, s.RatingWorkdays = 120, 120, 120
			s.ImplRatingWorkdays, s.PublishWorkdays, s.FastTrackReplyWorkdays = 120, 120, 120
			s.ReminderOffsets = []int{120, 1}
		})},
		{"lower bounds", mod(func(s *Settings) {
			s.ReplyMonths, s.ComplexReplyMonths, s.CoOpinionMonths, s.RehandleMonths = 1, 1, 1, 1
			s.ReturnWindowWorkdays, s.BeforeContactWorkdays, s.RatingWorkdays = 1, 1, 1
			s.ImplRatingWorkdays, s.PublishWorkdays, s.FastTrackReplyWorkdays = 1, 1, 1
			s.ReminderOffsets = []int{1}
		})},
		{"no reminders", mod(func(s *Settings) { s.ReminderOffsets = nil })},
		{"contact not required", mod(func(s *Settings) { s.RequireBeforeContact = false })},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.s.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
	refused := []struct {
		name string
		s    Settings
	}{
		{"zero value", Settings{}},
		{"reply 0 months", mod(func(s *Settings) { s.ReplyMonths = 0 })},
		{"reply 13 months", mod(func(s *Settings) { s.ReplyMonths = 13 })},
		{"complex 13 months", mod(func(s *Settings) { s.ComplexReplyMonths = 13 })},
		{"complex shorter than reply", mod(func(s *Settings) { s.ComplexReplyMonths = 2 })},
		{"co-opinion 0 months", mod(func(s *Settings) { s.CoOpinionMonths = 0 })},
		{"rehandle 4 months", mod(func(s *Settings) { s.RehandleMonths = 4 })},
		{"rehandle 0 months", mod(func(s *Settings) { s.RehandleMonths = 0 })},
		{"return window 0", mod(func(s *Settings) { s.ReturnWindowWorkdays = 0 })},
		{"before contact 121", mod(func(s *Settings) { s.BeforeContactWorkdays = 121 })},
		{"rating -1", mod(func(s *Settings) { s.RatingWorkdays = -1 })},
		{"impl rating 121", mod(func(s *Settings) { s.ImplRatingWorkdays = 121 })},
		{"publish 0", mod(func(s *Settings) { s.PublishWorkdays = 0 })},
		{"fast track 121", mod(func(s *Settings) { s.FastTrackReplyWorkdays = 121 })},
		{"offsets ascending", mod(func(s *Settings) { s.ReminderOffsets = []int{7, 15} })},
		{"offsets repeated", mod(func(s *Settings) { s.ReminderOffsets = []int{15, 7, 7} })},
		{"offset zero", mod(func(s *Settings) { s.ReminderOffsets = []int{15, 0} })},
		{"offset negative", mod(func(s *Settings) { s.ReminderOffsets = []int{-1} })},
		{"offset 121", mod(func(s *Settings) { s.ReminderOffsets = []int{121} })},
		{"11 offsets", mod(func(s *Settings) { s.ReminderOffsets = []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1} })},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.s.Validate(); !errors.Is(err, ErrInvalidSettings) {
				t.Errorf("Validate() = %v, want ErrInvalidSettings", err)
			}
		})
	}
}

func TestSettingsJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"reply_months":3,"complex_reply_months":6,"return_window_workdays":7,"co_opinion_months":1,` +
		`"before_contact_workdays":10,"rating_workdays":20,"rehandle_months":1,"impl_rating_workdays":10,` +
		`"publish_workdays":20,"fast_track_reply_workdays":15,"reminder_offsets":[15,7,3,1],"require_before_contact":true}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back.Validate() != nil || back.RatingWorkdays != 20 {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}
