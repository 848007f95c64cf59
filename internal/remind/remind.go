// Package remind chases every clock of PRODUCT.md: reminders at the tenant's offsets before
// a deadline to whoever owes the work, a daily escalation to the unit leader once it is
// overdue, and a weekly overdue digest to reviewers and leaders. Deadlines live in
// PostgreSQL; the reconciler derives the reminders from them and queues the ones due within
// Window as asynq tasks whose id is the reminder key, so Redis holds only a small rolling
// window and can be flushed at any time. A reminder checks its obligation again when it fires.
package remind

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
)

// Clocks chased (PRODUCT.md "Clocks"; rehandle and fast track move the assignment's due_at,
// so the reply clock covers them).
const (
	ClockReply         = "reply"          // lead unit's reply (assignments.due_at)
	ClockCoOpinion     = "co_opinion"     // co-unit's opinion (assignments.due_at)
	ClockReturnWindow  = "return_window"  // last day to sign for or return an assignment
	ClockBeforeContact = "before_contact" // the "before" contact (assignments.contact_due_at)
	ClockRating        = "rating"         // deputy's reply rating (suggestions.rating_due_at)
	ClockImplRating    = "impl_rating"    // implementation rating, from the last commitment's due date
	ClockPublish       = "publish"        // publication of the reply (replies.publish_due_at)
	clockWeekly        = "weekly"
)

// Clocks lists the obligation clocks in reconcile order.
var Clocks = []string{ClockReply, ClockCoOpinion, ClockReturnWindow, ClockBeforeContact, ClockRating, ClockImplRating, ClockPublish}

// unitClock reports whether a unit owes the work (overdue escalates to its leader).
func unitClock(c string) bool {
	return c == ClockReply || c == ClockCoOpinion || c == ClockBeforeContact
}

// Obligation is one open piece of work with a deadline.
type Obligation struct {
	TenantID     int64
	Clock        string
	SubjectID    int64 // assignment (unit clocks), suggestion (ratings) or reply (publish) id
	SuggestionID int64
	UnitID       int64
	Round        int
	DueAt        time.Time // for impl_rating: the last commitment's due date (the clock's start)
	Title        string
	Number       int
	DeputyIDs    []int64 // ratings: the lead and co-signers who have not rated this round
}

// Store reads obligations from PostgreSQL.
type Store interface {
	Tenants(ctx context.Context) ([]int64, error)
	Config(ctx context.Context, tenantID int64) (*suggestion.TenantConfig, error)
	// Obligations streams the tenant's open obligations of clock to fn, in one query.
	Obligations(ctx context.Context, tenantID int64, clock string, fn func(Obligation) error) error
	// Obligation is the one obligation, if still open.
	Obligation(ctx context.Context, tenantID int64, clock string, subjectID int64, round int) (Obligation, bool, error)
	// Fired lists keys of reminders fired since since.
	Fired(ctx context.Context, tenantID int64, since time.Time) (map[string]bool, error)
	MarkFired(ctx context.Context, tenantID int64, key string, at time.Time) error
	// Overdue counts overdue reply obligations and their units.
	Overdue(ctx context.Context, tenantID int64, now time.Time) (cases, units int, err error)
}

// Queue schedules reminder tasks; the key is the task id, so queuing twice is a no-op.
type Queue interface {
	EnqueueReminder(ctx context.Context, key string, at time.Time) error
}

// Publisher creates notices (notify.Publisher).
type Publisher interface {
	Publish(ctx context.Context, tenantID, suggestionID int64, key string, specs []notify.NoticeSpec) (int, error)
}

// Service plans, schedules and fires reminders.
type Service struct {
	store Store
	queue Queue
	pub   Publisher
	clock notify.Clock

	Window   time.Duration // reminders due within this are queued (default 48 h)
	Lookback time.Duration // the latest missed reminder of each kind, if younger than this, still goes (default 36 h)
	Interval time.Duration // reconcile period (default 5 min)
}

// New builds the service.
func New(store Store, queue Queue, pub Publisher, clock notify.Clock) *Service {
	if clock == nil {
		clock = notify.SystemClock{}
	}
	return &Service{store: store, queue: queue, pub: pub, clock: clock,
		Window: 48 * time.Hour, Lookback: 36 * time.Hour, Interval: 5 * time.Minute}
}

// Reminder is one planned reminder.
type Reminder struct {
	Key string
	At  time.Time
}

// Key is "r:<tenant>:<clock>:<subject>:<round>:<due yyyymmdd>:<stage>"; stage is b<date> (before
// the deadline), o<date> (overdue escalation) or w<date> (weekly digest).
func key(tenantID int64, clock string, subject int64, round int, due time.Time, stage string, at time.Time) string {
	return fmt.Sprintf("r:%d:%s:%d:%d:%s:%s%s", tenantID, clock, subject, round, ymd(due), stage, ymd(at))
}

func ymd(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return t.In(deadline.Shanghai).Format("20060102")
}

type parsedKey struct {
	tenantID int64
	clock    string
	subject  int64
	round    int
	due      string
	stage    byte
	day      string
}

func parseKey(k string) (parsedKey, error) {
	f := strings.Split(k, ":")
	if len(f) != 7 || f[0] != "r" || len(f[6]) < 2 {
		return parsedKey{}, fmt.Errorf("bad reminder key %q", k)
	}
	var p parsedKey
	var err1, err2, err3 error
	p.tenantID, err1 = strconv.ParseInt(f[1], 10, 64)
	p.clock = f[2]
	p.subject, err2 = strconv.ParseInt(f[3], 10, 64)
	p.round, err3 = strconv.Atoi(f[4])
	if err1 != nil || err2 != nil || err3 != nil {
		return parsedKey{}, fmt.Errorf("bad reminder key %q", k)
	}
	p.due, p.stage, p.day = f[5], f[6][0], f[6][1:]
	return p, nil
}

// due returns the obligation's deadline under cfg.
func due(o Obligation, cfg *suggestion.TenantConfig) (time.Time, error) {
	if o.Clock == ClockImplRating {
		return cfg.Calendar.Due(deadline.ClockImplRating, o.DueAt, cfg.Settings)
	}
	return o.DueAt, nil
}

// Plan lists the reminders of o to queue at now: those whose time falls in (now, to], and of
// those already due, in [from, now], only the ones that still make sense:
//
//   - Overdue escalations ("o", unit clocks): one per working day at 09:00 Shanghai after the
//     deadline. Missed days collapse: of the slots already due only the latest is kept, so a
//     worker back from an outage tells the unit leader once (with today's count of overdue
//     working days) rather than once per missed day; the next working day's slot follows as usual.
//   - Warnings before the deadline ("b", one per tenant offset): each says how many working days
//     are left, counted when it is sent, so missed ones would be identical copies and collapse into
//     the latest due. Once the deadline itself has passed no warning goes at all, however late:
//     "还剩…个工作日" would be false, and for unit clocks the overdue escalation takes over.
//
// Fire applies the same rules to a task that outlived an outage in Redis (see latestDue), and
// keys stay those of the slots, so a reminder already sent is never sent again.
func Plan(o Obligation, cfg *suggestion.TenantConfig, from, now, to time.Time) ([]Reminder, error) {
	d, err := due(o, cfg)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	add := func(stage string, at time.Time) {
		out = append(out, Reminder{Key: key(o.TenantID, o.Clock, o.SubjectID, o.Round, d, stage, at), At: at})
	}
	times := cfg.Calendar.ReminderTimes(d, cfg.Settings)
	if at := lastWarning(times, d, now); !at.IsZero() && !at.Before(from) {
		add("b", at)
	}
	for _, at := range times {
		if at.After(now) && !at.After(to) {
			add("b", at)
		}
	}
	if unitClock(o.Clock) && to.After(d) {
		if at := lastOverdue(cfg.Calendar, d, now); !at.IsZero() && !at.Before(from) {
			add("o", at)
		}
		for at := nextOverdue(cfg.Calendar, d, now); !at.After(to); at = nextOverdue(cfg.Calendar, d, at) {
			add("o", at)
		}
	}
	return out, nil
}

// lastWarning is the latest of the warning times at or before now, or zero when there is none
// or the deadline d has passed (a warning about a passed deadline is never sent).
func lastWarning(times []time.Time, d, now time.Time) time.Time {
	var last time.Time
	if now.After(d) {
		return last
	}
	for _, at := range times {
		if !at.After(now) {
			last = at
		}
	}
	return last
}

// firstOverdue is the first escalation slot of deadline d: 09:00 of the next working day.
func firstOverdue(cal *deadline.Calendar, d time.Time) time.Time {
	return nineAM(cal.AddWorkingDays(d, 1))
}

// lastOverdue is the latest escalation slot of deadline d at or before now (zero if none yet).
func lastOverdue(cal *deadline.Calendar, d, now time.Time) time.Time {
	at := nineAM(now)
	if at.After(now) || !cal.IsWorkingDay(now) {
		at = nineAM(cal.AddWorkingDays(now, -1))
	}
	if at.Before(firstOverdue(cal, d)) {
		return time.Time{}
	}
	return at
}

// nextOverdue is the first escalation slot of deadline d after t.
func nextOverdue(cal *deadline.Calendar, d, t time.Time) time.Time {
	if first := firstOverdue(cal, d); first.After(t) {
		return first
	}
	if at := nineAM(t); at.After(t) && cal.IsWorkingDay(t) {
		return at
	}
	return nineAM(cal.AddWorkingDays(t, 1))
}

func nineAM(t time.Time) time.Time {
	l := t.In(deadline.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, deadline.Shanghai)
}

// lastWeekly is the latest weekly digest slot (Monday 09:00 Shanghai) at or before t.
func lastWeekly(t time.Time) time.Time {
	l := t.In(deadline.Shanghai)
	off := (int(l.Weekday()) + 6) % 7 // days since Monday
	mon := nineAM(l.AddDate(0, 0, -off))
	if mon.After(t) {
		mon = mon.AddDate(0, 0, -7)
	}
	return mon
}
