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
	// ClaimSnap marks a snap not yet converted as being converted, so that of concurrent
	// requests one alone goes on to make its draft; false when the snap is converted or being
	// converted already. A claim older than SnapClaimTTL (its request died) may be taken
	// again. A claimed snap reads as not converted.
	ClaimSnap(ctx context.Context, tenantID, snapID int64) (bool, error)
	// ReleaseSnap gives a claim up: the draft was not made.
	ReleaseSnap(ctx context.Context, tenantID, snapID int64) error
	// LinkSnap marks the snap (claimed or not) converted and moves its photos to the
	// suggestion, in one transaction; false when it was already converted.
	LinkSnap(ctx context.Context, tenantID, snapID, suggestionID int64) (bool, error)
}

// SnapClaimTTL is how long a claim on a snap holds without its draft being linked: far
// beyond any request, so only a claim whose request died (a crash between claim and link)
// is ever taken over.
const SnapClaimTTL = 10 * time.Minute

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

// Limits of a snap's text, in characters.
const (
	MaxSnapNote    = 2000
	MaxSnapAddress = 200
)

// validate trims the input and refuses it with the reason of the first fault: each has its
// own code, so the phone can say which field to correct.
func (in *SnapInput) validate() error {
	in.Note = strings.TrimSpace(in.Note)
	in.Address = strings.TrimSpace(in.Address)
	if utf8.RuneCountInString(in.Note) > MaxSnapNote {
		return ErrSnapNoteTooLong
	}
	if utf8.RuneCountInString(in.Address) > MaxSnapAddress {
		return ErrAddressTooLong
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		return ErrHalfLocation
	}
	hasPoint := false
	if in.Lat != nil {
		lat, lng := *in.Lat, *in.Lng
		// Written so that NaN fails too.
		if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) {
			return ErrBadLocation
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

// ToDraft turns a snap into a draft suggestion carrying its place and photos. A snap makes
// one draft however many requests ask at once: the draft is made (in the workflow's own
// transaction) only by the request that first claims the snap; the others are refused
// before anything is written. A draft that cannot be made gives the claim back.
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
	claimed, err := s.store.ClaimSnap(ctx, a.TenantID, sn.ID)
	if err != nil {
		return 0, fmt.Errorf("claim snap: %w", err)
	}
	if !claimed {
		return 0, ErrSnapUsed
	}
	// Once the claim is taken, giving it back or linking the draft must not be cut short by
	// the phone hanging up: that would leave the snap claimed, or the draft unlinked.
	after := context.WithoutCancel(ctx)
	sid, err := s.draft(ctx, a, title, sn.Note, sn.Lat, sn.Lng, sn.Address)
	if err != nil {
		if rerr := s.store.ReleaseSnap(after, a.TenantID, sn.ID); rerr != nil {
			return 0, errors.Join(err, fmt.Errorf("release snap: %w", rerr))
		}
		return 0, err
	}
	ok, err := s.store.LinkSnap(after, a.TenantID, sn.ID, sid)
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
