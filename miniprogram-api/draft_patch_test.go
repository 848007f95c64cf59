package mpapi_test

import (
	"fmt"
	"testing"
)

type draftView struct {
	ID       int64
	Title    string
	Body     string
	Version  int
	Location struct {
		Lat     *float64
		Lng     *float64
		Address string
	}
}

func (v draftView) String() string {
	f := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("{id %d v%d title %q body %q lat %s lng %s address %q}", v.ID, v.Version, v.Title, v.Body,
		f(v.Location.Lat), f(v.Location.Lng), v.Location.Address)
}

// TestPatchDraftChangesOnlyWhatItSends: PATCH /suggestions/{id} changes the fields it sends
// and keeps the others. The audit saw a PATCH of title and body wipe the location, and one
// of title and "location": null wipe the body. Left out is kept, null location clears the
// place, an empty body clears the text (and submit then refuses it as too short), a location
// sent replaces the whole place, and a stale version changes nothing.
func TestPatchDraftChangesOnlyWhatItSends(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-patch", "jyg", "13800000001")
	const body = "雄关路东段路灯损坏已久，夜间行人通行不便，存在安全隐患，建议尽快修复。"
	r := b.do("POST", "/api/v1/suggestions", zhang, map[string]any{"title": "关于修复雄关路路灯的建议", "body": body,
		"location": map[string]any{"lat": 39.7733, "lng": 98.2899, "address": "嘉峪关市雄关路"}})
	b.want(r, 201, "create draft")
	var d draftView
	r.json(t, &d)
	path := fmt.Sprintf("/api/v1/suggestions/%d", d.ID)

	patch := func(in string, what string) draftView {
		t.Helper()
		r := b.do("PATCH", path, zhang, in)
		b.want(r, 200, what)
		var out draftView
		r.json(t, &out)
		// What the answer says is what is stored.
		var stored draftView
		g := b.do("GET", path, zhang, nil)
		b.want(g, 200, "detail after "+what)
		g.json(t, &stored)
		if stored.String() != out.String() {
			t.Fatalf("%s: answered %s, stored %s", what, out, stored)
		}
		return out
	}
	hasPlace := func(v draftView) bool {
		return v.Location.Lat != nil && *v.Location.Lat == 39.7733 && v.Location.Lng != nil &&
			*v.Location.Lng == 98.2899 && v.Location.Address == "嘉峪关市雄关路"
	}

	// The audit's first case: title and body sent, location left out.
	got := patch(fmt.Sprintf(`{"title":"改标题","version":%d,"body":"新正文：雄关路路灯夜间不亮，请尽快修复。"}`, d.Version), "title and body")
	if got.Title != "改标题" || got.Body != "新正文：雄关路路灯夜间不亮，请尽快修复。" || !hasPlace(got) {
		t.Fatalf("title and body sent: %s; want the place kept", got)
	}
	// Title only: body and place kept.
	got = patch(fmt.Sprintf(`{"title":"再改标题","version":%d}`, got.Version), "title only")
	if got.Title != "再改标题" || got.Body != "新正文：雄关路路灯夜间不亮，请尽快修复。" || !hasPlace(got) {
		t.Fatalf("title only: %s", got)
	}
	// The audit's second case: title and "location": null — the place goes, the body stays.
	got = patch(fmt.Sprintf(`{"title":"改标题","version":%d,"location":null}`, got.Version), "location null")
	if got.Body != "新正文：雄关路路灯夜间不亮，请尽快修复。" || got.Location.Lat != nil || got.Location.Lng != nil || got.Location.Address != "" {
		t.Fatalf("location null: %s; want the body kept and the place cleared", got)
	}
	// A location sent replaces the whole place.
	got = patch(fmt.Sprintf(`{"version":%d,"location":{"address":"雄关广场东侧"}}`, got.Version), "new address")
	if got.Location.Lat != nil || got.Location.Address != "雄关广场东侧" || got.Title != "改标题" {
		t.Fatalf("new address: %s", got)
	}
	// An empty body clears the text; submit then refuses it as too short.
	got = patch(fmt.Sprintf(`{"version":%d,"body":""}`, got.Version), "empty body")
	if got.Body != "" || got.Title != "改标题" || got.Location.Address != "雄关广场东侧" {
		t.Fatalf("empty body: %s", got)
	}
	b.wantRefusal(b.do("POST", path+"/submit", zhang, map[string]any{"version": got.Version}, "Idempotency-Key", "patch-submit"),
		422, "body_too_short", "submit with the body cleared")

	// Refusals change nothing.
	before := b.dbState()
	for _, tc := range []struct {
		body   string
		status int
		code   string
	}{
		{fmt.Sprintf(`{"version":%d,"body":"过期版本的修改内容，不应被保存。"}`, got.Version-1), 409, "version_conflict"},
		{`{"body":"没有版本号的修改内容，不应被保存。"}`, 422, "version_required"},
		{fmt.Sprintf(`{"version":%d,"title":null}`, got.Version), 422, "title_required"},
		{fmt.Sprintf(`{"version":%d,"title":"   "}`, got.Version), 422, "title_required"},
		{fmt.Sprintf(`{"version":%d,"location":{"lat":39.7}}`, got.Version), 422, "bad_location"},
		{fmt.Sprintf(`{"version":%d,"location":{"address":"x","floor":3}}`, got.Version), 400, "bad_request"},
		{fmt.Sprintf(`{"version":%d,"body":7}`, got.Version), 400, "bad_request"},
	} {
		b.wantRefusal(b.do("PATCH", path, zhang, tc.body), tc.status, tc.code, tc.body)
	}
	if after := b.dbState(); after != before {
		t.Fatal("a refused PATCH changed the database")
	}
	// Someone else's draft is not found, whatever the PATCH holds.
	li := b.deputy("openid-patch-li", "jyg", "13800000002")
	b.wantRefusal(b.do("PATCH", path, li, fmt.Sprintf(`{"version":%d,"title":"别人的"}`, got.Version)), 404, "not_found", "another deputy's draft")
}
