package remind

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
)

// Reconcile derives every reminder due in [now-Lookback, now+Window] from PostgreSQL and
// queues those not fired yet. It is idempotent and is what makes a flushed Redis harmless.
func (s *Service) Reconcile(ctx context.Context) (queued int, err error) {
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("tenants: %w", err)
	}
	// One tenant's failure must not cost the others their reminders: carry on, report all.
	var errs []error
	for _, t := range tenants {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		n, err := s.reconcileTenant(ctx, t)
		queued += n
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %d: %w", t, err))
		}
	}
	return queued, errors.Join(errs...)
}

func (s *Service) reconcileTenant(ctx context.Context, tenantID int64) (int, error) {
	now := s.clock.Now()
	from, to := now.Add(-s.Lookback), now.Add(s.Window)
	cfg, err := s.store.Config(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	fired, err := s.store.Fired(ctx, tenantID, from.Add(-24*time.Hour))
	if err != nil {
		return 0, err
	}
	queued := 0
	enqueue := func(r Reminder) error {
		if fired[r.Key] {
			return nil
		}
		if err := s.queue.EnqueueReminder(ctx, r.Key, r.At); err != nil {
			return err
		}
		queued++
		return nil
	}
	var due []Reminder
	for _, clock := range Clocks {
		err := s.store.Obligations(ctx, tenantID, clock, func(o Obligation) error {
			rs, err := Plan(o, cfg, from, now, to)
			if err != nil {
				return err
			}
			due = append(due, rs...)
			return nil
		})
		if err != nil {
			return queued, fmt.Errorf("%s obligations: %w", clock, err)
		}
	}
	for _, r := range due {
		if err := enqueue(r); err != nil {
			return queued, err
		}
	}
	// The weekly digest: the latest Monday's when it is still within the lookback (missed
	// Mondays collapse into it: the digest counts what is overdue when it is sent), and the next.
	last := lastWeekly(now)
	for _, w := range []time.Time{last, last.AddDate(0, 0, 7)} {
		if !w.Before(from) && !w.After(to) {
			if err := enqueue(Reminder{Key: weeklyKey(tenantID, w), At: w}); err != nil {
				return queued, err
			}
		}
	}
	return queued, nil
}

func weeklyKey(tenantID int64, at time.Time) string {
	return fmt.Sprintf("r:%d:%s:0:0:0:w%s", tenantID, clockWeekly, ymd(at))
}

// Fire runs one reminder: it checks the obligation is still open with the same deadline and
// tells who owes the work; a met obligation does nothing. Either way the key is recorded so
// the reconciler does not queue it again.
//
// A task may fire long after its time (it waited in Redis through a worker outage, beside the
// later ones of the same obligation). Such a stale repeat is sent, if at all, under the key of
// the latest slot due (Plan's rules): every stale task of one obligation then makes the same
// notices, which exist once per key and recipient, so a catch-up tells each recipient once
// however many tasks it finds, in whatever order or concurrency they run. A warning whose
// deadline has passed sends nothing.
func (s *Service) Fire(ctx context.Context, k string) error {
	p, err := parseKey(k)
	if err != nil {
		return err // malformed: nothing sane to do; the queue archives it
	}
	now := s.clock.Now()
	if p.clock == clockWeekly {
		send := k
		if last := lastWeekly(now); ymd(last) > p.day {
			send = weeklyKey(p.tenantID, last)
		}
		if err := s.weekly(ctx, p, send, now); err != nil {
			return err
		}
		return s.markFired(ctx, p.tenantID, now, k, send)
	}
	o, open, err := s.store.Obligation(ctx, p.tenantID, p.clock, p.subject, p.round)
	if err != nil {
		return err
	}
	if open {
		cfg, err := s.store.Config(ctx, p.tenantID)
		if err != nil {
			return err
		}
		d, err := due(o, cfg)
		if err != nil {
			return err
		}
		if ymd(d) == p.due { // a changed deadline has its own reminders
			if at, ok := latestDue(d, p.stage, cfg, now); ok {
				send := k
				if !at.IsZero() && ymd(at) > p.day {
					send = key(o.TenantID, o.Clock, o.SubjectID, o.Round, d, string(p.stage), at)
				}
				if sp := specs(o, d, p.stage, cfg, now); len(sp) > 0 {
					if _, err := s.pub.Publish(ctx, p.tenantID, o.SuggestionID, send, sp); err != nil {
						return fmt.Errorf("publish reminder: %w", err)
					}
				}
				return s.markFired(ctx, p.tenantID, now, k, send)
			}
		}
	}
	return s.store.MarkFired(ctx, p.tenantID, k, now)
}

// latestDue is the latest slot of stage due at now for the deadline d, zero when none is due
// yet (a task run early keeps its own key); ok is false when a reminder of stage must not be
// sent at all now: a warning after its deadline.
func latestDue(d time.Time, stage byte, cfg *suggestion.TenantConfig, now time.Time) (at time.Time, ok bool) {
	switch stage {
	case 'b':
		if now.After(d) {
			return time.Time{}, false
		}
		return lastWarning(cfg.Calendar.ReminderTimes(d, cfg.Settings), d, now), true
	case 'o':
		return lastOverdue(cfg.Calendar, d, now), true
	}
	return time.Time{}, true
}

// markFired records the fired key and, when it was sent under a later slot's key, that one
// too (its own task then has nothing left to do, and the reconciler does not queue it).
func (s *Service) markFired(ctx context.Context, tenantID int64, now time.Time, k, sent string) error {
	if sent != k {
		if err := s.store.MarkFired(ctx, tenantID, sent, now); err != nil {
			return err
		}
	}
	return s.store.MarkFired(ctx, tenantID, k, now)
}

func (s *Service) weekly(ctx context.Context, p parsedKey, k string, now time.Time) error {
	cases, units, err := s.store.Overdue(ctx, p.tenantID, now)
	if err != nil || cases == 0 {
		return err
	}
	body := fmt.Sprintf("截至%s，共有%d件建议超期未答复，涉及%d个承办单位，请加强督办。", now.In(deadline.Shanghai).Format("2006年01月02日"), cases, units)
	spec := notify.NoticeSpec{
		Audience: notify.Audience{Roles: []string{notify.RoleReviewer, notify.RoleLeader}},
		Kind:     notify.KindOverdueDigest, Title: "超期建议周报", Body: body, Page: notify.ConsoleOverdue,
		Fields: map[string]string{notify.FieldThing: fmt.Sprintf("%d件建议超期未答复", cases), notify.FieldPhrase: "已超期",
			notify.FieldNote: fmt.Sprintf("涉及%d个承办单位", units), notify.FieldTime: now.In(deadline.Shanghai).Format("2006-01-02 15:04")},
	}
	_, err = s.pub.Publish(ctx, p.tenantID, 0, k, []notify.NoticeSpec{spec})
	return err
}

var clockNames = map[string]string{
	ClockReply: "答复", ClockCoOpinion: "协办意见", ClockReturnWindow: "签收或申请退回", ClockBeforeContact: "办前沟通",
	ClockRating: "答复评价", ClockImplRating: "落实情况评价", ClockPublish: "答复公开",
}

// specs builds the reminder's notices.
func specs(o Obligation, d time.Time, stage byte, cfg *suggestion.TenantConfig, now time.Time) []notify.NoticeSpec {
	name := clockNames[o.Clock]
	subj := "《" + notify.Clip(o.Title, 40) + "》"
	if o.Number > 0 {
		subj += fmt.Sprintf("（第%04d号）", o.Number)
	}
	dueText := d.In(deadline.Shanghai).Format("2006年01月02日")
	left := cfg.Calendar.WorkingDaysBetween(now, d)
	var aud notify.Audience
	page := notify.ConsolePage(o.SuggestionID)
	switch o.Clock {
	case ClockRating, ClockImplRating:
		// Only who may rate and has not: a co-signer who rated is not chased.
		if len(o.DeputyIDs) == 0 {
			return nil
		}
		aud, page = notify.Audience{DeputyIDs: o.DeputyIDs}, fmt.Sprintf("pages/suggestion/rate?id=%d", o.SuggestionID)
		if o.Clock == ClockImplRating {
			page += "&kind=implementation"
		}
	case ClockPublish:
		aud = notify.Audience{Roles: []string{notify.RoleReviewer}}
	default:
		aud = notify.Audience{UnitIDs: []int64{o.UnitID}, UnitRoles: []string{notify.RoleUnitHandler, notify.RoleUnitLeader}}
	}
	thing := o.Title
	if stage == 'o' {
		over := cfg.Calendar.OverdueWorkingDays(d, now)
		return []notify.NoticeSpec{{
			Audience: notify.Audience{UnitIDs: []int64{o.UnitID}, UnitRoles: []string{notify.RoleUnitLeader}},
			Kind:     notify.KindOverdue, Title: name + "已超期",
			Body: fmt.Sprintf("建议%s的%s期限为%s，已超期%d个工作日，请督促办理。", subj, name, dueText, over),
			Page: page,
			Fields: map[string]string{notify.FieldThing: notify.Clip(thing, 20), notify.FieldPhrase: "已超期",
				notify.FieldNote: notify.Clip("已超期"+strconv.Itoa(over)+"个工作日", 20), notify.FieldTime: d.In(deadline.Shanghai).Format("2006-01-02 15:04")},
		}}
	}
	return []notify.NoticeSpec{{
		Audience: aud, Kind: notify.KindReminder, Title: name + "期限提醒",
		Body: fmt.Sprintf("建议%s的%s期限为%s，还剩%d个工作日，请抓紧办理。", subj, name, dueText, left),
		Page: page,
		Fields: map[string]string{notify.FieldThing: notify.Clip(thing, 20), notify.FieldPhrase: "即将到期",
			notify.FieldNote: notify.Clip("还剩"+strconv.Itoa(left)+"个工作日", 20), notify.FieldTime: d.In(deadline.Shanghai).Format("2006-01-02 15:04")},
	}}
}
