package mpapi_test

import (
	"strings"
	"testing"

	"jianyi/internal/media"
)

// A 随手拍 without a place is refused with bad_snap (422), coordinates that are half there or
// out of range with bad_location, an over-long note or address with note_too_long or
// address_too_long, and nothing is stored; a point or an address is enough.
func TestSnapRequiresLocation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-snaploc", "jyg", "13800000001")

	for _, c := range []struct {
		name string
		body any
		want *media.Error
	}{
		{"empty object", map[string]any{}, media.ErrBadSnap},
		{"no body", nil, media.ErrBadSnap},
		{"note only", map[string]any{"note": "人行道井盖缺失"}, media.ErrBadSnap},
		{"empty location", map[string]any{"note": "人行道井盖缺失", "location": map[string]any{}}, media.ErrBadSnap},
		{"blank address", map[string]any{"location": map[string]any{"address": "   "}}, media.ErrBadSnap},
		{"lat without lng", map[string]any{"location": map[string]any{"lat": 39.8}}, media.ErrHalfLocation},
		{"lng without lat", map[string]any{"location": map[string]any{"lng": 98.29, "address": "新华路"}}, media.ErrHalfLocation},
		{"0,0", map[string]any{"note": "井盖", "location": map[string]any{"lat": 0, "lng": 0}}, media.ErrBadSnap},
		{"lat out of range", map[string]any{"location": map[string]any{"lat": -91, "lng": 98.29, "address": "新华路"}}, media.ErrBadLocation},
		{"lng out of range", map[string]any{"location": map[string]any{"lat": 39.8, "lng": 181}}, media.ErrBadLocation},
		{"note of 2001 characters", map[string]any{"note": strings.Repeat("井", 2001), "location": map[string]any{"address": "新华路"}},
			media.ErrSnapNoteTooLong},
		{"address of 201 characters", map[string]any{"note": "井盖", "location": map[string]any{"address": strings.Repeat("路", 201)}},
			media.ErrAddressTooLong},
	} {
		r := b.do("POST", "/api/v1/snaps", tok, c.body)
		b.want(r, 422, c.name)
		var e struct{ Code, Message string }
		r.json(t, &e)
		if e.Code != c.want.Code || e.Message != c.want.Message {
			t.Errorf("%s: %s, want %s %s", c.name, r.Body, c.want.Code, c.want.Message)
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
