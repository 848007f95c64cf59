package appraisal

import (
	"context"
	"fmt"
	"sort"
	"time"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
)

// Limits on what staff may record.
const (
	MaxSession = 60   // the standing-committee session's name
	MaxOpinion = 5000 // 审议意见
	MaxVotes   = 1000 // votes of one hearing, in all
	MinYear    = 2000
	MaxYear    = 2100
	// Suggested is how many government departments the ranking marks for the hearings.
	Suggested = 2
	// MaxEvents bounds the audit shown on a meeting's page.
	MaxEvents = 200
)

func invalid(code, msg string) error { return &Error{Kind: ErrInvalid, Code: code, Message: msg} }

func wrongState(code, msg string) error {
	return &Error{Kind: ErrInvalidTransition, Code: code, Message: msg}
}

var (
	errForbidden = &Error{Kind: ErrForbidden, Code: "forbidden", Message: "您没有权限进行此操作"}
	errMeeting   = &Error{Kind: ErrNotFound, Code: "meeting_not_found", Message: "会议不存在"}
	errHearing   = &Error{Kind: ErrNotFound, Code: "hearing_not_found", Message: "专题工作报告记录不存在"}
	errVersion   = invalid("bad_version", "页面版本信息缺失，请刷新页面后重试")
)

// MeetingNotFound is the refusal for a meeting that is not the reader's tenant's; stores
// return it.
func MeetingNotFound() error { return errMeeting }

// HearingNotFound is the refusal for a hearing that is not there; stores return it.
func HearingNotFound() error { return errHearing }

// Conflict is the refusal for a change made on a stale page; stores return it.
func Conflict() error {
	return &Error{Kind: ErrConflict, Code: "conflict", Message: "记录已被他人修改，请刷新页面后重试"}
}

// HearingExists is the refusal for a second hearing of a unit in one meeting; stores return it.
func HearingExists() error {
	return &Error{Kind: ErrConflict, Code: "hearing_exists", Message: "该单位在本次会议已确定作专题工作报告，请在原记录上修改"}
}

// Service holds the rules: who may record hearings, votes, the 审议意见 and the feedback,
// what input is accepted, and who is told.
type Service struct {
	store   Store
	ratings Ratings
	now     func() time.Time
	teller  notify.Teller // the zero Teller tells nobody
}

// NewService builds the service over the statistics that count the 双测评 results; now nil
// means the wall clock.
func NewService(store Store, ratings Ratings, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, ratings: ratings, now: now}
}

// supervisor reports whether a may run the appraisal: the standing committee's and the
// government office's staff (reviewer, coordinator, leader, admin), as internal/supervise
// decides who supervises. Units and committees may not.
func supervisor(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && a.Has(auth.RoleReviewer, auth.RoleCoordinator, auth.RoleLeader, auth.RoleAdmin)
}

// CanManage reports whether a may see and run the appraisal pages (the console asks, to
// offer them).
func CanManage(a auth.Actor) bool { return supervisor(a) }

// Meetings lists the meetings an appraisal may be about, newest first; unit staff read them
// to pick a meeting on their own page.
func (s *Service) Meetings(ctx context.Context, a auth.Actor) ([]Meeting, error) {
	if !supervisor(a) && !a.IsUnit() {
		return nil, errForbidden
	}
	return s.store.Meetings(ctx, a.TenantID)
}

// meeting reads the meeting a supervisor acts on; anyone else is refused.
func (s *Service) meeting(ctx context.Context, a auth.Actor, id int64) (*Meeting, error) {
	if !supervisor(a) {
		return nil, errForbidden
	}
	if id <= 0 {
		return nil, errMeeting
	}
	return s.store.Meeting(ctx, a.TenantID, id)
}

// Overview is a meeting's appraisal page: its units ranked by the suggestions they handle,
// the two government departments that handle the most marked, the hearings and the audit.
func (s *Service) Overview(ctx context.Context, a auth.Actor, meetingID int64) (*Overview, error) {
	m, err := s.meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	o := &Overview{Meeting: *m}
	if o.Candidates, err = s.store.Candidates(ctx, a.TenantID, m.ID); err != nil {
		return nil, fmt.Errorf("rank units of meeting %d: %w", m.ID, err)
	}
	if o.Hearings, err = s.store.Hearings(ctx, a.TenantID, m.ID, 0); err != nil {
		return nil, fmt.Errorf("hearings of meeting %d: %w", m.ID, err)
	}
	if o.Events, err = s.store.Events(ctx, a.TenantID, m.ID, MaxEvents); err != nil {
		return nil, fmt.Errorf("appraisal audit of meeting %d: %w", m.ID, err)
	}
	Rank(o.Candidates)
	heard := map[int64]int64{}
	for _, h := range o.Hearings {
		heard[h.UnitID] = h.ID
	}
	for i := range o.Candidates {
		o.Candidates[i].HearingID = heard[o.Candidates[i].UnitID]
	}
	return o, nil
}

// Rank orders units by the suggestions they handle (then by those they lead, then by
// name) and marks the first Suggested government departments that handle any.
func Rank(cs []Candidate) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		if a.Lead != b.Lead {
			return a.Lead > b.Lead
		}
		return a.UnitName < b.UnitName
	})
	n := 0
	for i := range cs {
		cs[i].Suggested = n < Suggested && cs[i].UnitKind == "government" && cs[i].Total > 0
		if cs[i].Suggested {
			n++
		}
	}
}

// RecordHearing chooses a unit (an active unit of the tenant) to report on its handling work
// to a standing-committee session; the unit's staff are told.
func (s *Service) RecordHearing(ctx context.Context, a auth.Actor, meetingID int64, in HearingInput) (*Hearing, error) {
	m, err := s.meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	if in.UnitID <= 0 {
		return nil, invalid("unit_required", "请选择作专题工作报告的单位")
	}
	if err := checkHearing(&in); err != nil {
		return nil, err
	}
	ok, err := s.store.ActiveUnit(ctx, a.TenantID, in.UnitID)
	if err != nil {
		return nil, fmt.Errorf("check unit %d: %w", in.UnitID, err)
	}
	if !ok {
		return nil, invalid("unknown_unit", "所选单位不存在或已停用")
	}
	h := &Hearing{MeetingID: m.ID, MeetingName: m.Name, UnitID: in.UnitID, Session: in.Session, HeldOn: in.HeldOn}
	jobs, err := s.store.InsertHearing(ctx, a.TenantID, h, a.ID, s.now(), func() *notify.Notices {
		return s.teller.Notices().Add(a.TenantID, 0, fmt.Sprintf("appraisal:hearing:%d:chosen", h.ID), chosen(h))
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	return s.store.Hearing(ctx, a.TenantID, m.ID, h.ID)
}

// EditHearing corrects the session and the date of a hearing (the unit stays: a hearing of
// another unit is another record). Once the vote is recorded the date may not move after
// the day it was (a vote is taken at the hearing or after it). Its staff are told of a new
// date or session only when no vote was taken yet.
func (s *Service) EditHearing(ctx context.Context, a auth.Actor, meetingID, id int64, version int, in HearingInput) (*Hearing, error) {
	h, err := s.hearing(ctx, a, meetingID, id, version)
	if err != nil {
		return nil, err
	}
	if err := checkHearing(&in); err != nil {
		return nil, err
	}
	if in.Session == h.Session && in.HeldOn.Equal(h.HeldOn) {
		return h, nil
	}
	if h.Vote != nil && h.VotedAt != nil {
		if votedOn := deadline.DateOf(*h.VotedAt); in.HeldOn.After(votedOn) {
			return nil, invalid("held_after_vote", "满意度测评结果已于"+day(votedOn)+"录入，会议日期不能改到测评之后")
		}
	}
	ev := Event{ActorID: a.ID, Action: ActHearingEdited, Data: map[string]any{
		"from": map[string]any{"session": h.Session, "held_on": day(h.HeldOn)},
		"to":   map[string]any{"session": in.Session, "held_on": day(in.HeldOn)}}}
	h.Session, h.HeldOn, h.Version = in.Session, in.HeldOn, version
	jobs, err := s.store.UpdateHearing(ctx, a.TenantID, h, ev, s.now(), func() *notify.Notices {
		if h.Vote != nil {
			return nil
		}
		return s.teller.Notices().Add(a.TenantID, 0, fmt.Sprintf("appraisal:hearing:%d:chosen:v%d", h.ID, version+1), chosen(h))
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	return s.store.Hearing(ctx, a.TenantID, meetingID, id)
}

// RecordVote records (or corrects) the committee's vote on a hearing once it was held; the
// unit's staff are told the result, and again when it is corrected.
func (s *Service) RecordVote(ctx context.Context, a auth.Actor, meetingID, id int64, version int, v Vote) (*Hearing, error) {
	h, err := s.hearing(ctx, a, meetingID, id, version)
	if err != nil {
		return nil, err
	}
	if err := checkVote(v); err != nil {
		return nil, err
	}
	if deadline.DateOf(s.now()).Before(h.HeldOn) {
		return nil, wrongState("not_held", "专题工作报告尚未举行（会议日期 "+day(h.HeldOn)+"），会后才能录入测评结果")
	}
	if h.Vote != nil && *h.Vote == v {
		return h, nil
	}
	corrected := h.Vote != nil
	ev := Event{ActorID: a.ID, Action: ActVoteRecorded, Data: map[string]any{"to": voteData(v)}}
	if corrected {
		ev = Event{ActorID: a.ID, Action: ActVoteCorrected, Data: map[string]any{"from": voteData(*h.Vote), "to": voteData(v)}}
	}
	h.Vote, h.Version = &v, version
	jobs, err := s.store.UpdateHearing(ctx, a.TenantID, h, ev, s.now(), func() *notify.Notices {
		return s.teller.Notices().Add(a.TenantID, 0, fmt.Sprintf("appraisal:hearing:%d:vote:v%d", h.ID, version+1), voted(h, corrected))
	})
	if err != nil {
		return nil, err
	}
	s.teller.Queue(ctx, jobs)
	return s.store.Hearing(ctx, a.TenantID, meetingID, id)
}

// hearing reads a hearing of the meeting for a supervisor about to change it at version.
func (s *Service) hearing(ctx context.Context, a auth.Actor, meetingID, id int64, version int) (*Hearing, error) {
	if _, err := s.meeting(ctx, a, meetingID); err != nil {
		return nil, err
	}
	if id <= 0 {
		return nil, errHearing
	}
	h, err := s.store.Hearing(ctx, a.TenantID, meetingID, id)
	if err != nil {
		return nil, err
	}
	if version <= 0 {
		return nil, errVersion
	}
	if version != h.Version {
		return nil, Conflict()
	}
	return h, nil
}

func voteData(v Vote) map[string]any {
	return map[string]any{"satisfied": v.Satisfied, "basic": v.Basic, "unsatisfied": v.Unsatisfied}
}

// checkVote refuses negative counts, an empty vote and more votes than any committee casts.
func checkVote(v Vote) error {
	switch {
	case v.Satisfied < 0 || v.Basic < 0 || v.Unsatisfied < 0:
		return invalid("bad_vote", "票数不能为负数")
	case v.Satisfied > MaxVotes || v.Basic > MaxVotes || v.Unsatisfied > MaxVotes || v.Total() > MaxVotes:
		return invalid("vote_too_many", fmt.Sprintf("测评票数合计不能超过%d票，请核对", MaxVotes))
	case v.Total() == 0:
		return invalid("vote_empty", "请填写满意、基本满意、不满意的票数（合计须大于0）")
	}
	return nil
}

// checkHearing cleans and checks the session and the date.
func checkHearing(in *HearingInput) error {
	var err error
	if in.Session, err = apperr.Text(in.Session, MaxSession, "session_too_long", "常委会会议名称", true); err != nil {
		return err
	}
	if in.Session == "" {
		return invalid("session_required", "请填写听取报告的常委会会议，如“市十届人大常委会第二十次会议”")
	}
	if in.HeldOn.IsZero() {
		return invalid("held_on_required", "请填写会议日期")
	}
	in.HeldOn = deadline.DateOf(in.HeldOn)
	if y := in.HeldOn.Year(); y < MinYear || y > MaxYear {
		return invalid("bad_held_on", fmt.Sprintf("会议日期须在%d年至%d年之间", MinYear, MaxYear))
	}
	return nil
}

// SetOpinion records (or corrects) the standing committee's 审议意见 on the government's
// report; after the feedback was sent the page says it changed since.
func (s *Service) SetOpinion(ctx context.Context, a auth.Actor, meetingID int64, version int, opinion string) (*Feedback, error) {
	m, err := s.meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	if version < 0 {
		return nil, errVersion
	}
	if opinion, err = apperr.Text(opinion, MaxOpinion, "opinion_too_long", "审议意见", false); err != nil {
		return nil, err
	}
	if opinion == "" {
		return nil, invalid("opinion_required", "请填写常委会审议意见")
	}
	f, err := s.store.Feedback(ctx, a.TenantID, m.ID)
	if err != nil {
		return nil, err
	}
	if f.Version != version {
		return nil, Conflict()
	}
	if f.Opinion == opinion {
		return f, nil
	}
	ev := Event{ActorID: a.ID, Action: ActOpinionRecorded, Data: map[string]any{"from": f.Opinion, "to": opinion, "after_sent": f.Sent()}}
	if err := s.store.SetOpinion(ctx, a.TenantID, m.ID, version, opinion, ev, s.now()); err != nil {
		return nil, err
	}
	return s.store.Feedback(ctx, a.TenantID, m.ID)
}

// MarkSent records that the 审议意见 and the 双测评 results went to the city government on
// sentOn, and tells each unit leading suggestions rated 不满意 how many it must take up again
// (回头看): the feedback is marked sent together with these notices, or neither is. Sending
// again changes nothing and tells nobody (Sending.Sent is false).
func (s *Service) MarkSent(ctx context.Context, a auth.Actor, meetingID int64, version int, sentOn time.Time) (Sending, error) {
	m, err := s.meeting(ctx, a, meetingID)
	if err != nil {
		return Sending{}, err
	}
	f, err := s.store.Feedback(ctx, a.TenantID, m.ID)
	if err != nil {
		return Sending{}, err
	}
	if f.Sent() {
		return Sending{}, nil
	}
	if version <= 0 {
		return Sending{}, errVersion
	}
	if sentOn.IsZero() {
		return Sending{}, invalid("sent_on_required", "请填写反馈市政府的日期")
	}
	sentOn = deadline.DateOf(sentOn)
	now := s.now()
	switch {
	case sentOn.Year() < MinYear || sentOn.Year() > MaxYear:
		return Sending{}, invalid("bad_sent_on", fmt.Sprintf("反馈日期须在%d年至%d年之间", MinYear, MaxYear))
	case sentOn.After(deadline.DateOf(now)):
		return Sending{}, invalid("sent_on_future", "反馈日期不能晚于今天")
	}
	if f.Opinion == "" {
		return Sending{}, wrongState("opinion_required", "请先录入常委会审议意见，再反馈市政府")
	}
	if f.Version != version {
		return Sending{}, Conflict()
	}
	cases, err := s.store.Cases(ctx, a.TenantID, m.ID, 0)
	if err != nil {
		return Sending{}, fmt.Errorf("unsatisfied cases of meeting %d: %w", m.ID, err)
	}
	byUnit := countByUnit(cases)
	ev := Event{ActorID: a.ID, Action: ActFeedbackSent, Data: map[string]any{"sent_on": day(sentOn), "cases": len(cases), "units_told": len(byUnit)}}
	sent, jobs, err := s.store.MarkSent(ctx, a.TenantID, m.ID, version, sentOn, ev, now, func() *notify.Notices {
		n := s.teller.Notices()
		for _, u := range byUnit {
			n.Add(a.TenantID, 0, fmt.Sprintf("appraisal:feedback:%d:unit:%d", m.ID, u.UnitID), reviewBackDue(m, u, sentOn))
		}
		return n
	})
	if err != nil || !sent {
		return Sending{}, err
	}
	s.teller.Queue(ctx, jobs)
	return Sending{Sent: true, Cases: len(cases), Units: len(byUnit)}, nil
}

// Sending is what MarkSent did.
type Sending struct {
	Sent  bool // false: it had been sent already, nothing changed and nobody was told
	Cases int  // suggestions rated 不满意
	Units int  // units told to take them up again
}

// countByUnit counts cases per lead unit, most first (cases without a lead unit are no
// unit's to take up).
func countByUnit(cases []Case) []UnitCases {
	idx := map[int64]int{}
	var out []UnitCases
	for _, c := range cases {
		if c.UnitID == 0 {
			continue
		}
		i, ok := idx[c.UnitID]
		if !ok {
			i = len(out)
			idx[c.UnitID] = i
			out = append(out, UnitCases{UnitID: c.UnitID, UnitName: c.UnitName})
		}
		out[i].Count++
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].UnitName < out[j].UnitName
	})
	return out
}

// Report gathers what goes to the city government for a meeting: the 审议意见, the hearings
// and their votes, the 双测评 results per lead unit (counted by internal/stats) and the
// suggestions rated 不满意 to take up again.
func (s *Service) Report(ctx context.Context, a auth.Actor, meetingID int64) (*Report, error) {
	m, err := s.meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	r := &Report{Meeting: *m, AsOf: s.now()}
	f, err := s.store.Feedback(ctx, a.TenantID, m.ID)
	if err != nil {
		return nil, err
	}
	r.Feedback = *f
	if r.Hearings, err = s.store.Hearings(ctx, a.TenantID, m.ID, 0); err != nil {
		return nil, fmt.Errorf("hearings of meeting %d: %w", m.ID, err)
	}
	if r.Ratings, err = s.ratings.Dashboard(ctx, a, stats.Filter{MeetingID: m.ID}); err != nil {
		return nil, fmt.Errorf("ratings of meeting %d: %w", m.ID, err)
	}
	if r.Cases, err = s.store.Cases(ctx, a.TenantID, m.ID, 0); err != nil {
		return nil, fmt.Errorf("unsatisfied cases of meeting %d: %w", m.ID, err)
	}
	r.ByUnit = countByUnit(r.Cases)
	return r, nil
}

// UnitView is a unit's own page: its hearings, and the suggestions it leads in a meeting
// that were rated 不满意 and must be taken up again.
type UnitView struct {
	Meetings []Meeting
	Meeting  *Meeting // the meeting shown (the current one by default); nil when none
	Hearings []Hearing
	Cases    []Case
	Sent     bool // the meeting's feedback went to the city government
}

// ForUnit is the page of the actor's unit for a meeting (0: the current or latest one).
func (s *Service) ForUnit(ctx context.Context, a auth.Actor, meetingID int64) (*UnitView, error) {
	if !a.IsUnit() {
		return nil, errForbidden
	}
	v := &UnitView{}
	var err error
	if v.Meetings, err = s.store.Meetings(ctx, a.TenantID); err != nil {
		return nil, err
	}
	for i, m := range v.Meetings {
		if m.ID == meetingID || (meetingID == 0 && (m.Current || v.Meeting == nil)) {
			v.Meeting = &v.Meetings[i]
		}
	}
	if meetingID != 0 && (v.Meeting == nil || v.Meeting.ID != meetingID) {
		return nil, errMeeting
	}
	if v.Hearings, err = s.store.Hearings(ctx, a.TenantID, 0, a.UnitID); err != nil {
		return nil, fmt.Errorf("hearings of unit %d: %w", a.UnitID, err)
	}
	if v.Meeting == nil {
		return v, nil
	}
	if v.Cases, err = s.store.Cases(ctx, a.TenantID, v.Meeting.ID, a.UnitID); err != nil {
		return nil, fmt.Errorf("unsatisfied cases of unit %d: %w", a.UnitID, err)
	}
	f, err := s.store.Feedback(ctx, a.TenantID, v.Meeting.ID)
	if err != nil {
		return nil, err
	}
	v.Sent = f.Sent()
	return v, nil
}

// day renders a calendar date (midnight UTC) as 2006-01-02.
func day(t time.Time) string { return t.Format(time.DateOnly) }
