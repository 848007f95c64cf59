// Package stats computes the statistics of PRODUCT.md. Counts are whole suggestions (件),
// never rating rows, so a suggestion co-signed by five deputies counts once.
//
// Definitions (exactly PRODUCT.md's):
//
//	答复率     = replied ÷ assigned
//	按期答复率 = replied on time ÷ assigned
//	办结率     = closed ÷ registered
//	满意率     = (满意 + 基本满意) ÷ rated
//	解决率     = class A ÷ replied
//	落实率     = implementation rated 满意/基本满意 ÷ implementation rated
//	未反馈     = replied, the deputy's rating clock has run out and no rating came: counted
//	             apart, never as satisfied and never in the 满意率 denominator.
//
// Class A (解决) and a satisfied deputy (满意) are different facts and never merged.
package stats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"jianyi/internal/auth"
)

// ErrForbidden: the actor may not read statistics.
var ErrForbidden = errors.New("stats: forbidden")

// Filter narrows the population. Period bounds apply to the submission time (the
// suggestions raised in the period); zero values mean "all".
type Filter struct {
	MeetingID    int64
	UnitID       int64 // suggestions whose active lead assignment is this unit
	CategoryID   int64
	DelegationID int64 // of the lead deputy
	From, To     time.Time
}

// Counts are the raw numbers behind the ratios.
type Counts struct {
	Submitted     int // everything past draft (merged excluded)
	Registered    int // 立案 (registered_at set)
	NotRegistered int
	Assigned      int // 交办 (assigned_at set)
	Replied       int // has at least one reply
	RepliedOnTime int // first reply came before its due time
	Closed        int
	Overdue       int // open, reply due passed, not replied

	ClassA, ClassB, ClassC, ClassD int // class of the latest reply

	Rated              int // lead deputy rated the latest rated reply round
	Satisfied          int
	BasicallySatisfied int
	Unsatisfied        int
	NoFeedback         int // 未反馈

	ImplRated              int
	ImplSatisfied          int
	ImplBasicallySatisfied int
	ImplUnsatisfied        int

	Tracking int // on the tracking list now
}

// Add returns the sum of two disjoint populations' counts.
func (c Counts) Add(o Counts) Counts {
	return Counts{
		Submitted: c.Submitted + o.Submitted, Registered: c.Registered + o.Registered, NotRegistered: c.NotRegistered + o.NotRegistered,
		Assigned: c.Assigned + o.Assigned, Replied: c.Replied + o.Replied, RepliedOnTime: c.RepliedOnTime + o.RepliedOnTime,
		Closed: c.Closed + o.Closed, Overdue: c.Overdue + o.Overdue,
		ClassA: c.ClassA + o.ClassA, ClassB: c.ClassB + o.ClassB, ClassC: c.ClassC + o.ClassC, ClassD: c.ClassD + o.ClassD,
		Rated: c.Rated + o.Rated, Satisfied: c.Satisfied + o.Satisfied, BasicallySatisfied: c.BasicallySatisfied + o.BasicallySatisfied,
		Unsatisfied: c.Unsatisfied + o.Unsatisfied, NoFeedback: c.NoFeedback + o.NoFeedback,
		ImplRated: c.ImplRated + o.ImplRated, ImplSatisfied: c.ImplSatisfied + o.ImplSatisfied,
		ImplBasicallySatisfied: c.ImplBasicallySatisfied + o.ImplBasicallySatisfied, ImplUnsatisfied: c.ImplUnsatisfied + o.ImplUnsatisfied,
		Tracking: c.Tracking + o.Tracking,
	}
}

// Ratio is one rate: numerator ÷ denominator, undefined (OK false) when the denominator is 0.
type Ratio struct {
	Num, Den int
}

// Value returns the ratio in 0..1 and whether it is defined.
func (r Ratio) Value() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// Percent renders "87.5%" or "—" when undefined.
func (r Ratio) Percent() string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	return formatPercent(v)
}

// Ratios are PRODUCT.md's rates.
type Ratios struct {
	ReplyRate        Ratio // 答复率
	OnTimeReplyRate  Ratio // 按期答复率
	CloseRate        Ratio // 办结率
	SatisfactionRate Ratio // 满意率
	SolvedRate       Ratio // 解决率
	ImplRate         Ratio // 落实率
}

// Rates applies the definitions to c.
func Rates(c Counts) Ratios {
	return Ratios{
		ReplyRate:        Ratio{c.Replied, c.Assigned},
		OnTimeReplyRate:  Ratio{c.RepliedOnTime, c.Assigned},
		CloseRate:        Ratio{c.Closed, c.Registered},
		SatisfactionRate: Ratio{c.Satisfied + c.BasicallySatisfied, c.Rated},
		SolvedRate:       Ratio{c.ClassA, c.Replied},
		ImplRate:         Ratio{c.ImplSatisfied + c.ImplBasicallySatisfied, c.ImplRated},
	}
}

// UnitRow is one line of the per-unit ranking.
type UnitRow struct {
	UnitID   int64
	UnitName string
	Counts   Counts
	Rates    Ratios
}

// TrendPoint is one month of the trend. Each series counts a suggestion once, in the month it
// first got there, so a month's figures never shrink after they have been reported.
type TrendPoint struct {
	Month     string // "2026-03"
	Submitted int    // 提出: by submission time (the period filter's basis)
	// 首次答复: by its first reply, whatever rounds follow; the basis of 答复率 (a case counts
	// as replied once) and of 按期答复率 (the first reply's timeliness).
	Replied int
	// 首次办结: by its first closing, kept when it is reopened (回头看) and closed again.
	Closed int
}

// Dashboard is everything the dashboard page shows.
type Dashboard struct {
	Counts Counts
	Rates  Ratios
	Units  []UnitRow
	Trend  []TrendPoint
	AsOf   time.Time
	Filter Filter
	Scoped bool // the numbers are limited to the actor's unit or categories
}

// Store runs the counting queries; storage/postgres implements it.
type Store interface {
	// Counts returns the totals and, with byUnit, one row per unit (lead assignments).
	Counts(ctx context.Context, tenantID int64, f Filter, categoryIDs []int64, byUnit bool, now time.Time) (Counts, []UnitRow, error)
	Trend(ctx context.Context, tenantID int64, f Filter, months int, now time.Time) ([]TrendPoint, error)
	// Version changes whenever any suggestion of the tenant changes (a cheap index read).
	Version(ctx context.Context, tenantID int64) (int64, error)
}

// DashboardStore is a Store that computes the counts, the ranking and the trend in one
// round trip from one snapshot; the service uses it when the store has it.
type DashboardStore interface {
	CountsAndTrend(ctx context.Context, tenantID int64, f Filter, categoryIDs []int64, byUnit bool, months int, now time.Time) (Counts, []UnitRow, []TrendPoint, error)
}

// Service scopes the statistics to what the actor may see. It keeps each computed dashboard
// until the tenant's data version changes (every workflow change moves it) or MaxAge passes
// (the overdue and 未反馈 counts move with the clock), so repeated views cost one index read.
type Service struct {
	store Store
	now   func() time.Time

	mu    sync.Mutex
	cache map[cacheKey]cached
}

// MaxAge bounds how old a cached dashboard may be; MaxCached bounds the cache.
const (
	MaxAge    = time.Minute
	MaxCached = 1024
)

type cacheKey struct {
	tenant int64
	f      Filter
	unit   int64
	cats   string
	units  bool
}

type cached struct {
	version int64
	d       *Dashboard
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now, cache: map[cacheKey]cached{}}
}

func (s *Service) lookup(k cacheKey, version int64, now time.Time) *Dashboard {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[k]
	if !ok || c.version != version || now.Sub(c.d.AsOf) > MaxAge || now.Before(c.d.AsOf) {
		return nil
	}
	return c.d
}

func (s *Service) remember(k cacheKey, version int64, d *Dashboard) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) >= MaxCached {
		for old := range s.cache { // drop an arbitrary half; cheap and good enough
			delete(s.cache, old)
			if len(s.cache) < MaxCached/2 {
				break
			}
		}
	}
	s.cache[k] = cached{version: version, d: d}
}

// scope is the part of the tenant the actor's statistics count: all of it (unitID 0, cats
// nil) for reviewers, coordinators, leaders and admins; the own unit for unit staff; the bound
// categories for committees. ErrForbidden when the actor may not read statistics.
func scope(a auth.Actor) (unitID int64, cats []int64, err error) {
	switch {
	case a.Kind != auth.KindStaff && a.Kind != auth.KindSystem:
		return 0, nil, ErrForbidden
	case a.SeesWholeTenant():
		return 0, nil, nil
	case a.IsUnit():
		return a.UnitID, nil, nil
	case a.Has(auth.RoleCommittee) && len(a.CategoryIDs) > 0:
		return 0, a.CategoryIDs, nil
	}
	return 0, nil, ErrForbidden
}

// Scoped tells, without counting anything, whether the actor may read statistics
// (ErrForbidden when not) and whether they are limited to its unit or categories, as
// Dashboard.Scoped will say.
func Scoped(a auth.Actor) (bool, error) {
	unitID, cats, err := scope(a)
	return unitID != 0 || cats != nil, err
}

// Dashboard computes the numbers for the actor: the whole tenant for reviewers, coordinators,
// leaders and admins; the own unit for unit staff; the bound categories for committees.
func (s *Service) Dashboard(ctx context.Context, a auth.Actor, f Filter) (*Dashboard, error) {
	unitID, cats, err := scope(a)
	if err != nil {
		return nil, err
	}
	scoped := unitID != 0 || cats != nil
	if unitID != 0 {
		f.UnitID = unitID
	}
	now := s.now()
	withUnits := !scoped || a.IsUnit()
	key := cacheKey{tenant: a.TenantID, f: f, cats: fmt.Sprint(cats), units: withUnits}
	version, err := s.store.Version(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	if d := s.lookup(key, version, now); d != nil {
		return d, nil
	}
	d := &Dashboard{AsOf: now, Filter: f, Scoped: scoped}
	if ds, ok := s.store.(DashboardStore); ok {
		var err error
		if d.Counts, d.Units, d.Trend, err = ds.CountsAndTrend(ctx, a.TenantID, f, cats, withUnits, 12, now); err != nil {
			return nil, err
		}
	} else {
		// The counts (with the ranking) and the trend are independent; run them side by side.
		var wg sync.WaitGroup
		var errC, errT error
		wg.Add(2)
		go func() {
			defer wg.Done()
			d.Counts, d.Units, errC = s.store.Counts(ctx, a.TenantID, f, cats, withUnits, now)
		}()
		go func() {
			defer wg.Done()
			d.Trend, errT = s.store.Trend(ctx, a.TenantID, f, 12, now)
		}()
		wg.Wait()
		if err := errors.Join(errC, errT); err != nil {
			return nil, err
		}
	}
	d.Rates = Rates(d.Counts)
	for i := range d.Units {
		d.Units[i].Rates = Rates(d.Units[i].Counts)
	}
	SortRanking(d.Units)
	s.remember(key, version, d)
	return d, nil
}
