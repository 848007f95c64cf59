package mpapi_test

import (
	"testing"

	"jianyi/internal/media"
)

// A 随手拍 without a place is refused with bad_snap (422) and nothing is stored; a point or
// an address is enough.
func TestSnapRequiresLocation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-snaploc", "jyg", "13800000001")

	for _, c := range []struct {
		name string
		body any
	}{
		{"empty object", map[string]any{}},
		{"no body", nil},
		{"note only", map[string]any{"note": "人行道井盖缺失"}},
		{"empty location", map[string]any{"note": "人行道井盖缺失", "location": map[string]any{}}},
		{"blank address", map[string]any{"location": map[string]any{"address": "   "}}},
		{"lat without lng", map[string]any{"location": map[string]any{"lat": 39.8}}},
		{"lng without lat", map[string]any{"location": map[string]any{"lng": 98.29, "address": "新华路"}}},
		{"0,0", map[string]any{"note": "井盖", "location": map[string]any{"lat": 0, "lng": 0}}},
		{"lat out of range", map[string]any{"location": map[string]any{"lat": -91, "lng": 98.29, "address": "新华路"}}},
		{"lng out of range", map[string]any{"location": map[string]any{"lat": 39.8, "lng": 181}}},
	} {
		r := b.do("POST", "/api/v1/snaps", tok, c.body)
		b.want(r, 422, c.name)
		var e struct{ Code, Message string }
		r.json(t, &e)
		if e.Code != media.ErrBadSnap.Code || e.Message != media.ErrBadSnap.Message {
			t.Errorf("%s: %s", c.name, r.Body)
		}
	}
	if n := b.count(`SELECT count(*) FROM snaps`); n != 0 {
		t.Fatalf("%d snaps stored from refused requests", n)
	}

	type snap struct {
		ID       int64
		Location struct {
			Lat, Lng *float64
			Address  string
		}
	}
	r := b.do("POST", "/api/v1/snaps", tok, map[string]any{"location": map[string]any{"lat": 39.8, "lng": 98.29}})
	b.want(r, 201, "point only")
	var s snap
	r.json(t, &s)
	if s.Location.Lat == nil || *s.Location.Lat != 39.8 || s.Location.Lng == nil || *s.Location.Lng != 98.29 {
		t.Fatalf("point only: %s", r.Body)
	}
	r = b.do("POST", "/api/v1/snaps", tok, map[string]any{"location": map[string]any{"address": "雄关路口"}})
	b.want(r, 201, "address only")
	s = snap{}
	r.json(t, &s)
	if s.Location.Address != "雄关路口" || s.Location.Lat != nil {
		t.Fatalf("address only: %s", r.Body)
	}
	// 0,0 (a failed wx.getLocation) is not kept as a point; the address carries the place.
	r = b.do("POST", "/api/v1/snaps", tok, map[string]any{"location": map[string]any{"lat": 0, "lng": 0, "address": "新华路"}})
	b.want(r, 201, "0,0 with address")
	s = snap{}
	r.json(t, &s)
	if s.Location.Address != "新华路" || s.Location.Lat != nil || s.Location.Lng != nil {
		t.Fatalf("0,0 with address: %s", r.Body)
	}
	if n := b.count(`SELECT count(*) FROM snaps WHERE id = $1 AND lat IS NULL AND lng IS NULL`, s.ID); n != 1 {
		t.Fatal("0,0 stored as a point")
	}
	if n := b.count(`SELECT count(*) FROM snaps`); n != 3 {
		t.Fatalf("%d snaps, want 3", n)
	}
}
