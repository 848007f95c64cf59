package mpapi_test

import (
	"context"
	"fmt"
	"testing"
)

type mergedPage struct {
	Status     string
	MergedInto *struct {
		ID     int64
		Number string
		Title  string
	} `json:"merged_into"`
}

// TestMergedIntoOnTheDuplicate: once staff merge a duplicate (并案), its author's page
// points at the surviving case with its id, number and title, and the author can open it
// (they co-sign it now). A deputy who could see the duplicate only as a pending invitee is
// no author of the survivor: their page has no merged_into, and the survivor is 404 to them.
// The survivor's own page has none.
func TestMergedIntoOnTheDuplicate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.exec(`INSERT INTO deputies (tenant_id, id, name, phone) VALUES (1, 12, '王小明', '13800000004')`)
	zhang := b.deputy("openid-zhang", "jyg", "13800000001")
	li := b.deputy("openid-li", "jyg", "13800000002")
	wang := b.deputy("openid-wang", "jyg", "13800000004")

	into := b.draft(zhang, "关于雄关广场增设停车位的建议")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", into), zhang, map[string]any{}, "Idempotency-Key", "submit-into"), 200, "submit survivor")
	sg, err := b.sugg.Get(ctx, reviewer, into)
	if err != nil {
		t.Fatal(err)
	}
	if sg, err = b.sugg.Register(ctx, reviewer, into, sg.Version, 1); err != nil {
		t.Fatal(err)
	}
	dup := b.draft(li, "雄关广场停车难")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosigners", dup), li, map[string]any{"deputy_ids": []int64{12}}), 204, "invite")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", dup), li, map[string]any{}, "Idempotency-Key", "submit-dup"), 200, "submit duplicate")
	if _, err := b.sugg.Merge(ctx, reviewer, dup, into, -1, "与第0001号建议内容相同"); err != nil {
		t.Fatal(err)
	}

	page := func(tok string, id int64) mergedPage {
		t.Helper()
		r := b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), tok, nil)
		b.want(r, 200, "detail")
		var p mergedPage
		r.json(t, &p)
		return p
	}
	p := page(li, dup)
	if p.Status != "merged" || p.MergedInto == nil || p.MergedInto.ID != into || p.MergedInto.Number != sg.NumberLabel() ||
		p.MergedInto.Title != "关于雄关广场增设停车位的建议" || sg.NumberLabel() == "" {
		t.Fatalf("author's page of the duplicate: %+v %+v", p, p.MergedInto)
	}
	b.want(b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", into), li, nil), 200, "the author opens the survivor")

	if p := page(wang, dup); p.Status != "merged" || p.MergedInto != nil {
		t.Fatalf("pending invitee's page of the duplicate: %+v", p)
	}
	b.want(b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", into), wang, nil), 404, "the invitee may not see the survivor")
	if p := page(zhang, into); p.MergedInto != nil {
		t.Fatalf("the survivor points somewhere: %+v", p.MergedInto)
	}
}
