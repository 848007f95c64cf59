package suggestion

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/plaintext"
)

// Limits of free text, in characters.
const (
	MaxTitle  = 100
	MaxBody   = 10000
	MaxReason = 1000
	MaxNote   = 5000
)

// Service runs the suggestion workflow. It is safe for concurrent use.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the workflow over a store; now is the clock (time.Now when nil).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// ---- reading --------------------------------------------------------------------------

// Get returns a suggestion the actor may see; anything else is ErrNotFound.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (*Suggestion, error) {
	sg, err := s.store.Get(ctx, a.TenantID, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.canSee(ctx, a, sg); err != nil {
		return nil, err
	} else if !ok {
		return nil, errNotFound
	}
	return sg, nil
}

// Detail returns the whole record of a suggestion with its timeline. Deputies do not see
// private notes (内部备注), nor the timeline lines that would announce them: they are not
// told of them either (notify sends no notice).
func (s *Service) Detail(ctx context.Context, a auth.Actor, id int64) (*Detail, error) {
	d, err := s.store.Detail(ctx, a.TenantID, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.canSee(ctx, a, &d.Suggestion); err != nil {
		return nil, err
	} else if !ok {
		return nil, errNotFound
	}
	if a.IsDeputy() {
		notes := d.Progress[:0]
		for _, n := range d.Progress {
			if !n.Private {
				notes = append(notes, n)
			}
		}
		d.Progress = notes
		d.Timeline = slices.DeleteFunc(d.Timeline, func(e AuditEvent) bool {
			private, _ := e.Data["private"].(bool)
			return private && e.Action == string(ActProgress)
		})
		cfg, err := s.store.Config(ctx, a.TenantID)
		if err != nil {
			return nil, err
		}
		if err := s.offerRatings(cfg, a, d); err != nil {
			return nil, err
		}
		d.CanRequestReopen = canRequestReopen(a, d) && isAuthor(a, d)
	} else if d.Suggestion.Status == StatusTracking {
		cfg, err := s.store.Config(ctx, a.TenantID)
		if err != nil {
			return nil, err
		}
		if last := d.LatestReply(); last != nil {
			due, ok, err := implRatingWindow(cfg, last)
			if err != nil {
				return nil, err
			}
			if ok {
				d.ImplRatingDue = &due
			}
		}
	}
	if len(d.Replies) > 0 {
		cfg, err := s.store.Config(ctx, a.TenantID) // kept per process: no query on most reads
		if err != nil {
			return nil, err
		}
		for i := range d.Replies {
			d.Replies[i].ClassLabel = cfg.ClassLabel(d.Replies[i].Class)
		}
	}
	// Staff see who acted on each line; a deputy's page does not name them, so the deputy's
	// read (the mini-program's detail, the busiest) does not pay for the names.
	if a.Kind == auth.KindStaff {
		if err := s.store.ActorNames(ctx, a.TenantID, d.Timeline); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Assignment returns one assignment for staff who see the whole tenant, or for a unit its own
// active one; anything else is not found. The decisions page reads it to offer only the
// answers a return request allows (Assignment.Withdrawable).
func (s *Service) Assignment(ctx context.Context, a auth.Actor, id int64) (*Assignment, error) {
	as, err := s.store.Assignment(ctx, a.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !a.SeesWholeTenant() && !(a.IsUnit() && as.UnitID == a.UnitID && as.Active) {
		return nil, errAssignGone
	}
	return as, nil
}

// LatestReply is the reply of the latest round (the last one given in it), or nil.
func (d *Detail) LatestReply() *Reply {
	if len(d.Replies) == 0 {
		return nil
	}
	last := &d.Replies[0]
	for i := range d.Replies {
		if r := &d.Replies[i]; r.Round > last.Round || (r.Round == last.Round && r.RepliedAt.After(last.RepliedAt)) {
			last = r
		}
	}
	return last
}

// isAuthor: a leads or co-signs (accepted or merged) the suggestion of d.
func isAuthor(a auth.Actor, d *Detail) bool {
	if d.Suggestion.LeadDeputyID == a.ID {
		return true
	}
	for _, c := range d.Cosigners {
		if c.DeputyID == a.ID && (c.State == "accepted" || c.State == "merged") {
			return true
		}
	}
	return false
}

// offerRatings fills the detail's rating offers for deputy a, by the rules RateReply and
// RateImplementation apply: the lead deputy rates while the case waits for it, a co-signer
// also after the lead's rating moved the case on, until the window closes; once each.
func (s *Service) offerRatings(cfg *TenantConfig, a auth.Actor, d *Detail) error {
	sg := &d.Suggestion
	lead := sg.LeadDeputyID == a.ID
	if !isAuthor(a, d) || len(d.Replies) == 0 {
		return nil
	}
	last := d.LatestReply()
	rated := func(kind EvaluationKind, round int) bool {
		for _, e := range d.Evaluations {
			if e.DeputyID == a.ID && e.Kind == kind && e.Round == round {
				return true
			}
		}
		return false
	}
	now := s.now()
	switch {
	case sg.Status == StatusReplied && sg.RatingDueAt != nil:
		if !rated(EvalReply, sg.Round) && now.Before(*sg.RatingDueAt) {
			d.RateReplyUntil = sg.RatingDueAt
		}
	case !lead:
		due, err := cfg.Calendar.Due(deadline.ClockRating, last.RepliedAt, cfg.Settings)
		if err != nil {
			return err
		}
		if now.Before(due) && !rated(EvalReply, last.Round) {
			d.RateReplyUntil = &due
		}
	}
	if sg.Status != StatusTracking && (lead || sg.Status != StatusClosed) {
		return nil
	}
	due, ok, err := implRatingWindow(cfg, last)
	if err != nil || !ok || rated(EvalImplementation, last.Round) {
		return err
	}
	if sg.Status == StatusTracking || now.Before(due) {
		d.RateImplUntil = &due
	}
	return nil
}

// List returns the suggestions the actor may see, newest first, filtered.
func (s *Service) List(ctx context.Context, a auth.Actor, f ListFilter) ([]Summary, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	if a.Kind == auth.KindStaff && !a.SeesWholeTenant() && !a.IsUnit() && !a.Has(auth.RoleCommittee) {
		return nil, errForbidden
	}
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses, st) {
			return nil, invalid("bad_status", "状态筛选条件不正确")
		}
	}
	return s.store.List(ctx, a, f)
}

// ListStamp is the stamp of the deputy's own list (led and co-signed suggestions): it
// changes in the transaction of every change to one of them or to the deputy's
// co-signatures, so a page of the list read after the stamp can be answered again for as
// long as the stamp stays the same.
func (s *Service) ListStamp(ctx context.Context, a auth.Actor) (int64, error) {
	if !a.IsDeputy() {
		return 0, errForbidden
	}
	return s.store.ListStamp(ctx, a.TenantID, a.ID)
}

// Similar offers earlier suggestions of the tenant that look like text (while drafting and
// beside each submission in the review queue).
func (s *Service) Similar(ctx context.Context, a auth.Actor, text string, excludeID int64, limit int) ([]Summary, error) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) < 2 {
		return nil, nil
	}
	if limit <= 0 || limit > 20 {
		limit = 5
	}
	text = truncate(text, 200)
	if a.IsDeputy() { // a deputy drafting never sees what others have not had registered
		return s.store.SimilarForDeputy(ctx, a.TenantID, a.ID, text, excludeID, limit)
	}
	return s.store.Similar(ctx, a.TenantID, text, excludeID, limit)
}

func (s *Service) canSee(ctx context.Context, a auth.Actor, sg *Suggestion) (bool, error) {
	// A draft is the deputy's own notebook: nobody at the desks sees it before it is submitted.
	if sg.Status == StatusDraft && a.Kind == auth.KindStaff {
		return false, nil
	}
	if a.SeesWholeTenant() {
		return true, nil
	}
	if a.Kind == auth.KindStaff && a.Has(auth.RoleCommittee) && contains(a.CategoryIDs, sg.CategoryID) {
		return true, nil
	}
	var deputyID, unitID int64
	if a.IsDeputy() {
		if sg.LeadDeputyID == a.ID {
			return true, nil
		}
		deputyID = a.ID
	} else if a.IsUnit() {
		unitID = a.UnitID
	} else {
		return false, nil
	}
	rel, unitAssigned, err := s.store.Relation(ctx, a.TenantID, sg.ID, deputyID, unitID)
	if err != nil {
		return false, err
	}
	if a.IsDeputy() {
		return rel == "accepted" || rel == "invited" || rel == "merged", nil
	}
	return unitAssigned, nil
}

// ---- deputy: drafting and submitting ----------------------------------------------------

// DraftInput is what a deputy writes.
type DraftInput struct {
	Title    string
	Body     string
	Location Location
}

func (in *DraftInput) validate() error {
	// A byte order mark comes along with text pasted from a file: it is dropped, not refused.
	in.Body = plaintext.StripBOM(in.Body)
	if err := checkText(in.Title, in.Body, in.Location.Address); err != nil {
		return err
	}
	// A title shows alone on a line in lists, notices and exports: one that shows nothing
	// (blank, or only zero-width and other format characters) is missing, and one with a
	// line break or a hidden character is refused rather than stored as it looks.
	switch {
	case plaintext.Blank(in.Title):
		return invalid("title_required", "请填写建议标题")
	case plaintext.UnreadableTitle(in.Title):
		return errBadTitle
	}
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(in.Body)
	if utf8.RuneCountInString(in.Title) > MaxTitle {
		return invalid("title_too_long", fmt.Sprintf("建议标题不能超过%d个字", MaxTitle))
	}
	if utf8.RuneCountInString(in.Body) > MaxBody {
		return invalid("body_too_long", fmt.Sprintf("建议正文不能超过%d个字", MaxBody))
	}
	if lat := in.Location.Lat; lat != nil && (*lat < -90 || *lat > 90) {
		return invalid("bad_location", "位置坐标不正确")
	}
	if lng := in.Location.Lng; lng != nil && (*lng < -180 || *lng > 180) {
		return invalid("bad_location", "位置坐标不正确")
	}
	if (in.Location.Lat == nil) != (in.Location.Lng == nil) {
		return invalid("bad_location", "位置坐标须同时包含纬度和经度")
	}
	if utf8.RuneCountInString(in.Location.Address) > 200 {
		return invalid("bad_location", "地址不能超过200个字")
	}
	return nil
}

// CreateDraft saves a new draft for the deputy in the current meeting.
func (s *Service) CreateDraft(ctx context.Context, a auth.Actor, in DraftInput) (*Suggestion, error) {
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	sg := &Suggestion{TenantID: a.TenantID, LeadDeputyID: a.ID, Title: in.Title, Body: in.Body,
		Location: in.Location, Status: StatusDraft, Mode: ModeNormal, Round: 1, CreatedAt: now, UpdatedAt: now}
	err := s.store.Tx(ctx, func(tx Tx) error {
		meeting, recess, err := tx.CurrentMeeting(ctx, a.TenantID, s.now())
		if err != nil {
			return err
		}
		sg.MeetingID, sg.InRecess = meeting, recess
		if err := tx.InsertSuggestion(ctx, sg); err != nil {
			return err
		}
		if err := tx.Audit(ctx, s.event(a, sg, string(ActCreateDraft), "", StatusDraft, "", nil)); err != nil {
			return err
		}
		return queueReceipt(ctx, tx, sg)
	})
	if err != nil {
		return nil, err
	}
	return sg, nil
}

// UpdateDraft rewrites a draft (or a suggestion returned for revision).
func (s *Service) UpdateDraft(ctx context.Context, a auth.Actor, id int64, version int, in DraftInput) (*Suggestion, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if !a.IsDeputy() || sg.LeadDeputyID != a.ID {
			return nil, errForbidden
		}
		if sg.Status != StatusDraft && sg.Status != StatusReturned {
			return nil, wrongState(sg.Status)
		}
		sg.Title, sg.Body, sg.Location = in.Title, in.Body, in.Location
		return &step{action: string(ActEdit), to: sg.Status}, nil
	})
}

// Submit sends a draft (or a revised returned suggestion) to the committee.
func (s *Service) Submit(ctx context.Context, a auth.Actor, id int64, version int) (*Suggestion, error) {
	return s.SubmitChecked(ctx, a, id, version, nil)
}

// ContentCheck judges a suggestion's text before it is submitted (WeChat's msgSecCheck): an
// error refuses the submit and nothing changes; otherwise it returns the content flag to
// store ("" or "review", which asks staff to look).
type ContentCheck func(ctx context.Context, sg *Suggestion) (flag string, err error)

// SubmitChecked is Submit with the text judged by check once the transition is known to be
// allowed; the verdict is stored with the submit itself, in the same write and audit event.
func (s *Service) SubmitChecked(ctx context.Context, a auth.Actor, id int64, version int, check ContentCheck) (*Suggestion, error) {
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActSubmit, sg, StatusSubmitted); err != nil {
			return nil, err
		}
		if sg.LeadDeputyID != a.ID {
			return nil, errForbidden
		}
		if plaintext.VisibleCount(sg.Body) < minBody {
			return nil, invalid("body_too_short", fmt.Sprintf("建议正文至少需要%d个字，请写明问题和具体建议", minBody))
		}
		st := &step{action: string(ActSubmit), to: StatusSubmitted, event: EvSubmitted}
		if check != nil {
			flag, err := check(ctx, sg)
			if err != nil {
				return nil, err
			}
			sg.ContentFlag = flag
			if flag != "" {
				st.data = map[string]any{"content_flag": flag}
			}
		}
		// 提出时间 is the first submission: a suggestion returned for revision and sent again
		// is the same suggestion, and a month's 提出 figure must not shrink when one of its
		// suggestions comes back later (the resubmission is in the timeline).
		if sg.SubmittedAt == nil {
			now := s.now()
			sg.SubmittedAt = &now
		}
		sg.StatusReason = ""
		return st, nil
	})
}

// InviteCosigners asks other deputies of the tenant to co-sign (联名) a draft.
func (s *Service) InviteCosigners(ctx context.Context, a auth.Actor, id int64, deputyIDs []int64) error {
	if len(deputyIDs) == 0 || len(deputyIDs) > 50 {
		return invalid("bad_cosigners", "请选择1至50名联名代表")
	}
	_, err := s.change(ctx, a, id, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		if !a.IsDeputy() || sg.LeadDeputyID != a.ID {
			return nil, errForbidden
		}
		if sg.Status != StatusDraft && sg.Status != StatusReturned {
			return nil, wrongState(sg.Status)
		}
		var invited []int64
		for _, d := range deputyIDs {
			if d == a.ID {
				return nil, invalid("bad_cosigners", "不能邀请自己联名")
			}
			changed, err := tx.UpsertCosigner(ctx, a.TenantID, sg.ID, d, "invited")
			if err != nil {
				return nil, err
			}
			if changed {
				invited = append(invited, d)
			}
		}
		if len(invited) == 0 {
			return nil, nil // all invited already (a resent request): nothing to record or tell
		}
		return &step{action: string(ActInviteCosigners), to: sg.Status, event: EvCosignInvited,
			data: map[string]any{"deputy_ids": invited}}, nil
	})
	return err
}

// RespondCosign accepts or declines an invitation to co-sign, while the suggestion is a draft
// (or returned for revision): once submitted, its authors are fixed and an open invitation has
// ended (cosign_closed). Sending the same answer again (a phone retrying on a weak network)
// succeeds and records nothing; the other answer after answering is refused (cosign_answered)
// rather than taken: the lead deputy relies on an accepted co-signature when submitting, and a
// deputy who declined and thinks again is asked again by the lead (InviteCosigners turns a
// decline back into an invitation). The lead deputy is not invited and cannot answer.
func (s *Service) RespondCosign(ctx context.Context, a auth.Actor, id int64, accept bool) error {
	if !a.IsDeputy() {
		return errForbidden
	}
	to, act := "declined", ActCosignDeclined
	if accept {
		to, act = "accepted", ActCosignAccepted
	}
	rel, _, err := s.store.Relation(ctx, a.TenantID, id, a.ID, 0)
	if err != nil {
		return err
	}
	if rel == "declined" {
		// A deputy who declined no longer sees the suggestion (canSee), but knows of it: tell
		// them their answer stands rather than that it does not exist.
		err = cosignAnswered(rel, to)
	} else {
		_, err = s.change(ctx, a, id, -1, func(tx Tx, sg *Suggestion) (*step, error) {
			rel, _, err := s.store.Relation(ctx, a.TenantID, sg.ID, a.ID, 0)
			if err != nil {
				return nil, err
			}
			switch rel {
			case "lead":
				return nil, errCosignLead
			case "invited":
			default:
				return nil, cosignAnswered(rel, to)
			}
			if sg.Status != StatusDraft && sg.Status != StatusReturned {
				return nil, errCosignClosed
			}
			ok, err := tx.SetCosignState(ctx, a.TenantID, sg.ID, a.ID, []string{"invited"}, to)
			if err != nil {
				return nil, err
			}
			if !ok { // answered meanwhile by another request of the deputy's
				rel, _, err := s.store.Relation(ctx, a.TenantID, sg.ID, a.ID, 0)
				if err != nil {
					return nil, err
				}
				return nil, cosignAnswered(rel, to)
			}
			return &step{action: string(act), to: sg.Status}, nil
		})
	}
	if errors.Is(err, errSameAnswer) {
		return nil
	}
	return err
}

var (
	errCosignLead   = newErr(ErrForbidden, "cosign_lead", "您是该建议的领衔代表，无需答复联名邀请")
	errCosignClosed = newErr(ErrInvalidTransition, "cosign_closed", "该建议已提交，联名邀请已结束")
	// errSameAnswer stops a change that would record an answer already recorded: the
	// caller reports success.
	errSameAnswer = errors.New("the same answer is recorded")
)

// cosignAnswered is the answer to a deputy whose co-sign state is rel sending the answer to:
// errSameAnswer when it is the recorded one (merged authors count as having accepted), else
// cosign_answered saying what was recorded.
func cosignAnswered(rel, to string) error {
	if rel == to || (rel == "merged" && to == "accepted") {
		return errSameAnswer
	}
	switch rel {
	case "accepted", "merged":
		return newErr(ErrConflict, "cosign_answered", "您已答复过联名邀请：已同意联名，不能再谢绝")
	case "declined":
		return newErr(ErrConflict, "cosign_answered", "您已答复过联名邀请：已谢绝联名；如需联名，请领衔代表重新邀请")
	}
	return errNotFound
}

// ---- reviewer: registration -----------------------------------------------------------

// Return sends a submission back to the deputy for revision, with the reason.
func (s *Service) Return(ctx context.Context, a auth.Actor, id int64, version int, reason string) (*Suggestion, error) {
	return s.staffMove(ctx, a, id, version, ActReturn, StatusReturned, EvReturned, reason, true)
}

// NotRegister declines to register a submission (不予立案); it becomes an opinion letter.
func (s *Service) NotRegister(ctx context.Context, a auth.Actor, id int64, version int, reason string) (*Suggestion, error) {
	return s.NotRegisterForward(ctx, a, id, version, reason, nil)
}

// MaxForwardUnits bounds the units one opinion letter is forwarded to.
const MaxForwardUnits = 10

// NotRegisterForward declines to register a submission and forwards it as an opinion letter
// (意见函) to the units it concerns: their staff are told and may read it (nothing is owed).
// unitIDs may be empty; each must be an active unit of the tenant.
func (s *Service) NotRegisterForward(ctx context.Context, a auth.Actor, id int64, version int, reason string, unitIDs []int64) (*Suggestion, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	units := make([]int64, 0, len(unitIDs))
	for _, u := range unitIDs {
		if u <= 0 {
			return nil, invalid("unit_not_found", "所选转交单位不存在")
		}
		if !contains(units, u) {
			units = append(units, u)
		}
	}
	if len(units) > MaxForwardUnits {
		return nil, invalid("too_many_units", fmt.Sprintf("意见函最多转交%d个单位", MaxForwardUnits))
	}
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActNotRegister, sg, StatusNotRegistered); err != nil {
			return nil, err
		}
		st := &step{action: string(ActNotRegister), to: StatusNotRegistered, event: EvNotRegistered, reason: reason}
		if len(units) > 0 {
			n, err := tx.ForwardOpinion(ctx, a.TenantID, sg.ID, units, s.now())
			if err != nil {
				return nil, err
			}
			if n != len(units) {
				return nil, invalid("unit_not_found", "所选转交单位不存在或已停用")
			}
			st.data = map[string]any{"unit_ids": units}
		}
		sg.StatusReason = strings.TrimSpace(reason)
		return st, nil
	})
}

// ForwardedOpinions lists the opinion letters (不予立案 submissions) forwarded to the actor's
// unit, newest first.
func (s *Service) ForwardedOpinions(ctx context.Context, a auth.Actor, limit int) ([]ForwardedOpinion, error) {
	if !a.IsUnit() {
		return nil, errForbidden
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	return s.store.ForwardedOpinions(ctx, a.TenantID, a.UnitID, limit)
}

// Register accepts a submission with the next number of its meeting and a category.
func (s *Service) Register(ctx context.Context, a auth.Actor, id int64, version int, categoryID int64) (*Suggestion, error) {
	if categoryID <= 0 {
		return nil, invalid("category_required", "请选择建议类别")
	}
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActRegister, sg, StatusRegistered); err != nil {
			return nil, err
		}
		if ok, err := tx.CategoryExists(ctx, a.TenantID, categoryID); err != nil {
			return nil, err
		} else if !ok {
			return nil, invalid("category_not_found", "所选建议类别不存在")
		}
		n, err := tx.NextNumber(ctx, a.TenantID, sg.MeetingID)
		if err != nil {
			return nil, err
		}
		now := s.now()
		sg.Number, sg.CategoryID, sg.RegisteredAt = n, categoryID, &now
		return &step{action: string(ActRegister), to: StatusRegistered, event: EvRegistered,
			data: map[string]any{"number": n, "category_id": categoryID}}, nil
	})
}

// ---- assignment -----------------------------------------------------------------------

// AssignInput says who handles a registered suggestion and how.
type AssignInput struct {
	LeadUnitID   int64
	CoUnitIDs    []int64
	Mode         Mode
	IsKey        bool
	LeaderUserID int64 // required for leader_led and key suggestions
	Chain        Chain // required for joint, with its Plan
}

func (in *AssignInput) validate() error {
	if in.Mode == "" {
		in.Mode = ModeNormal
	}
	if !in.Mode.Valid() {
		return invalid("bad_mode", "办理方式不正确")
	}
	if in.LeadUnitID <= 0 {
		return invalid("lead_unit_required", "请选择主办单位")
	}
	seen := map[int64]bool{in.LeadUnitID: true}
	for _, u := range in.CoUnitIDs {
		if seen[u] {
			return invalid("duplicate_unit", "主办单位和协办单位不能重复")
		}
		seen[u] = true
	}
	if in.Mode == ModeLeaderLed {
		in.IsKey = true
	}
	if in.IsKey && in.LeaderUserID <= 0 {
		return invalid("leader_required", "重点建议须确定领衔督办的常委会领导")
	}
	// Browsers send a textarea's line breaks as CRLF; the plan keeps them as LF, so it reads
	// back line by line and counts as the form's maxlength does.
	in.Chain.Plan = strings.TrimSpace(strings.ReplaceAll(in.Chain.Plan, "\r\n", "\n"))
	if err := checkText(in.Chain.Principal, in.Chain.InCharge, in.Chain.Handler, in.Chain.Plan); err != nil {
		return err
	}
	for label, v := range map[string]string{"主要领导": in.Chain.Principal, "分管领导": in.Chain.InCharge, "经办人": in.Chain.Handler} {
		if err := checkLen(label, v, MaxShort); err != nil {
			return err
		}
	}
	if err := checkLen("办理工作方案", in.Chain.Plan, MaxPlan); err != nil {
		return err
	}
	if in.Mode != ModeJoint {
		// The responsibility chain and the work plan belong to 协同联办 only: a form that
		// switched back to another mode may still carry them, and they must not show on
		// the units' pages of a case handled normally.
		in.Chain = Chain{}
	}
	if in.Mode == ModeJoint {
		if len(in.CoUnitIDs) == 0 {
			return invalid("joint_needs_units", "协同联办须至少有一个协办单位")
		}
		if blank(in.Chain.Principal) || blank(in.Chain.InCharge) || blank(in.Chain.Handler) {
			return invalid("chain_required", "协同联办须填写“两抓一办”责任链（主要领导、分管领导、经办人）")
		}
		if blank(in.Chain.Plan) {
			return invalid("plan_required", "协同联办须填写办理工作方案")
		}
	}
	return nil
}

// Assign sends a registered suggestion to its lead unit and co-units with their deadlines.
func (s *Service) Assign(ctx context.Context, a auth.Actor, id int64, version int, in AssignInput) (*Suggestion, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return s.changeOnce(ctx, a, id, version, assignedBy(a), func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActAssign, sg, StatusAssigned); err != nil {
			return nil, err
		}
		if in.LeaderUserID != 0 {
			if ok, err := tx.IsLeader(ctx, a.TenantID, in.LeaderUserID); err != nil {
				return nil, err
			} else if !ok {
				return nil, invalid("leader_not_found", "所选领衔督办领导不是本常委会领导")
			}
		}
		now := s.now()
		replyClock := deadline.ClockReply
		if in.Mode == ModeFastTrack {
			replyClock = deadline.ClockFastTrackReply
		}
		replyDue, err := cfg.Calendar.Due(replyClock, now, cfg.ReplySettings(sg.CategoryID))
		if err != nil {
			return nil, err
		}
		coDue, err := cfg.Calendar.Due(deadline.ClockCoOpinion, now, cfg.Settings)
		if err != nil {
			return nil, err
		}
		returnDue, err := cfg.Calendar.Due(deadline.ClockReturnWindow, now, cfg.Settings)
		if err != nil {
			return nil, err
		}
		units := append([]int64{in.LeadUnitID}, in.CoUnitIDs...)
		asgs := make([]*Assignment, len(units))
		for i, u := range units {
			asgs[i] = &Assignment{TenantID: a.TenantID, SuggestionID: sg.ID, UnitID: u, Role: RoleLead,
				State: AsgPending, Active: true, Round: sg.Round, AssignedAt: now, DueAt: replyDue,
				ReturnDueAt: returnDue, Chain: in.Chain}
			if i > 0 {
				// The chain's names are the lead unit's officials; a co-unit shares the plan and
				// names its own people when it signs.
				asgs[i].Role, asgs[i].DueAt, asgs[i].Chain = RoleCo, coDue, Chain{Plan: in.Chain.Plan}
			}
		}
		if err := tx.QueueAssignments(ctx, asgs); err != nil {
			return nil, err
		}
		sg.Mode, sg.IsKey, sg.LeaderUserID, sg.AssignedAt, sg.ReplyDueAt = in.Mode, in.IsKey, in.LeaderUserID, &now, &replyDue
		return &step{action: string(ActAssign), to: StatusAssigned, event: EvAssigned, data: map[string]any{
			"lead_unit_id": in.LeadUnitID, "co_unit_ids": in.CoUnitIDs, "unit_ids": units, "mode": in.Mode,
			"is_key": in.IsKey, "leader_user_id": in.LeaderUserID, "due_at": replyDue,
			// A co-unit's notice gives its own deadline (its opinion to the lead unit).
			"co_due_at": coDue}}, nil
	})
}

// AcceptInput is the unit's handler contact, shown to the deputy.
type AcceptInput struct {
	HandlerName  string
	HandlerPhone string
	Chain        *Chain
}

// Accept is the unit signing for its assignment. When the lead unit accepts, the suggestion
// moves to handling and the "before" contact clock starts.
func (s *Service) Accept(ctx context.Context, a auth.Actor, assignmentID int64, in AcceptInput) (*Assignment, error) {
	if blank(in.HandlerName) {
		return nil, invalid("handler_required", "请填写经办人姓名")
	}
	if err := checkText(in.HandlerName, in.HandlerPhone); err != nil {
		return nil, err
	}
	if err := checkLen("经办人姓名", strings.TrimSpace(in.HandlerName), MaxShort); err != nil {
		return nil, err
	}
	phone, err := handlerPhone(in.HandlerPhone)
	if err != nil {
		return nil, err
	}
	in.HandlerPhone = phone
	if in.Chain != nil {
		if err := checkText(in.Chain.Principal, in.Chain.InCharge, in.Chain.Handler); err != nil {
			return nil, err
		}
		for label, v := range map[string]string{"主要领导": in.Chain.Principal, "分管领导": in.Chain.InCharge, "经办人": in.Chain.Handler} {
			if err := checkLen(label, strings.TrimSpace(v), MaxShort); err != nil {
				return nil, err
			}
		}
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return s.onAssignment(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.State != AsgPending {
			return nil, newErr(ErrInvalidTransition, "assignment_not_pending", "该交办已签收或已处理")
		}
		now := s.now()
		as.State, as.AcceptedAt = AsgAccepted, &now
		as.HandlerUserID, as.HandlerName, as.HandlerPhone = a.ID, strings.TrimSpace(in.HandlerName), strings.TrimSpace(in.HandlerPhone)
		if in.Chain != nil {
			// The unit may correct the chain's names when it signs; the 办理工作方案 is the
			// one set at assignment and stays. A joint case keeps a whole chain.
			c := in.Chain
			if sg.Mode == ModeJoint && (blank(c.Principal) || blank(c.InCharge) || blank(c.Handler)) {
				return nil, invalid("chain_required", "协同联办须填写“两抓一办”责任链（主要领导、分管领导、经办人）")
			}
			plan := as.Chain.Plan
			as.Chain = *in.Chain
			as.Chain.Plan = plan
		}
		if sg.Mode == ModeJoint && as.Role == RoleLead && (blank(as.Chain.Principal) || blank(as.Chain.InCharge) || blank(as.Chain.Handler)) {
			// A lead unit the case was re-routed to starts with the plan only: it names its
			// own 两抓一办 chain when it signs, as the first lead unit was named at assignment.
			return nil, invalid("chain_required", "协同联办须填写“两抓一办”责任链（主要领导、分管领导、经办人）")
		}
		st := &step{action: string(ActAccept), to: sg.Status, event: EvAccepted,
			data: map[string]any{"assignment_id": as.ID, "unit_id": as.UnitID, "role": as.Role}}
		if as.Role == RoleLead {
			due, err := cfg.Calendar.Due(deadline.ClockBeforeContact, now, cfg.Settings)
			if err != nil {
				return nil, err
			}
			as.ContactDueAt = &due
			if sg.Status == StatusAssigned {
				if err := s.allowed(a, ActAccept, sg, StatusHandling); err != nil {
					return nil, err
				}
				st.to = StatusHandling
			}
		}
		return st, nil
	})
}

// RequestReturn asks the reviewer to take back a wrong assignment, inside the return window.
func (s *Service) RequestReturn(ctx context.Context, a auth.Actor, assignmentID int64, reason string) (*Assignment, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	return s.onAssignment(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.State != AsgPending {
			return nil, newErr(ErrInvalidTransition, "assignment_not_pending", "已签收的交办不能申请退回")
		}
		if s.now().After(as.ReturnDueAt) {
			return nil, newErr(ErrInvalidTransition, "return_window_closed", "已超过申请退回期限，请按程序办理")
		}
		as.State, as.ReturnReason = AsgReturnRequested, strings.TrimSpace(reason)
		return &step{action: string(ActRequestReturn), to: sg.Status, event: EvReturnRequested, reason: reason,
			data: map[string]any{"assignment_id": as.ID, "unit_id": as.UnitID}}, nil
	})
}

// DecideReturn is the reviewer's answer to a return request: newUnitID > 0 re-routes the
// assignment to that unit (the old one stays in the history, marked reassigned); 0 keeps it
// with the unit, which must then accept it.
func (s *Service) DecideReturn(ctx context.Context, a auth.Actor, assignmentID int64, newUnitID int64, reason string) (*Assignment, error) {
	if !a.Has(auth.RoleReviewer) {
		return nil, errForbidden
	}
	if err := optionalReason(reason); err != nil {
		return nil, err
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var created *Assignment
	old, err := s.onAssignmentStaff(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.State != AsgReturnRequested {
			return nil, newErr(ErrInvalidTransition, "no_return_request", "该交办没有待处理的退回申请")
		}
		data := map[string]any{"assignment_id": as.ID, "unit_id": as.UnitID}
		if newUnitID <= 0 {
			as.State = AsgPending
			data["decision"] = "kept"
			return &step{action: string(ActKeepAssignment), to: sg.Status, event: EvReturnDecided, reason: reason, data: data}, nil
		}
		if newUnitID == as.UnitID {
			return nil, invalid("same_unit", "改派单位不能与原单位相同")
		}
		current, err := tx.Assignments(ctx, a.TenantID, sg.ID)
		if err != nil {
			return nil, err
		}
		// A co-unit may be made the lead ("this is the co-unit's job"): its co-assignment
		// gives way to the new lead one. Any other unit already on the case may not take
		// the assignment a second time.
		var promoted *Assignment
		for i := range current {
			o := &current[i]
			if !o.Active || o.UnitID != newUnitID {
				continue
			}
			if as.Role != RoleLead || o.Role != RoleCo {
				return nil, invalid("unit_already_assigned", fmt.Sprintf("%s已在办理该建议，不能再改派给它", o.UnitName))
			}
			promoted = o
		}
		now := s.now()
		// The new unit's own window to ask for a return starts now, as at any assignment.
		returnDue, err := cfg.Calendar.Due(deadline.ClockReturnWindow, now, cfg.Settings)
		if err != nil {
			return nil, err
		}
		// The plan goes to the new unit; the chain's names were the old unit's people, and the
		// new unit names its own when it signs.
		n := &Assignment{TenantID: a.TenantID, SuggestionID: sg.ID, UnitID: newUnitID, Role: as.Role,
			State: AsgPending, Active: true, Round: as.Round, AssignedAt: now, DueAt: as.DueAt,
			ReturnDueAt: returnDue, Chain: Chain{Plan: as.Chain.Plan}}
		if err := tx.InsertAssignments(ctx, []*Assignment{n}); err != nil {
			return nil, err
		}
		created = n
		if promoted != nil {
			expect := promoted.Version
			promoted.State, promoted.Active, promoted.ReplacedBy = AsgReassigned, false, n.ID
			if err := tx.UpdateAssignment(ctx, promoted, expect); err != nil {
				return nil, err
			}
			data["promoted_from_assignment_id"] = promoted.ID
		}
		as.State, as.Active, as.ReplacedBy = AsgReassigned, false, n.ID
		data["decision"], data["new_unit_id"], data["new_assignment_id"] = "reassigned", newUnitID, n.ID
		data["unit_ids"] = []int64{as.UnitID, newUnitID}
		return &step{action: string(ActReassign), to: sg.Status, event: EvReturnDecided, reason: reason, data: data}, nil
	})
	if err != nil {
		return nil, err
	}
	if created != nil {
		return created, nil
	}
	return old, nil
}

// errLeadNotWithdrawable refuses to take the lead unit off a case with nobody in its place:
// every suggestion keeps a lead unit, which owes the reply.
var errLeadNotWithdrawable = newErr(ErrInvalid, "lead_not_withdrawable",
	"主办单位的退回申请不能同意后不再安排单位：每件建议都须有主办单位答复，请维持原交办或改派其他单位主办")

// WithdrawCoUnit is the reviewer granting a co-unit's return request without naming another
// unit ("与本单位无关", and no other co-unit is needed): the co-unit's assignment is marked
// withdrawn and made inactive, so its clocks stop, it leaves the unit's inbox and the unit
// can no longer act on it or read the case; the lead unit and any other co-units carry on.
// Only a co-unit's pending request can be granted so (a lead unit's is kept or re-routed
// with DecideReturn), and the reason is required: it is the record of why a unit left.
func (s *Service) WithdrawCoUnit(ctx context.Context, a auth.Actor, assignmentID int64, reason string) (*Assignment, error) {
	if !a.Has(auth.RoleReviewer) {
		return nil, errForbidden
	}
	if err := needReason(reason); err != nil {
		return nil, err
	}
	return s.onAssignmentStaff(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.Role != RoleCo {
			return nil, errLeadNotWithdrawable
		}
		if !as.Withdrawable() {
			return nil, newErr(ErrInvalidTransition, "no_return_request", "该交办没有待处理的退回申请")
		}
		as.State, as.Active = AsgWithdrawn, false
		return &step{action: string(ActWithdrawCoUnit), to: sg.Status, event: EvReturnDecided, reason: reason,
			data: map[string]any{"assignment_id": as.ID, "unit_id": as.UnitID, "role": as.Role, "decision": "withdrawn"}}, nil
	})
}

// ---- handling ------------------------------------------------------------------------

// ContactInput records one of the 三见面.
type ContactInput struct {
	Stage      ContactStage
	HappenedAt time.Time
	Method     string
	People     string
	Summary    string
}

// RecordContact records a meeting with the deputy; the deputy is asked to confirm it.
func (s *Service) RecordContact(ctx context.Context, a auth.Actor, assignmentID int64, in ContactInput) (*Contact, error) {
	if in.Stage != ContactBefore && in.Stage != ContactDuring && in.Stage != ContactAfter {
		return nil, invalid("bad_stage", "沟通环节不正确")
	}
	if blank(in.Method) || blank(in.People) || blank(in.Summary) {
		return nil, invalid("contact_incomplete", "请填写沟通方式、参加人员和沟通情况")
	}
	if err := checkText(in.Method, in.People, in.Summary); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Summary) > MaxNote {
		return nil, invalid("summary_too_long", fmt.Sprintf("沟通情况不能超过%d个字", MaxNote))
	}
	if err := checkLen("沟通方式", strings.TrimSpace(in.Method), MaxShort); err != nil {
		return nil, err
	}
	if err := checkLen("参加人员", strings.TrimSpace(in.People), MaxNote); err != nil {
		return nil, err
	}
	if in.HappenedAt.Before(earliest) {
		return nil, invalid("bad_time", "沟通时间不正确")
	}
	if in.HappenedAt.After(s.now().Add(time.Hour)) {
		return nil, invalid("bad_time", "沟通时间不能晚于当前时间：请在沟通之后再记录")
	}
	c := &Contact{Stage: in.Stage, HappenedAt: in.HappenedAt, Method: strings.TrimSpace(in.Method),
		People: strings.TrimSpace(in.People), Summary: strings.TrimSpace(in.Summary), RecordedBy: a.ID, Confirmation: "pending"}
	_, err := s.onAssignment(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.State != AsgAccepted && as.State != AsgReplied && as.State != AsgOpinionSent {
			return nil, assignmentStateRefusal(sg, as)
		}
		if err := contactTimeFits(ctx, tx, sg, as, in); err != nil {
			return nil, err
		}
		c.SuggestionID, c.AssignmentID = sg.ID, as.ID
		if err := tx.InsertContact(ctx, a.TenantID, c); err != nil {
			return nil, err
		}
		return &step{action: string(ActRecordContact), to: sg.Status, event: EvContactRecorded,
			data: map[string]any{"contact_id": c.ID, "stage": c.Stage, "unit_id": as.UnitID}}, nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// assignmentStateRefusal is why a unit may not act on its assignment in the state it is in
// (recording a contact, giving the co-unit opinion or the reply), each state with its own
// code, so that a second tap is told what was done rather than asked to accept again.
func assignmentStateRefusal(sg *Suggestion, as *Assignment) error {
	switch as.State {
	case AsgReplied:
		if sg.Status == StatusReplied {
			return newErr(ErrInvalidTransition, "already_replied", "本轮已答复，等待代表评价")
		}
		return newErr(ErrInvalidTransition, "already_replied", "本轮已答复")
	case AsgOpinionSent:
		return newErr(ErrInvalidTransition, "co_opinion_sent", "已提交过协办意见")
	case AsgReturnRequested:
		return newErr(ErrInvalidTransition, "return_requested", "退回申请待审核，暂不能办理")
	case AsgReassigned, AsgWithdrawn:
		return newErr(ErrInvalidTransition, "assignment_inactive", "该交办已改派或已撤回")
	}
	return newErr(ErrInvalidTransition, "assignment_not_accepted", "请先签收交办")
}

// contactTimeFits refuses a contact held at a time that does not fit the case: a "before" or
// "during" contact before the unit was assigned the case (its assignment's 交办) or after the
// day the current round was answered (a visit after the reply is the 办后回访, and a "during"
// contact dated after it would pass for consultation the deputy never had before the answer),
// and an "after" contact (办后回访) before this unit has replied in the current round, or held
// before that reply. Times are compared by their day in Shanghai, the day the refusal names: a
// unit writes down when a meeting was, not to the minute when the assignment or reply was sent.
func contactTimeFits(ctx context.Context, tx Tx, sg *Suggestion, as *Assignment, in ContactInput) error {
	held := shanghaiDay(in.HappenedAt)
	if in.Stage != ContactAfter && held.Before(shanghaiDay(as.AssignedAt)) {
		return invalid("contact_before_assignment",
			fmt.Sprintf("%s时间不能早于交办时间（%s）", in.Stage.Label(), cnDate(as.AssignedAt)))
	}
	if in.Stage == ContactAfter && as.Role != RoleLead {
		return newErr(ErrInvalidTransition, "reply_not_given", "办后回访是主办单位答复之后的回访，协办单位不能登记")
	}
	last, err := tx.LatestReply(ctx, sg.TenantID, sg.ID)
	if err != nil && !errors.Is(err, ErrInvalidTransition) {
		return err
	}
	if in.Stage != ContactAfter {
		if last != nil && last.Round == sg.Round && held.After(shanghaiDay(last.RepliedAt)) {
			return invalid("contact_after_reply", fmt.Sprintf("本轮已于%s答复，%s时间不能晚于答复时间：答复之后的回访请登记为办后回访",
				cnDate(last.RepliedAt), in.Stage.Label()))
		}
		return nil
	}
	if last == nil || last.AssignmentID != as.ID || last.Round != sg.Round {
		return newErr(ErrInvalidTransition, "reply_not_given", "本轮尚未答复，不能登记办后回访：请在答复之后回访代表时登记")
	}
	if held.Before(shanghaiDay(last.RepliedAt)) {
		return invalid("contact_before_reply",
			fmt.Sprintf("办后回访时间不能早于答复时间（%s）", cnDate(last.RepliedAt)))
	}
	return nil
}

// errNotLeadDeputy refuses a contact answer from anyone but the lead deputy: the unit met the
// lead deputy, so only the lead deputy can say whether the record is true. Co-signers see the
// contact but do not answer it.
var errNotLeadDeputy = newErr(ErrForbidden, "not_lead_deputy", "只有领衔代表可以确认沟通记录或提出异议")

// errContactGone answers a contact that does not exist and one whose suggestion the deputy
// cannot see alike, so that a contact's id tells nothing about other deputies' suggestions.
var errContactGone = newErr(ErrNotFound, "contact_not_found", "沟通记录不存在或无权查看")

// ConfirmContact is the lead deputy confirming or disputing a recorded contact, once. A
// deputy who cannot see the suggestion gets the same ErrNotFound as for a contact that does
// not exist; a co-signer gets ErrForbidden.
func (s *Service) ConfirmContact(ctx context.Context, a auth.Actor, contactID int64, confirm bool, comment string) (*Contact, error) {
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	if err := checkText(comment); err != nil {
		return nil, err
	}
	if !confirm && blank(comment) {
		return nil, invalid("reason_required", "有异议时请说明情况")
	}
	if utf8.RuneCountInString(comment) > MaxReason {
		return nil, invalid("reason_too_long", fmt.Sprintf("说明不能超过%d个字", MaxReason))
	}
	c, err := s.store.Contact(ctx, a.TenantID, contactID)
	if errors.Is(err, ErrNotFound) {
		return nil, errContactGone
	}
	if err != nil {
		return nil, err
	}
	state, act, ev := "confirmed", ActContactConfirmed, EvContactConfirmed
	if !confirm {
		state, act, ev = "disputed", ActContactDisputed, EvContactDisputed
	}
	var recorded *Contact // the answer given before, when it is the same
	_, err = s.change(ctx, a, c.SuggestionID, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		if sg.LeadDeputyID != a.ID {
			return nil, errNotLeadDeputy
		}
		ok, err := tx.ConfirmContact(ctx, a.TenantID, contactID, a.ID, state, strings.TrimSpace(comment), s.now())
		if err != nil {
			return nil, err
		}
		if !ok {
			// Answered before: the same answer again (a retry) gets the recorded one back
			// and records nothing; the other answer is refused, saying what stands.
			cur, err := s.store.Contact(ctx, a.TenantID, contactID)
			if err != nil {
				return nil, err
			}
			if cur.Confirmation != state {
				return nil, contactAnswered(cur.Confirmation)
			}
			recorded = cur
			return nil, nil
		}
		return &step{action: string(act), to: sg.Status, event: ev, reason: comment,
			data: map[string]any{"contact_id": contactID, "assignment_id": c.AssignmentID}}, nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil, errContactGone
	}
	if err != nil {
		return nil, err
	}
	if recorded != nil {
		return recorded, nil
	}
	c.Confirmation, c.DeputyComment = state, strings.TrimSpace(comment)
	return c, nil
}

// contactAnswered refuses an answer to a contact the lead deputy has answered otherwise,
// saying what was recorded.
func contactAnswered(recorded string) error {
	if recorded == "disputed" {
		return newErr(ErrConflict, "contact_already_answered", "该沟通记录已标记为有异议，不能再确认")
	}
	return newErr(ErrConflict, "contact_already_answered", "该沟通记录已确认，不能再提出异议")
}

// AddProgress adds a progress note; units and staff may write, deputies are told unless private.
// progressResent is how long after a progress note the same author's identical note, with
// nothing written in between, is taken for the first one sent again.
const progressResent = 10 * time.Minute

func (s *Service) AddProgress(ctx context.Context, a auth.Actor, suggestionID int64, body string, private bool) (*ProgressNote, error) {
	if err := checkText(body); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if blank(body) {
		return nil, invalid("note_required", "请填写进展情况")
	}
	if utf8.RuneCountInString(body) > MaxNote {
		return nil, invalid("note_too_long", fmt.Sprintf("进展情况不能超过%d个字", MaxNote))
	}
	if a.Kind != auth.KindStaff {
		return nil, errForbidden
	}
	n := &ProgressNote{SuggestionID: suggestionID, AuthorUserID: a.ID, Body: body, Private: private}
	_, err := s.change(ctx, a, suggestionID, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		if !sg.Status.Open() || sg.Status == StatusSubmitted || sg.Status == StatusReturned {
			return nil, wrongState(sg.Status)
		}
		// The same note sent again (the form resent from the back button, a double click)
		// is the note already written: no second note, no second notice.
		prev, err := tx.RepeatedProgress(ctx, a.TenantID, sg.ID, a.ID, body, private, progressResent)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			*n = *prev
			return nil, nil
		}
		if err := tx.InsertProgress(ctx, a.TenantID, n); err != nil {
			return nil, err
		}
		// A note by staff other than the unit's is supervision (督办意见): its unit must hear
		// it, even when it is kept from the deputies. A unit's own private note tells nobody.
		byUnit := a.IsUnit()
		st := &step{action: string(ActProgress), to: sg.Status, data: map[string]any{"note_id": n.ID, "private": private, "by_unit": byUnit}}
		if !private || !byUnit {
			st.event = EvProgress
		}
		return st, nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// SubmitCoOpinion is a co-unit's opinion to the lead unit.
func (s *Service) SubmitCoOpinion(ctx context.Context, a auth.Actor, assignmentID int64, body string) (*CoOpinion, error) {
	if err := checkText(body); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if blank(body) {
		return nil, invalid("opinion_required", "请填写协办意见")
	}
	if utf8.RuneCountInString(body) > MaxBody {
		return nil, invalid("opinion_too_long", fmt.Sprintf("协办意见不能超过%d个字", MaxBody))
	}
	o := &CoOpinion{Body: body}
	_, err := s.onAssignment(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.Role != RoleCo {
			return nil, invalid("not_co_unit", "只有协办单位提交协办意见")
		}
		if as.State != AsgAccepted {
			return nil, assignmentStateRefusal(sg, as)
		}
		o.AssignmentID, o.UnitID = as.ID, as.UnitID
		if err := tx.InsertCoOpinion(ctx, a.TenantID, o, a.ID); err != nil {
			return nil, err
		}
		as.State = AsgOpinionSent
		return &step{action: string(ActCoOpinion), to: sg.Status, event: EvCoOpinion,
			data: map[string]any{"assignment_id": as.ID, "unit_id": as.UnitID}}, nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// CommitmentInput is one promise of a reply.
type CommitmentInput struct {
	What  string
	DueOn time.Time
}

// ReplyInput is the lead unit's formal answer.
type ReplyInput struct {
	Class       ReplyClass
	Body        string
	DocumentKey string // the signed PDF in object storage
	Commitments []CommitmentInput
}

// Reply records the lead unit's answer for the current round; the deputies are asked to rate.
// It is refused before the "before" contact when the tenant requires it.
func (s *Service) Reply(ctx context.Context, a auth.Actor, assignmentID int64, in ReplyInput) (*Reply, error) {
	switch in.Class {
	case ClassA, ClassB, ClassC, ClassD:
	default:
		return nil, invalid("bad_class", "请选择答复类别（A/B/C/D）")
	}
	if err := checkText(in.Body); err != nil {
		return nil, err
	}
	in.Body = strings.TrimSpace(in.Body)
	if plaintext.VisibleCount(in.Body) < minReply {
		return nil, invalid("reply_too_short", fmt.Sprintf("答复内容至少需要%d个字", minReply))
	}
	if utf8.RuneCountInString(in.Body) > MaxBody {
		return nil, invalid("reply_too_long", fmt.Sprintf("答复内容不能超过%d个字", MaxBody))
	}
	if (in.Class == ClassB || in.Class == ClassC) && len(in.Commitments) == 0 {
		return nil, invalid("commitments_required", "B类、C类答复须填写承诺事项和完成时限")
	}
	for _, c := range in.Commitments {
		if blank(c.What) || c.DueOn.IsZero() {
			return nil, invalid("bad_commitment", "承诺事项须写明内容和完成时限")
		}
		if err := checkText(c.What); err != nil {
			return nil, err
		}
		if err := checkLen("承诺事项", strings.TrimSpace(c.What), MaxNote); err != nil {
			return nil, err
		}
		if c.DueOn.Before(s.now().AddDate(0, 0, -1)) || c.DueOn.After(s.now().AddDate(commitmentHorizon, 0, 0)) {
			return nil, invalid("bad_commitment_due", fmt.Sprintf("承诺完成时限须在今天至%d年内", commitmentHorizon))
		}
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	r := &Reply{Class: in.Class, Body: in.Body, DocumentKey: in.DocumentKey}
	_, err = s.onAssignment(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.Role != RoleLead {
			return nil, invalid("not_lead_unit", "只有主办单位可以答复，协办单位请提交协办意见")
		}
		if as.State != AsgAccepted {
			return nil, assignmentStateRefusal(sg, as)
		}
		if err := s.allowed(a, ActReply, sg, StatusReplied); err != nil {
			return nil, err
		}
		if cfg.Settings.RequireBeforeContact {
			ok, err := tx.HasContact(ctx, a.TenantID, as.ID, ContactBefore)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, invalid("before_contact_required", "答复前须先与代表办前沟通并登记沟通记录（代表提出异议的沟通记录不计，请重新沟通并登记）")
			}
		}
		if sg.Status == StatusEscalated {
			// A second 不满意 turns the case into a face-to-face consultation: the unit
			// meets the deputy after the escalation before it answers again.
			ok, err := tx.ConsultedSinceEscalation(ctx, a.TenantID, sg.ID, as.ID)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, invalid("consultation_required", "代表两次评价不满意，本建议已转为当面协商：答复前须先与代表当面协商并登记沟通记录")
			}
		}
		now := s.now()
		r.SuggestionID, r.AssignmentID, r.UnitID, r.Round, r.RepliedAt = sg.ID, as.ID, as.UnitID, sg.Round, now
		r.OnTime = !now.After(as.DueAt)
		for _, c := range in.Commitments {
			r.Commitments = append(r.Commitments, Commitment{What: strings.TrimSpace(c.What), DueOn: c.DueOn})
		}
		publishDue, err := cfg.Calendar.Due(deadline.ClockPublish, now, cfg.Settings)
		if err != nil {
			return nil, err
		}
		if err := tx.InsertReply(ctx, a.TenantID, r, a.ID, publishDue); err != nil {
			return nil, err
		}
		ratingDue, err := cfg.Calendar.Due(deadline.ClockRating, now, cfg.Settings)
		if err != nil {
			return nil, err
		}
		as.State = AsgReplied
		sg.RepliedAt, sg.RatingDueAt = &now, &ratingDue
		return &step{action: string(ActReply), to: StatusReplied, event: EvReplied, data: map[string]any{
			"reply_id": r.ID, "class": r.Class, "round": r.Round, "unit_id": as.UnitID, "on_time": r.OnTime,
			"rating_due_at": ratingDue}}, nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// RequestExtension asks the reviewer to treat the case as complex (longer reply clock).
func (s *Service) RequestExtension(ctx context.Context, a auth.Actor, assignmentID int64, reason string) (*Extension, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	e := &Extension{Reason: strings.TrimSpace(reason), State: "pending", RequestedBy: a.ID}
	_, err := s.onAssignment(ctx, a, assignmentID, func(tx Tx, sg *Suggestion, as *Assignment) (*step, error) {
		if as.Role != RoleLead || (as.State != AsgAccepted && as.State != AsgPending) {
			return nil, newErr(ErrInvalidTransition, "extension_not_allowed", "只有办理中的主办单位可以申请延期")
		}
		if sg.Complex {
			return nil, newErr(ErrInvalidTransition, "already_complex", "该建议已按复杂建议延长办理期限")
		}
		e.SuggestionID, e.AssignmentID = sg.ID, as.ID
		if err := tx.InsertExtension(ctx, a.TenantID, e); err != nil {
			return nil, err
		}
		return &step{action: string(ActRequestExtension), to: sg.Status, event: EvExtensionRequested, reason: reason,
			data: map[string]any{"extension_id": e.ID, "assignment_id": as.ID, "unit_id": as.UnitID}}, nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// DecideExtension approves (the reply is due ComplexReplyMonths after the suggestion's first
// assignment) or rejects. Approval is refused once the reply is no longer owed (replied,
// re-routed, closed); a stale request may still be rejected.
func (s *Service) DecideExtension(ctx context.Context, a auth.Actor, extensionID int64, approve bool, reason string) (*Suggestion, error) {
	if !a.Has(auth.RoleReviewer) {
		return nil, errForbidden
	}
	if err := optionalReason(reason); err != nil {
		return nil, err
	}
	e, err := s.store.Extension(ctx, a.TenantID, extensionID)
	if err != nil {
		return nil, err
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, e.SuggestionID, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		state, act := "rejected", ActExtensionRejected
		if approve {
			state, act = "approved", ActExtensionApproved
		}
		var asg *Assignment
		if approve {
			// Only a reply still owed can be given more time: the assignment must be the
			// active one, not yet replied, on a case that is being handled.
			asgs, err := tx.Assignments(ctx, a.TenantID, sg.ID)
			if err != nil {
				return nil, err
			}
			for i := range asgs {
				if asgs[i].ID == e.AssignmentID {
					asg = &asgs[i]
				}
			}
			handling := sg.Status == StatusAssigned || sg.Status == StatusHandling ||
				sg.Status == StatusRehandling || sg.Status == StatusEscalated
			if asg == nil || !asg.Active || (asg.State != AsgPending && asg.State != AsgAccepted) || !handling {
				return nil, newErr(ErrInvalidTransition, "extension_not_allowed", "该交办已答复、已改派或已办结，不能批准延期")
			}
			if sg.AssignedAt == nil {
				return nil, wrongState(sg.Status)
			}
		}
		ok, err := tx.DecideExtension(ctx, a.TenantID, extensionID, state, a.ID, s.now())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, newErr(ErrConflict, "extension_decided", "该延期申请已处理")
		}
		data := map[string]any{"extension_id": e.ID, "decision": state, "assignment_id": e.AssignmentID}
		if approve {
			// The complex clock counts from the suggestion's first assignment, not from a
			// re-route (which gives the new assignment its own assigned_at).
			due, err := cfg.Calendar.Due(deadline.ClockReplyComplex, *sg.AssignedAt, cfg.Settings)
			if err != nil {
				return nil, err
			}
			// An extension never shortens: a category whose own clock is longer than the
			// complex one keeps its deadline.
			if due.Before(asg.DueAt) {
				due = asg.DueAt
			}
			asg.DueAt = due
			if err := tx.UpdateAssignment(ctx, asg, asg.Version); err != nil {
				return nil, err
			}
			sg.ReplyDueAt = &due
			data["due_at"] = due
			sg.Complex = true
		}
		return &step{action: string(act), to: sg.Status, event: EvExtensionDecided, reason: reason, data: data}, nil
	})
}

// ---- ratings ----------------------------------------------------------------------------

// RateReply records a deputy's 答复满意度. Every author of the suggestion may rate once per
// round while the reply awaits rating; the lead deputy's rating decides what happens next:
// satisfied → closed (or tracking when B/C commitments are open), 不满意 → rehandling, a
// second 不满意 → escalated.
func (s *Service) RateReply(ctx context.Context, a auth.Actor, id int64, r Rating, reason string) (*Suggestion, error) {
	if err := checkRating(r, reason); err != nil {
		return nil, err
	}
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		isLead, err := s.author(ctx, tx, a, sg)
		if err != nil {
			return nil, err
		}
		round := sg.Round
		if sg.Status == StatusReplied {
			// The window is the reply's (PRODUCT.md: 20 working days, then 未反馈, never
			// satisfied); past it nobody rates, not even the lead deputy whose rating would
			// still decide the case.
			if sg.RatingDueAt != nil && !s.now().Before(*sg.RatingDueAt) {
				return nil, errRatingClosed
			}
		} else {
			if isLead {
				// The lead deputy's rating moved the case on: a second one is a repeat (a
				// retry, or a second tap), not a rating that is not due.
				return nil, s.leadRatingRefusal(ctx, tx, cfg, sg)
			}
			// A co-signer keeps the reply's rating window after the lead deputy's rating has
			// moved the case on (all authors may rate; only the lead's rating decides).
			last, err := s.replyRatingOpen(ctx, tx, cfg, sg)
			if err != nil {
				return nil, err
			}
			round = last.Round
		}
		if err := tx.InsertEvaluation(ctx, a.TenantID, &Evaluation{SuggestionID: sg.ID, DeputyID: a.ID,
			Kind: EvalReply, Round: round, Rating: r, Reason: strings.TrimSpace(reason)}); err != nil {
			if errors.Is(err, ErrConflict) {
				return nil, errAlreadyRated
			}
			return nil, err
		}
		data := map[string]any{"rating": r, "round": round, "deputy_id": a.ID, "lead": isLead}
		if !isLead {
			return &step{action: string(ActRateReply), to: sg.Status, event: EvRated, reason: reason, data: data}, nil
		}
		if err := s.allowed(a, ActRateReply, sg, StatusEvaluated); err != nil {
			return nil, err
		}
		next, err := s.conclude(ctx, tx, cfg, sg, r)
		if err != nil {
			return nil, err
		}
		return &step{action: string(ActRateReply), to: StatusEvaluated, event: EvRated, reason: reason, data: data, then: next}, nil
	})
}

var (
	errRatingNotDue = newErr(ErrInvalidTransition, "rating_not_due", "当前没有待评价的答复")
	errImplNotDue   = newErr(ErrInvalidTransition, "rating_not_due", "当前没有待评价的落实情况")
	errRatingClosed = newErr(ErrInvalidTransition, "rating_closed", "答复评价期限已过")
	errAlreadyRated = newErr(ErrConflict, "already_rated", "您已评价过本轮答复")
)

// leadRatingRefusal is why the lead deputy may not rate the reply of a case that is no
// longer waiting for the rating: already_rated when the lead's rating of the latest reply is
// what moved it on, rating_closed when that reply's window has passed unrated (staff closed or
// tracked it as 未反馈), rating_not_due otherwise.
func (s *Service) leadRatingRefusal(ctx context.Context, tx Tx, cfg *TenantConfig, sg *Suggestion) error {
	last, err := tx.LatestReply(ctx, sg.TenantID, sg.ID)
	if errors.Is(err, ErrInvalidTransition) {
		return errRatingNotDue // never replied
	}
	if err != nil {
		return err
	}
	rated, err := tx.Rated(ctx, sg.TenantID, sg.ID, sg.LeadDeputyID, EvalReply, last.Round)
	if err != nil {
		return err
	}
	if rated {
		return errAlreadyRated
	}
	due, err := cfg.Calendar.Due(deadline.ClockRating, last.RepliedAt, cfg.Settings)
	if err != nil {
		return err
	}
	if !s.now().Before(due) {
		return errRatingClosed
	}
	return errRatingNotDue
}

// replyRatingOpen returns the latest reply when its rating window (the rating clock from the
// reply) is still open, for a co-signer rating after the case has moved on.
func (s *Service) replyRatingOpen(ctx context.Context, tx Tx, cfg *TenantConfig, sg *Suggestion) (*Reply, error) {
	last, err := tx.LatestReply(ctx, sg.TenantID, sg.ID)
	if errors.Is(err, ErrInvalidTransition) {
		return nil, errRatingNotDue
	}
	if err != nil {
		return nil, err
	}
	due, err := cfg.Calendar.Due(deadline.ClockRating, last.RepliedAt, cfg.Settings)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(due) {
		return nil, errRatingClosed
	}
	return last, nil
}

// implRatingWindow returns when the implementation rating of reply r closes (the clock from
// its last commitment's due date), and false when r promised nothing or a commitment is
// still open.
func implRatingWindow(cfg *TenantConfig, r *Reply) (time.Time, bool, error) {
	if len(r.Commitments) == 0 {
		return time.Time{}, false, nil
	}
	var lastDue time.Time
	for _, c := range r.Commitments {
		if c.DoneAt == nil {
			return time.Time{}, false, nil
		}
		if c.DueOn.After(lastDue) {
			lastDue = c.DueOn
		}
	}
	due, err := cfg.Calendar.Due(deadline.ClockImplRating, lastDue, cfg.Settings)
	return due, err == nil, err
}

// conclude decides the automatic follow-up of the lead deputy's reply rating.
func (s *Service) conclude(ctx context.Context, tx Tx, cfg *TenantConfig, sg *Suggestion, r Rating) (*step, error) {
	now := s.now()
	if r == Unsatisfied {
		asgs, err := tx.Assignments(ctx, sg.TenantID, sg.ID)
		if err != nil {
			return nil, err
		}
		// Escalate on the lead deputy's second 不满意 in a row: an earlier 不满意 of this case
		// since its last reopen in 回头看. The round is no guide: a reopen raises it too.
		before, err := tx.UnsatisfiedSinceReopen(ctx, sg.TenantID, sg.ID, sg.LeadDeputyID, sg.Round)
		if err != nil {
			return nil, err
		}
		unsatisfiedBefore := before > 0
		due, err := s.newRound(ctx, tx, cfg, sg, asgs)
		if err != nil {
			return nil, err
		}
		sg.RatingDueAt = nil
		data := map[string]any{"round": sg.Round, "due_at": due}
		if unsatisfiedBefore {
			return &step{action: string(ActEscalate), to: StatusEscalated, event: EvEscalated, data: data, system: true}, nil
		}
		return &step{action: string(ActRehandle), to: StatusRehandling, event: EvRehandling, data: data, system: true}, nil
	}
	last, err := tx.LatestReply(ctx, sg.TenantID, sg.ID)
	if err != nil {
		return nil, err
	}
	open := 0
	for _, c := range last.Commitments {
		if c.DoneAt == nil {
			open++
		}
	}
	sg.RatingDueAt = nil
	if (last.Class == ClassB || last.Class == ClassC) && open > 0 {
		if err := tx.OpenTracking(ctx, sg.TenantID, sg.ID, "答复承诺事项尚未完成"); err != nil {
			return nil, err
		}
		return &step{action: string(ActTrack), to: StatusTracking, event: EvTracking, system: true,
			data: map[string]any{"open_commitments": open}}, nil
	}
	sg.ClosedAt = &now
	return &step{action: string(ActClose), to: StatusClosed, event: EvClosed, system: true}, nil
}

// newRound starts another round of handling (after 不满意, or reopened in 回头看): the lead
// unit's active assignment is back in hand with the rehandle clock, and so is the suggestion.
func (s *Service) newRound(ctx context.Context, tx Tx, cfg *TenantConfig, sg *Suggestion, asgs []Assignment) (time.Time, error) {
	due, err := cfg.Calendar.Due(deadline.ClockRehandle, s.now(), cfg.Settings)
	if err != nil {
		return time.Time{}, err
	}
	sg.Round++
	for i := range asgs {
		as := &asgs[i]
		if as.Active && as.Role == RoleLead {
			as.State, as.Round, as.DueAt = AsgAccepted, sg.Round, due
			if err := tx.UpdateAssignment(ctx, as, as.Version); err != nil {
				return time.Time{}, err
			}
		}
	}
	sg.ReplyDueAt = &due
	return due, nil
}

// errCommitmentGone is what a unit gets for a commitment that is not its own: the same
// answer as for one that does not exist.
var errCommitmentGone = newErr(ErrNotFound, "commitment_not_found", "承诺事项不存在")

// CompleteCommitment is the unit reporting a promise done. When the last one is done the
// deputies are asked to rate the implementation.
func (s *Service) CompleteCommitment(ctx context.Context, a auth.Actor, commitmentID int64, note string) error {
	if err := checkText(note); err != nil {
		return err
	}
	if err := needReason(note); err != nil {
		if e, ok := err.(*Error); ok && e.Code == "reason_too_long" {
			return invalid("note_too_long", fmt.Sprintf("完成情况不能超过%d个字", MaxReason))
		}
		return invalid("note_required", "请填写完成情况")
	}
	if !a.IsUnit() {
		return errForbidden
	}
	c, suggestionID, err := s.store.Commitment(ctx, a.TenantID, commitmentID)
	if err != nil {
		return err
	}
	_, err = s.change(ctx, a, suggestionID, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		// Only the lead unit that made the promise may report it done: a co-unit (or a unit
		// the case was re-routed away from) sees the suggestion but not this commitment.
		asgs, err := tx.Assignments(ctx, a.TenantID, sg.ID)
		if err != nil {
			return nil, err
		}
		leads := false
		for _, as := range asgs {
			if as.Active && as.Role == RoleLead && as.UnitID == a.UnitID {
				leads = true
			}
		}
		last, err := tx.LatestReply(ctx, a.TenantID, sg.ID)
		if err != nil && !errors.Is(err, ErrInvalidTransition) {
			return nil, err
		}
		if !leads || last == nil || last.ID != c.ReplyID || last.UnitID != a.UnitID {
			return nil, errCommitmentGone
		}
		if sg.Status != StatusTracking && sg.Status != StatusReplied && sg.Status != StatusEvaluated {
			return nil, wrongState(sg.Status)
		}
		ok, err := tx.CompleteCommitment(ctx, a.TenantID, c.ID, strings.TrimSpace(note), s.now())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, newErr(ErrConflict, "commitment_done", "该承诺事项已标记完成")
		}
		last, err = tx.LatestReply(ctx, a.TenantID, sg.ID)
		if err != nil {
			return nil, err
		}
		open := 0
		for _, x := range last.Commitments {
			if x.DoneAt == nil {
				open++
			}
		}
		st := &step{action: string(ActCommitmentDone), to: sg.Status, event: EvCommitmentDone,
			data: map[string]any{"commitment_id": c.ID, "open_commitments": open}}
		if open == 0 && sg.Status == StatusTracking {
			st.then = &step{action: string(ActImplementationDue), to: sg.Status, event: EvImplementationDue, system: true}
		}
		return st, nil
	})
	return err
}

// RateImplementation records 落实满意度 once every commitment is done. The lead deputy's
// satisfied rating closes the case; 不满意 keeps it on the tracking list and tells the unit.
func (s *Service) RateImplementation(ctx context.Context, a auth.Actor, id int64, r Rating, reason string) (*Suggestion, error) {
	if err := checkRating(r, reason); err != nil {
		return nil, err
	}
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		isLead, err := s.author(ctx, tx, a, sg)
		if err != nil {
			return nil, err
		}
		// A co-signer keeps the implementation rating window after the lead deputy's rating
		// has closed the case; the lead rates only while it is tracked.
		if sg.Status != StatusTracking && (isLead || sg.Status != StatusClosed) {
			return nil, errImplNotDue
		}
		last, err := tx.LatestReply(ctx, a.TenantID, sg.ID)
		if errors.Is(err, ErrInvalidTransition) {
			return nil, errImplNotDue
		}
		if err != nil {
			return nil, err
		}
		for _, c := range last.Commitments {
			if c.DoneAt == nil {
				return nil, newErr(ErrInvalidTransition, "commitments_open", "承诺事项尚未全部完成，暂不能评价落实情况")
			}
		}
		if sg.Status == StatusClosed {
			due, ok, err := implRatingWindow(cfg, last)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errImplNotDue
			}
			if !s.now().Before(due) {
				return nil, newErr(ErrInvalidTransition, "rating_closed", "落实情况评价期限已过")
			}
		}
		if err := tx.InsertEvaluation(ctx, a.TenantID, &Evaluation{SuggestionID: sg.ID, DeputyID: a.ID,
			Kind: EvalImplementation, Round: last.Round, Rating: r, Reason: strings.TrimSpace(reason)}); err != nil {
			if errors.Is(err, ErrConflict) {
				return nil, newErr(ErrConflict, "already_rated", "您已评价过落实情况")
			}
			return nil, err
		}
		st := &step{action: string(ActRateImpl), to: sg.Status, event: EvImplRated, reason: reason,
			data: map[string]any{"rating": r, "deputy_id": a.ID, "lead": isLead}}
		if isLead && r == Unsatisfied && sg.Status == StatusTracking {
			// The case stays tracked, now for the deputy's verdict on the work rather than
			// for commitments still open: the tracking list says so.
			if err := tx.CloseTracking(ctx, a.TenantID, sg.ID, s.now()); err != nil {
				return nil, err
			}
			if err := tx.OpenTracking(ctx, a.TenantID, sg.ID, clip("代表对落实情况不满意："+strings.TrimSpace(reason), 200)); err != nil {
				return nil, err
			}
		}
		if isLead && r != Unsatisfied {
			now := s.now()
			if err := tx.CloseTracking(ctx, a.TenantID, sg.ID, now); err != nil {
				return nil, err
			}
			sg.ClosedAt = &now
			st.then = &step{action: string(ActImplAccept), to: StatusClosed, event: EvClosed, system: true}
		}
		return st, nil
	})
}

// ---- supervision ------------------------------------------------------------------------

// Track puts a case on the tracking list (跟踪督办) until solved.
func (s *Service) Track(ctx context.Context, a auth.Actor, id int64, version int, reason string) (*Suggestion, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActTrack, sg, StatusTracking); err != nil {
			return nil, err
		}
		// As for Close: a reply still awaiting the deputies' rating is theirs to rate first.
		if sg.Status == StatusReplied && sg.RatingDueAt != nil && s.now().Before(*sg.RatingDueAt) {
			return nil, newErr(ErrInvalidTransition, "rating_window_open", "代表评价期限未到，暂不能列入跟踪督办")
		}
		if err := tx.OpenTracking(ctx, a.TenantID, sg.ID, strings.TrimSpace(reason)); err != nil {
			return nil, err
		}
		return &step{action: string(ActTrack), to: StatusTracking, event: EvTracking, reason: reason}, nil
	})
}

// Close ends a case. From replied it is allowed only once the rating window has passed
// without a rating (counted as 未反馈, never as satisfied).
func (s *Service) Close(ctx context.Context, a auth.Actor, id int64, version int, reason string) (*Suggestion, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	return s.changeOnce(ctx, a, id, version, closedBy(a), func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActClose, sg, StatusClosed); err != nil {
			return nil, err
		}
		now := s.now()
		if sg.Status == StatusReplied && sg.RatingDueAt != nil && now.Before(*sg.RatingDueAt) {
			return nil, newErr(ErrInvalidTransition, "rating_window_open", "代表评价期限未到，暂不能办结")
		}
		if sg.Status == StatusTracking {
			if err := s.trackingClosable(ctx, tx, sg, now); err != nil {
				return nil, err
			}
		}
		if err := tx.CloseTracking(ctx, a.TenantID, sg.ID, now); err != nil {
			return nil, err
		}
		sg.ClosedAt = &now
		return &step{action: string(ActClose), to: StatusClosed, event: EvClosed, reason: reason}, nil
	})
}

// trackingClosable refuses to close a tracking case before its commitments are done and the
// lead deputy has rated the implementation, or the implementation rating window (from the
// last commitment's due date, as the reminders count it) has passed without a rating.
func (s *Service) trackingClosable(ctx context.Context, tx Tx, sg *Suggestion, now time.Time) error {
	last, err := tx.LatestReply(ctx, sg.TenantID, sg.ID)
	if errors.Is(err, ErrInvalidTransition) {
		return nil // never replied: nothing was promised, nothing to rate
	}
	if err != nil {
		return err
	}
	if len(last.Commitments) == 0 {
		return nil // nothing was promised, so the deputies are never asked to rate implementation
	}
	for _, c := range last.Commitments {
		if c.DoneAt == nil {
			return newErr(ErrInvalidTransition, "commitments_open", "承诺事项尚未全部完成，暂不能办结")
		}
	}
	rated, err := tx.Rated(ctx, sg.TenantID, sg.ID, sg.LeadDeputyID, EvalImplementation, sg.Round)
	if err != nil || rated {
		return err
	}
	cfg, err := s.store.Config(ctx, sg.TenantID)
	if err != nil {
		return err
	}
	due, _, err := implRatingWindow(cfg, last)
	if err != nil {
		return err
	}
	if now.Before(due) {
		return newErr(ErrInvalidTransition, "implementation_not_rated", "代表尚未评价落实情况且评价期限未到，暂不能办结")
	}
	return nil
}

// Reopen brings a closed case back for another round of handling (回头看), with the reason;
// likewise a tracked case (typically one whose implementation the deputy rated 不满意), which
// need not be closed first: closing it would tell the deputy the work was done.
func (s *Service) Reopen(ctx context.Context, a auth.Actor, id int64, version int, reason string) (*Suggestion, error) {
	if err := needReason(reason); err != nil {
		return nil, err
	}
	cfg, err := s.store.Config(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActReopen, sg, StatusRehandling); err != nil {
			return nil, err
		}
		asgs, err := tx.Assignments(ctx, a.TenantID, sg.ID)
		if err != nil {
			return nil, err
		}
		if sg.Status == StatusTracking {
			if err := tx.CloseTracking(ctx, a.TenantID, sg.ID, s.now()); err != nil {
				return nil, err
			}
		}
		due, err := s.newRound(ctx, tx, cfg, sg, asgs)
		if err != nil {
			return nil, err
		}
		sg.ClosedAt = nil
		return &step{action: string(ActReopen), to: StatusRehandling, event: EvReopened, reason: reason,
			data: map[string]any{"round": sg.Round, "due_at": due}}, nil
	})
}

var errMergeTarget = newErr(ErrInvalidTransition, "merge_target_invalid", "只能并入已提交、尚未答复的建议")

// mergeTarget reports whether a suggestion in status s can take in a duplicate: from its
// submission up to before its reply, so that the reply still answers every author.
func mergeTarget(s Status) bool {
	switch s {
	case StatusSubmitted, StatusRegistered, StatusAssigned, StatusHandling:
		return true
	}
	return false
}

// Merge folds a duplicate into another suggestion. Every author of the duplicate becomes a
// co-signer of the surviving one, so each still gets the reply and may rate it. version is
// the duplicate's as the reviewer saw it (-1: any): a merge decided on a page that no longer
// holds (another reviewer registered or returned the case meanwhile) is a conflict, not a
// silent undoing of their move.
func (s *Service) Merge(ctx context.Context, a auth.Actor, duplicateID, intoID int64, version int, reason string) (*Suggestion, error) {
	if duplicateID == intoID {
		return nil, invalid("merge_self", "不能与自身并案")
	}
	if err := optionalReason(reason); err != nil {
		return nil, err
	}
	into, err := s.store.Get(ctx, a.TenantID, intoID)
	if err != nil {
		return nil, err
	}
	if !mergeTarget(into.Status) {
		return nil, errMergeTarget
	}
	return s.change(ctx, a, duplicateID, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, ActMerge, sg, StatusMerged); err != nil {
			return nil, err
		}
		authors := []int64{sg.LeadDeputyID}
		cs, err := tx.Cosigners(ctx, a.TenantID, sg.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.State == "accepted" || c.State == "merged" {
				authors = append(authors, c.DeputyID)
			}
		}
		for _, d := range authors {
			if d == into.LeadDeputyID {
				continue
			}
			if _, err := tx.UpsertCosigner(ctx, a.TenantID, into.ID, d, "merged"); err != nil {
				return nil, err
			}
		}
		sg.MergedInto = into.ID
		return &step{action: string(ActMerge), to: StatusMerged, event: EvMerged, reason: reason,
			data: map[string]any{"into_id": into.ID, "deputy_ids": authors}}, nil
	})
}

// ---- machinery --------------------------------------------------------------------------

// step is what one operation does to a suggestion: the status it moves to, the audit line
// and the outbox event; then is an automatic follow-up in the same transaction.
type step struct {
	action string
	to     Status
	event  string
	reason string
	data   map[string]any
	system bool
	then   *step
}

// change loads a suggestion, lets fn mutate it, and writes it back with its audit and outbox
// rows in one transaction. version < 0 means "the version just read" (for actions whose
// caller never saw a version, such as a deputy's rating); the write is still conditional,
// so two concurrent changes can never both win.
func (s *Service) change(ctx context.Context, a auth.Actor, id int64, version int, fn func(Tx, *Suggestion) (*step, error)) (*Suggestion, error) {
	return s.changeOnce(ctx, a, id, version, nil, fn)
}

// changeOnce is change for an action that a person may send twice (a double click, a form
// sent again from the back button): when the second one fails on the version because the
// first has done the same thing, done (reading the suggestion as it is now) says so instead
// of the conflict; it returns nil when somebody else's change caused the conflict.
func (s *Service) changeOnce(ctx context.Context, a auth.Actor, id int64, version int,
	done func(context.Context, Tx, *Suggestion) error, fn func(Tx, *Suggestion) (*step, error)) (*Suggestion, error) {
	out, err := s.changeTx(ctx, a, id, version, fn)
	if err == nil || done == nil || !errors.Is(err, ErrConflict) || CodeOf(err) != "version_conflict" {
		return out, err
	}
	// A stale version, or two requests that read the same version and raced to write it.
	if derr := s.store.Tx(ctx, func(tx Tx) error {
		sg, err := s.store.Get(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		return done(ctx, tx, sg)
	}); errors.Is(derr, ErrConflict) {
		return nil, derr
	}
	return nil, err
}

// assignedBy tells actor a, whose assign failed on the version, that the suggestion was
// assigned by a's own earlier request.
func assignedBy(a auth.Actor) func(context.Context, Tx, *Suggestion) error {
	return func(ctx context.Context, tx Tx, sg *Suggestion) error {
		if sg.AssignedAt == nil || sg.Status == StatusRegistered {
			return nil
		}
		if ok, err := tx.ActedSince(ctx, sg.TenantID, sg.ID, a, ActAssign, *sg.AssignedAt); err != nil || !ok {
			return err
		}
		return newErr(ErrConflict, "already_assigned", "该建议已交办")
	}
}

// closedBy tells actor a, whose close failed on the version, that a's own earlier request
// closed the suggestion.
func closedBy(a auth.Actor) func(context.Context, Tx, *Suggestion) error {
	return func(ctx context.Context, tx Tx, sg *Suggestion) error {
		if sg.Status != StatusClosed || sg.ClosedAt == nil {
			return nil
		}
		if ok, err := tx.ActedSince(ctx, sg.TenantID, sg.ID, a, ActClose, *sg.ClosedAt); err != nil || !ok {
			return err
		}
		return newErr(ErrConflict, "already_closed", "该建议已办结")
	}
}

func (s *Service) changeTx(ctx context.Context, a auth.Actor, id int64, version int, fn func(Tx, *Suggestion) (*step, error)) (*Suggestion, error) {
	var out *Suggestion
	err := s.store.Tx(ctx, func(tx Tx) error {
		sg, err := s.store.Get(ctx, a.TenantID, id)
		if err != nil {
			return err
		}
		if ok, err := s.canSee(ctx, a, sg); err != nil {
			return err
		} else if !ok {
			return errNotFound
		}
		if version >= 0 && version != sg.Version {
			return errConflict
		}
		expect := sg.Version
		from := sg.Status
		title, body, loc := sg.Title, sg.Body, sg.Location
		st, err := fn(tx, sg)
		if err != nil {
			return err
		}
		if st == nil { // nothing changed: nothing to write
			out = sg
			return nil
		}
		text := sg.Title != title || sg.Body != body || !sg.Location.Equal(loc)
		if err := s.write(ctx, tx, a, sg, expect, from, text, st); err != nil {
			return err
		}
		if err := queueReceipt(ctx, tx, sg); err != nil {
			return err
		}
		out = sg
		return nil
	})
	return out, err
}

func (s *Service) write(ctx context.Context, tx Tx, a auth.Actor, sg *Suggestion, expect int, from Status, text bool, st *step) error {
	sg.UpdatedAt = s.now()
	events := []*step{}
	for x := st; x != nil; x = x.then {
		events = append(events, x)
	}
	sg.Status = events[len(events)-1].to
	if err := tx.UpdateSuggestion(ctx, sg, expect, text); err != nil {
		return err
	}
	prev := from
	for _, x := range events {
		actor := a
		if x.system {
			actor = auth.System(a.TenantID)
		}
		var fromS Status
		if x.to != prev {
			fromS = prev
		}
		if err := tx.Audit(ctx, s.event(actor, sg, x.action, fromS, x.to, x.reason, x.data)); err != nil {
			return err
		}
		if x.event != "" {
			payload := map[string]any{"status": x.to, "round": sg.Round, "actor_kind": actor.Kind, "actor_id": actor.ID}
			if sg.Number > 0 {
				payload["number"] = sg.Number
			}
			if x.reason != "" {
				payload["reason"] = strings.TrimSpace(x.reason)
			}
			for k, v := range x.data {
				payload[k] = v
			}
			if err := tx.Outbox(ctx, OutboxEvent{TenantID: a.TenantID, SuggestionID: sg.ID, Event: x.event, Payload: payload}); err != nil {
				return err
			}
		}
		prev = x.to
	}
	return nil
}

func (s *Service) event(a auth.Actor, sg *Suggestion, action string, from, to Status, reason string, data map[string]any) AuditEvent {
	if data == nil {
		data = map[string]any{}
	}
	if from == to {
		from = ""
	}
	return AuditEvent{TenantID: sg.TenantID, SuggestionID: sg.ID, ActorKind: string(a.Kind), ActorID: a.ID,
		Action: action, From: from, To: to, Reason: strings.TrimSpace(reason), Data: data, CreatedAt: s.now()}
}

// staffMove is a plain reviewer transition that needs a reason.
func (s *Service) staffMove(ctx context.Context, a auth.Actor, id int64, version int, act Action, to Status, ev, reason string, needR bool) (*Suggestion, error) {
	check := optionalReason
	if needR {
		check = needReason
	}
	if err := check(reason); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, func(tx Tx, sg *Suggestion) (*step, error) {
		if err := s.allowed(a, act, sg, to); err != nil {
			return nil, err
		}
		sg.StatusReason = strings.TrimSpace(reason)
		return &step{action: string(act), to: to, event: ev, reason: reason}, nil
	})
}

// allowed checks the transition table: the actor's role and the suggestion's state.
func (s *Service) allowed(a auth.Actor, act Action, sg *Suggestion, to Status) error {
	r, ok := Rules[act]
	if !ok || !contains(r.To, to) {
		return wrongState(sg.Status)
	}
	if !r.System && !a.Has(r.Roles...) {
		return errForbidden
	}
	if !contains(r.From, sg.Status) {
		return wrongState(sg.Status)
	}
	return nil
}

// onAssignment runs fn for a unit acting on its own assignment. Another unit's assignment
// is not found.
func (s *Service) onAssignment(ctx context.Context, a auth.Actor, assignmentID int64, fn func(Tx, *Suggestion, *Assignment) (*step, error)) (*Assignment, error) {
	if !a.IsUnit() {
		return nil, errForbidden
	}
	return s.assignmentChange(ctx, a, assignmentID, func(as *Assignment) bool { return as.UnitID == a.UnitID && as.Active }, fn)
}

func (s *Service) onAssignmentStaff(ctx context.Context, a auth.Actor, assignmentID int64, fn func(Tx, *Suggestion, *Assignment) (*step, error)) (*Assignment, error) {
	return s.assignmentChange(ctx, a, assignmentID, func(*Assignment) bool { return a.SeesWholeTenant() }, fn)
}

func (s *Service) assignmentChange(ctx context.Context, a auth.Actor, assignmentID int64, mine func(*Assignment) bool, fn func(Tx, *Suggestion, *Assignment) (*step, error)) (*Assignment, error) {
	as, err := s.store.Assignment(ctx, a.TenantID, assignmentID)
	if err != nil {
		return nil, err
	}
	if !mine(as) {
		return nil, errAssignGone
	}
	expectAs := as.Version
	_, err = s.change(ctx, a, as.SuggestionID, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		st, err := fn(tx, sg, as)
		if err != nil {
			return nil, err
		}
		if err := tx.UpdateAssignment(ctx, as, expectAs); err != nil {
			return nil, err
		}
		return st, nil
	})
	if err != nil {
		return nil, err
	}
	return as, nil
}

// author reports whether the deputy is the lead author (true) or a co-author (false) of the
// suggestion; anybody else may not rate.
func (s *Service) author(ctx context.Context, tx Tx, a auth.Actor, sg *Suggestion) (bool, error) {
	if sg.LeadDeputyID == a.ID {
		return true, nil
	}
	rel, _, err := s.store.Relation(ctx, a.TenantID, sg.ID, a.ID, 0)
	if err != nil {
		return false, err
	}
	if rel == "accepted" || rel == "merged" {
		return false, nil
	}
	return false, newErr(ErrForbidden, "not_an_author", "只有领衔代表和联名代表可以评价")
}

func checkRating(r Rating, reason string) error {
	if err := checkText(reason); err != nil {
		return err
	}
	if !r.Valid() {
		return invalid("bad_rating", "评价须为满意、基本满意或不满意")
	}
	if r == Unsatisfied && blank(reason) {
		return invalid("reason_required", "评价为不满意时请说明理由")
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return invalid("reason_too_long", fmt.Sprintf("理由不能超过%d个字", MaxReason))
	}
	return nil
}

// optionalReason checks a reason that may be left empty.
func optionalReason(reason string) error {
	if err := checkText(reason); err != nil {
		return err
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return invalid("reason_too_long", fmt.Sprintf("理由不能超过%d个字", MaxReason))
	}
	return nil
}

func needReason(reason string) error {
	if err := checkText(reason); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if blank(reason) {
		return invalid("reason_required", "请填写理由")
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return invalid("reason_too_long", fmt.Sprintf("理由不能超过%d个字", MaxReason))
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
