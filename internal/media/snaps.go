package media

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jianyi/internal/auth"
)

// Snap is a 随手拍 clue: a note, a place and photos, which can become a draft.
type Snap struct {
	TenantID     int64
	ID           int64
	DeputyID     int64
	Source       string
	Note         string
	Lat, Lng     *float64
	Address      string
	SuggestionID int64
	CreatedAt    time.Time
}

// SnapInput is what the phone sends.
type SnapInput struct {
	Note     string
	Lat, Lng *float64
	Address  string
}

// SnapStore persists snaps.
type SnapStore interface {
	InsertSnap(ctx context.Context, s *Snap) error
	Snap(ctx context.Context, tenantID, id int64) (*Snap, error) // ErrNotFound
	Snaps(ctx context.Context, tenantID, deputyID, before int64, limit int) ([]Snap, error)
	// LinkSnap marks the snap converted and moves its photos to the suggestion, in one
	// transaction; false when it was already converted.
	LinkSnap(ctx context.Context, tenantID, snapID, suggestionID int64) (bool, error)
}

// DraftMaker creates the draft a snap becomes (the suggestion service, via a small adapter).
type DraftMaker func(ctx context.Context, a auth.Actor, title, body string, lat, lng *float64, address string) (int64, error)

// Snaps is the 随手拍 service.
type Snaps struct {
	store SnapStore
	draft DraftMaker
	now   func() time.Time
}

// NewSnaps builds the 随手拍 service.
func NewSnaps(store SnapStore, draft DraftMaker, now func() time.Time) *Snaps {
	if now == nil {
		now = time.Now
	}
	return &Snaps{store: store, draft: draft, now: now}
}

func (in *SnapInput) validate() error {
	in.Note = strings.TrimSpace(in.Note)
	in.Address = strings.TrimSpace(in.Address)
	if utf8.RuneCountInString(in.Note) > 2000 || utf8.RuneCountInString(in.Address) > 200 {
		return ErrBadSnap
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		return ErrBadSnap
	}
	hasPoint := false
	if in.Lat != nil {
		lat, lng := *in.Lat, *in.Lng
		// Written so that NaN fails too.
		if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) {
			return ErrBadSnap
		}
		if lat == 0 && lng == 0 {
			// What a phone sends when wx.getLocation failed, not a place: dropped, so a
			// draft made from the snap carries no false point (the address must do).
			in.Lat, in.Lng = nil, nil
		} else {
			hasPoint = true
		}
	}
	// A 随手拍 is a clue about a place: without one it cannot be acted on.
	if !hasPoint && in.Address == "" {
		return ErrBadSnap
	}
	return nil
}

// Create records a snap for the deputy.
func (s *Snaps) Create(ctx context.Context, a auth.Actor, in SnapInput) (*Snap, error) {
	if !a.IsDeputy() {
		return nil, newErr(ErrForbidden, "forbidden", "您没有权限进行此操作")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	sn := &Snap{TenantID: a.TenantID, DeputyID: a.ID, Source: "miniprogram", Note: in.Note, Lat: in.Lat, Lng: in.Lng,
		Address: in.Address, CreatedAt: s.now()}
	if err := s.store.InsertSnap(ctx, sn); err != nil {
		return nil, fmt.Errorf("create snap: %w", err)
	}
	return sn, nil
}

// Get returns one of the deputy's snaps.
func (s *Snaps) Get(ctx context.Context, a auth.Actor, id int64) (*Snap, error) {
	sn, err := s.store.Snap(ctx, a.TenantID, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (!a.IsDeputy() || sn.DeputyID != a.ID)) {
		return nil, ErrSnapNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read snap: %w", err)
	}
	return sn, nil
}

// List returns the deputy's snaps, newest first, below the cursor.
func (s *Snaps) List(ctx context.Context, a auth.Actor, before int64, limit int) ([]Snap, error) {
	if !a.IsDeputy() {
		return nil, ErrSnapNotFound
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	out, err := s.store.Snaps(ctx, a.TenantID, a.ID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list snaps: %w", err)
	}
	return out, nil
}

// ToDraft turns a snap into a draft suggestion carrying its place and photos.
func (s *Snaps) ToDraft(ctx context.Context, a auth.Actor, id int64, title string) (int64, error) {
	sn, err := s.Get(ctx, a, id)
	if err != nil {
		return 0, err
	}
	if sn.SuggestionID != 0 {
		return 0, ErrSnapUsed
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = firstRunes(sn.Note, 30)
	}
	if title == "" {
		title = "随手拍线索"
	}
	sid, err := s.draft(ctx, a, title, sn.Note, sn.Lat, sn.Lng, sn.Address)
	if err != nil {
		return 0, err
	}
	ok, err := s.store.LinkSnap(ctx, a.TenantID, sn.ID, sid)
	if err != nil {
		return 0, fmt.Errorf("link snap: %w", err)
	}
	if !ok {
		return 0, ErrSnapUsed
	}
	return sid, nil
}

func firstRunes(s string, n int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
