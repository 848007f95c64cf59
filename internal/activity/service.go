package activity

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/notify"
)

// Limits on what one activity may carry.
const (
	MaxTitle       = 100
	MaxPlace       = 100
	MaxDescription = 2000
	MaxNote        = 200
	MaxReason      = 200
	MaxSummary     = 5000
	MaxSuggestions = 20
	MaxUnits       = 30
	// MaxInvite bounds the deputies invited by one create or invite (a whole congress of a
	// city fits in two).
	MaxInvite = 300
	// MaxList bounds one list page.
	MaxList = 200
	// MaxAhead is how far ahead an activity may be planned.
	MaxAhead = 2 * 365 * 24 * time.Hour
)

func invalid(code, msg string) error { return &Error{Kind: ErrInvalid, Code: code, Message: msg} }

func wrongState(code, msg string) error {
	return &Error{Kind: ErrInvalidTransition, Code: code, Message: msg}
}

var (
	errForbidden = &Error{Kind: ErrForbidden, Code: "forbidden", Message: "您没有权限进行此操作"}
	errNotFound  = &Error{Kind: ErrNotFound, Code: "not_found", Message: "活动不存在"}
	errCancelled = wrongState("activity_cancelled", "活动已取消")
)

// NotFound is the refusal for an activity that is not there for the reader (another
// tenant's, or one a deputy is not invited to); stores return it.
func NotFound() error { return errNotFound }

// Conflict is the refusal for a change made on a stale page; stores return it.
func Conflict() error {
	return &Error{Kind: ErrConflict, Code: "conflict", Message: "活动已被他人修改或状态已变化，请刷新后重试"}
}

// Service holds the rules: who may organise, invite, answer and write the 纪要, and what
// input is accepted. It tells people through a Notifier (WithNotices).
type Service struct {
	store  Store
	now    func() time.Time
	teller notify.Teller // the zero Teller tells nobody
}

// NewService builds the service; now nil means the wall clock.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// organiser reports whether a may organise activities: staff of the standing committee and
// the government office (reviewer, coordinator, leader, admin). Units and committees may not.
func organiser(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && a.Has(auth.RoleReviewer, auth.RoleCoordinator, auth.RoleLeader, auth.RoleAdmin)
}

// CanOrganise reports whether a may see and organise activities (the console asks, to offer
// the pages).
func CanOrganise(a auth.Actor) bool { return organiser(a) }

// List returns the activities a may see: every activity of the tenant for organising staff,
// the ones they are invited to for a deputy, the ones linked to their unit for a unit's
// staff (who receive the deputies). Upcoming ones come first, soonest first.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Activity, error) {
	q := Query{Kind: f.Kind, SuggestionID: f.SuggestionID, Now: s.now(), Limit: MaxList}
	switch {
	case organiser(a):
	case a.IsDeputy():
		q.DeputyID = a.ID
	case a.IsUnit():
		q.UnitID = a.UnitID
	default:
		return nil, errForbidden
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, invalid("bad_kind", "活动类型不正确")
	}
	if f.SuggestionID < 0 {
		return nil, invalid("bad_suggestion", "关联建议不正确")
	}
	if q.UnitID != 0 && q.SuggestionID > 0 {
		// A unit sees of an activity only the linked suggestions it handles (Get): filtering
		// by any other would tell it which of its activities that case is linked to.
		mine, err := s.store.HandledBy(ctx, a.TenantID, a.UnitID, []int64{q.SuggestionID})
		if err != nil {
			return nil, err
		}
		if len(mine) == 0 {
			return []Activity{}, nil
		}
	}
	list, err := s.store.List(ctx, a.TenantID, q)
	for i := range list {
		list[i].Phase = list[i].PhaseAt(q.Now)
	}
	return list, err
}

// Get returns one activity. Organising staff see every invitation; a deputy sees only an
// activity they are invited to, with their own invitation only; a unit's staff see an
// activity linked to their unit, with who is coming but not the deputies' notes to the
// organiser, and of the linked suggestions only those their unit handles. Anyone else, and
// any other tenant, finds nothing.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (*Activity, error) {
	if !organiser(a) && !a.IsDeputy() && !a.IsUnit() {
		return nil, errNotFound
	}
	act, err := s.store.Get(ctx, a.TenantID, id)
	if err != nil {
		return nil, err
	}
	switch {
	case organiser(a):
	case a.IsDeputy():
		inv := act.Invitation(a.ID)
		if inv == nil {
			return nil, errNotFound
		}
		act.Invitations = []Invitation{*inv}
	default:
		if !slices.Contains(act.UnitIDs(), a.UnitID) {
			return nil, errNotFound
		}
		for i := range act.Invitations {
			act.Invitations[i].Note = ""
		}
		mine, err := s.store.HandledBy(ctx, a.TenantID, a.UnitID, act.SuggestionIDs())
		if err != nil {
			return nil, err
		}
		act.Suggestions = slices.DeleteFunc(act.Suggestions, func(r Ref) bool { return !slices.Contains(mine, r.ID) })
	}
	act.Phase = act.PhaseAt(s.now())
	return act, nil
}

// Deputies lists who may be invited (the tenant's active deputies).
func (s *Service) Deputies(ctx context.Context, a auth.Actor) ([]Deputy, error) {
	if !organiser(a) {
		return nil, errForbidden
	}
	return s.store.Deputies(ctx, a.TenantID, 2000)
}

// CanAnswer reports whether a deputy's answer may still be given or changed: the activity
// was upcoming when the service read it.
func (a *Activity) CanAnswer() bool { return a.Phase == PhaseUpcoming }

// Create organises a new activity and invites in.DeputyIDs; they are told.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (*Activity, error) {
	if !organiser(a) {
		return nil, errForbidden
	}
	now := s.now()
	if err := checkInput(&in, now); err != nil {
		return nil, err
	}
	var err error
	if in.DeputyIDs, err = ids(in.DeputyIDs, MaxInvite, "bad_deputy", "邀请的代表", fmt.Sprintf("一次最多邀请%d位代表", MaxInvite)); err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, a.TenantID, Refs{SuggestionIDs: in.SuggestionIDs, UnitIDs: in.UnitIDs, DeputyIDs: in.DeputyIDs}); err != nil {
		return nil, err
	}
	act := &Activity{Kind: in.Kind, Title: in.Title, StartsAt: in.StartsAt, Place: in.Place, Description: in.Description,
		OrganizerID: a.ID, OrganizerName: a.Name, Status: StatusPlanned}
	for _, id := range in.SuggestionIDs {
		act.Suggestions = append(act.Suggestions, Ref{ID: id})
	}
	for _, id := range in.UnitIDs {
		act.Units = append(act.Units, Ref{ID: id})
	}
	jobs, err := s.store.Insert(ctx, a.TenantID, act, in, func() *notify.Notices {
		n := s.teller.Notices()
		if len(in.DeputyIDs) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:invited", act.ID), invited(act, in.DeputyIDs))
		}
		if len(in.UnitIDs) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:units:v%d", act.ID, act.Version), unitsNamed(act, in.UnitIDs))
		}
		return n
	})
	if err != nil {
		return nil, fmt.Errorf("create activity: %w", err)
	}
	s.teller.Queue(ctx, jobs)
	act.Phase = act.PhaseAt(now)
	return act, nil
}

// organised reads an activity for an organiser about to act on it, with the time of the
// action; anyone else is told it does not exist.
func (s *Service) organised(ctx context.Context, a auth.Actor, id int64) (*Activity, time.Time, error) {
	if !organiser(a) {
		return nil, time.Time{}, errNotFound
	}
	now := s.now()
	act, err := s.store.Get(ctx, a.TenantID, id)
	return act, now, err
}

// Update edits a planned activity that has not started. A new time turns every answer back
// into a pending invitation (the deputies must say again whether they can come); a new
// kind, title, time or place is told to every invited deputy.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, version int, in Input) (*Activity, error) {
	old, now, err := s.organised(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := editable(old, now, "活动已开始，不能再修改（可在活动结束后记录纪要）"); err != nil {
		return nil, err
	}
	if version <= 0 {
		return nil, invalid("bad_version", "页面版本信息缺失，请刷新页面后重试")
	}
	if err := checkInput(&in, now); err != nil {
		return nil, err
	}
	in.DeputyIDs = nil
	if err := s.checkRefs(ctx, a.TenantID, Refs{SuggestionIDs: in.SuggestionIDs, UnitIDs: in.UnitIDs}); err != nil {
		return nil, err
	}
	moved := !in.StartsAt.Equal(old.StartsAt)
	act, jobs, err := s.store.Update(ctx, a.TenantID, id, version, in, moved, now, func(act *Activity) *notify.Notices {
		n := s.teller.Notices()
		changes := changed(old, act)
		if len(changes) > 0 {
			if to := invitees(act); len(to) > 0 {
				n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:changed:v%d", id, act.Version), changedNotice(act, changes, moved, to))
			}
		}
		// The units: one newly linked hears of the activity, one kept hears what changed, one
		// dropped hears it need not prepare.
		added, kept, dropped := splitUnits(old.UnitIDs(), act.UnitIDs())
		if len(added) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:units:v%d", id, act.Version), unitsNamed(act, added))
		}
		if len(changes) > 0 && len(kept) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:units-changed:v%d", id, act.Version), unitsChanged(act, changes, kept))
		}
		if len(dropped) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:units-dropped:v%d", id, act.Version), unitsDropped(act, dropped))
		}
		return n
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	act.Phase = act.PhaseAt(now)
	return act, nil
}

// Invite adds deputies to a planned activity that has not started; the new ones are told.
// It returns how many were newly invited.
func (s *Service) Invite(ctx context.Context, a auth.Actor, id int64, deputyIDs []int64) (int, error) {
	act, now, err := s.organised(ctx, a, id)
	if err != nil {
		return 0, err
	}
	if err := editable(act, now, "活动已开始，不能再邀请代表"); err != nil {
		return 0, err
	}
	if deputyIDs, err = ids(deputyIDs, MaxInvite, "bad_deputy", "邀请的代表", fmt.Sprintf("一次最多邀请%d位代表", MaxInvite)); err != nil {
		return 0, err
	}
	if len(deputyIDs) == 0 {
		return 0, invalid("deputies_required", "请选择要邀请的代表")
	}
	if err := s.checkRefs(ctx, a.TenantID, Refs{DeputyIDs: deputyIDs}); err != nil {
		return 0, err
	}
	added, jobs, err := s.store.Invite(ctx, a.TenantID, id, deputyIDs, now, func(added []int64) *notify.Notices {
		return s.teller.Notices().Add(a.TenantID, 0, fmt.Sprintf("activity:%d:invited", id), invited(act, added))
	})
	if err != nil {
		return 0, err
	}
	if len(added) == 0 {
		return 0, invalid("already_invited", "所选代表都已在邀请名单中")
	}
	s.teller.Queue(ctx, jobs)
	return len(added), nil
}

// Cancel calls off a planned activity that has not started, with a reason every invited
// deputy is told.
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64, version int, reason string) (*Activity, error) {
	act, now, err := s.organised(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := editable(act, now, "活动已开始，不能取消"); err != nil {
		return nil, err
	}
	if version <= 0 {
		return nil, invalid("bad_version", "页面版本信息缺失，请刷新页面后重试")
	}
	if reason, err = apperr.Text(reason, MaxReason, "reason_too_long", "取消原因", false); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, invalid("reason_required", "请填写取消原因")
	}
	act.Status, act.CancelReason, act.CancelledAt, act.Version, act.Phase = StatusCancelled, reason, &now, version+1, PhaseCancelled
	jobs, err := s.store.Cancel(ctx, a.TenantID, id, version, reason, now, func() *notify.Notices {
		n := s.teller.Notices()
		if to := invitees(act); len(to) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:cancelled", id), cancelledNotice(act, to))
		}
		if units := act.UnitIDs(); len(units) > 0 {
			n.Add(a.TenantID, 0, fmt.Sprintf("activity:%d:units-cancelled", id), unitsCancelled(act, units))
		}
		return n
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	return act, nil
}

// RecordSummary writes (or rewrites) the 纪要 of an activity once it has started. Only its
// organiser may, or an admin when the organiser has left.
func (s *Service) RecordSummary(ctx context.Context, a auth.Actor, id int64, version int, summary string) (*Activity, error) {
	act, now, err := s.organised(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if act.OrganizerID != a.ID && !a.Has(auth.RoleAdmin) {
		return nil, &Error{Kind: ErrForbidden, Code: "not_organizer", Message: "只有活动的组织者可以记录纪要"}
	}
	switch act.PhaseAt(now) {
	case PhaseCancelled:
		return nil, errCancelled
	case PhaseUpcoming:
		return nil, wrongState("not_started", "活动开始后才能记录纪要")
	}
	if version <= 0 {
		return nil, invalid("bad_version", "页面版本信息缺失，请刷新页面后重试")
	}
	if summary, err = apperr.Text(summary, MaxSummary, "summary_too_long", "活动纪要", false); err != nil {
		return nil, err
	}
	if summary == "" {
		return nil, invalid("summary_required", "请填写活动纪要")
	}
	if err := s.store.SetSummary(ctx, a.TenantID, id, version, summary, now); err != nil {
		return nil, err
	}
	act.Summary, act.SummaryAt, act.Version, act.Phase = summary, &now, version+1, PhaseHeld
	return act, nil
}

// Answer records whether the deputy will come, with an optional note, until the activity
// starts; the organiser is told. Answering again changes the answer.
func (s *Service) Answer(ctx context.Context, a auth.Actor, id int64, accept bool, note string) (*Activity, error) {
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	act, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch act.PhaseAt(now) {
	case PhaseCancelled:
		return nil, errCancelled
	case PhaseHeld:
		return nil, wrongState("answer_closed", "活动已开始，不能再答复")
	}
	if note, err = apperr.Text(note, MaxNote, "note_too_long", "备注", false); err != nil {
		return nil, err
	}
	answer := AnswerDeclined
	if accept {
		answer = AnswerAccepted
	}
	inv := &act.Invitations[0]
	same := inv.Answer == answer && inv.Note == note // nothing new: the organiser was told already
	jobs, err := s.store.SetAnswer(ctx, a.TenantID, id, act.Version, a.ID, answer, note, now, func() *notify.Notices {
		if same {
			return nil
		}
		told := *inv
		told.Answer, told.Note, told.AnsweredAt = answer, note, &now
		return s.teller.Notices().Add(a.TenantID, 0, answeredKey(act.ID, a.ID, answer, note, now), answered(act, &told))
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	if !same {
		inv.Answer, inv.Note, inv.AnsweredAt = answer, note, &now
	}
	return act, nil
}

// editable refuses a change to a cancelled activity or one that has started.
func editable(act *Activity, now time.Time, started string) error {
	switch act.PhaseAt(now) {
	case PhaseCancelled:
		return errCancelled
	case PhaseHeld:
		return wrongState("activity_started", started)
	}
	return nil
}

// checkRefs refuses links and invitations outside the tenant (and drafts, and deputies who
// left office), naming the first such id.
func (s *Service) checkRefs(ctx context.Context, tenantID int64, r Refs) error {
	if r.Empty() {
		return nil
	}
	bad, err := s.store.Unknown(ctx, tenantID, r)
	if err != nil {
		return fmt.Errorf("check activity links: %w", err)
	}
	switch {
	case len(bad.SuggestionIDs) > 0:
		// Only registered suggestions (with a number) are linked: the invited deputies see
		// the links, and a deputy sees other deputies' suggestions only once registered.
		return invalid("unknown_suggestion", fmt.Sprintf("关联的建议（系统ID %d）不存在或尚未立案", bad.SuggestionIDs[0]))
	case len(bad.UnitIDs) > 0:
		return invalid("unknown_unit", fmt.Sprintf("关联的单位（ID %d）不存在", bad.UnitIDs[0]))
	case len(bad.DeputyIDs) > 0:
		return invalid("unknown_deputy", fmt.Sprintf("邀请的代表（ID %d）不存在或已停用", bad.DeputyIDs[0]))
	}
	return nil
}

// checkInput cleans and checks what staff filled in (but the invited deputies).
func checkInput(in *Input, now time.Time) error {
	if !in.Kind.Valid() {
		return invalid("bad_kind", "请选择活动类型（调研、视察、走访、座谈、交办会、协调会、培训或述职）")
	}
	var err error
	if in.Title, err = apperr.Text(in.Title, MaxTitle, "title_too_long", "活动名称", true); err != nil {
		return err
	}
	if in.Title == "" {
		return invalid("title_required", "请填写活动名称")
	}
	if in.Place, err = apperr.Text(in.Place, MaxPlace, "place_too_long", "活动地点", true); err != nil {
		return err
	}
	if in.Place == "" {
		return invalid("place_required", "请填写活动地点")
	}
	if in.Description, err = apperr.Text(in.Description, MaxDescription, "description_too_long", "活动内容", false); err != nil {
		return err
	}
	switch {
	case in.StartsAt.IsZero():
		return invalid("starts_at_required", "请填写活动时间")
	case !in.StartsAt.After(now):
		return invalid("starts_at_past", "活动时间须晚于当前时间")
	case in.StartsAt.After(now.Add(MaxAhead)):
		return invalid("starts_at_too_far", "活动时间不能晚于两年以后")
	}
	if in.SuggestionIDs, err = ids(in.SuggestionIDs, MaxSuggestions, "bad_suggestion", "关联建议", fmt.Sprintf("最多关联%d件建议", MaxSuggestions)); err != nil {
		return err
	}
	if in.UnitIDs, err = ids(in.UnitIDs, MaxUnits, "bad_unit", "关联单位", fmt.Sprintf("最多关联%d个单位", MaxUnits)); err != nil {
		return err
	}
	return nil
}

// ids sorts and deduplicates record ids, refusing non-positive ones and more than max.
func ids(in []int64, max int, code, what, tooMany string) ([]int64, error) {
	out := slices.Clone(in)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 0 && out[0] <= 0 {
		return nil, invalid(code, what+"不正确")
	}
	if len(out) > max {
		return nil, invalid(code, tooMany)
	}
	return out, nil
}

// invitees lists every invited deputy, whatever they answered: a change or a cancellation
// concerns those who declined too (a new time may suit them).
func invitees(act *Activity) []int64 {
	out := make([]int64, 0, len(act.Invitations))
	for _, inv := range act.Invitations {
		out = append(out, inv.DeputyID)
	}
	return out
}

// splitUnits compares an activity's units before and after an edit.
func splitUnits(before, after []int64) (added, kept, dropped []int64) {
	for _, id := range after {
		if slices.Contains(before, id) {
			kept = append(kept, id)
		} else {
			added = append(added, id)
		}
	}
	for _, id := range before {
		if !slices.Contains(after, id) {
			dropped = append(dropped, id)
		}
	}
	return added, kept, dropped
}

// changed names what a deputy must hear about: a new kind, title, time or place.
func changed(old, cur *Activity) []string {
	var out []string
	if old.Kind != cur.Kind {
		out = append(out, "活动类型")
	}
	if old.Title != cur.Title {
		out = append(out, "活动名称")
	}
	if !old.StartsAt.Equal(cur.StartsAt) {
		out = append(out, "活动时间")
	}
	if old.Place != cur.Place {
		out = append(out, "活动地点")
	}
	return out
}
