package mpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
)

type idPage struct {
	Items []struct {
		ID    int64
		Title string
	}
	NextBefore *int64 `json:"next_before"`
}

// pages follows next_before from path (which has a limit) to the end and returns every
// page's ids; it checks each page's cursor is its last id.
func (b *bundle) pages(tok, path string) [][]int64 {
	b.t.Helper()
	var out [][]int64
	next := path
	for range 20 {
		r := b.do("GET", next, tok, nil)
		b.want(r, 200, next)
		var p idPage
		r.json(b.t, &p)
		var ids []int64
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		out = append(out, ids)
		if p.NextBefore == nil {
			return out
		}
		if len(ids) == 0 || *p.NextBefore != ids[len(ids)-1] {
			b.t.Fatalf("%s: next_before %d is not the page's last id (%v)", next, *p.NextBefore, ids)
		}
		if len(out) > 1 && slices.Equal(ids, out[len(out)-2]) {
			b.t.Fatalf("%s: the page after %v is the same page again (before ignored?)", next, ids)
		}
		next = fmt.Sprintf("%s&before=%d", path, *p.NextBefore)
	}
	b.t.Fatalf("%s: more than 20 pages", path)
	return nil
}

// checkPaged checks that pages of at most size, joined, are exactly want (newest first):
// page 2 continues right after page 1, with no overlap and no gap.
func checkPaged(t *testing.T, what string, pages [][]int64, size int, want []int64) {
	t.Helper()
	var all []int64
	for i, p := range pages {
		if len(p) > size || (i < len(pages)-1 && len(p) != size) {
			t.Fatalf("%s: page %d has %d items (size %d): %v", what, i+1, len(p), size, pages)
		}
		all = append(all, p...)
	}
	if !slices.Equal(all, want) {
		t.Fatalf("%s: pages %v, want %v in that order", what, pages, want)
	}
}

// TestListPagingAndSearch: my suggestions (led and co-signed) page by the before cursor
// with nothing repeated or skipped, with and without a search; q keeps only the matching
// ones; the snaps list pages the same way.
func TestListPagingAndSearch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-page-z", "jyg", "13800000001")
	li := b.deputy("openid-page-l", "jyg", "13800000002")

	var all, lamps []int64 // newest first
	add := func(id int64, lamp bool) {
		all = append([]int64{id}, all...)
		if lamp {
			lamps = append([]int64{id}, lamps...)
		}
	}
	add(b.draft(zhang, "雄关路路灯不亮"), true)
	add(b.draft(zhang, "新华路公园绿地太少"), false)
	add(b.draft(zhang, "兰新路路灯维修"), true)
	// 李四's draft, co-signed by 张三: on his list too.
	cosigned := b.draft(li, "镜铁路路灯改造")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosigners", cosigned), li, map[string]any{"deputy_ids": []int64{10}}), 204, "invite")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosign", cosigned), zhang, map[string]any{"accept": true}), 204, "co-sign")
	add(cosigned, true)
	add(b.draft(zhang, "体育公园增设座椅"), false)
	add(b.draft(zhang, "五一路路灯亮度不足"), true)
	b.draft(li, "李四自己的路灯建议") // not on 张三's list

	// Whole list, two at a time (page 2 via before continues page 1 exactly).
	checkPaged(t, "my suggestions", b.pages(zhang, "/api/v1/suggestions?limit=2"), 2, all)
	checkPaged(t, "my suggestions by 4", b.pages(zhang, "/api/v1/suggestions?limit=4"), 4, all)
	// The same pages again (answered from the page cache): still continuous.
	checkPaged(t, "my suggestions again", b.pages(zhang, "/api/v1/suggestions?limit=2"), 2, all)

	// q keeps the matching ones only, and pages too.
	q := "/api/v1/suggestions?q=" + url.QueryEscape("路灯")
	checkPaged(t, "search", b.pages(zhang, q+"&limit=50"), 50, lamps)
	checkPaged(t, "search by 3", b.pages(zhang, q+"&limit=3"), 3, lamps)
	checkPaged(t, "search for parks", b.pages(zhang, "/api/v1/suggestions?limit=50&q="+url.QueryEscape("公园")), 50,
		[]int64{all[1], all[4]})
	checkPaged(t, "search for nothing", b.pages(zhang, "/api/v1/suggestions?limit=50&q="+url.QueryEscape("垃圾分类")), 50, nil)
	// before with a role filter.
	checkPaged(t, "led by me", b.pages(zhang, "/api/v1/suggestions?role=lead&limit=2"), 2,
		slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return id == cosigned }))

	// Snaps page by before as well.
	var snaps []int64
	for i := range 5 {
		r := b.do("POST", "/api/v1/snaps", zhang, map[string]any{"note": fmt.Sprintf("第%d处井盖缺失", i+1),
			"location": map[string]any{"lat": 39.8, "lng": 98.29, "address": "新华路"}})
		b.want(r, 201, "snap")
		var s struct{ ID int64 }
		r.json(t, &s)
		snaps = append([]int64{s.ID}, snaps...)
	}
	b.want(b.do("POST", "/api/v1/snaps", li, map[string]any{"note": "别人的随手拍",
		"location": map[string]any{"lat": 39.8, "lng": 98.29, "address": "新华路"}}), 201, "li's snap")
	checkPaged(t, "snaps", b.pages(zhang, "/api/v1/snaps?limit=2"), 2, snaps)
	checkPaged(t, "snaps by 5", b.pages(zhang, "/api/v1/snaps?limit=5"), 5, snaps)
	b.want(b.do("GET", "/api/v1/snaps?before=0", zhang, nil), 400, "snaps before=0")
	b.want(b.do("GET", "/api/v1/suggestions?before=x", zhang, nil), 400, "suggestions before=x")
}
