package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
)

// turn is one push being answered.
type turn struct {
	b        *Bot
	tenantID int64
	m        *wechat.OAMsg
	actor    auth.Actor
	command  string // for the log: the kind of request, never its content
	outcome  string
}

// conv is a user's conversation state, kept in Redis between messages.
type conv struct {
	Kind         string   `json:"k"`             // "reason" or "snap"
	SuggestionID int64    `json:"sid,omitempty"` // reason
	Number       int      `json:"n,omitempty"`
	Step         string   `json:"step,omitempty"` // snap: "location" or "words"
	Media        []string `json:"m,omitempty"`
	Lat          *float64 `json:"lat,omitempty"`
	Lng          *float64 `json:"lng,omitempty"`
	Address      string   `json:"addr,omitempty"`
}

func (t *turn) run(ctx context.Context) string {
	if t.m.MsgType == "voice" && strings.TrimSpace(t.m.Recognition) != "" {
		// WeChat transcribed the speech: it is what the deputy would have typed. Without a
		// transcription a voice message stays unsupported.
		typed := *t.m
		typed.MsgType, typed.Content = "text", t.m.Recognition
		t.m = &typed
	}
	m := t.m
	if m.IsEvent() {
		switch m.Event {
		case "TEMPLATESENDJOBFINISH":
			t.command = "template_finish"
			if t.b.d.Deliveries != nil {
				if err := t.b.d.Deliveries.RecordOATemplateResult(ctx, t.tenantID, m.MsgID, m.Status); err != nil {
					t.b.log.Error("record template result", "tenant_id", t.tenantID, "err", err)
					t.outcome = "error"
				}
			} else {
				t.outcome = "not_recorded"
			}
			return ""
		case "unsubscribe":
			t.command = "unsubscribe"
			if err := t.b.d.Store.SetOAFollowing(ctx, t.tenantID, m.FromUser, false); err != nil {
				t.b.log.Error("clear follow status", "tenant_id", t.tenantID, "err", err)
				t.outcome = "error"
			}
			_ = t.b.d.State.ClearConversation(ctx, t.tenantID, m.FromUser)
			return ""
		}
	}
	dep, err := t.deputy(ctx)
	if err != nil {
		return t.errText(err)
	}
	if m.IsEvent() && m.Event == "subscribe" {
		t.command = "subscribe"
		if dep == nil {
			t.outcome = "unlinked"
			return textWelcome + "\n\n" + textBindGuide
		}
		if err := t.b.d.Store.SetOAFollowing(ctx, t.tenantID, m.FromUser, true); err != nil {
			return t.errText(err)
		}
		return textWelcome + "\n\n" + textHelp
	}
	if dep == nil {
		// Unlinked: the binding guide and nothing else, except the binding itself.
		t.outcome = "unlinked"
		if m.MsgType == "text" {
			if cmd := Parse(m.Content); cmd.Kind == CmdBind {
				return t.bind(ctx, cmd.Code)
			} else if cmd.Kind == CmdUsage && cmd.Usage == usageBind {
				t.command = "bind"
				return usageBind
			}
		}
		if m.IsEvent() && m.Event != "CLICK" {
			return ""
		}
		return textBindGuide
	}
	t.actor = auth.Deputy(t.tenantID, dep.ID)
	switch m.MsgType {
	case "text":
		return t.onText(ctx)
	case "image":
		return t.onImage(ctx)
	case "location":
		return t.onLocation(ctx)
	case "event":
		if m.Event == "CLICK" {
			return t.onClick(ctx)
		}
		t.command = "event"
		return ""
	}
	t.command = "unsupported"
	return textMediaOnly
}

// deputy finds the linked deputy: by openid, else by unionid when the platform gives one.
// nil means not linked (or the account is disabled).
func (t *turn) deputy(ctx context.Context) (*account.Deputy, error) {
	d, err := t.b.d.Accounts.DeputyByOAOpenID(ctx, t.tenantID, t.m.FromUser)
	if err == nil {
		return d, nil
	}
	if !errors.Is(err, account.ErrNotFound) && !errors.Is(err, account.ErrForbidden) {
		return nil, err
	}
	if t.b.d.UnionIDs == nil {
		return nil, nil
	}
	if id, err := t.b.d.State.LinkedDeputy(ctx, t.tenantID, t.m.FromUser); err == nil && id != 0 {
		if d, err := t.b.d.Accounts.Deputy(ctx, t.tenantID, id); err == nil && d.Active {
			return d, nil
		}
	}
	if not, err := t.b.d.State.NotDeputy(ctx, t.tenantID, t.m.FromUser); err == nil && not {
		return nil, nil
	}
	union, err := t.b.d.UnionIDs.OAUnionID(ctx, t.m.FromUser)
	if err != nil {
		t.b.log.Warn("unionid lookup failed", "tenant_id", t.tenantID, "err", err)
		return nil, nil
	}
	if union == "" {
		t.notDeputy(ctx)
		return nil, nil
	}
	// Stored on the deputy, so template messages reach them and unsubscribing clears it.
	d, err = t.b.d.Accounts.LinkOAByUnionID(ctx, t.tenantID, union, t.m.FromUser)
	if err != nil {
		if errors.Is(err, account.ErrNotFound) || errors.Is(err, account.ErrForbidden) || errors.Is(err, account.ErrConflict) {
			t.notDeputy(ctx)
			return nil, nil
		}
		return nil, err
	}
	_ = t.b.d.State.SetLinkedDeputy(ctx, t.tenantID, t.m.FromUser, d.ID, unionCacheTTL)
	return d, nil
}

// notDeputy remembers for a while that the follower is no deputy (see notDeputyTTL).
func (t *turn) notDeputy(ctx context.Context) {
	if err := t.b.d.State.SetNotDeputy(ctx, t.tenantID, t.m.FromUser, notDeputyTTL); err != nil {
		t.b.log.Warn("cache not-a-deputy", "tenant_id", t.tenantID, "err", err)
	}
}

func (t *turn) bind(ctx context.Context, code string) string {
	t.command = "bind"
	ok, err := t.b.d.State.BindAttempt(ctx, t.tenantID, t.m.FromUser, bindLimit, bindWindow)
	if err != nil {
		return t.errText(err)
	}
	if !ok {
		t.outcome = "rate_limited"
		return textBindTooMny
	}
	failures, err := t.b.d.State.BindFailures(ctx, t.tenantID)
	if err != nil {
		return t.errText(err)
	}
	if failures >= bindTenantLimit {
		t.outcome = "rate_limited_tenant"
		t.b.log.Warn("bind codes paused: too many wrong codes", "tenant_id", t.tenantID, "failures", failures)
		return textBindBusy
	}
	id, err := t.b.d.Accounts.RedeemOABindCode(ctx, t.tenantID, code, t.m.FromUser)
	if err != nil {
		if errors.Is(err, account.ErrBadBindCode) {
			if ferr := t.b.d.State.BindFailed(ctx, t.tenantID, bindWindow); ferr != nil {
				t.b.log.Warn("count wrong bind code", "tenant_id", t.tenantID, "err", ferr)
			}
		}
		return t.errText(err)
	}
	t.outcome = "linked"
	// The redemption marked the deputy following in its own transaction (nothing after it
	// may be lost with the push).
	name := ""
	if d, err := t.b.d.Accounts.Deputy(ctx, t.tenantID, id); err == nil {
		name = d.Name
	}
	return fmt.Sprintf(textBound, name) + textHelp
}

func (t *turn) loadConv(ctx context.Context) *conv {
	b, err := t.b.d.State.Conversation(ctx, t.tenantID, t.m.FromUser)
	if err != nil || len(b) == 0 {
		return nil
	}
	var c conv
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	return &c
}

func (t *turn) saveConv(ctx context.Context, c *conv) error {
	b, _ := json.Marshal(c)
	return t.b.d.State.SetConversation(ctx, t.tenantID, t.m.FromUser, b, conversationTTL)
}

func (t *turn) clearConv(ctx context.Context) {
	if err := t.b.d.State.ClearConversation(ctx, t.tenantID, t.m.FromUser); err != nil {
		t.b.log.Warn("clear conversation", "tenant_id", t.tenantID, "err", err)
	}
}

func (t *turn) onText(ctx context.Context) string {
	cmd := Parse(t.m.Content)
	c := t.loadConv(ctx)
	if cmd.Kind == CmdCancel {
		t.command = "cancel"
		if c != nil {
			t.clearConv(ctx)
			return textCancelled
		}
		return textNothing
	}
	if c != nil {
		waiting := c.Kind == "reason" || (c.Kind == "snap" && c.Step == "words")
		// 参加/不参加 inside a reason or a description are words ("不参加现场核实就答复了"),
		// never an answer to an activity.
		answer := cmd.Kind == CmdAttend || cmd.Kind == CmdDecline
		if waiting && cmd.Kind != CmdSearch && cmd.Kind != CmdNone && !answer {
			// A command is not a reason nor a note (a 不满意 sends the suggestion back to the
			// units for good): drop the pending step, say so, and do the command.
			t.clearConv(ctx)
			dropped := textSnapDropped
			if c.Kind == "reason" {
				dropped = fmt.Sprintf(textReasonDropped, fmt.Sprintf("%04d", c.Number))
			}
			return dropped + "\n\n" + t.do(ctx, cmd)
		}
		switch {
		case c.Kind == "reason" && cmd.Kind == CmdNone:
			t.command = "rate"
			return fmt.Sprintf(textReasonAsk, fmt.Sprintf("%04d", c.Number))
		case c.Kind == "reason":
			// The next message is the reason of the 不满意 rating.
			t.clearConv(ctx)
			return t.rate(ctx, c.Number, c.SuggestionID, suggestion.Unsatisfied, strings.TrimSpace(t.m.Content))
		case c.Kind == "snap" && c.Step == "words":
			return t.finishSnap(ctx, c)
		case c.Kind == "snap" && cmd.Kind == CmdSearch:
			t.command = "snap"
			return textSnapPhoto
		}
	}
	return t.do(ctx, cmd)
}

func (t *turn) do(ctx context.Context, cmd Command) string {
	switch cmd.Kind {
	case CmdNone, CmdHelp:
		t.command = "help"
		return textHelp
	case CmdMine:
		return t.mine(ctx)
	case CmdQuery:
		return t.query(ctx, cmd.Number)
	case CmdRate:
		return t.rate(ctx, cmd.Number, 0, cmd.Rating, cmd.Reason)
	case CmdNudge:
		return t.nudge(ctx, cmd.Number)
	case CmdReview:
		return t.review(ctx, cmd.Number, cmd.Reason)
	case CmdActivities:
		return t.activities(ctx)
	case CmdAttend, CmdDecline:
		return t.attend(ctx, cmd)
	case CmdBind:
		t.command = "bind"
		return textAlready
	case CmdSnap:
		t.command = "snap"
		return textSnapHowTo
	case CmdUsage:
		t.command = "usage"
		return cmd.Usage
	case CmdSearch:
		return t.search(ctx, cmd.Text)
	}
	return textHelp
}

func (t *turn) onClick(ctx context.Context) string {
	switch t.m.EventKey {
	case KeyMine:
		return t.mine(ctx)
	case KeyQuery:
		t.command = "usage"
		return usageQuery
	case KeyRate:
		t.command = "usage"
		return usageRate
	case KeyNudge:
		t.command = "usage"
		return usageNudge
	case KeySnap:
		t.command = "snap"
		return textSnapHowTo
	case KeyBind:
		t.command = "bind"
		return textAlready
	}
	t.command = "help"
	return textHelp
}

func (t *turn) mine(ctx context.Context) string {
	t.command = "mine"
	list, err := t.b.d.Suggestions.List(ctx, t.actor, suggestion.ListFilter{Limit: 5})
	if err != nil {
		return t.errText(err)
	}
	return formatMine(list, t.b.now())
}

// resolve finds the deputy's suggestion by its per-meeting number; 0 when there is none.
func (t *turn) resolve(ctx context.Context, number int) (int64, error) {
	return t.b.d.Store.SuggestionIDByNumber(ctx, t.tenantID, t.actor.ID, number)
}

func notFound(number int) string { return fmt.Sprintf(textNotFound, fmt.Sprintf("%04d", number)) }

func (t *turn) query(ctx context.Context, number int) string {
	t.command = "query"
	id, err := t.resolve(ctx, number)
	if err != nil {
		return t.errText(err)
	}
	if id == 0 {
		t.outcome = "not_found"
		return notFound(number)
	}
	return t.detail(ctx, id)
}

func (t *turn) detail(ctx context.Context, id int64) string {
	d, err := t.b.d.Suggestions.Detail(ctx, t.actor, id)
	if err != nil {
		return t.errText(err)
	}
	return formatDetail(d, t.actor.ID, t.b.now())
}

func (t *turn) rate(ctx context.Context, number int, id int64, r suggestion.Rating, reason string) string {
	t.command = "rate"
	if id == 0 {
		var err error
		if id, err = t.resolve(ctx, number); err != nil {
			return t.errText(err)
		}
		if id == 0 {
			t.outcome = "not_found"
			return notFound(number)
		}
	}
	if r == suggestion.Unsatisfied && reason == "" {
		// Ask for the reason only when the rating would be accepted.
		d, err := t.b.d.Suggestions.Detail(ctx, t.actor, id)
		if err != nil {
			return t.errText(err)
		}
		if d.RateReplyUntil == nil {
			if rated(d, t.actor.ID) {
				t.outcome = "refused:already_rated"
				return "您已评价过本轮答复"
			}
			if s := &d.Suggestion; s.Status == suggestion.StatusReplied && ratingClosed(s.RatingDueAt, t.b.now()) {
				// The detail offers no rating past its window; say the window has passed.
				t.outcome = "refused:rating_closed"
				return textRatingClosed(*s.RatingDueAt) + "，不能再评价。"
			}
			t.outcome = "refused:rating_not_due"
			return "当前没有待评价的答复"
		}
		if ratingClosed(d.RateReplyUntil, t.b.now()) {
			// No reason to ask for: the rating would be refused once it came.
			t.outcome = "refused:rating_closed"
			return textRatingClosed(*d.RateReplyUntil) + "，不能再评价。"
		}
		if err := t.saveConv(ctx, &conv{Kind: "reason", SuggestionID: id, Number: number}); err != nil {
			return t.errText(err)
		}
		t.outcome = "reason_asked"
		return fmt.Sprintf(textReasonAsk, fmt.Sprintf("%04d", number))
	}
	sg, err := t.b.d.Suggestions.RateReply(ctx, t.actor, id, r, reason)
	if err != nil {
		return t.errText(err)
	}
	msg := fmt.Sprintf("已记录您对%s建议答复的评价：%s。", numLabel(number), r.Label())
	switch {
	case r == suggestion.Unsatisfied && sg.LeadDeputyID != t.actor.ID:
		// Only the lead deputy's rating sends a case back; a co-signer's reason goes to the unit.
		msg += "您的意见已转告承办单位和代表工委。"
	case r == suggestion.Unsatisfied:
		msg += "我们会督促承办单位重新办理，并及时告知进展。"
	default:
		msg += "感谢您的反馈！"
	}
	return msg
}

// review asks for 回头看 on a closed case (suggestion.Service.RequestReopen).
func (t *turn) review(ctx context.Context, number int, reason string) string {
	t.command = "review"
	id, err := t.resolve(ctx, number)
	if err != nil {
		return t.errText(err)
	}
	if id == 0 {
		t.outcome = "not_found"
		return notFound(number)
	}
	if err := t.b.d.Suggestions.RequestReopen(ctx, t.actor, id, reason); err != nil {
		return t.errText(err)
	}
	return fmt.Sprintf("已提交%s建议的回头看申请。代表工作部门会研究是否重新办理，承办单位也会收到您的意见。", numLabel(number))
}

func (t *turn) nudge(ctx context.Context, number int) string {
	t.command = "nudge"
	id, err := t.resolve(ctx, number)
	if err != nil {
		return t.errText(err)
	}
	if id == 0 {
		t.outcome = "not_found"
		return notFound(number)
	}
	res, err := t.b.d.Nudges.Nudge(ctx, t.actor, id, "bot")
	if err != nil {
		return t.errText(err)
	}
	return fmt.Sprintf("已向%s发出催办提醒（%s建议）。每条建议每周可催办一次。", strings.Join(res.UnitNames, "、"), numLabel(number))
}

// search matches free text ("民政路那个建议怎么样了") against the deputy's own suggestions.
func (t *turn) search(ctx context.Context, text string) string {
	t.command = "search"
	list, err := t.b.d.Suggestions.List(ctx, t.actor, suggestion.ListFilter{Limit: 100})
	if err != nil {
		return t.errText(err)
	}
	best := Match(text, list)
	switch len(best) {
	case 0:
		t.outcome = "no_match"
		return textNoMatch
	case 1:
		return t.detail(ctx, best[0].ID)
	}
	return formatCandidates(best)
}
