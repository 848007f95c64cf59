package mpapi_test

import (
	"fmt"
	"net/url"
	"testing"
)

// TestSimilarWhileDrafting: a draft's words bring up the tenant's earlier suggestion on the
// same matter first (whoever wrote it), never one about something else, another tenant's,
// a draft, or the suggestion being edited (exclude).
func TestSimilarWhileDrafting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-sim-z", "jyg", "13800000001")
	li := b.deputy("openid-sim-l", "jyg", "13800000002")
	wang := b.deputy("openid-sim-w", "other", "13800000003")

	lamps := b.submitted(li, "关于修复雄关路路灯的建议", "雄关路东段路灯损坏已久，夜间行人通行不便，存在安全隐患。")
	park := b.submitted(li, "关于增加城区公园绿地的建议", "城区居民休闲场所不足，希望规划建设更多街心花园和运动场地。")
	elsewhere := b.submitted(wang, "关于修复雄关路路灯的建议", "雄关路东段路灯损坏已久，夜间行人通行不便，存在安全隐患。")
	mine := b.draft(zhang, "雄关路路灯不亮")

	type item struct {
		ID       int64
		Title    string
		Mine     bool
		LeadName string `json:"lead_name"`
	}
	similar := func(tok, q string, exclude int64) []item {
		t.Helper()
		path := "/api/v1/suggestions/similar?q=" + url.QueryEscape(q)
		if exclude > 0 {
			path += fmt.Sprintf("&exclude=%d", exclude)
		}
		r := b.do("GET", path, tok, nil)
		b.want(r, 200, "similar "+q)
		var out struct{ Items []item }
		r.json(t, &out)
		return out.Items
	}
	ids := func(xs []item) map[int64]bool {
		m := map[int64]bool{}
		for _, x := range xs {
			m[x.ID] = true
		}
		return m
	}

	got := similar(zhang, "雄关路的路灯晚上不亮，行人看不清路", 0)
	if len(got) == 0 || got[0].ID != lamps {
		t.Fatalf("similar for a draft about the street lamps: %+v; want %d first", got, lamps)
	}
	if got[0].Mine || got[0].LeadName != "李四" || got[0].Title != "关于修复雄关路路灯的建议" {
		t.Fatalf("similar item: %+v", got[0])
	}
	seen := ids(got)
	for name, id := range map[string]int64{"unrelated": park, "other tenant's": elsewhere, "a draft": mine} {
		if seen[id] {
			t.Fatalf("similar lists the %s suggestion %d: %+v", name, id, got)
		}
	}
	// The other tenant's deputy gets their own, not ours.
	got = similar(wang, "雄关路路灯", 0)
	if len(got) != 1 || got[0].ID != elsewhere {
		t.Fatalf("other tenant's similar: %+v; want only %d", got, elsewhere)
	}
	// A suggestion is not similar to itself while it is edited.
	if ids(similar(li, "雄关路路灯", lamps))[lamps] {
		t.Fatal("exclude did not leave the edited suggestion out")
	}
	// The park one comes up for its own matter.
	if got = similar(zhang, "公园绿地太少", 0); len(got) == 0 || got[0].ID != park {
		t.Fatalf("similar for parks: %+v", got)
	}
	// Too little to go on: nothing.
	if got = similar(zhang, "路", 0); len(got) != 0 {
		t.Fatalf("one character found %+v", got)
	}
}
