package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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

// maxBareNote bounds a note given without an activity number ("不参加，在外地出差"): a longer
// text after the word is a sentence that happens to start with it, not an answer.
const maxBareNote = 30

// parseAttend reads what follows 参加 / 不参加 in the normalized message s (tail: the text
// right after the word). An answer is the word alone; the word with an activity number and
// an optional note ("参加 12", "参加第12号 准时到", "不参加 12，在外地出差"); or, without a
// number, a short note set off by a comma or a space ("不参加，在外地出差"). Anything else (a
// sentence such as "参加座谈会后群众反映…") is no answer and is searched for as words.
func parseAttend(kind Kind, s, tail string) Command {
	if tail == "" {
		return Command{Kind: kind}
	}
	rest := strings.TrimSpace(strings.TrimLeft(tail, ":, "))
	num, note := rest, ""
	if i := strings.IndexAny(rest, ", "); i > 0 {
		num, note = rest[:i], rest[i:]
	}
	if n, ok := ParseNumber(num); ok {
		return Command{Kind: kind, Number: n, Reason: strings.TrimSpace(strings.TrimLeft(note, ":, "))}
	}
	if strings.ContainsRune(":, ", rune(tail[0])) && rest != "" && utf8.RuneCountInString(rest) <= maxBareNote {
		return Command{Kind: kind, Reason: rest}
	}
	return Command{Kind: CmdSearch, Text: s}
}

// typedNote is the note as the deputy typed it (full-width punctuation and all, but the
// closing 。！？ Parse drops), taken from the end of the message; the normalized note when
// the two differ in more than that.
func typedNote(message, note string) string {
	if note == "" {
		return ""
	}
	r := []rune(strings.TrimRight(strings.TrimSpace(message), "。.!！?？ \u3000")) // as Parse trims the end
	n := utf8.RuneCountInString(note)
	if n > len(r) {
		return note
	}
	if typed := string(r[len(r)-n:]); Normalize(typed) == note {
		return typed
	}
	return note
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
	act, err := t.b.d.Activities.Answer(ctx, t.actor, id, accept, typedNote(t.m.Content, cmd.Reason))
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

// when is an activity's start as its notices write it (internal/activity): 2026年06月04日 09:00.
func when(t time.Time) string { return t.In(shanghai).Format("2006年01月02日 15:04") }
