package mpapi_test

import (
	"context"
	"fmt"
	"testing"
)

// listed is one row of "my suggestions" as the phone reads it.
type listed struct {
	ID     int64
	Title  string
	Status string
}

func (b *bundle) list(tok, query string) map[int64]listed {
	b.t.Helper()
	r := b.do("GET", "/api/v1/suggestions"+query, tok, nil)
	b.want(r, 200, "list")
	var page struct{ Items []listed }
	r.json(b.t, &page)
	out := map[int64]listed{}
	for _, x := range page.Items {
		out[x.ID] = x
	}
	return out
}

// "My suggestions" is answered from the page cache until something on it changes, and a
// change made through any door shows on the next read of the lead deputy's and every
// co-signer's list.
func TestListPagesFollowEveryChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	zhang := b.deputy("openid-zs", "jyg", "13800000001")
	li := b.deputy("openid-li", "jyg", "13800000002")

	id := b.draft(zhang, "老旧小区加装电梯")
	if got := b.list(zhang, "")[id]; got.Status != "draft" {
		t.Fatalf("new draft on the list: %+v", got)
	}

	// Invited, 李四 sees it; having declined, he does not.
	invite := fmt.Sprintf("/api/v1/suggestions/%d/cosigners", id)
	b.want(b.do("POST", invite, zhang, map[string]any{"deputy_ids": []int64{11}}), 204, "invite")
	if _, ok := b.list(li, "")[id]; !ok {
		t.Fatal("the invited co-signer does not see the suggestion")
	}
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosign", id), li, map[string]any{"accept": false}), 204, "decline")
	if _, ok := b.list(li, "")[id]; ok {
		t.Fatal("a declined co-signature is still listed")
	}
	b.want(b.do("POST", invite, zhang, map[string]any{"deputy_ids": []int64{11}}), 204, "invite again")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosign", id), li, map[string]any{"accept": true}), 204, "accept")

	version := func() int { return b.count(`SELECT version FROM suggestions WHERE tenant_id=1 AND id=$1`, id) }
	r := b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), zhang, map[string]any{"version": version()}, "Idempotency-Key", "lc-1")
	b.want(r, 200, "submit")
	if got := b.list(zhang, "")[id]; got.Status != "submitted" {
		t.Fatalf("submitted suggestion still listed to its lead as %+v", got)
	}
	if got := b.list(li, "?role=cosigned")[id]; got.Status != "submitted" {
		t.Fatalf("submitted suggestion still listed to its co-signer as %+v", got)
	}

	// A page is answered again while nothing went through the workflow: a title changed
	// behind its back (not a thing the product does) stays unseen ...
	b.list(zhang, "")
	if _, err := b.pool.Exec(ctx, `UPDATE suggestions SET title='加装电梯（改）' WHERE tenant_id=1 AND id=$1`, id); err != nil {
		t.Fatal(err)
	}
	if got := b.list(zhang, "")[id]; got.Title != "老旧小区加装电梯" {
		t.Fatalf("the page was read again without a change: %+v", got)
	}
	// ... until a change on the suggestion, made by staff, renews both deputies' pages.
	if _, err := b.sugg.Register(ctx, reviewer, id, version(), 1); err != nil {
		t.Fatal(err)
	}
	for who, tok := range map[string]string{"lead": zhang, "co-signer": li} {
		for _, q := range []string{"", "?role=cosigned", "?role=lead", "?status=registered"} {
			got, ok := b.list(tok, q)[id]
			inList := q == "" || q == "?status=registered" || (q == "?role=lead") == (who == "lead")
			if ok != inList || ok && (got.Status != "registered" || got.Title != "加装电梯（改）") {
				t.Fatalf("%s's list %q after registration: %+v (listed %v)", who, q, got, ok)
			}
		}
	}
}
