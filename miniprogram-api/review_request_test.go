package mpapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// 申请回头看 from the phone: on a closed case the detail offers it; the request needs a reason,
// is answered 204 once and 409 after, and a deputy who is not an author is told the case does
// not exist. The timeline shows the request.
func TestReviewRequestFromThePhone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	lead := b.deputy("openid-zhang", "jyg", "13800000001")
	other := b.deputy("openid-li", "jyg", "13800000002")
	id := b.draft(lead, "关于修复雄关路路灯的建议")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), lead, map[string]any{}, "Idempotency-Key", "submit-review"), 200, "submit")
	asg := b.accepted(id)
	if _, err := b.sugg.RecordContact(ctx, handler, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "赵经办、张三", Summary: "沟通了路灯修复方案"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Reply(ctx, handler, asg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "雄关路东段路灯已全部修复。"}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/suggestions/%d/review-request", id)
	b.want(b.do("POST", path, lead, map[string]any{"reason": "又不亮了"}), 409, "review request before closing")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/ratings", id), lead, map[string]any{"kind": "reply", "rating": "satisfied"}), 200, "rate")

	offer := func(tok string) bool {
		t.Helper()
		r := b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), tok, nil)
		b.want(r, 200, "detail")
		var d struct {
			Status   string
			CanAsk   bool `json:"can_request_review"`
			Timeline []struct{ Action, Label, Reason string }
		}
		r.json(t, &d)
		return d.CanAsk && d.Status == "closed"
	}
	if !offer(lead) {
		t.Fatal("a closed case does not offer 回头看 to its lead deputy")
	}
	b.want(b.do("POST", path, lead, map[string]any{}), 422, "review request without a reason")
	b.want(b.do("POST", path, other, map[string]any{"reason": "路过看到的"}), 404, "another deputy asks")
	b.want(b.do("POST", path, lead, map[string]any{"reason": "修好一个月后又不亮了"}), 204, "review request")
	b.want(b.do("POST", path, lead, map[string]any{"reason": "还是不亮"}), 409, "asked twice")
	if offer(lead) {
		t.Fatal("still offered after asking")
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE tenant_id = 1 AND suggestion_id = $1 AND action = 'reopen_requested'
		AND reason = '修好一个月后又不亮了'`, id); n != 1 {
		t.Fatalf("%d requests recorded, want 1", n)
	}
}
