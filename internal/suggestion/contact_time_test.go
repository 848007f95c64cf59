package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// A contact (三见面) belongs to the case: a "before" or "during" contact held before the unit
// was assigned the case or after the day the round was answered, or an "after" contact
// (办后回访) before the unit has replied, is refused, naming the day in Shanghai it may not precede. Before, a unit recorded a "before"
// contact dated 2025-01-01 on a case assigned in 2026, and that backdated contact let it reply.
func TestContactTimesFollowTheCase(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	sh := shanghai(t)
	// 20:00 UTC on the 13th is 04:00 on 14 September in Shanghai: the day refusals name.
	b.now = time.Date(2026, 9, 13, 20, 0, 0, 0, time.UTC)
	s, asgs := b.assigned(t, "关于民政路拓宽的建议")
	lead, co := asgs[0].ID, asgs[1].ID
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.Accept(b.ctx, b.unit(1), co, suggestion.AcceptInput{HandlerName: "周经办"}))
	contact := func(unit int, asg int64, stage suggestion.ContactStage, at time.Time) error {
		_, err := b.svc.RecordContact(b.ctx, b.unit(unit), asg, suggestion.ContactInput{Stage: stage, HappenedAt: at,
			Method: "座谈", People: "孙经办、张建国代表", Summary: "沟通了办理思路"})
		return err
	}
	lines := b.auditCount(t, s.ID)
	refusals := []struct {
		name  string
		unit  int
		asg   int64
		stage suggestion.ContactStage
		at    time.Time
		code  string
		msg   string
	}{
		{"backdated before contact", 0, lead, suggestion.ContactBefore, time.Date(2025, 1, 1, 10, 0, 0, 0, sh),
			"contact_before_assignment", "办前沟通时间不能早于交办时间（2026年09月14日）"},
		{"before contact the evening before", 0, lead, suggestion.ContactBefore, time.Date(2026, 9, 13, 23, 30, 0, 0, sh),
			"contact_before_assignment", "办前沟通时间不能早于交办时间（2026年09月14日）"},
		{"during contact before the assignment", 1, co, suggestion.ContactDuring, time.Date(2026, 9, 1, 9, 0, 0, 0, sh),
			"contact_before_assignment", "办中征求意见时间不能早于交办时间（2026年09月14日）"},
		{"after contact before any reply", 0, lead, suggestion.ContactAfter, b.now,
			"reply_not_given", "本轮尚未答复，不能登记办后回访：请在答复之后回访代表时登记"},
	}
	for _, r := range refusals {
		err := contact(r.unit, r.asg, r.stage, r.at)
		if err == nil {
			t.Fatalf("%s: recorded", r.name)
		}
		if r.code == "reply_not_given" {
			wantErr(t, err, suggestion.ErrInvalidTransition, r.code)
		} else {
			wantErr(t, err, suggestion.ErrInvalid, r.code)
		}
		wantMsg(t, err, r.msg)
	}
	if n := b.auditCount(t, s.ID); n != lines {
		t.Fatalf("refused contacts wrote %d timeline lines", n-lines)
	}
	// The backdated contact did not count as the "before" contact a reply needs.
	reply := suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经研究，已完成民政路信号灯配时优化。"}
	_, err := b.svc.Reply(b.ctx, b.unit(0), lead, reply)
	wantErr(t, err, suggestion.ErrInvalid, "before_contact_required")

	// Held on the day of the assignment, earlier in that day than it was sent: recorded (a
	// unit writes down the day of a meeting, not the minute the assignment arrived).
	noErr(contact(0, lead, suggestion.ContactBefore, time.Date(2026, 9, 14, 0, 30, 0, 0, sh)))
	noErr(contact(1, co, suggestion.ContactDuring, b.now))

	// Replied on 9 October (Shanghai): the 办后回访 is held that day or later.
	b.now = time.Date(2026, 10, 9, 9, 0, 0, 0, sh)
	must(b.svc.Reply(b.ctx, b.unit(0), lead, reply))
	err = contact(0, lead, suggestion.ContactAfter, time.Date(2026, 10, 8, 15, 0, 0, 0, sh))
	wantErr(t, err, suggestion.ErrInvalid, "contact_before_reply")
	wantMsg(t, err, "办后回访时间不能早于答复时间（2026年10月09日）")
	// A co-unit does not reply, so it has no 办后回访 to record.
	err = contact(1, co, suggestion.ContactAfter, b.now)
	wantErr(t, err, suggestion.ErrInvalidTransition, "reply_not_given")
	// Once the round is answered, a "before" or "during" contact dated after the day of the
	// reply is refused, for the lead unit and a co-unit alike: a visit after the answer is the
	// 办后回访, and a "during" record dated then would stand for consultation the deputy never
	// had before the answer. One held on the reply day, before it went out, is recorded.
	b.now = time.Date(2026, 10, 10, 10, 0, 0, 0, sh)
	lines = b.auditCount(t, s.ID)
	for _, c := range []struct {
		unit  int
		asg   int64
		stage suggestion.ContactStage
	}{{0, lead, suggestion.ContactDuring}, {1, co, suggestion.ContactDuring}, {0, lead, suggestion.ContactBefore}} {
		err = contact(c.unit, c.asg, c.stage, b.now)
		wantErr(t, err, suggestion.ErrInvalid, "contact_after_reply")
		wantMsg(t, err, "本轮已于2026年10月09日答复，"+c.stage.Label()+"时间不能晚于答复时间：答复之后的回访请登记为办后回访")
	}
	if n := b.auditCount(t, s.ID); n != lines {
		t.Fatalf("refused contacts wrote %d timeline lines", n-lines)
	}
	noErr(contact(0, lead, suggestion.ContactDuring, time.Date(2026, 10, 9, 8, 0, 0, 0, sh)))
	noErr(contact(0, lead, suggestion.ContactAfter, b.now.Add(-time.Hour)))

	// After a 不满意 the next round has no reply yet: its 办后回访 waits for it.
	must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "道路没有拓宽"))
	err = contact(0, lead, suggestion.ContactAfter, b.now)
	wantErr(t, err, suggestion.ErrInvalidTransition, "reply_not_given")
	noErr(contact(0, lead, suggestion.ContactDuring, b.now))
}
