// Package supervise holds the accountability side of the workflow: the supervision lists
// (key suggestions per leader, overdue, tracking, unsatisfied, a unit's inbox, decisions
// waiting for a reviewer, content flagged by WeChat's checks), the problem list (问题清单)
// and interviews (约谈) with rectification follow-up.
package supervise

import (
	"context"
	"fmt"
	"time"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/notify"
)

// Sentinels.
var (
	ErrForbidden = apperr.ErrForbidden
	ErrNotFound  = apperr.ErrNotFound
	ErrInvalid   = apperr.ErrInvalid
)

// Error is a refusal with a stable code and a Chinese message.
type Error = apperr.Error

func invalid(code, msg string) error { return &Error{Kind: ErrInvalid, Code: code, Message: msg} }

var errForbidden = &Error{Kind: ErrForbidden, Code: "forbidden", Message: "您没有权限进行此操作"}

// Problem item states.
const (
	ProblemOpen       = "open"
	ProblemRectifying = "rectifying"
	ProblemDone       = "done"
)

// ProblemStateLabel is the Chinese name of a problem item state.
func ProblemStateLabel(s string) string {
	switch s {
	case ProblemOpen:
		return "待整改"
	case ProblemRectifying:
		return "整改中"
	case ProblemDone:
		return "已整改"
	}
	return s
}

// ProblemItem is one line of 问题清单: a problem found with a unit, who answers for it and
// how it is being rectified.
type ProblemItem struct {
	ID              int64
	UnitID          int64
	UnitName        string
	SuggestionID    int64
	SuggestionTitle string
	Problem         string
	Responsible     string
	Rectification   string
	DueOn           *time.Time
	State           string
	CreatedAt       time.Time
	ClosedAt        *time.Time
	Interviews      int
	// Overdue: the 整改时限 (a Shanghai date) has passed and the item is not 已整改.
	Overdue bool
	// UnitOpens: the item's unit may open the linked suggestion now (an active assignment
	// or a forwarded opinion); a unit whose assignment was re-routed away may not.
	UnitOpens bool
	// Linked: the reader of the list may open the linked suggestion (ListProblems sets it),
	// so the console links it; otherwise it names it only.
	Linked bool
}

// ProblemQuery filters 问题清单.
type ProblemQuery struct {
	UnitID int64  // 0: every unit the actor may see
	State  string // "": any state
	// Overdue keeps only the items past their 整改时限 and not yet 已整改.
	Overdue bool
}

// ProblemFilter is a ProblemQuery as the store runs it.
type ProblemFilter struct {
	UnitID int64
	State  string
	// DueBefore, when not zero, keeps only items not done whose due date is before this date
	// (midnight UTC of a Shanghai calendar date).
	DueBefore time.Time
}

// ProblemSummary counts a unit's items not yet 已整改, and how many of them are overdue.
type ProblemSummary struct {
	Open    int
	Overdue int
}

// Interview is one 约谈 of a unit, possibly about a problem item.
type Interview struct {
	ID            int64
	UnitID        int64
	UnitName      string
	ProblemItemID int64
	HeldAt        time.Time
	Leader        string
	Summary       string
	FollowUp      string
	CreatedAt     time.Time
}

// Case is one row of a supervision list.
type Case struct {
	SuggestionID int64
	Number       int
	Title        string
	Status       string
	Mode         string
	IsKey        bool
	LeaderName   string
	LeadUnit     string
	LeadDeputy   string
	DueAt        *time.Time
	Overdue      bool
	Note         string // tracking reason, unsatisfied reason, flag…
	UpdatedAt    time.Time
}

// InboxRow is one assignment in a unit's inbox.
type InboxRow struct {
	AssignmentID int64
	SuggestionID int64
	Number       int
	Title        string
	Role         string
	State        string
	Mode         string
	IsKey        bool
	Status       string
	AssignedAt   time.Time
	DueAt        time.Time
	ReturnDueAt  time.Time
	ContactDueAt *time.Time
	Overdue      bool
	HandlerID    int64  // the unit's user who accepted it (0 before acceptance)
	HandlerName  string // the handler named at acceptance
	// On a tracked case (跟踪督办), the lead unit's commitments still open and the earliest
	// due date among them: work still owed after the reply.
	OpenCommitments int
	CommitmentDueOn *time.Time
}

// InboxFilter narrows a unit's inbox.
type InboxFilter struct {
	All       bool  // every active assignment, newest first (otherwise the open ones by due date)
	HandlerID int64 // only those this user accepted (经办人); 0: everyone's
}

// HandlerLoad is one handler's share of the unit's open work (the unit's workload view): the
// assignments to accept, handle or reply, and the tracked cases with commitments still open.
type HandlerLoad struct {
	HandlerID   int64 // 0: not yet accepted
	HandlerName string
	Open        int
	Overdue     int
}

// Decision is something waiting for a reviewer: a unit's return request or an extension.
type Decision struct {
	Kind         string // "return" or "extension"
	ID           int64  // assignment id or extension id
	SuggestionID int64
	Number       int
	Title        string
	UnitID       int64
	UnitName     string
	Reason       string
	RequestedAt  time.Time
	// Unavailable are, for a return request, the units the assignment may not be re-routed
	// to: those actively on the case (the asking unit too), except a co-unit that may take
	// over the lead from the lead unit asking to return it.
	Unavailable []int64
}

// List names a supervision list.
type List string

const (
	ListKey         List = "key"
	ListOverdue     List = "overdue"
	ListTracking    List = "tracking"
	ListUnsatisfied List = "unsatisfied"
	ListFlagged     List = "flagged"
	// ListReviewBack is 回头看: closed cases the lead deputy was not satisfied with (the last
	// reply or implementation rating 不满意) or whose commitments were never all done, for a
	// reviewer to re-examine and reopen.
	ListReviewBack List = "review_back"
	// ListContacts is 三见面未落实: 部门快办 cases answered in the last ContactsWindow whose lead
	// unit has not held (recorded, undisputed by the deputy) its 办中征求意见 or 办后回访问效,
	// which the source case asks fast-track units to do "严格".
	ListContacts List = "contacts"
)

// ContactsWindow is how far back ListContacts looks, by reply time: older answers are past
// chasing.
const ContactsWindow = 183 * 24 * time.Hour

// Store is the persistence of this package; storage/postgres implements it.
type Store interface {
	// Cases lists one supervision list; unitID (not 0) keeps the cases the unit is actively
	// on, and byCategory keeps those whose category is in categoryIDs (none when empty).
	Cases(ctx context.Context, tenantID int64, list List, leaderID, unitID int64, byCategory bool, categoryIDs []int64, now time.Time, limit int) ([]Case, error)
	Inbox(ctx context.Context, tenantID, unitID int64, f InboxFilter, now time.Time, limit int) ([]InboxRow, error)
	// Workload counts the unit's open assignments per handler, most loaded first.
	Workload(ctx context.Context, tenantID, unitID int64, now time.Time) ([]HandlerLoad, error)
	Decisions(ctx context.Context, tenantID int64) ([]Decision, error)
	// AssignmentSuggestion returns the suggestion of the unit's active assignment, or
	// ErrNotFound when the assignment is not that unit's.
	AssignmentSuggestion(ctx context.Context, tenantID, unitID, assignmentID int64) (int64, error)

	ProblemItems(ctx context.Context, tenantID int64, f ProblemFilter) ([]ProblemItem, error)
	// ProblemCounts counts the unit's items not done, and those of them due before today.
	ProblemCounts(ctx context.Context, tenantID, unitID int64, today time.Time) (ProblemSummary, error)
	ProblemItem(ctx context.Context, tenantID, id int64) (*ProblemItem, error)
	// InsertProblemItem, UpdateProblemItem and InsertInterview write the record and, in the
	// same transaction once it has its id, the notices tell builds (nil: none), and return
	// their pushes, to queue after commit: the record and its notices commit together or
	// not at all. InsertProblemItem refuses (ErrInvalid, nothing written, nobody told) an
	// unknown unit or suggestion, a suggestion not registered, and one never assigned to the
	// unit, checked in the statement that inserts the item.
	InsertProblemItem(ctx context.Context, tenantID int64, p *ProblemItem, by int64, tell func() *notify.Notices) ([]notify.Job, error)
	UpdateProblemItem(ctx context.Context, tenantID int64, p *ProblemItem, tell func() *notify.Notices) ([]notify.Job, error)
	Interviews(ctx context.Context, tenantID, unitID, problemID int64) ([]Interview, error)
	InsertInterview(ctx context.Context, tenantID int64, iv *Interview, by int64, tell func() *notify.Notices) ([]notify.Job, error)
}

// MaxCases bounds a supervision list page (most urgent first).
const MaxCases = 200

// Service checks roles and input.
type Service struct {
	store  Store
	now    func() time.Time
	teller notify.Teller // the zero Teller tells nobody
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

func supervisor(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && a.Has(auth.RoleReviewer, auth.RoleCoordinator, auth.RoleLeader, auth.RoleAdmin)
}

// committee is a 专工委 member bound to categories, who follows the cases of those areas.
func committee(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && a.Has(auth.RoleCommittee) && len(a.CategoryIDs) > 0
}

// CanReadLists reports whether the actor may read the supervision lists (Cases other than
// flagged content): supervisors, unit staff (their unit's cases) and committees (their
// categories'). Reading is all a unit or a committee does with them.
func CanReadLists(a auth.Actor) bool { return supervisor(a) || a.IsUnit() || committee(a) }

// Cases returns a supervision list. Supervisors see the tenant (a leader's key list defaults
// to their own); unit staff see their unit's cases; committees (专工委) follow the cases of
// their own categories, as the source case has them track their areas. Flagged content is
// for supervisors only.
func (s *Service) Cases(ctx context.Context, a auth.Actor, list List, leaderID int64) ([]Case, error) {
	var unitID int64
	var byCategory bool
	var categories []int64
	switch {
	case supervisor(a):
	case a.IsUnit() && list != ListFlagged:
		unitID = a.UnitID
	case committee(a) && list != ListFlagged:
		byCategory, categories = true, a.CategoryIDs
	default:
		return nil, errForbidden
	}
	switch list {
	case ListKey, ListOverdue, ListTracking, ListUnsatisfied, ListFlagged, ListReviewBack, ListContacts:
	default:
		return nil, invalid("bad_list", "清单类型不正确")
	}
	return s.store.Cases(ctx, a.TenantID, list, leaderID, unitID, byCategory, categories, s.now(), MaxCases)
}

// MaxInbox bounds one page of a unit's inbox.
const MaxInbox = 100

// Inbox lists the assignments of the actor's unit: the open work by due date (most urgent
// first: assignments to accept, handle or reply, and tracked cases whose commitments are not
// all done), or with f.All every active assignment, newest first; f.HandlerID keeps one
// handler's.
func (s *Service) Inbox(ctx context.Context, a auth.Actor, f InboxFilter) ([]InboxRow, error) {
	if !a.IsUnit() {
		return nil, errForbidden
	}
	if f.HandlerID < 0 {
		return nil, invalid("bad_handler", "经办人不正确")
	}
	return s.store.Inbox(ctx, a.TenantID, a.UnitID, f, s.now(), MaxInbox)
}

// Workload is the actor's unit's open work per handler (经办人), so that its leader sees who
// carries what and who is overdue.
func (s *Service) Workload(ctx context.Context, a auth.Actor) ([]HandlerLoad, error) {
	if !a.IsUnit() {
		return nil, errForbidden
	}
	return s.store.Workload(ctx, a.TenantID, a.UnitID, s.now())
}

// UnitAssignment returns the suggestion behind one of the actor's unit's active
// assignments; another unit's (or tenant's) assignment is not found.
func (s *Service) UnitAssignment(ctx context.Context, a auth.Actor, assignmentID int64) (int64, error) {
	if !a.IsUnit() {
		return 0, errForbidden
	}
	return s.store.AssignmentSuggestion(ctx, a.TenantID, a.UnitID, assignmentID)
}

// Decisions lists return requests and extension requests waiting for a reviewer.
func (s *Service) Decisions(ctx context.Context, a auth.Actor) ([]Decision, error) {
	if a.Kind != auth.KindStaff || !a.Has(auth.RoleReviewer, auth.RoleCoordinator, auth.RoleAdmin) {
		return nil, errForbidden
	}
	return s.store.Decisions(ctx, a.TenantID)
}

// ProblemItems lists 问题清单; a unit sees its own items only.
func (s *Service) ProblemItems(ctx context.Context, a auth.Actor, unitID int64, state string) ([]ProblemItem, error) {
	return s.ListProblems(ctx, a, ProblemQuery{UnitID: unitID, State: state})
}

// ListProblems lists 问题清单 filtered by q, each item marked overdue when its 整改时限 has
// passed in Shanghai and it is not 已整改; a unit sees its own items only.
func (s *Service) ListProblems(ctx context.Context, a auth.Actor, q ProblemQuery) ([]ProblemItem, error) {
	switch {
	case supervisor(a):
	case a.IsUnit():
		q.UnitID = a.UnitID
	default:
		return nil, errForbidden
	}
	switch q.State {
	case "", ProblemOpen, ProblemRectifying, ProblemDone:
	default:
		return nil, invalid("bad_state", "状态不正确")
	}
	today := deadline.DateOf(s.now())
	f := ProblemFilter{UnitID: q.UnitID, State: q.State}
	if q.Overdue {
		f.DueBefore = today
	}
	items, err := s.store.ProblemItems(ctx, a.TenantID, f)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Overdue = pastDue(&items[i], today)
		items[i].Linked = items[i].SuggestionID != 0 && (a.SeesWholeTenant() || items[i].UnitOpens)
	}
	return items, nil
}

// UnitProblems counts the actor's unit's items not yet 已整改 and the overdue ones among them,
// for the line on the unit's inbox.
func (s *Service) UnitProblems(ctx context.Context, a auth.Actor) (ProblemSummary, error) {
	if !a.IsUnit() {
		return ProblemSummary{}, errForbidden
	}
	return s.store.ProblemCounts(ctx, a.TenantID, a.UnitID, deadline.DateOf(s.now()))
}

// calendarDate is the calendar date t carries in its own location (how the console reads a
// date, and how PostgreSQL returns one), as midnight UTC to compare with deadline.DateOf.
func calendarDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// pastDue: the item's due date (a calendar date, whatever its location) is before today and
// the item is not done.
func pastDue(p *ProblemItem, today time.Time) bool {
	if p.DueOn == nil || p.State == ProblemDone {
		return false
	}
	return calendarDate(*p.DueOn).Before(today)
}

// Dates a problem item or an interview may carry.
const (
	MinYear = 2000
	MaxYear = 2100
)

func inRange(t time.Time) bool { return t.Year() >= MinYear && t.Year() <= MaxYear }

// CreateProblemItem opens a problem item against a unit. A linked suggestion must be a
// registered case (numbered; not a draft, a submission under review, 不予立案 or 并案) that
// was assigned to that unit, now or before a re-routing: the problem is about the unit's
// handling of it. The store checks that in the statement that saves the item.
func (s *Service) CreateProblemItem(ctx context.Context, a auth.Actor, p *ProblemItem) error {
	if !supervisor(a) {
		return errForbidden
	}
	var err error
	if p.UnitID == 0 {
		return invalid("unit_required", "请选择责任单位")
	}
	if p.Problem, err = apperr.Text(p.Problem, 2000, "problem_too_long", "问题描述", false); err != nil {
		return err
	}
	if p.Problem == "" {
		return invalid("problem_required", "请填写问题描述")
	}
	if p.Responsible, err = apperr.Text(p.Responsible, 100, "responsible_too_long", "责任人", false); err != nil {
		return err
	}
	if p.SuggestionID < 0 {
		return invalid("bad_suggestion", "关联建议的系统ID不正确")
	}
	if p.DueOn != nil && !inRange(*p.DueOn) {
		return invalid("bad_due_on", fmt.Sprintf("整改时限须在%d年至%d年之间", MinYear, MaxYear))
	}
	now := s.now()
	// A new item's 整改时限 is today in Shanghai or later: a limit already passed would list
	// the unit as overdue the moment it hears of the problem. (Rectify keeps whatever date
	// an item has, so an item that has gone past its limit stays as it is.)
	if p.DueOn != nil && calendarDate(*p.DueOn).Before(deadline.DateOf(now)) {
		return invalid("due_on_past", "整改时限不能早于今天")
	}
	p.State = ProblemOpen
	jobs, err := s.store.InsertProblemItem(ctx, a.TenantID, p, a.ID, func() *notify.Notices {
		return s.teller.Notices().Add(a.TenantID, p.SuggestionID, fmt.Sprintf("problem:%d:recorded", p.ID), problemRecorded(p, now))
	})
	if err != nil {
		return err
	}
	s.teller.Queue(ctx, jobs)
	return nil
}

// Rectify records rectification progress on a problem item. The unit writes what it did
// (state rectifying); a supervisor may also mark it done or send it back to open.
func (s *Service) Rectify(ctx context.Context, a auth.Actor, id int64, rectification, state string) (*ProblemItem, error) {
	p, err := s.store.ProblemItem(ctx, a.TenantID, id)
	if err != nil {
		return nil, err
	}
	byUnit := false
	switch {
	case supervisor(a):
	case a.IsUnit() && p.UnitID == a.UnitID:
		if state != ProblemRectifying {
			return nil, errForbidden
		}
		byUnit = true
	default:
		return nil, &Error{Kind: ErrNotFound, Code: "not_found", Message: "记录不存在"}
	}
	if state != ProblemOpen && state != ProblemRectifying && state != ProblemDone {
		return nil, invalid("bad_state", "状态不正确")
	}
	if rectification, err = apperr.Text(rectification, 2000, "rectification_too_long", "整改情况", false); err != nil {
		return nil, err
	}
	if rectification == "" && p.Rectification == "" && state != ProblemOpen {
		return nil, invalid("rectification_required", "请填写整改情况")
	}
	// A report is news when it starts a round (the item was open: new, or sent back) or
	// says something new; the same report sent again (a double click) is not.
	news := p.State != ProblemRectifying || (rectification != "" && rectification != p.Rectification)
	if rectification != "" {
		p.Rectification = rectification
	}
	p.State = state
	if state == ProblemDone {
		now := s.now()
		p.ClosedAt = &now
	} else {
		p.ClosedAt = nil
	}
	jobs, err := s.store.UpdateProblemItem(ctx, a.TenantID, p, func() *notify.Notices {
		if !byUnit || !news {
			return nil
		}
		now := s.now()
		return s.teller.Notices().Add(a.TenantID, p.SuggestionID, fmt.Sprintf("problem:%d:rectified:%d", p.ID, now.UnixNano()), rectificationReported(p, now))
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	return p, nil
}

// Interviews lists 约谈 records; a unit sees its own.
func (s *Service) Interviews(ctx context.Context, a auth.Actor, unitID, problemID int64) ([]Interview, error) {
	switch {
	case supervisor(a):
	case a.IsUnit():
		unitID = a.UnitID
	default:
		return nil, errForbidden
	}
	return s.store.Interviews(ctx, a.TenantID, unitID, problemID)
}

// RecordInterview records a 约谈 held with a unit.
func (s *Service) RecordInterview(ctx context.Context, a auth.Actor, iv *Interview) error {
	if !supervisor(a) {
		return errForbidden
	}
	if iv.UnitID == 0 {
		return invalid("unit_required", "请选择约谈单位")
	}
	if iv.HeldAt.IsZero() {
		return invalid("held_at_required", "请填写约谈时间")
	}
	if !inRange(iv.HeldAt) || iv.HeldAt.After(s.now().Add(24*time.Hour)) {
		return invalid("bad_time", fmt.Sprintf("约谈时间不正确：须在%d年以后，且不晚于明天", MinYear))
	}
	if iv.ProblemItemID < 0 {
		return invalid("bad_problem", "关联问题不正确")
	}
	var err error
	if iv.Leader, err = apperr.Text(iv.Leader, 100, "leader_too_long", "约谈领导", false); err != nil {
		return err
	}
	if iv.Summary, err = apperr.Text(iv.Summary, 5000, "summary_too_long", "约谈情况", false); err != nil {
		return err
	}
	if iv.FollowUp, err = apperr.Text(iv.FollowUp, 2000, "follow_up_too_long", "整改要求", false); err != nil {
		return err
	}
	if iv.Leader == "" || iv.Summary == "" {
		return invalid("interview_incomplete", "请填写约谈领导和约谈情况")
	}
	var p *ProblemItem
	if iv.ProblemItemID != 0 {
		if p, err = s.store.ProblemItem(ctx, a.TenantID, iv.ProblemItemID); err != nil {
			return err
		}
		if p.UnitID != iv.UnitID {
			return invalid("problem_unit_mismatch", "问题清单与约谈单位不一致")
		}
		if p.State == ProblemOpen {
			p.State = ProblemRectifying // InsertInterview moves it, with the interview
		}
	}
	var sid int64
	if p != nil {
		sid = p.SuggestionID
	}
	jobs, err := s.store.InsertInterview(ctx, a.TenantID, iv, a.ID, func() *notify.Notices {
		return s.teller.Notices().Add(a.TenantID, sid, fmt.Sprintf("interview:%d", iv.ID), interviewed(iv, p))
	})
	if err != nil {
		return err
	}
	s.teller.Queue(ctx, jobs)
	return nil
}
