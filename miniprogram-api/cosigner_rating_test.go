package mpapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

type ratingOffer struct {
	Status      string
	ReplyUntil  *time.Time `json:"reply_rating_until"`
	ImplUntil   *time.Time `json:"implementation_rating_until"`
	Evaluations []struct {
		Kind, Rating string
		Round        int
		Mine         bool
	}
}

// TestCosignerRatesAfterTheLead is 双测评 from a co-signer's phone: the lead deputy rates the
// reply first, which closes the case; the co-signer, told "please rate" like every author,
// opens the page later, is still offered the rating with its deadline, rates, and is offered
// it no more. The lead's page never offers a second rating.
func TestCosignerRatesAfterTheLead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	lead := b.deputy("openid-zhang", "jyg", "13800000001")
	co := b.deputy("openid-li", "jyg", "13800000002")

	id := b.draft(lead, "关于修复雄关路路灯的建议")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosigners", id), lead, map[string]any{"deputy_ids": []int64{11}}), 204, "invite co-signer")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosign", id), co, map[string]any{"accept": true}), 204, "accept")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), lead, map[string]any{}, "Idempotency-Key", "submit-co"), 200, "submit")
	asg := b.accepted(id)
	if _, err := b.sugg.RecordContact(ctx, handler, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "赵经办、张三", Summary: "沟通了路灯修复方案"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Reply(ctx, handler, asg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "雄关路东段路灯已全部修复。"}); err != nil {
		t.Fatal(err)
	}
	page := func(tok string) ratingOffer {
		t.Helper()
		r := b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), tok, nil)
		b.want(r, 200, "detail")
		var out ratingOffer
		r.json(t, &out)
		return out
	}
	if p := page(lead); p.ReplyUntil == nil || p.ImplUntil != nil {
		t.Fatalf("lead's page before rating: %+v", p)
	}
	ratings := fmt.Sprintf("/api/v1/suggestions/%d/ratings", id)
	b.want(b.do("POST", ratings, lead, map[string]any{"kind": "reply", "rating": "satisfied"}), 200, "lead rates")
	if p := page(lead); p.Status != "closed" || p.ReplyUntil != nil {
		t.Fatalf("lead's page after rating: %+v", p)
	}

	p := page(co)
	if p.ReplyUntil == nil || !p.ReplyUntil.After(time.Now()) {
		t.Fatalf("co-signer is not offered the rating after the lead rated: %+v", p)
	}
	r := b.do("POST", ratings, co, map[string]any{"kind": "reply", "rating": "unsatisfied", "reason": "只修了东段，西段仍然不亮"})
	b.want(r, 200, "co-signer rates after the lead")
	p = page(co)
	if p.Status != "closed" || p.ReplyUntil != nil {
		t.Fatalf("co-signer's page after rating: %+v", p)
	}
	mine := 0
	for _, e := range p.Evaluations {
		if e.Mine && e.Kind == "reply" && e.Rating == "unsatisfied" && e.Round == 1 {
			mine++
		}
	}
	if mine != 1 {
		t.Fatalf("co-signer's rating not on the page: %+v", p.Evaluations)
	}
	b.want(b.do("POST", ratings, co, map[string]any{"kind": "reply", "rating": "satisfied"}), 409, "co-signer rates twice")
	b.want(b.do("POST", ratings, co, map[string]any{"kind": "implementation", "rating": "satisfied"}), 409, "no implementation to rate")
}
