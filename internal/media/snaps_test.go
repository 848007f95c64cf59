package media

import (
	"context"
	"errors"
	"math"
	"strings"
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

// A 随手拍 is a clue about a place: it needs coordinates (both, in range, not 0,0) or an
// address. Each fault is refused with its own code and message, so the phone can say which
// field to correct (an over-long note used to be told to "fill in a note or add a photo").
func TestSnapNeedsLocation(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	deputy := auth.Actor{TenantID: 1, Kind: auth.KindDeputy, ID: 10}
	long := func(n int) string { return strings.Repeat("井", n) }
	cases := []struct {
		name      string
		in        SnapInput
		want      *Error // nil: accepted
		wantPoint bool
	}{
		{"nothing", SnapInput{}, ErrBadSnap, false},
		{"note only", SnapInput{Note: "井盖缺失"}, ErrBadSnap, false},
		{"blank address", SnapInput{Note: "井盖缺失", Address: "  \t "}, ErrBadSnap, false},
		{"lat only", SnapInput{Lat: f(39.8)}, ErrHalfLocation, false},
		{"lng only", SnapInput{Lng: f(98.3), Address: "新华路"}, ErrHalfLocation, false},
		{"null island", SnapInput{Lat: f(0), Lng: f(0)}, ErrBadSnap, false},
		{"lat too big", SnapInput{Lat: f(90.0001), Lng: f(98.3), Address: "新华路"}, ErrBadLocation, false},
		{"lat too small", SnapInput{Lat: f(-90.5), Lng: f(98.3)}, ErrBadLocation, false},
		{"lng too big", SnapInput{Lat: f(39.8), Lng: f(180.01)}, ErrBadLocation, false},
		{"lng too small", SnapInput{Lat: f(39.8), Lng: f(-181)}, ErrBadLocation, false},
		{"NaN", SnapInput{Lat: f(math.NaN()), Lng: f(98.3), Address: "新华路"}, ErrBadLocation, false},
		{"note too long", SnapInput{Note: long(MaxSnapNote + 1), Address: "新华路"}, ErrSnapNoteTooLong, false},
		{"address too long", SnapInput{Note: "井盖缺失", Address: long(MaxSnapAddress + 1)}, ErrAddressTooLong, false},
		{"point", SnapInput{Lat: f(39.8), Lng: f(98.29)}, nil, true},
		{"point on the equator", SnapInput{Lat: f(0), Lng: f(98.29)}, nil, true},
		{"corners", SnapInput{Lat: f(-90), Lng: f(180)}, nil, true},
		{"address", SnapInput{Address: " 新华路 "}, nil, false},
		{"null island with address", SnapInput{Lat: f(0), Lng: f(0), Address: "新华路"}, nil, false},
		{"longest note", SnapInput{Note: long(MaxSnapNote), Address: "新华路"}, nil, false},
		{"longest address", SnapInput{Address: long(MaxSnapAddress)}, nil, false},
	}
	for _, c := range cases {
		st := &memSnaps{}
		sn, err := NewSnaps(st, nil, nil).Create(context.Background(), deputy, c.in)
		if c.want != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != c.want.Code || e.Message != c.want.Message || !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: err %v, want %s (%s)", c.name, err, c.want.Code, c.want.Message)
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
		if c.in.Address != "" && sn.Address != strings.TrimSpace(c.in.Address) {
			t.Errorf("%s: address %q", c.name, sn.Address)
		}
	}
	// The messages name the limits.
	for _, c := range []struct {
		e    *Error
		code string
		msg  string
	}{
		{ErrSnapNoteTooLong, "note_too_long", "随手拍说明不能超过2000个字"},
		{ErrAddressTooLong, "address_too_long", "地址不能超过200个字"},
	} {
		if c.e.Code != c.code || c.e.Message != c.msg {
			t.Errorf("%s: %q, want %s %q", c.code, c.e.Message, c.code, c.msg)
		}
	}
}
