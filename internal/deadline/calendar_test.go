package deadline

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// at is hh:mm of a Shanghai date "2026-02-12".
func at(tb testing.TB, date string, hh, mm int) time.Time {
	tb.Helper()
	d, err := time.ParseInLocation(time.DateOnly, date, Shanghai)
	if err != nil {
		tb.Fatalf("bad test date %q: %v", date, err)
	}
	return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// endOf is 23:59:59.999999999 of a Shanghai date.
func endOf(tb testing.TB, date string) time.Time {
	tb.Helper()
	return at(tb, date, 0, 0).Add(24*time.Hour - time.Nanosecond)
}

func mustCalendar(tb testing.TB, overrides ...Override) *Calendar {
	tb.Helper()
	c, err := NewCalendar(overrides)
	if err != nil {
		tb.Fatalf("NewCalendar: %v", err)
	}
	return c
}

func assertTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got.In(Shanghai).Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got.Location() != Shanghai {
		t.Errorf("%s location = %v, want Shanghai", what, got.Location())
	}
}

// The State Council's 2026 schedule (国办发明电〔2025〕7号), written out by hand.
var (
	stateCouncil2026Off = []string{
		"2026-01-01", "2026-01-02", "2026-01-03", // 元旦
		"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", // 春节
		"2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		"2026-04-04", "2026-04-05", "2026-04-06", // 清明
		"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", // 劳动节
		"2026-06-19", "2026-06-20", "2026-06-21", // 端午
		"2026-09-25", "2026-09-26", "2026-09-27", // 中秋
		"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", // 国庆
	}
	stateCouncil2026Work = []string{
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
	}
)

// TestLunarGoTable2026MatchesStateCouncil compares every day of 2026 with the official schedule.
func TestLunarGoTable2026MatchesStateCouncil(t *testing.T) {
	t.Parallel()
	if !HolidayTableCovers(2026) {
		t.Fatal("lunar-go holiday table does not cover 2026; supplement it with HolidayUtil.Fix (see package doc)")
	}
	want := map[string]bool{}
	for _, d := range stateCouncil2026Off {
		want[d] = false
	}
	for _, d := range stateCouncil2026Work {
		want[d] = true
	}
	c := mustCalendar(t)
	for d := at(t, "2026-01-01", 12, 0); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		w, special := want[key]
		if !special {
			w = d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		}
		if got := c.IsWorkingDay(d); got != w {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v", key, d.Weekday(), got, w)
		}
	}
	if got := c.DayName(at(t, "2026-02-17", 9, 0)); got != "春节" {
		t.Errorf("DayName(2026-02-17) = %q, want 春节", got)
	}
}

func TestIsWorkingDay(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	cases := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"元旦 Thu", at(t, "2026-01-01", 10, 0), false},
		{"元旦 make-up Sun", at(t, "2026-01-04", 10, 0), true},
		{"春节 make-up Sat before", at(t, "2026-02-14", 10, 0), true},
		{"春节 first day Sun", at(t, "2026-02-15", 10, 0), false},
		{"春节 last day Mon", at(t, "2026-02-23", 10, 0), false},
		{"春节 back to work Tue", at(t, "2026-02-24", 10, 0), true},
		{"春节 make-up Sat after", at(t, "2026-02-28", 10, 0), true},
		{"ordinary Sat", at(t, "2026-03-07", 10, 0), false},
		{"ordinary Mon", at(t, "2026-03-09", 10, 0), true},
		{"清明 Mon", at(t, "2026-04-06", 10, 0), false},
		{"劳动节 Tue", at(t, "2026-05-05", 10, 0), false},
		{"劳动节 make-up Sat", at(t, "2026-05-09", 10, 0), true},
		{"端午 Fri", at(t, "2026-06-19", 10, 0), false},
		{"国庆 make-up Sun", at(t, "2026-09-20", 10, 0), true},
		{"中秋 Fri", at(t, "2026-09-25", 10, 0), false},
		{"国庆 Wed", at(t, "2026-10-07", 10, 0), false},
		{"after 国庆 Thu", at(t, "2026-10-08", 10, 0), true},
		{"国庆 make-up Sat", at(t, "2026-10-10", 10, 0), true},
		{"ordinary Sun after make-up Sat", at(t, "2026-10-11", 10, 0), false},
		// The date is taken in Shanghai, whatever zone t is in.
		{"UTC Feb 13 16:30 is Shanghai Feb 14 00:30", time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), true},
		{"UTC Feb 14 16:30 is Shanghai Feb 15 00:30", time.Date(2026, 2, 14, 16, 30, 0, 0, time.UTC), false},
		{"UTC Feb 13 15:59 is Shanghai Feb 13 23:59", time.Date(2026, 2, 13, 15, 59, 0, 0, time.UTC), true},
		{"UTC Oct 9 16:00 is Shanghai Oct 10 00:00", time.Date(2026, 10, 9, 16, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := c.IsWorkingDay(tc.t); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.t, got, tc.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	cases := []struct {
		name  string
		start time.Time
		n     int
		want  string
	}{
		{"1 before 春节", at(t, "2026-02-12", 10, 0), 1, "2026-02-13"},
		{"2: make-up Sat Feb 14 counts", at(t, "2026-02-12", 10, 0), 2, "2026-02-14"},
		{"3: skips Feb 15-23", at(t, "2026-02-12", 10, 0), 3, "2026-02-24"},
		{"7 across 春节: Feb 14 and Feb 28 count", at(t, "2026-02-12", 10, 0), 7, "2026-02-28"},
		{"8 across 春节", at(t, "2026-02-12", 10, 0), 8, "2026-03-02"},
		{"start late at night keeps its date", at(t, "2026-02-12", 23, 59), 7, "2026-02-28"},
		{"10 across 中秋 and 国庆", at(t, "2026-09-17", 9, 0), 10, "2026-10-08"},
		{"2: Sep 20 Sun counts", at(t, "2026-09-17", 9, 0), 2, "2026-09-20"},
		{"25 across 清明 and 劳动节, May 9 counts", at(t, "2026-04-01", 10, 0), 25, "2026-05-11"},
		{"year end into 元旦 make-up Sun", at(t, "2025-12-31", 10, 0), 1, "2026-01-04"},
		{"year end 2", at(t, "2025-12-31", 10, 0), 2, "2026-01-05"},
		{"start on a holiday", at(t, "2026-10-03", 10, 0), 1, "2026-10-08"},
		{"-1 back into make-up Sat", at(t, "2026-02-24", 10, 0), -1, "2026-02-14"},
		{"-2 before 春节", at(t, "2026-02-24", 10, 0), -2, "2026-02-13"},
		{"-1 back over 国庆", at(t, "2026-10-08", 10, 0), -1, "2026-09-30"},
		{"-2 over make-up Sat Oct 10", at(t, "2026-10-12", 10, 0), -2, "2026-10-09"},
		{"0 on a working day", at(t, "2026-10-09", 10, 0), 0, "2026-10-09"},
		{"0 on a holiday rolls forward", at(t, "2026-10-03", 10, 0), 0, "2026-10-08"},
		{"UTC start is Shanghai Feb 14", time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), 1, "2026-02-24"},
		{"UTC start is Shanghai Feb 13", time.Date(2026, 2, 13, 15, 59, 59, 0, time.UTC), 1, "2026-02-14"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertTime(t, "AddWorkingDays", c.AddWorkingDays(tc.start, tc.n), endOf(t, tc.want))
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	cases := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"across 春节", at(t, "2026-02-12", 10, 0), endOf(t, "2026-02-28"), 7},
		{"across 春节 reversed", endOf(t, "2026-02-28"), at(t, "2026-02-12", 10, 0), -7},
		{"rating window across 国庆", at(t, "2026-09-18", 15, 0), at(t, "2026-10-22", 8, 0), 20},
		{"around 国庆", at(t, "2026-09-24", 15, 0), at(t, "2026-10-08", 8, 0), 4},
		{"same date", at(t, "2026-03-02", 8, 0), at(t, "2026-03-02", 18, 0), 0},
		{"all of 春节 off", at(t, "2026-02-14", 0, 0), at(t, "2026-02-23", 23, 0), 0},
		{"into make-up Sat", at(t, "2026-02-13", 10, 0), at(t, "2026-02-14", 9, 0), 1},
		{"UTC to that is Shanghai next day", at(t, "2026-02-13", 10, 0), time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := c.WorkingDaysBetween(tc.from, tc.to); got != tc.want {
				t.Errorf("WorkingDaysBetween = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestAddWorkingDaysRoundTrip: WorkingDaysBetween(t, AddWorkingDays(t, n)) == n through 2026.
func TestAddWorkingDaysRoundTrip(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	for d := at(t, "2026-01-01", 11, 0); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		for _, n := range []int{1, 2, 7, 15, 20, 60} {
			due := c.AddWorkingDays(d, n)
			if got := c.WorkingDaysBetween(d, due); got != n {
				t.Fatalf("from %s: WorkingDaysBetween(AddWorkingDays(%d)) = %d", d.Format(time.DateOnly), n, got)
			}
			if !c.IsWorkingDay(due) {
				t.Fatalf("from %s: AddWorkingDays(%d) = %s is not a working day", d.Format(time.DateOnly), n, due)
			}
		}
	}
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	cases := []struct {
		name   string
		start  time.Time
		months int
		want   string
	}{
		{"lands on 国庆, extends past it", at(t, "2026-07-01", 10, 0), 3, "2026-10-08"},
		{"lands on 春节 Sun, extends past it", at(t, "2025-11-15", 10, 0), 3, "2026-02-24"},
		{"lands on 劳动节, extends", at(t, "2026-04-04", 10, 0), 1, "2026-05-06"},
		{"lands on 元旦, extends to make-up Sun", at(t, "2025-01-01", 10, 0), 12, "2026-01-04"},
		{"lands on an ordinary Sat, extends to Mon", at(t, "2026-02-07", 10, 0), 1, "2026-03-09"},
		{"Jan 31 + 1 = Feb 28, a make-up Sat", at(t, "2026-01-31", 10, 0), 1, "2026-02-28"},
		{"Mar 31 + 1 = Apr 30", at(t, "2026-03-31", 10, 0), 1, "2026-04-30"},
		{"May 31 + 1 = Jun 30", at(t, "2026-05-31", 10, 0), 1, "2026-06-30"},
		{"leap year Jan 31 + 1 = Feb 29", at(t, "2028-01-31", 10, 0), 1, "2028-02-29"},
		{"Dec 31 + 2 = Feb 28 2027 Sun, extends to Mon", at(t, "2026-12-31", 10, 0), 2, "2027-03-01"},
		{"negative months", at(t, "2026-03-31", 10, 0), -1, "2026-02-28"},
		{"zero months on a holiday", at(t, "2026-10-03", 10, 0), 0, "2026-10-08"},
		{"UTC start that is Shanghai Jul 1", time.Date(2026, 6, 30, 17, 0, 0, 0, time.UTC), 3, "2026-10-08"},
		{"UTC start that is Shanghai Jun 30", time.Date(2026, 6, 30, 15, 0, 0, 0, time.UTC), 3, "2026-09-30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertTime(t, "AddMonths", c.AddMonths(tc.start, tc.months), endOf(t, tc.want))
		})
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	start := at(t, "2026-09-18", 15, 30)
	cases := []struct {
		name      string
		overrides []Override
		want      string
	}{
		{"none: 20 working days from Sep 18", nil, "2026-10-22"},
		{"local holiday Tue Oct 13 moves it a day later", []Override{{Date: "2026-10-13", Working: false, Name: "市庆"}}, "2026-10-23"},
		{"working Sat Oct 17 moves it a day earlier", []Override{{Date: "2026-10-17", Working: true, Name: "补班"}}, "2026-10-21"},
		{"both cancel out", []Override{{Date: "2026-10-13"}, {Date: "2026-10-17", Working: true}}, "2026-10-22"},
		{"make-up Sat Oct 10 turned off", []Override{{Date: "2026-10-10", Working: false}}, "2026-10-23"},
		{"statutory holiday Oct 7 turned on", []Override{{Date: "2026-10-07", Working: true}}, "2026-10-21"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustCalendar(t, tc.overrides...)
			got, err := c.Due(ClockRating, start, DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			assertTime(t, "Due(rating)", got, endOf(t, tc.want))
		})
	}

	t.Run("IsWorkingDay and DayName", func(t *testing.T) {
		t.Parallel()
		c := mustCalendar(t, Override{Date: "2026-10-17", Working: true, Name: "补班"}, Override{Date: "2026-10-13", Name: "市庆"})
		if !c.IsWorkingDay(at(t, "2026-10-17", 10, 0)) {
			t.Error("Sat 2026-10-17 overridden to working is not a working day")
		}
		if c.IsWorkingDay(at(t, "2026-10-13", 10, 0)) {
			t.Error("Tue 2026-10-13 overridden to holiday is a working day")
		}
		if got := c.DayName(at(t, "2026-10-13", 10, 0)); got != "市庆" {
			t.Errorf("DayName = %q, want 市庆", got)
		}
		if got := c.DayName(at(t, "2026-10-14", 10, 0)); got != "" {
			t.Errorf("DayName(ordinary day) = %q, want empty", got)
		}
		// Another calendar is not affected.
		if mustCalendar(t).IsWorkingDay(at(t, "2026-10-17", 10, 0)) {
			t.Error("override leaked into another calendar")
		}
	})

	t.Run("AddMonths extends past a local holiday", func(t *testing.T) {
		t.Parallel()
		c := mustCalendar(t, Override{Date: "2026-06-01", Name: "local"})
		// 2026-03-01 + 3 months = Mon 2026-06-01, a local holiday: extends to Tue Jun 2.
		assertTime(t, "AddMonths", c.AddMonths(at(t, "2026-03-01", 9, 0), 3), endOf(t, "2026-06-02"))
	})
}

func TestNewCalendarRefusesBadOverrides(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		overrides []Override
	}{
		{"empty date", []Override{{Date: ""}}},
		{"no padding", []Override{{Date: "2026-6-1"}}},
		{"no such day", []Override{{Date: "2026-02-30"}}},
		{"month 13", []Override{{Date: "2026-13-01"}}},
		{"slashes", []Override{{Date: "2026/06/01"}}},
		{"trailing text", []Override{{Date: "2026-06-01T00:00:00Z"}}},
		{"leading space", []Override{{Date: " 2026-06-01"}}},
		{"year too early", []Override{{Date: "1999-12-31"}}},
		{"year too late", []Override{{Date: "2200-01-01"}}},
		{"duplicate date", []Override{{Date: "2026-06-01"}, {Date: "2026-06-01", Working: true}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewCalendar(tc.overrides)
			if !errors.Is(err, ErrInvalidOverride) || c != nil {
				t.Errorf("NewCalendar(%+v) = %v, %v; want nil, ErrInvalidOverride", tc.overrides, c, err)
			}
		})
	}
}

func TestOverdueWorkingDays(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t)
	due := endOf(t, "2026-09-30")
	cases := []struct {
		name string
		now  time.Time
		want int
	}{
		{"before due", at(t, "2026-09-30", 12, 0), 0},
		{"exactly due", due, 0},
		{"during 国庆", at(t, "2026-10-05", 12, 0), 0},
		{"first day back", at(t, "2026-10-08", 10, 0), 1},
		{"make-up Sat Oct 10 counts", at(t, "2026-10-10", 8, 0), 3},
		{"Sun Oct 11 does not", at(t, "2026-10-11", 8, 0), 3},
		{"Mon Oct 12", at(t, "2026-10-12", 8, 0), 4},
		{"long ago before due", at(t, "2026-01-01", 0, 0), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := c.OverdueWorkingDays(due, tc.now); got != tc.want {
				t.Errorf("OverdueWorkingDays = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	c := mustCalendar(t, Override{Date: "2026-10-13"})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 200 {
				if got := c.AddWorkingDays(at(t, "2026-09-18", 10, 0), 20); !got.Equal(endOf(t, "2026-10-23")) {
					t.Errorf("AddWorkingDays = %s", got)
					return
				}
				_ = c.IsWorkingDay(at(t, "2026-10-13", 10, 0))
				_ = c.ReminderTimes(endOf(t, "2026-10-23"), DefaultSettings())
			}
		})
	}
	wg.Wait()
}

func TestHolidayTableCovers(t *testing.T) {
	t.Parallel()
	for _, y := range []int{2002, 2020, 2025, 2026} {
		if !HolidayTableCovers(y) {
			t.Errorf("HolidayTableCovers(%d) = false", y)
		}
	}
	for _, y := range []int{1999, 2001, 2100} {
		if HolidayTableCovers(y) {
			t.Errorf("HolidayTableCovers(%d) = true", y)
		}
	}
}
