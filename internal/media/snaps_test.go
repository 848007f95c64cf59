package media

import (
	"context"
	"errors"
	"math"
	"testing"

	"jianyi/internal/auth"
)

// memSnaps records what Create would store; the rule under test is pure validation.
type memSnaps struct{ inserted []Snap }

func (m *memSnaps) InsertSnap(_ context.Context, s *Snap) error {
	s.ID = int64(len(m.inserted) + 1)
	m.inserted = append(m.inserted, *s)
	return nil
}
func (m *memSnaps) Snap(context.Context, int64, int64) (*Snap, error) { return nil, ErrNotFound }
func (m *memSnaps) Snaps(context.Context, int64, int64, int64, int) ([]Snap, error) {
	return nil, nil
}
func (m *memSnaps) ClaimSnap(context.Context, int64, int64) (bool, error)       { return false, nil }
func (m *memSnaps) ReleaseSnap(context.Context, int64, int64) error             { return nil }
func (m *memSnaps) LinkSnap(context.Context, int64, int64, int64) (bool, error) { return false, nil }

// A 随手拍 is a clue about a place: it needs coordinates (both, in range, not 0,0) or an address.
func TestSnapNeedsLocation(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	deputy := auth.Actor{TenantID: 1, Kind: auth.KindDeputy, ID: 10}
	cases := []struct {
		name      string
		in        SnapInput
		ok        bool
		wantPoint bool
	}{
		{"nothing", SnapInput{}, false, false},
		{"note only", SnapInput{Note: "井盖缺失"}, false, false},
		{"blank address", SnapInput{Note: "井盖缺失", Address: "  \t "}, false, false},
		{"lat only", SnapInput{Lat: f(39.8)}, false, false},
		{"lng only", SnapInput{Lng: f(98.3), Address: "新华路"}, false, false},
		{"null island", SnapInput{Lat: f(0), Lng: f(0)}, false, false},
		{"lat too big", SnapInput{Lat: f(90.0001), Lng: f(98.3), Address: "新华路"}, false, false},
		{"lat too small", SnapInput{Lat: f(-90.5), Lng: f(98.3)}, false, false},
		{"lng too big", SnapInput{Lat: f(39.8), Lng: f(180.01)}, false, false},
		{"lng too small", SnapInput{Lat: f(39.8), Lng: f(-181)}, false, false},
		{"NaN", SnapInput{Lat: f(math.NaN()), Lng: f(98.3), Address: "新华路"}, false, false},
		{"point", SnapInput{Lat: f(39.8), Lng: f(98.29)}, true, true},
		{"point on the equator", SnapInput{Lat: f(0), Lng: f(98.29)}, true, true},
		{"corners", SnapInput{Lat: f(-90), Lng: f(180)}, true, true},
		{"address", SnapInput{Address: " 新华路 "}, true, false},
		{"null island with address", SnapInput{Lat: f(0), Lng: f(0), Address: "新华路"}, true, false},
	}
	for _, c := range cases {
		st := &memSnaps{}
		sn, err := NewSnaps(st, nil, nil).Create(context.Background(), deputy, c.in)
		if !c.ok {
			if !errors.Is(err, ErrBadSnap) || err.(*Error).Code != "bad_snap" || !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: err %v, want bad_snap", c.name, err)
			}
			if len(st.inserted) != 0 {
				t.Errorf("%s: refused snap was stored", c.name)
			}
			continue
		}
		if err != nil || len(st.inserted) != 1 {
			t.Errorf("%s: %v (%d stored)", c.name, err, len(st.inserted))
			continue
		}
		if got := sn.Lat != nil && sn.Lng != nil; got != c.wantPoint {
			t.Errorf("%s: point stored %v, want %v", c.name, got, c.wantPoint)
		}
		if c.in.Address != "" && sn.Address != "新华路" {
			t.Errorf("%s: address %q", c.name, sn.Address)
		}
	}
}
