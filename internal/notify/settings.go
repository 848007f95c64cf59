package notify

import (
	"time"

	"jianyi/internal/deadline"
)

// Settings are a tenant's anti-flood rules (table notify_settings; defaults when absent).
type Settings struct {
	DigestWindow time.Duration // notices to one recipient within it become one push; 0 = off
	QuietStart   int           // minutes after midnight, Asia/Shanghai (22:00 = 1320)
	QuietEnd     int           // minutes after midnight (07:30 = 450); equal to QuietStart = no quiet hours
}

// DefaultSettings: a 10-minute digest window, quiet from 22:00 to 07:30.
func DefaultSettings() Settings {
	return Settings{DigestWindow: 10 * time.Minute, QuietStart: 22 * 60, QuietEnd: 7*60 + 30}
}

// AfterQuiet returns t, or the end of the quiet hours when t falls inside them.
func (s Settings) AfterQuiet(t time.Time) time.Time {
	if s.QuietStart == s.QuietEnd {
		return t
	}
	lt := t.In(deadline.Shanghai)
	mins := lt.Hour()*60 + lt.Minute()
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, deadline.Shanghai)
	end := func(day time.Time) time.Time {
		return day.Add(time.Duration(s.QuietEnd) * time.Minute)
	}
	if s.QuietStart < s.QuietEnd { // e.g. 01:00–06:00
		if mins >= s.QuietStart && mins < s.QuietEnd {
			return end(midnight)
		}
		return t
	}
	// Across midnight, e.g. 22:00–07:30.
	switch {
	case mins >= s.QuietStart:
		return end(midnight.AddDate(0, 0, 1))
	case mins < s.QuietEnd:
		return end(midnight)
	}
	return t
}

// pushTime decides when a new notice's WeChat push may go: immediately when the recipient had
// no push within the digest window (the leading edge), else together with the pending digest
// or at the end of the window; never inside quiet hours.
func (s Settings) pushTime(now, pendingAt, lastSentAt time.Time) time.Time {
	at := now
	if s.DigestWindow > 0 {
		switch {
		case !pendingAt.IsZero() && pendingAt.After(now):
			at = pendingAt // join the digest already waiting
		case !lastSentAt.IsZero() && lastSentAt.Add(s.DigestWindow).After(now):
			at = lastSentAt.Add(s.DigestWindow)
		}
	}
	return s.AfterQuiet(at)
}
