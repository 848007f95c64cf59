package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jianyi/internal/suggestion"
)

// The fixed texts of the bot.
const (
	textHelp = "人大代表建议助手，您可以回复：\n" +
		"· 我的建议 —— 最近的建议、状态和期限\n" +
		"· 查询 编号 —— 例如“查询 12”\n" +
		"· 评价 编号 满意/基本满意/不满意\n" +
		"· 催办 编号 —— 每条建议每周可催办一次\n" +
		"· 回头看 编号 理由 —— 已办结但没有落实到位的建议\n" +
		"· 我的活动 —— 受邀参加的代表活动；回复“参加 编号”或“不参加 编号 理由”答复\n" +
		"· 发送照片 → 位置 → 几句话 —— 随手拍线索\n" +
		"· 也可以直接问，例如“民政路那个建议怎么样了”"
	textBindGuide = "您好！请先绑定代表身份：打开人大代表建议小程序，进入“我的”→“绑定公众号”，" +
		"获取6位绑定码后，在此回复“绑定 123456”（10分钟内有效）。"
	textWelcome       = "欢迎关注！这里可以查询建议办理进度、评价答复、催办和随手拍。"
	textSnapHowTo     = "随手拍：请先发送一张照片，再发送位置（点输入框旁“+”→“位置”），最后用几句话描述问题。回复“取消”可放弃。"
	textSnapPhoto     = "已收到照片。请发送问题所在的位置（点输入框旁“+”→“位置”），回复“取消”可放弃。"
	textSnapNeedPh    = "随手拍请先发送照片，再发送位置和文字说明。"
	textSnapWords     = "已记录位置%s。请用几句话描述问题（一条消息），回复“取消”可放弃。"
	textSnapSaved     = "随手拍线索已记录，照片正在保存，完成后会再通知您。请在小程序“随手拍”中补充完善后提交为建议。"
	textSnapDone      = "随手拍照片已保存（%d张）。请在小程序“随手拍”中补充完善后提交为建议。"
	textSnapFailed    = "随手拍线索已记录，但照片未能保存，请在小程序“随手拍”中重新上传照片。"
	textCancelled     = "已取消。"
	textReasonDropped = "已取消对第%s号建议答复的“不满意”评价（未记录）。如仍不满意，请重新发送“评价 编号 不满意 理由”。"
	textSnapDropped   = "已取消未完成的随手拍（未记录）。"
	textNothing       = "当前没有进行中的操作。回复“帮助”查看可用功能。"
	textBusy          = "系统繁忙，请稍后再试。"
	textReasonAsk     = "请回复您对第%s号建议答复不满意的理由（一条消息），回复“取消”可放弃。"
	textNotFound      = "未找到第%s号建议，或您不是该建议的领衔/联名代表。回复“我的建议”查看您的建议。"
	textNoMatch       = "没有找到与您描述相符的建议。回复“我的建议”查看最近的建议，或回复“查询 编号”。"
	textNoneYet       = "您还没有建议。可以在小程序中撰写建议，或发送照片开始随手拍。"
	textBindTooMny    = "绑定尝试次数过多，请1小时后再试。"
	textBindBusy      = "近期绑定失败次数过多，为保护代表账号安全，绑定暂停，请稍后再试。"
	textBound         = "%s代表，绑定成功！\n\n"
	textAlready       = "您已绑定代表身份，无需重复绑定。"
	textMediaOnly     = "暂不支持此类消息。回复“帮助”查看可用功能。"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// day writes a date as the notices do (internal/notify, internal/remind): 2026年09月14日.
func day(t time.Time) string { return t.In(shanghai).Format("2006年01月02日") }

// overdue is the one rule of "已逾期": the due time (the end of its day in Shanghai, as
// internal/deadline sets it) has passed.
func overdue(due, now time.Time) bool { return now.After(due) }

// ratingClosed reports whether the reply's rating window has closed: a deputy may rate only
// before it (as suggestion.Service refuses later ratings); after it the case counts as 未反馈.
func ratingClosed(due *time.Time, now time.Time) bool { return due != nil && !now.Before(*due) }

// textRatingClosed says that the rating window of a reply closed on due.
func textRatingClosed(due time.Time) string {
	return "答复评价期限" + day(due) + "已过，计为未反馈"
}

func numLabel(n int) string {
	if n == 0 {
		return "（未编号）"
	}
	return fmt.Sprintf("第%04d号", n)
}

func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// nextStep is the one-line "what happens next" of a list row at now.
func nextStep(s suggestion.Summary, now time.Time) string {
	switch s.Status {
	case suggestion.StatusAssigned, suggestion.StatusHandling, suggestion.StatusRehandling:
		if s.ReplyDueAt != nil {
			return "答复期限" + day(*s.ReplyDueAt) + overdueMark(*s.ReplyDueAt, now)
		}
	case suggestion.StatusEscalated:
		// A second 不满意: the lead unit meets the deputy face to face (面商), under a
		// standing-committee leader's supervision, and only then replies again.
		next := "待承办单位与代表当面协商后重新答复"
		if s.ReplyDueAt != nil {
			next += "，答复期限" + day(*s.ReplyDueAt) + overdueMark(*s.ReplyDueAt, now)
		}
		return next
	case suggestion.StatusReplied:
		if ratingClosed(s.RatingDueAt, now) {
			return "评价期限已过（计为未反馈）"
		}
		if s.RatingDueAt != nil {
			return "待您评价（" + day(*s.RatingDueAt) + "前）"
		}
		return "待您评价"
	case suggestion.StatusReturned:
		return "待您修改"
	case suggestion.StatusDraft:
		return "待提交"
	}
	return ""
}

func overdueMark(due, now time.Time) string {
	if overdue(due, now) {
		return "（已逾期）"
	}
	return ""
}

func formatMine(list []suggestion.Summary, now time.Time) string {
	if len(list) == 0 {
		return textNoneYet
	}
	var b strings.Builder
	b.WriteString("您最近的建议：")
	for i, s := range list {
		fmt.Fprintf(&b, "\n%d. %s《%s》%s", i+1, numLabel(s.Number), short(s.Title, 24), s.Status.Label())
		if n := nextStep(s, now); n != "" {
			b.WriteString("，" + n)
		}
	}
	b.WriteString("\n\n回复“查询 编号”查看详情。")
	return b.String()
}

func roleLabel(r suggestion.AssignmentRole) string {
	if r == suggestion.RoleLead {
		return "主办"
	}
	return "协办"
}

// formatDetail answers 查询: state, units, reply class, what is awaited and from whom.
func formatDetail(d *suggestion.Detail, deputyID int64, now time.Time) string {
	s := &d.Suggestion
	var b strings.Builder
	fmt.Fprintf(&b, "%s《%s》\n状态：%s", numLabel(s.Number), short(s.Title, 40), s.Status.Label())
	if s.Mode != "" && s.Mode != suggestion.ModeNormal {
		b.WriteString("（" + s.Mode.Label() + "）")
	}
	var units []string
	for _, a := range d.Assignments {
		if !a.Active {
			continue
		}
		u := fmt.Sprintf("%s %s（%s", roleLabel(a.Role), a.UnitName, a.State.Label())
		if a.Role == suggestion.RoleLead && (a.State == suggestion.AsgPending || a.State == suggestion.AsgAccepted) && !a.DueAt.IsZero() {
			u += "，期限" + day(a.DueAt)
		}
		units = append(units, u+"）")
	}
	if len(units) > 0 {
		b.WriteString("\n承办单位：" + strings.Join(units, "；"))
	}
	if r := latestReply(d); r != nil {
		fmt.Fprintf(&b, "\n答复：%s类（%s），%s", r.Class, r.ClassLabel, day(r.RepliedAt))
		if r.Round > 1 {
			fmt.Fprintf(&b, "（第%d轮）", r.Round)
		}
	}
	if w := awaited(d, deputyID, now); w != "" {
		b.WriteString("\n等待：" + w)
	}
	if d.CanRequestReopen {
		fmt.Fprintf(&b, "\n如认为没有落实到位，可回复“回头看 %d 理由”", s.Number)
	}
	if d.RateReplyUntil != nil && !ratingClosed(d.RateReplyUntil, now) && s.Status != suggestion.StatusReplied {
		// A co-signer may still rate after the lead deputy's rating moved the case on.
		fmt.Fprintf(&b, "\n您尚未评价答复，%s前可回复“评价 %d 满意/基本满意/不满意”", day(*d.RateReplyUntil), s.Number)
	}
	return b.String()
}

func latestReply(d *suggestion.Detail) *suggestion.Reply {
	var best *suggestion.Reply
	for i := range d.Replies {
		if best == nil || d.Replies[i].Round > best.Round {
			best = &d.Replies[i]
		}
	}
	return best
}

func rated(d *suggestion.Detail, deputyID int64) bool {
	for _, e := range d.Evaluations {
		if e.DeputyID == deputyID && e.Kind == suggestion.EvalReply && e.Round == d.Suggestion.Round {
			return true
		}
	}
	return false
}

// awaited says what the suggestion waits for and from whom.
func awaited(d *suggestion.Detail, deputyID int64, now time.Time) string {
	s := &d.Suggestion
	var pending, handling, coOwing []string
	var leadDue time.Time
	for _, a := range d.Assignments {
		if !a.Active {
			continue
		}
		switch {
		case a.State == suggestion.AsgPending:
			pending = append(pending, a.UnitName)
		case a.Role == suggestion.RoleLead && a.State == suggestion.AsgAccepted:
			handling = append(handling, a.UnitName)
			leadDue = a.DueAt
		case a.Role == suggestion.RoleCo && a.State == suggestion.AsgAccepted:
			coOwing = append(coOwing, a.UnitName)
		}
	}
	switch s.Status {
	case suggestion.StatusDraft:
		return "您提交建议"
	case suggestion.StatusSubmitted:
		return "代表工委审核立案"
	case suggestion.StatusReturned:
		if s.StatusReason != "" {
			return "您修改后重新提交（退回理由：" + short(s.StatusReason, 60) + "）"
		}
		return "您修改后重新提交"
	case suggestion.StatusNotRegistered:
		return "无（不予立案" + reasonSuffix(s.StatusReason) + "）"
	case suggestion.StatusRegistered:
		return "代表工委交办"
	case suggestion.StatusAssigned, suggestion.StatusHandling, suggestion.StatusRehandling:
		var parts []string
		if len(pending) > 0 {
			parts = append(parts, strings.Join(pending, "、")+"签收")
		}
		if len(handling) > 0 {
			p := strings.Join(handling, "、") + "答复"
			if !leadDue.IsZero() {
				p += "（期限" + day(leadDue)
				if overdue(leadDue, now) {
					p += "，已逾期"
				}
				p += "）"
			}
			parts = append(parts, p)
		}
		if len(coOwing) > 0 {
			parts = append(parts, strings.Join(coOwing, "、")+"提交协办意见")
		}
		if len(parts) == 0 {
			return "承办单位办理"
		}
		return strings.Join(parts, "；")
	case suggestion.StatusReplied:
		if ratingClosed(s.RatingDueAt, now) {
			// Nobody may rate any more: the reviewers close or track the case.
			return "代表工委办结或列入跟踪督办（" + textRatingClosed(*s.RatingDueAt) + "）"
		}
		due := ""
		if s.RatingDueAt != nil {
			due = "（" + day(*s.RatingDueAt) + "前）"
		}
		if rated(d, deputyID) {
			if s.LeadDeputyID == deputyID {
				return "处理评价结果"
			}
			return "领衔代表评价" + due
		}
		return "您评价答复" + due + "，回复“评价 " + fmt.Sprint(s.Number) + " 满意/基本满意/不满意”"
	case suggestion.StatusEvaluated:
		return "代表工委处理评价结果"
	case suggestion.StatusEscalated:
		return "当面协商及常委会领导督办"
	case suggestion.StatusTracking:
		var open []string
		for _, r := range d.Replies {
			for _, c := range r.Commitments {
				if c.DoneAt == nil {
					open = append(open, short(c.What, 20)+"（"+day(c.DueOn)+"）")
				}
			}
		}
		if len(open) > 0 {
			return "承办单位落实承诺：" + strings.Join(open, "；")
		}
		return "承办单位落实承诺"
	case suggestion.StatusClosed:
		return "无（已办结）"
	case suggestion.StatusMerged:
		return "无（已并入其他建议办理）"
	}
	return ""
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return "：" + short(r, 60)
}

func formatCandidates(list []suggestion.Summary) string {
	var b strings.Builder
	b.WriteString("找到多条相关建议：")
	for i, s := range list {
		fmt.Fprintf(&b, "\n%d. %s《%s》%s", i+1, numLabel(s.Number), short(s.Title, 24), s.Status.Label())
	}
	b.WriteString("\n\n回复“查询 编号”查看详情。")
	return b.String()
}
