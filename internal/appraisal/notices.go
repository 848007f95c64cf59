package appraisal

import (
	"fmt"
	"log/slog"
	"time"

	"jianyi/internal/notify"
)

// Notifier publishes notices; notify.Publisher implements it.
type Notifier = notify.Publishing

// WithNotices makes the service tell a unit's staff (unit_handler, unit_leader) when the
// unit is chosen for a hearing, when the vote on it is recorded or corrected, and when the
// feedback to the city government leaves them suggestions rated 不满意 to take up again.
// Without it nobody is told. The notices are published in the transaction that saves the
// record they are about (notify.Teller), so the two commit together or not at all; log
// records pushes that could not be queued after commit (the notify reconciler queues them).
func (s *Service) WithNotices(n Notifier, log *slog.Logger) *Service {
	s.teller = notify.NewTeller(n, log, "appraisal")
	return s
}

var unitStaff = []string{notify.RoleUnitHandler, notify.RoleUnitLeader}

// UnitPage is the unit's page of a meeting's appraisal in the staff console: its hearing and
// the suggestions it must take up again.
func UnitPage(meetingID int64) string { return fmt.Sprintf("/appraisal/unit?meeting=%d", meetingID) }

// dateText is a calendar date (midnight UTC) as the notices say it.
func dateText(t time.Time) string { return t.Format("2006年01月02日") }

// toUnit is a notice to a unit's staff about something on the calendar date on (midnight
// UTC, as dates are stored): its time field is that date, with no time of day (a date read
// in Shanghai would say 08:00, a time nobody set).
func toUnit(unitID int64, kind, title, body, page, thing, phrase, note string, on time.Time) notify.NoticeSpec {
	return notify.NoticeSpec{
		Audience: notify.Audience{UnitIDs: []int64{unitID}, UnitRoles: unitStaff},
		Kind:     kind, Title: title, Body: body, Page: page,
		Fields: map[string]string{notify.FieldThing: notify.Clip(thing, 20), notify.FieldPhrase: phrase,
			notify.FieldNote: notify.Clip(note, 20), notify.FieldTime: dateText(on)},
	}
}

// chosen tells the unit it reports on its handling work to a standing-committee session.
func chosen(h *Hearing) notify.NoticeSpec {
	body := fmt.Sprintf("市人大常委会确定本单位就%s代表建议办理工作作专题工作报告：%s在%s上报告，常委会组成人员将对本单位办理工作进行满意度测评。请认真准备报告。",
		notify.Clip(h.MeetingName, 30), dateText(h.HeldOn), notify.Clip(h.Session, 40))
	return toUnit(h.UnitID, notify.KindHearingChosen, "本单位作专题工作报告", body, UnitPage(h.MeetingID),
		"专题工作报告："+h.Session, "待报告", "请认真准备报告", h.HeldOn)
}

// voted tells the unit the committee's vote on its handling work.
func voted(h *Hearing, corrected bool) notify.NoticeSpec {
	v := *h.Vote
	title, phrase := "专题工作报告满意度测评结果", "已测评"
	if corrected {
		title, phrase = "专题工作报告满意度测评结果已更正", "已更正"
	}
	body := fmt.Sprintf("%s（%s）对本单位代表建议办理工作进行了满意度测评：满意%d票、基本满意%d票、不满意%d票，满意率%s。",
		notify.Clip(h.Session, 40), dateText(h.HeldOn), v.Satisfied, v.Basic, v.Unsatisfied, v.Rate().Percent())
	if corrected {
		body = "测评结果已更正。" + body
	}
	return toUnit(h.UnitID, notify.KindHearingVoted, title, body, UnitPage(h.MeetingID),
		"满意度测评："+h.Session, phrase, "满意率"+v.Rate().Percent(), h.HeldOn)
}

// reviewBackDue tells a unit the feedback went to the city government and how many of the
// suggestions it leads were rated 不满意 and must be taken up again.
func reviewBackDue(m *Meeting, u UnitCases, sentOn time.Time) notify.NoticeSpec {
	body := fmt.Sprintf("市人大常委会已于%s将%s代表建议办理工作的审议意见和“双测评”结果反馈市政府。本单位主办的%d件建议答复或落实情况测评为“不满意”，请逐件开展“回头看”，与代表再沟通、再办理，切实推动问题解决。",
		dateText(sentOn), notify.Clip(m.Name, 30), u.Count)
	return toUnit(u.UnitID, notify.KindReviewBackDue, "测评不满意建议需回头看", body, UnitPage(m.ID),
		m.Name, "待回头看", fmt.Sprintf("%d件建议需回头看", u.Count), sentOn)
}
