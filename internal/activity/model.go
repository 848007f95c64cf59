// Package activity is 代表参与活动: the research trips, inspections, visits, forums,
// assignment and coordination meetings and training sessions the standing committee's staff
// organise around suggestions, the deputies they invite, the deputies' answers and the
// summary (纪要) written afterwards. The source case's mechanisms — 专题调研、视察、走访、座谈,
// 交办会, 协调会, "肩并肩"调研, 培训班 — each become an Activity of a Kind.
package activity

import (
	"context"
	"time"

	"jianyi/internal/apperr"
	"jianyi/internal/notify"
)

// Sentinels, shared with every front door through apperr.
var (
	ErrNotFound          = apperr.ErrNotFound
	ErrConflict          = apperr.ErrConflict
	ErrForbidden         = apperr.ErrForbidden
	ErrInvalid           = apperr.ErrInvalid
	ErrInvalidTransition = apperr.ErrInvalidTransition
)

// Error is a refusal with a stable code and a Chinese message.
type Error = apperr.Error

// Kind is what sort of activity it is; the values are mirrored by the PostgreSQL enum
// activity_kind.
type Kind string

const (
	KindResearch     Kind = "research"             // 调研
	KindInspection   Kind = "inspection"           // 视察
	KindVisit        Kind = "visit"                // 走访
	KindForum        Kind = "forum"                // 座谈
	KindAssignment   Kind = "assignment_meeting"   // 交办会
	KindCoordination Kind = "coordination_meeting" // 协调会
	KindTraining     Kind = "training"             // 培训
	KindVoterReport  Kind = "voter_report"         // 述职: a deputy reports to the voters at a 代表家站
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindResearch, KindInspection, KindVisit, KindForum, KindAssignment, KindCoordination, KindTraining, KindVoterReport}

// Label is the Chinese name shown to people.
func (k Kind) Label() string {
	switch k {
	case KindResearch:
		return "调研"
	case KindInspection:
		return "视察"
	case KindVisit:
		return "走访"
	case KindForum:
		return "座谈"
	case KindAssignment:
		return "交办会"
	case KindCoordination:
		return "协调会"
	case KindTraining:
		return "培训"
	case KindVoterReport:
		return "述职"
	}
	return string(k)
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Status is the stored state of an activity (PostgreSQL enum activity_status). Whether a
// planned activity has taken place follows from its time; see Phase.
type Status string

const (
	StatusPlanned   Status = "planned"
	StatusCancelled Status = "cancelled"
)

// Phase is what people are shown: 待举行 before the start, 已举行 after it, 已取消.
type Phase string

const (
	PhaseUpcoming  Phase = "upcoming"
	PhaseHeld      Phase = "held"
	PhaseCancelled Phase = "cancelled"
)

// Label is the Chinese name of a phase.
func (p Phase) Label() string {
	switch p {
	case PhaseUpcoming:
		return "待举行"
	case PhaseHeld:
		return "已举行"
	case PhaseCancelled:
		return "已取消"
	}
	return string(p)
}

// Answer is the state of one deputy's invitation (PostgreSQL enum activity_answer).
type Answer string

const (
	AnswerInvited  Answer = "invited"
	AnswerAccepted Answer = "accepted"
	AnswerDeclined Answer = "declined"
)

// Label is the Chinese name of an answer.
func (a Answer) Label() string {
	switch a {
	case AnswerInvited:
		return "待答复"
	case AnswerAccepted:
		return "参加"
	case AnswerDeclined:
		return "不参加"
	}
	return string(a)
}

// Ref names a linked suggestion or unit.
type Ref struct {
	ID     int64
	Name   string // the suggestion's title or the unit's name
	Number int    // the suggestion's number in its meeting (0 before registration)
}

// Invitation is one invited deputy and their answer.
type Invitation struct {
	DeputyID   int64
	DeputyName string
	Answer     Answer
	Note       string
	InvitedAt  time.Time
	AnsweredAt *time.Time
}

// Activity is one 代表参与活动.
type Activity struct {
	ID            int64
	Kind          Kind
	Title         string
	StartsAt      time.Time
	Place         string
	Description   string
	OrganizerID   int64 // the staff user who organises it
	OrganizerName string
	Status        Status
	CancelReason  string
	CancelledAt   *time.Time
	Summary       string // 纪要, written by the organiser after the start
	SummaryAt     *time.Time
	Suggestions   []Ref
	Units         []Ref
	Invitations   []Invitation // for a deputy reader: their own only
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Counts of the invitations, filled by lists (Invitations stays empty there).
	Invited, Accepted, Declined int
	// Phase is the phase when the service read it (its clock decides, for every front door).
	Phase Phase
}

// PhaseAt is the activity's phase at now.
func (a *Activity) PhaseAt(now time.Time) Phase {
	switch {
	case a.Status == StatusCancelled:
		return PhaseCancelled
	case now.Before(a.StartsAt):
		return PhaseUpcoming
	}
	return PhaseHeld
}

// SuggestionIDs lists the ids of the linked suggestions.
func (a *Activity) SuggestionIDs() []int64 { return refIDs(a.Suggestions) }

// UnitIDs lists the ids of the linked units.
func (a *Activity) UnitIDs() []int64 { return refIDs(a.Units) }

// Invitation returns the deputy's invitation, or nil.
func (a *Activity) Invitation(deputyID int64) *Invitation {
	for i := range a.Invitations {
		if a.Invitations[i].DeputyID == deputyID {
			return &a.Invitations[i]
		}
	}
	return nil
}

func refIDs(rs []Ref) []int64 {
	out := make([]int64, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// Input is what staff fill in to create or edit an activity. DeputyIDs are invited when the
// activity is created; an edit leaves the invitations alone (Invite adds more).
type Input struct {
	Kind          Kind
	Title         string
	StartsAt      time.Time
	Place         string
	Description   string
	SuggestionIDs []int64
	UnitIDs       []int64
	DeputyIDs     []int64
}

// Filter narrows a list.
type Filter struct {
	Kind         Kind  // "": every kind
	SuggestionID int64 // 0: linked to any suggestion or none
}

// Query is a Filter as the store runs it.
type Query struct {
	Kind         Kind
	SuggestionID int64
	DeputyID     int64 // not 0: only activities this deputy is invited to
	UnitID       int64 // not 0: only activities this unit is linked to
	Now          time.Time
	Limit        int
}

// Refs are ids an activity points to.
type Refs struct {
	SuggestionIDs []int64
	UnitIDs       []int64
	DeputyIDs     []int64
}

// Empty reports whether r names nothing.
func (r Refs) Empty() bool {
	return len(r.SuggestionIDs) == 0 && len(r.UnitIDs) == 0 && len(r.DeputyIDs) == 0
}

// Deputy is a deputy who may be invited.
type Deputy struct {
	ID         int64
	Name       string
	Delegation string
}

// Store is the persistence of this package; storage/postgres implements it. Every method
// is scoped by tenant; a row of another tenant is not found.
type Store interface {
	// List returns activities with their invitation counts (no invitations): the upcoming
	// ones first, soonest first, then the held and cancelled ones, latest first.
	List(ctx context.Context, tenantID int64, q Query) ([]Activity, error)
	// Get returns one activity with its links and every invitation, or ErrNotFound.
	Get(ctx context.Context, tenantID, id int64) (*Activity, error)
	// Unknown returns the ids among r that the activity may not point to: suggestions that
	// are not the tenant's or are still drafts, units that are not the tenant's, deputies
	// that are not the tenant's active deputies.
	Unknown(ctx context.Context, tenantID int64, r Refs) (Refs, error)
	// HandledBy returns the ids among suggestionIDs that the unit has an active assignment
	// on (those its staff may see).
	HandledBy(ctx context.Context, tenantID, unitID int64, suggestionIDs []int64) ([]int64, error)
	// Deputies lists the tenant's active deputies (by delegation and name), at most limit.
	Deputies(ctx context.Context, tenantID int64, limit int) ([]Deputy, error)
	//
	// The methods that change what people are told of take tell, which builds inside the
	// transaction (once the change is written) the notices to publish with it, and return
	// their pushes, to queue after commit: the change and its notices commit together or
	// not at all. A nil tell, or a nil result, tells nobody.

	// Insert stores a new activity (version 1) with its links and invitations and sets
	// a.ID, a.Version, a.CreatedAt and a.UpdatedAt.
	Insert(ctx context.Context, tenantID int64, a *Activity, in Input, tell func() *notify.Notices) ([]notify.Job, error)
	// Update rewrites the fields and links of a planned activity at version and bumps the
	// version; resetAnswers turns every answer back into a pending invitation. A changed
	// version (or a cancelled activity) is ErrConflict. It returns the activity as updated,
	// which tell is given.
	Update(ctx context.Context, tenantID, id int64, version int, in Input, resetAnswers bool, at time.Time,
		tell func(*Activity) *notify.Notices) (*Activity, []notify.Job, error)
	// Invite adds invitations to a planned activity that has not started at at and returns
	// the deputies newly invited (those already invited are left alone), which tell is given
	// (it is not called when there are none).
	Invite(ctx context.Context, tenantID, id int64, deputyIDs []int64, at time.Time,
		tell func(added []int64) *notify.Notices) ([]int64, []notify.Job, error)
	// Cancel cancels a planned activity at version; otherwise ErrConflict.
	Cancel(ctx context.Context, tenantID, id int64, version int, reason string, at time.Time, tell func() *notify.Notices) ([]notify.Job, error)
	// SetSummary stores the 纪要 of a planned activity at version; otherwise ErrConflict.
	SetSummary(ctx context.Context, tenantID, id int64, version int, summary string, at time.Time) error
	// SetAnswer records a deputy's answer while the activity is planned, has not started at
	// at and is still at version (the one the deputy answered); otherwise ErrConflict. A
	// deputy who is not invited is ErrNotFound.
	SetAnswer(ctx context.Context, tenantID, id int64, version int, deputyID int64, answer Answer, note string, at time.Time,
		tell func() *notify.Notices) ([]notify.Job, error)
}
