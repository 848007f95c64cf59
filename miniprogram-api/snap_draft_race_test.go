package mpapi_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Five taps on "转为建议" at once make one draft: one 201, four 409 snap_already_used, and
// no orphan drafts left in the deputy's list (each request used to make its own draft before
// finding the snap taken). The snap's photo goes to that one draft.
func TestSnapToDraftConcurrentMakesOneDraft(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-snap-race", "jyg", "13800000001")
	r := b.do("POST", "/api/v1/snaps", zhang, map[string]any{"note": "人行道井盖缺失，夜间很危险",
		"location": map[string]any{"lat": 39.8, "lng": 98.29, "address": "新华路"}})
	b.want(r, 201, "snap")
	var snap struct{ ID int64 }
	r.json(t, &snap)
	b.want(b.upload(fmt.Sprintf("/api/v1/snaps/%d/photos", snap.ID), zhang, "s.jpg", "image/jpeg", jpegWithGPS(39.8, 98.29)), 201, "snap photo")
	path := fmt.Sprintf("/api/v1/snaps/%d/draft", snap.ID)

	const n = 5
	answers := make([]resp, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = b.do("POST", path, zhang, map[string]any{})
		}()
	}
	wg.Wait()
	var made int64
	for i, r := range answers {
		switch {
		case r.Status == 201:
			if made != 0 {
				t.Fatalf("two requests made a draft: %s", r.Body)
			}
			var out struct {
				SuggestionID int64 `json:"suggestion_id"`
			}
			r.json(t, &out)
			made = out.SuggestionID
		case r.Status == 409 && r.code() == "snap_already_used":
		default:
			t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
		}
	}
	if made == 0 {
		t.Fatal("no request made the draft")
	}
	if got := b.count(`SELECT count(*) FROM suggestions WHERE tenant_id = 1 AND lead_deputy_id = 10`); got != 1 {
		t.Fatalf("%d drafts from one snap, want 1", got)
	}
	r = b.do("GET", "/api/v1/suggestions", zhang, nil)
	b.want(r, 200, "my suggestions")
	var list struct{ Items []struct{ ID int64 } }
	r.json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != made {
		t.Fatalf("the deputy sees %+v, want only draft %d", list.Items, made)
	}
	r = b.do("GET", fmt.Sprintf("/api/v1/snaps/%d", snap.ID), zhang, nil)
	b.want(r, 200, "snap detail")
	var detail struct {
		SuggestionID int64 `json:"suggestion_id"`
	}
	r.json(t, &detail)
	if detail.SuggestionID != made {
		t.Fatalf("snap points to %d, want %d", detail.SuggestionID, made)
	}
	if got := b.count(`SELECT count(*) FROM attachments WHERE tenant_id = 1 AND suggestion_id = $1`, made); got != 1 {
		t.Fatalf("the draft has %d photos, want the snap's one", got)
	}
}

// A draft that cannot be made (its title too long) gives the snap back: the deputy corrects
// the title and converts it, instead of being told forever that it is already used.
func TestSnapToDraftRefusedLeavesSnapFree(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-snap-free", "jyg", "13800000001")
	r := b.do("POST", "/api/v1/snaps", zhang, map[string]any{"note": "路灯不亮", "location": map[string]any{"address": "新华路"}})
	b.want(r, 201, "snap")
	var snap struct{ ID int64 }
	r.json(t, &snap)
	path := fmt.Sprintf("/api/v1/snaps/%d/draft", snap.ID)
	b.wantRefusal(b.do("POST", path, zhang, map[string]any{"title": strings.Repeat("长", 500)}), 422, "title_too_long", "title too long")
	r = b.do("GET", fmt.Sprintf("/api/v1/snaps/%d", snap.ID), zhang, nil)
	b.want(r, 200, "snap detail")
	if strings.Contains(string(r.Body), "suggestion_id") {
		t.Fatalf("refused snap reads as converted: %s", r.Body)
	}
	b.want(b.do("POST", path, zhang, map[string]any{"title": "新华路路灯不亮"}), 201, "corrected title")
	if got := b.count(`SELECT count(*) FROM suggestions WHERE tenant_id = 1 AND lead_deputy_id = 10`); got != 1 {
		t.Fatalf("%d drafts, want 1", got)
	}
}
