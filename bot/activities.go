package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jianyi/internal/activity"
	"jianyi/internal/auth"
)

// Activities is 代表参与活动 for the deputy (internal/activity.Service): the activities they
// are invited to and their answer. Optional: without it the bot says it cannot help there.
type Activities interface {
	List(ctx context.Context, a auth.Actor, f activity.Filter) ([]activity.Activity, error)
	Answer(ctx context.Context, a auth.Actor, id int64, accept bool, note string) (*activity.Activity, error)
}

// maxActivitiesShown bounds the invitations one answer lists.
const maxActivitiesShown = 5

const (
	textNoActivities  = "您目前没有待参加的代表活动。活动邀请会通过公众号和小程序通知您。"
	textActivitiesOff = "暂不支持在公众号查看代表活动，请在小程序“代表活动”中查看。"
	textWhichActivity = "您有%d个待参加的代表活动，请回复“参加 编号”或“不参加 编号 理由”：\n\n"
	textActivityHint  = "回复“参加 编号”或“不参加 编号 理由”答复，例如：参加 %d"
)

// parseAttend reads what follows 参加 / 不参加: an optional activity number ("12", "第12号")
// and an optional note ("12 准时到", "12，在外地出差", or a note alone). Without a number the
// deputy answers the one activity they have; the bot asks which when there are several.
func parseAttend(kind Kind, rest string) Command {
	num, note, _ := strings.Cut(rest, " ")
	if i := strings.IndexAny(num, ",，"); i > 0 {
		num, note = num[:i], num[i:]+" "+note
	}
	if n, ok := ParseNumber(num); ok {
		return Command{Kind: kind, Number: n, Reason: strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(note), ",，:："))}
	}
	return Command{Kind: kind, Reason: rest}
}

// upcoming is the deputy's invitations to activities that have not started (nor been
// called off), soonest first.
func (t *turn) upcoming(ctx context.Context) ([]activity.Activity, error) {
	list, err := t.b.d.Activities.List(ctx, t.actor, activity.Filter{})
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, a := range list {
		if a.Phase == activity.PhaseUpcoming {
			out = append(out, a)
		}
	}
	return out, nil
}

// activities answers 我的活动: the upcoming invitations with the deputy's answer to each.
func (t *turn) activities(ctx context.Context) string {
	t.command = "activities"
	if t.b.d.Activities == nil {
		return textActivitiesOff
	}
	list, err := t.upcoming(ctx)
	if err != nil {
		return t.errText(err)
	}
	if len(list) == 0 {
		return textNoActivities
	}
	return "您受邀参加的代表活动：\n\n" + formatActivities(list) + fmt.Sprintf(textActivityHint, list[0].ID)
}

// attend answers an invitation: 参加 [编号] [备注] or 不参加 [编号] [理由].
func (t *turn) attend(ctx context.Context, cmd Command) string {
	accept := cmd.Kind == CmdAttend
	t.command = "decline"
	if accept {
		t.command = "attend"
	}
	if t.b.d.Activities == nil {
		return textActivitiesOff
	}
	id := int64(cmd.Number)
	if id == 0 {
		list, err := t.upcoming(ctx)
		if err != nil {
			return t.errText(err)
		}
		switch len(list) {
		case 0:
			t.outcome = "none"
			return textNoActivities
		case 1:
			id = list[0].ID
		default:
			t.outcome = "which"
			return fmt.Sprintf(textWhichActivity, len(list)) + strings.TrimRight(formatActivities(list), "\n")
		}
	}
	act, err := t.b.d.Activities.Answer(ctx, t.actor, id, accept, cmd.Reason)
	if err != nil {
		return t.errText(err)
	}
	t.outcome = "answered"
	verb := "参加"
	if !accept {
		verb = "不参加"
	}
	return fmt.Sprintf("已答复%s%s（活动%d，%s，%s）。组织者已收到您的答复；如有变化，可在活动开始前重新答复。",
		verb, named(act), act.ID, when(act.StartsAt), short(act.Place, 30))
}

// formatActivities lists activities as the deputy reads them in a chat.
func formatActivities(list []activity.Activity) string {
	var b strings.Builder
	for i, a := range list {
		if i == maxActivitiesShown {
			fmt.Fprintf(&b, "……另有%d个活动，请在小程序“代表活动”中查看。\n", len(list)-i)
			break
		}
		answer := activity.AnswerInvited.Label()
		if len(a.Invitations) > 0 {
			answer = a.Invitations[0].Answer.Label()
		}
		fmt.Fprintf(&b, "【活动%d】%s\n时间：%s\n地点：%s\n您的答复：%s\n\n", a.ID, named(&a), when(a.StartsAt), short(a.Place, 30), answer)
	}
	return b.String()
}

func named(a *activity.Activity) string { return a.Kind.Label() + "《" + short(a.Title, 30) + "》" }

// when is an activity's start as a chat says it: 6月4日 09:00.
func when(t time.Time) string { return t.In(shanghai).Format("1月2日 15:04") }
