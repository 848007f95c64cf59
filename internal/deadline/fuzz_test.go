package deadline

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

// FuzzNewCalendarOverride: NewCalendar never panics; it accepts exactly the canonical
// YYYY-MM-DD dates of 2000..2199, and an accepted override decides that date.
func FuzzNewCalendarOverride(f *testing.F) {
	for _, seed := range []string{
		"2026-06-01", "2026-02-30", "2026-6-1", "", "2026-13-01", " 2026-06-01", "2026-06-01 ",
		"1999-12-31", "2199-12-31", "2200-01-01", "2028-02-29", "2026-02-29", "+2026-06-01",
		"２０２６-06-01", "2026-06-01T00:00:00Z", "0000-00-00", "2026-00-10",
	} {
		f.Add(seed, true, "名")
		f.Add(seed, false, "")
	}
	f.Fuzz(func(t *testing.T, date string, working bool, name string) {
		c, err := NewCalendar([]Override{{Date: date, Working: working, Name: name}})
		parsed, perr := time.ParseInLocation(time.DateOnly, date, Shanghai)
		canonical := perr == nil && parsed.Format(time.DateOnly) == date && parsed.Year() >= 2000 && parsed.Year() <= 2199
		if err != nil {
			if !errors.Is(err, ErrInvalidOverride) {
				t.Fatalf("NewCalendar(%q) error %v does not wrap ErrInvalidOverride", date, err)
			}
			if canonical {
				t.Fatalf("NewCalendar(%q) refused a canonical date: %v", date, err)
			}
			return
		}
		if !canonical {
			t.Fatalf("NewCalendar(%q) accepted a non-canonical date", date)
		}
		for _, h := range []int{0, 12, 23} {
			if got := c.IsWorkingDay(parsed.Add(time.Duration(h) * time.Hour)); got != working {
				t.Fatalf("IsWorkingDay(%s %02d:00) = %v, want override's %v", date, h, got, working)
			}
		}
		if got := c.DayName(parsed); got != name {
			t.Fatalf("DayName(%s) = %q, want %q", date, got, name)
		}
	})
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c, err := NewCalendar([]Override{{Date: "2026-10-13", Name: "local"}})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 9, 18, 15, 30, 0, 0, Shanghai)
	for _, n := range []int{20, 120} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				_ = c.AddWorkingDays(start, n)
			}
		})
	}
}
