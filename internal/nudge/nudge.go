// Package nudge records a deputy's 催办: a reminder from the deputy to the units that still
// owe work on a suggestion. It is rate-limited to one nudge a week per suggestion, so a unit
// hears a deputy's impatience without being flooded.
package nudge

import (
	"context"
	"errors"
	"fmt"
	"jianyi/internal/apperr"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// Window is the minimum time between two nudges of one suggestion.
const Window = 7 * 24 * time.Hour

// EvNudged is the outbox event written with each nudge (notify tells the units).
const EvNudged = "suggestion.nudged"

// Sentinel kinds, as in internal/suggestion.
var (
	ErrNotFound  = apperr.ErrNotFound
	ErrTooSoon   = errors.New("nudged too recently")
	ErrNotDue    = errors.New("nothing to nudge")
	ErrForbidden = apperr.ErrForbidden
)

// Error is a refusal with a stable code and a Chinese message for the deputy.
type Error = apperr.Error

var (
	errNotFound  = &Error{Kind: ErrNotFound, Code: "not_found", Message: "建议不存在或您不是该建议的领衔/联名代表"}
	errForbidden = &Error{Kind: ErrForbidden, Code: "forbidden", Message: "只有代表本人可以催办"}
	errNotDue    = &Error{Kind: ErrNotDue, Code: "nudge_not_due", Message: "该建议当前没有正在办理的承办单位，无需催办"}
)

// Target is what the store knows about a suggestion from a deputy's point of view.
type Target struct {
	Status     suggestion.Status
	Number     int
	DeputyRel  string  // "lead", "accepted", "invited", "merged", "declined" or ""
	OwingUnits []int64 // active assignments that have not finished their part
	UnitNames  []string
}

// Store persists nudges; storage/postgres implements it.
type Store interface {
	Target(ctx context.Context, tenantID, suggestionID, deputyID int64) (*Target, error) // ErrNotFound
	// Insert records one row per unit, an audit event and an EvNudged outbox row in one
	// transaction, under the suggestion's row lock. When a nudge of the suggestion exists after
	// since, it writes nothing and returns that nudge's time with ErrTooSoon.
	Insert(ctx context.Context, tenantID, suggestionID, deputyID int64, unitIDs []int64, source string, now, since time.Time) (last time.Time, err error)
}

// Result says which units were nudged.
type Result struct {
	Number    int
	UnitNames []string
	At        time.Time
}

// Service records nudges.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service; now is the clock (time.Now when nil).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Nudge records a nudge of suggestion id by the deputy a, from source ("bot" or "miniprogram").
// Only the lead deputy and co-signers may nudge, only while a unit owes work, and at most once
// per Window per suggestion (whoever nudged first).
func (s *Service) Nudge(ctx context.Context, a auth.Actor, id int64, source string) (*Result, error) {
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	t, err := s.store.Target(ctx, a.TenantID, id, a.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("nudge %d: %w", id, err)
	}
	switch t.DeputyRel {
	case "lead", "accepted", "merged":
	default:
		return nil, errNotFound
	}
	if !nudgeable(t.Status) || len(t.OwingUnits) == 0 {
		return nil, errNotDue
	}
	now := s.now()
	last, err := s.store.Insert(ctx, a.TenantID, id, a.ID, t.OwingUnits, source, now, now.Add(-Window))
	if errors.Is(err, ErrTooSoon) {
		next := last.Add(Window).In(shanghai)
		return nil, &Error{Kind: ErrTooSoon, Code: "nudge_too_soon",
			Message: fmt.Sprintf("该建议已于%s催办过，每周最多催办一次，%s后可再次催办",
				last.In(shanghai).Format("1月2日 15:04"), next.Format("1月2日 15:04"))}
	}
	if err != nil {
		return nil, fmt.Errorf("nudge %d: %w", id, err)
	}
	return &Result{Number: t.Number, UnitNames: t.UnitNames, At: now}, nil
}

// nudgeable: states in which some unit owes the deputy work.
func nudgeable(st suggestion.Status) bool {
	switch st {
	case suggestion.StatusAssigned, suggestion.StatusHandling, suggestion.StatusRehandling,
		suggestion.StatusEscalated, suggestion.StatusTracking:
		return true
	}
	return false
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
