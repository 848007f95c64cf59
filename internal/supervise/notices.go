package supervise

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
)

// Notifier publishes notices; notify.Publisher implements it.
type Notifier = notify.Publishing

// WithNotices makes the service tell the people concerned when a problem is recorded
// against a unit, when a unit is interviewed (its unit_handler and unit_leader staff) and
// when a unit reports rectification (reviewers and coordinators). Without it nobody is told.
// The notices are published in the transaction that saves the record they are about
// (notify.Teller), so the two commit together or not at all; log records pushes that could
// not be queued after commit (the notify reconciler queues them).
func (s *Service) WithNotices(n Notifier, log *slog.Logger) *Service {
	s.teller = notify.NewTeller(n, log, "supervise")
	return s
}

var (
	unitStaff   = []string{notify.RoleUnitHandler, notify.RoleUnitLeader}
	supervisors = []string{notify.RoleReviewer, notify.RoleCoordinator}
)

// dueText is a 整改时限 as the notices say it; due is a calendar date in its own location.
func dueText(due *time.Time) string { return due.Format("2006年01月02日") }

func fmtTime(t time.Time) string { return t.In(deadline.Shanghai).Format("2006-01-02 15:04") }

// problemRecorded tells the unit's staff that a problem was recorded against the unit.
func problemRecorded(p *ProblemItem, now time.Time) notify.NoticeSpec {
	var b strings.Builder
	b.WriteString("本单位有一项问题被列入问题清单：" + notify.Clip(p.Problem, 80) + "。")
	if p.Responsible != "" {
		b.WriteString("责任人：" + notify.Clip(p.Responsible, 20) + "。")
	}
	note := "请及时整改"
	if p.DueOn != nil {
		b.WriteString("整改时限：" + dueText(p.DueOn) + "，请按期整改")
		note = "整改时限" + p.DueOn.Format("2006-01-02")
	} else {
		b.WriteString("请及时整改")
	}
	b.WriteString("，并在问题清单中报送整改情况。")
	return notify.NoticeSpec{
		Audience: notify.Audience{UnitIDs: []int64{p.UnitID}, UnitRoles: unitStaff},
		Kind:     notify.KindProblemRecorded, Title: "本单位被列入问题清单", Body: b.String(), Page: notify.ConsoleProblems,
		Fields: map[string]string{notify.FieldThing: notify.Clip(p.Problem, 20), notify.FieldPhrase: "待整改",
			notify.FieldNote: note, notify.FieldTime: fmtTime(now)},
	}
}

// interviewed tells the unit's staff that an interview with the unit was recorded; p is the
// problem item it is about, or nil.
func interviewed(iv *Interview, p *ProblemItem) notify.NoticeSpec {
	var b strings.Builder
	b.WriteString(iv.HeldAt.In(deadline.Shanghai).Format("2006年01月02日 15:04") + "，" + notify.Clip(iv.Leader, 20) + "约谈了本单位。")
	if p != nil {
		b.WriteString("约谈事项：" + notify.Clip(p.Problem, 60) + "。")
	}
	b.WriteString("约谈情况：" + notify.Clip(iv.Summary, 120) + "。")
	if iv.FollowUp != "" {
		b.WriteString("整改要求：" + notify.Clip(iv.FollowUp, 120) + "。")
	}
	note := "请抓紧整改"
	if p != nil && p.DueOn != nil {
		b.WriteString("整改时限：" + dueText(p.DueOn) + "。")
		note = "整改时限" + p.DueOn.Format("2006-01-02")
	} else if iv.FollowUp != "" {
		note = notify.Clip(iv.FollowUp, 20)
	}
	b.WriteString("请抓紧整改，并在问题清单中报送整改情况。")
	return notify.NoticeSpec{
		Audience: notify.Audience{UnitIDs: []int64{iv.UnitID}, UnitRoles: unitStaff},
		Kind:     notify.KindInterviewed, Title: "本单位被约谈", Body: b.String(), Page: notify.ConsoleProblems,
		Fields: map[string]string{notify.FieldThing: notify.Clip("约谈："+iv.Summary, 20), notify.FieldPhrase: "已约谈",
			notify.FieldNote: note, notify.FieldTime: fmtTime(iv.HeldAt)},
	}
}

// rectificationReported tells the supervisors that a unit reported rectification.
func rectificationReported(p *ProblemItem, now time.Time) notify.NoticeSpec {
	body := fmt.Sprintf("%s报送了问题清单事项“%s”的整改情况：%s。请核实后销号或退回重新整改。",
		notify.Clip(p.UnitName, 30), notify.Clip(p.Problem, 40), notify.Clip(p.Rectification, 120))
	return notify.NoticeSpec{
		Audience: notify.Audience{Roles: supervisors},
		Kind:     notify.KindRectificationReported, Title: "单位报送整改情况", Body: body, Page: notify.ConsoleProblems,
		Fields: map[string]string{notify.FieldThing: notify.Clip(p.UnitName, 20), notify.FieldPhrase: "已报送",
			notify.FieldNote: notify.Clip(p.Rectification, 20), notify.FieldTime: fmtTime(now)},
	}
}
