// Package deadline computes the workflow clocks of PRODUCT.md ("Clocks"): working days in
// Asia/Shanghai that skip weekends and statutory holidays and count 调休 make-up days as
// working days, calendar-month periods that roll forward past holidays (期间届满日为节假日的
// 顺延), per-tenant clock settings, due instants and reminder times.
//
// Holiday data comes from github.com/6tail/lunar-go's HolidayUtil table (a maintained table of
// the State Council's yearly schedules since 2001-12-29). Tenants add local holidays or extra
// working days with Override.
//
// 2026: lunar-go v1.4.7 already carries the State Council's 2026 schedule
// (国办发明电〔2025〕7号), and TestLunarGoTable2026MatchesStateCouncil checks it day by day for
// the whole year, so no supplement is applied. Should a future version lack a year, add it
// through lunar-go's own facility rather than a hand-written calendar: call
// HolidayUtil.Fix(nil, data) before the first NewCalendar, where data is a concatenation of
// 18-character records "YYYYMMDD" + name index (0 元旦节 … 6 国庆节, see HolidayUtil.NAMES) +
// "1" holiday / "0" make-up working day + "YYYYMMDD" of the festival the day belongs to
// (e.g. "202602141020260217" = 2026-02-14, 春节, working day, belongs to 2026-02-17).
// HolidayUtil keeps that table in unsynchronised package globals, so Fix must only ever run
// during program start-up; this package reads the table once (on first use) into its own
// immutable snapshot and never calls Fix.
package deadline

import (
	"fmt"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Shanghai is the zone all clocks run in. It falls back to a fixed UTC+8 zone when the
// system has no tz database (China has had no DST since 1991, so the two agree).
var Shanghai = loadShanghai()

// DateOf is the calendar date of t in Shanghai, as midnight UTC (how PostgreSQL returns a
// date), to compare with the dates people enter and the database keeps.
func DateOf(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func loadShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// Override is a tenant's change to the statutory calendar for one date.
type Override struct {
	Date    string `json:"date"`    // "2026-06-01"
	Working bool   `json:"working"` // true = make-up working day, false = holiday
	Name    string `json:"name"`
}

// Calendar answers working-day questions. It is immutable after NewCalendar and safe for
// concurrent use.
type Calendar struct {
	overrides map[day]bool // day -> working
	names     map[day]string
}

// Override dates must fall in this year range; anything else is almost surely a typo.
const (
	minOverrideYear = 2000
	maxOverrideYear = 2199
)

// NewCalendar builds a calendar from the statutory table plus the tenant's overrides.
// A malformed date ("2026-6-1", "2026-02-30", …), a year outside 2000..2199 or two overrides
// for the same date return an error wrapping ErrInvalidOverride.
func NewCalendar(overrides []Override) (*Calendar, error) {
	c := &Calendar{
		overrides: make(map[day]bool, len(overrides)),
		names:     make(map[day]string, len(overrides)),
	}
	for i, o := range overrides {
		d, err := parseDay(o.Date)
		if err != nil {
			return nil, fmt.Errorf("%w: override %d: %v", ErrInvalidOverride, i, err)
		}
		if _, dup := c.overrides[d]; dup {
			return nil, fmt.Errorf("%w: override %d: date %s given twice", ErrInvalidOverride, i, o.Date)
		}
		c.overrides[d] = o.Working
		c.names[d] = o.Name
	}
	baseTable() // load the statutory snapshot now rather than on a hot path
	return c, nil
}

func parseDay(s string) (day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	if t.Format(time.DateOnly) != s {
		return 0, fmt.Errorf("date %q is not in canonical YYYY-MM-DD form", s)
	}
	if y := t.Year(); y < minOverrideYear || y > maxOverrideYear {
		return 0, fmt.Errorf("date %q: year outside %d..%d", s, minOverrideYear, maxOverrideYear)
	}
	return dayOf(t.Year(), t.Month(), t.Day()), nil
}

// IsWorkingDay reports whether t's date in Shanghai is a working day: an override wins;
// otherwise a statutory holiday is off and a 调休 make-up day is on; otherwise Monday to
// Friday are on and weekends off.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return c.working(dayFromTime(t))
}

// DayName is the name of the override or statutory entry for t's date in Shanghai
// ("春节", a tenant's local holiday name, …), or "" when the date is an ordinary day.
func (c *Calendar) DayName(t time.Time) string {
	d := dayFromTime(t)
	if _, ok := c.overrides[d]; ok {
		return c.names[d]
	}
	if e, ok := baseTable().days[d]; ok {
		return e.name
	}
	return ""
}

func (c *Calendar) working(d day) bool {
	if w, ok := c.overrides[d]; ok {
		return w
	}
	if e, ok := baseTable().days[d]; ok {
		return e.working
	}
	wd := d.weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the end (23:59:59.999999999 Shanghai) of the n-th working day after
// t's date; t's own date never counts. A negative n gives the |n|-th working day before t's
// date. n == 0 gives the end of t's date when it is a working day, else of the next one.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	return c.addWorkingDays(dayFromTime(t), n).end()
}

func (c *Calendar) addWorkingDays(d day, n int) day {
	switch {
	case n == 0:
		return c.rollForward(d)
	case n > 0:
		for n > 0 {
			d++
			if c.working(d) {
				n--
			}
		}
	default:
		for n < 0 {
			d--
			if c.working(d) {
				n++
			}
		}
	}
	return d
}

// rollForward returns d when it is a working day, else the next working day.
func (c *Calendar) rollForward(d day) day {
	for !c.working(d) {
		d++
	}
	return d
}

// WorkingDaysBetween counts the working days whose dates (in Shanghai) lie in (from, to];
// the count is negative, -(working days in (to, from]), when to is before from.
// So WorkingDaysBetween(t, AddWorkingDays(t, n)) == n for every n >= 1.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := dayFromTime(from), dayFromTime(to)
	sign := 1
	if b < a {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a + 1; d <= b; d++ {
		if c.working(d) {
			n++
		}
	}
	return sign * n
}

// AddMonths adds calendar months to t's date in Shanghai (the same day-of-month, or the
// month's last day when it has no such day: Jan 31 + 1 month = Feb 28/29) and returns the end
// of that day; when that day is not a working day the period extends to the end of the next
// working day (民法典第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为最后一日).
// months may be zero or negative.
func (c *Calendar) AddMonths(t time.Time, months int) time.Time {
	y, m, dd := t.In(Shanghai).Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC) // normalises the month
	ny, nm := first.Year(), first.Month()
	if last := daysIn(ny, nm); dd > last {
		dd = last
	}
	return c.rollForward(dayOf(ny, nm, dd)).end()
}

// OverdueWorkingDays is the number of working days whose dates lie in (due, now] when now is
// after due, else 0. Note that it is also 0 when now is past due but no working day has begun
// since (e.g. a Saturday after a Friday deadline): use now.After(due) for "is overdue".
func (c *Calendar) OverdueWorkingDays(due, now time.Time) int {
	if !now.After(due) {
		return 0
	}
	return c.WorkingDaysBetween(due, now)
}

// HolidayTableCovers reports whether the statutory table (lunar-go) has entries for year.
// For a year it does not cover, only weekends and tenant overrides are off.
func HolidayTableCovers(year int) bool {
	_, ok := baseTable().years[year]
	return ok
}

// day is a civil date counted in days since 1970-01-01.
type day int64

func dayOf(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dayFromTime(t time.Time) day {
	y, m, d := t.In(Shanghai).Date()
	return dayOf(y, m, d)
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d day) weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((int64(d)+4)%7 + 7) % 7)
}

// end is 23:59:59.999999999 of d in Shanghai.
func (d day) end() time.Time {
	y, m, dd := d.date()
	return time.Date(y, m, dd, 23, 59, 59, 999999999, Shanghai)
}

// at is hh:00 of d in Shanghai.
func (d day) at(hour int) time.Time {
	y, m, dd := d.date()
	return time.Date(y, m, dd, hour, 0, 0, 0, Shanghai)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type tableEntry struct {
	working bool
	name    string
}

type table struct {
	days  map[day]tableEntry
	years map[int]struct{}
}

// lunar-go's table starts with 2001-12-29 (for 元旦 2002).
const firstTableYear = 2001

var baseTable = sync.OnceValue(func() *table {
	tb := &table{days: make(map[day]tableEntry, 1024), years: make(map[int]struct{}, 32)}
	// Years are contiguous from 2001; stop after a few empty years in a row.
	for y, empty := firstTableYear, 0; empty < 3; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		if l.Len() == 0 {
			empty++
			continue
		}
		empty = 0
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			t, err := time.Parse(time.DateOnly, h.GetDay())
			if err != nil {
				panic(fmt.Sprintf("deadline: lunar-go holiday table has bad day %q", h.GetDay()))
			}
			tb.days[dayOf(t.Year(), t.Month(), t.Day())] = tableEntry{working: h.IsWork(), name: h.GetName()}
			if t.Year() > firstTableYear { // 2001 has only 元旦 2002's days
				tb.years[t.Year()] = struct{}{}
			}
		}
	}
	return tb
})
