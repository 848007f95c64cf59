package deadline

import (
	"fmt"
	"slices"
	"time"
)

// Clock names one of PRODUCT.md's clocks.
type Clock string

const (
	ClockReply          Clock = "reply"            // assignment -> reply (ReplyMonths)
	ClockReplyComplex   Clock = "reply_complex"    // assignment -> reply when complex (ComplexReplyMonths)
	ClockReturnWindow   Clock = "return_window"    // assignment -> last day to ask to return it
	ClockCoOpinion      Clock = "co_opinion"       // assignment -> co-unit opinion to the lead unit
	ClockBeforeContact  Clock = "before_contact"   // unit acceptance -> "before" contact
	ClockRating         Clock = "rating"           // reply -> deputy rating (then 未反馈)
	ClockRehandle       Clock = "rehandle"         // unsatisfied rating -> rehandled reply
	ClockImplRating     Clock = "impl_rating"      // last commitment due -> implementation rating
	ClockPublish        Clock = "publish"          // reply -> publication of the reply
	ClockFastTrackReply Clock = "fast_track_reply" // fast-track assignment -> reply
)

// reminderHour: reminders go at 09:00 Shanghai.
const reminderHour = 9

// Clocks lists every clock, in PRODUCT.md's order.
var Clocks = []Clock{
	ClockReply, ClockReplyComplex, ClockReturnWindow, ClockCoOpinion, ClockBeforeContact,
	ClockRating, ClockRehandle, ClockImplRating, ClockPublish, ClockFastTrackReply,
}

// Valid reports whether c is a known clock.
func (c Clock) Valid() bool { return slices.Contains(Clocks, c) }

// Due returns the instant clock runs out when it started at start: the end (23:59:59.999999999
// Shanghai) of the last day, computed with AddMonths for month clocks and AddWorkingDays for
// working-day clocks. An unknown clock wraps ErrUnknownClock; a length outside Validate's
// range for that clock wraps ErrInvalidSettings (the other fields are not checked).
func (c *Calendar) Due(clock Clock, start time.Time, s Settings) (time.Time, error) {
	months := func(field string, v, max int) (time.Time, error) {
		if v < MinMonths || v > max {
			return time.Time{}, fmt.Errorf("%w: %s = %d, want %d..%d", ErrInvalidSettings, field, v, MinMonths, max)
		}
		return c.AddMonths(start, v), nil
	}
	workdays := func(field string, v int) (time.Time, error) {
		if v < MinWorkdays || v > MaxWorkdays {
			return time.Time{}, fmt.Errorf("%w: %s = %d, want %d..%d", ErrInvalidSettings, field, v, MinWorkdays, MaxWorkdays)
		}
		return c.AddWorkingDays(start, v), nil
	}
	switch clock {
	case ClockReply:
		return months("reply_months", s.ReplyMonths, MaxMonths)
	case ClockReplyComplex:
		return months("complex_reply_months", s.ComplexReplyMonths, MaxMonths)
	case ClockCoOpinion:
		return months("co_opinion_months", s.CoOpinionMonths, MaxMonths)
	case ClockRehandle:
		return months("rehandle_months", s.RehandleMonths, MaxRehandleMonths)
	case ClockReturnWindow:
		return workdays("return_window_workdays", s.ReturnWindowWorkdays)
	case ClockBeforeContact:
		return workdays("before_contact_workdays", s.BeforeContactWorkdays)
	case ClockRating:
		return workdays("rating_workdays", s.RatingWorkdays)
	case ClockImplRating:
		return workdays("impl_rating_workdays", s.ImplRatingWorkdays)
	case ClockPublish:
		return workdays("publish_workdays", s.PublishWorkdays)
	case ClockFastTrackReply:
		return workdays("fast_track_reply_workdays", s.FastTrackReplyWorkdays)
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrUnknownClock, string(clock))
}

// ReminderTimes returns, for each of s.ReminderOffsets, 09:00 Shanghai of the working day that
// is offset working days before due's date, sorted ascending without duplicates. Offsets that
// are not positive are ignored. All are returned, past ones included: callers drop those.
func (c *Calendar) ReminderTimes(due time.Time, s Settings) []time.Time {
	d := dayFromTime(due)
	out := make([]time.Time, 0, len(s.ReminderOffsets))
	for _, o := range s.ReminderOffsets {
		if o <= 0 {
			continue
		}
		out = append(out, c.addWorkingDays(d, -o).at(reminderHour))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, time.Time.Equal)
}
