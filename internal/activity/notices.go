package activity

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
)

// Notifier publishes notices; notify.Publisher implements it.
type Notifier = notify.Publishing

// WithNotices makes the service tell invited deputies when they are invited and when the
// activity is changed or cancelled, and the organiser when a deputy answers. Without it
// nobody is told. The notices are published in the transaction that saves the change they
// are about (notify.Teller), so the two commit together or not at all; log records pushes
// that could not be queued after commit (the notify reconciler queues them).
func (s *Service) WithNotices(n Notifier, log *slog.Logger) *Service {
	s.teller = notify.NewTeller(n, log, "activity")
	return s
}

// MiniProgramPage is the activity's page in the mini-program (deputies' notices open it).
func MiniProgramPage(id int64) string { return fmt.Sprintf("pages/activity/detail?id=%d", id) }

// ConsolePage is the activity's page in the staff console (the organiser's notices).
func ConsolePage(id int64) string { return fmt.Sprintf("/activities/%d", id) }

func when(t time.Time) string { return t.In(deadline.Shanghai).Format("2006年01月02日 15:04") }

func fieldTime(t time.Time) string { return t.In(deadline.Shanghai).Format("2006-01-02 15:04") }

// named is how notices name an activity: 视察《…》.
func named(act *Activity) string {
	return act.Kind.Label() + "《" + notify.Clip(act.Title, 40) + "》"
}

func toDeputies(act *Activity, deputyIDs []int64, kind, title, body, phrase, note string) notify.NoticeSpec {
	return notify.NoticeSpec{
		Audience: notify.Audience{DeputyIDs: deputyIDs},
		Kind:     kind, Title: title, Body: body, Page: MiniProgramPage(act.ID),
		Fields: map[string]string{notify.FieldThing: notify.Clip(act.Title, 20), notify.FieldPhrase: phrase,
			notify.FieldNote: notify.Clip(note, 20), notify.FieldTime: fieldTime(act.StartsAt)},
	}
}

// invited asks the deputies to say whether they will come.
func invited(act *Activity, deputyIDs []int64) notify.NoticeSpec {
	var b strings.Builder
	fmt.Fprintf(&b, "诚邀您参加%s。时间：%s；地点：%s。", named(act), when(act.StartsAt), notify.Clip(act.Place, 40))
	if act.Description != "" {
		b.WriteString("活动内容：" + notify.Clip(act.Description, 120) + "。")
	}
	if len(act.Suggestions) > 0 {
		b.WriteString(fmt.Sprintf("本次活动围绕%d件代表建议开展。", len(act.Suggestions)))
	}
	b.WriteString("请在活动开始前确认是否参加。")
	return toDeputies(act, deputyIDs, notify.KindActivityInvited, "代表活动邀请", b.String(), "待确认", "请确认是否参加")
}

// changedNotice tells the invited deputies what changed; a new time asks them to answer again.
func changedNotice(act *Activity, changes []string, moved bool, deputyIDs []int64) notify.NoticeSpec {
	body := fmt.Sprintf("%s的%s已调整。现时间：%s；地点：%s。", named(act), strings.Join(changes, "、"), when(act.StartsAt), notify.Clip(act.Place, 40))
	note := "请留意调整后的安排"
	if moved {
		body += "活动时间变更后，请重新确认是否参加。"
		note = "请重新确认是否参加"
	}
	return toDeputies(act, deputyIDs, notify.KindActivityChanged, "代表活动有调整", body, "已调整", note)
}

// cancelledNotice tells the invited deputies the activity is off, and why.
func cancelledNotice(act *Activity, deputyIDs []int64) notify.NoticeSpec {
	body := fmt.Sprintf("原定于%s举行的%s已取消。原因：%s。", when(act.StartsAt), named(act), notify.Clip(act.CancelReason, 100))
	return toDeputies(act, deputyIDs, notify.KindActivityCancelled, "代表活动已取消", body, "已取消", act.CancelReason)
}

// answered tells the organiser a deputy's answer.
func answered(act *Activity, inv *Invitation) notify.NoticeSpec {
	verb, phrase := "将参加", "参加"
	if inv.Answer == AnswerDeclined {
		verb, phrase = "不能参加", "不参加"
	}
	body := fmt.Sprintf("%s代表答复%s%s（%s）。", notify.Clip(inv.DeputyName, 20), verb, named(act), when(act.StartsAt))
	note := phrase
	if inv.Note != "" {
		body += "备注：" + notify.Clip(inv.Note, 100) + "。"
		note = inv.Note
	}
	return notify.NoticeSpec{
		Audience: notify.Audience{UserIDs: []int64{act.OrganizerID}},
		Kind:     notify.KindActivityAnswered, Title: "代表答复活动邀请", Body: body, Page: ConsolePage(act.ID),
		Fields: map[string]string{notify.FieldThing: notify.Clip(act.Title, 20), notify.FieldPhrase: phrase,
			notify.FieldNote: notify.Clip(inv.DeputyName+"："+note, 20), notify.FieldTime: fieldTime(act.StartsAt)},
	}
}

// answeredKey names one answer: the same answer sent twice (a retry) tells the organiser
// once, a changed answer tells them again.
func answeredKey(id, deputyID int64, a Answer, note string, at time.Time) string {
	h := sha256.Sum256([]byte(note))
	return fmt.Sprintf("activity:%d:answer:%d:%s:%s:%d", id, deputyID, a, hex.EncodeToString(h[:6]), at.Unix())
}

// unitStaff are who hear, for a unit, that deputies are coming: its handlers and leaders.
var unitStaff = []string{notify.RoleUnitHandler, notify.RoleUnitLeader}

func toUnits(act *Activity, unitIDs []int64, kind, title, body, phrase, note string) notify.NoticeSpec {
	return notify.NoticeSpec{
		Audience: notify.Audience{UnitIDs: unitIDs, UnitRoles: unitStaff},
		Kind:     kind, Title: title, Body: body, Page: ConsolePage(act.ID),
		Fields: map[string]string{notify.FieldThing: notify.Clip(act.Title, 20), notify.FieldPhrase: phrase,
			notify.FieldNote: notify.Clip(note, 20), notify.FieldTime: fieldTime(act.StartsAt)},
	}
}

// unitsNamed tells the units an activity concerns that deputies are coming, so that they
// prepare (the people to receive them, the material on the suggestions).
func unitsNamed(act *Activity, unitIDs []int64) notify.NoticeSpec {
	var b strings.Builder
	fmt.Fprintf(&b, "%s涉及本单位。时间：%s；地点：%s。", named(act), when(act.StartsAt), notify.Clip(act.Place, 40))
	if len(act.Suggestions) > 0 {
		fmt.Fprintf(&b, "本次活动围绕%d件代表建议开展。", len(act.Suggestions))
	}
	b.WriteString("请做好接待和情况汇报的准备。")
	return toUnits(act, unitIDs, notify.KindActivityUnit, "代表活动涉及本单位", b.String(), "待准备", "请做好准备")
}

// unitsChanged tells the units kept on an edited activity what changed.
func unitsChanged(act *Activity, changes []string, unitIDs []int64) notify.NoticeSpec {
	body := fmt.Sprintf("涉及本单位的%s的%s已调整。现时间：%s；地点：%s。", named(act), strings.Join(changes, "、"), when(act.StartsAt), notify.Clip(act.Place, 40))
	return toUnits(act, unitIDs, notify.KindActivityChanged, "代表活动有调整", body, "已调整", "请留意调整后的安排")
}

// unitsDropped tells units taken off an activity that it no longer concerns them.
func unitsDropped(act *Activity, unitIDs []int64) notify.NoticeSpec {
	body := fmt.Sprintf("%s（%s）已不再涉及本单位，无需再做准备。", named(act), when(act.StartsAt))
	return toUnits(act, unitIDs, notify.KindActivityChanged, "代表活动不再涉及本单位", body, "已调整", "无需再做准备")
}

// unitsCancelled tells the units of a cancelled activity, and why.
func unitsCancelled(act *Activity, unitIDs []int64) notify.NoticeSpec {
	body := fmt.Sprintf("原定于%s举行、涉及本单位的%s已取消。原因：%s。", when(act.StartsAt), named(act), notify.Clip(act.CancelReason, 100))
	return toUnits(act, unitIDs, notify.KindActivityCancelled, "代表活动已取消", body, "已取消", act.CancelReason)
}
