// Package appraisal is the standing committee's yearly appraisal of the government's
// handling of deputies' suggestions, as the source case names it:
//
//   - 专题工作报告与满意度测评: each year the committee hears the two government departments
//     that handled the most suggestions of the meeting on their handling work and votes on
//     it (满意 / 基本满意 / 不满意) at a standing-committee session (Hearing, Vote);
//   - 审议意见 and 年度反馈市政府: the committee's opinion on the government's report, the
//     hearings' votes, each unit's 双测评 results and the suggestions rated 不满意 go back to
//     the city government (Feedback); each unit with such suggestions is told how many it
//     must take up again in 回头看.
package appraisal

import (
	"context"
	"fmt"
	"time"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
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

// Meeting is the 届次/会议 an appraisal belongs to.
type Meeting struct {
	ID      int64
	Name    string
	Year    int
	Current bool
}

// Vote is the committee's 满意度测评 of a unit's handling work.
type Vote struct {
	Satisfied   int // 满意
	Basic       int // 基本满意
	Unsatisfied int // 不满意
}

// Total is the number of votes cast.
func (v Vote) Total() int { return v.Satisfied + v.Basic + v.Unsatisfied }

// Rate is the vote's 满意率: (满意 + 基本满意) ÷ votes cast, PRODUCT.md's definition
// applied to the committee's votes.
func (v Vote) Rate() stats.Ratio { return stats.Ratio{Num: v.Satisfied + v.Basic, Den: v.Total()} }

// Hearing is one 专题工作报告: a unit heard at a standing-committee session about its
// handling of a meeting's suggestions, and the vote on it once recorded.
type Hearing struct {
	ID          int64
	MeetingID   int64
	MeetingName string
	UnitID      int64
	UnitName    string
	Session     string    // the standing-committee session, e.g. 市十届人大常委会第二十次会议
	HeldOn      time.Time // a calendar date (midnight UTC of the Shanghai date)
	Vote        *Vote     // nil until the vote is recorded
	VotedAt     *time.Time
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Candidate is one unit in a meeting's ranking by the suggestions it handled.
type Candidate struct {
	UnitID   int64
	UnitName string
	UnitKind string // directory.UnitKinds
	Lead     int    // suggestions it handles as 主办
	Co       int    // suggestions it handles as 协办
	Total    int    // suggestions it handles at all (a suggestion counts once)
	// Suggested marks the two government departments (政府部门) that handle the most: the
	// source case's choice for the hearings (每年选取办理代表建议较多的两个政府部门).
	Suggested bool
	HearingID int64 // its hearing of this meeting, 0 when none
}

// Event is one line of the audit: who changed what, when, from what to what.
type Event struct {
	ID        int64
	HearingID int64
	UnitName  string // the hearing's unit, "" for the feedback
	Action    string
	ActorID   int64
	ActorName string
	Data      map[string]any
	At        time.Time
}

// Audit actions.
const (
	ActHearingRecorded = "hearing_recorded"
	ActHearingEdited   = "hearing_edited"
	ActVoteRecorded    = "vote_recorded"
	ActVoteCorrected   = "vote_corrected"
	ActOpinionRecorded = "opinion_recorded"
	ActFeedbackSent    = "feedback_sent"
)

// ActionLabel is the Chinese name of an audit action.
func ActionLabel(a string) string {
	switch a {
	case ActHearingRecorded:
		return "确定专题工作报告单位"
	case ActHearingEdited:
		return "修改专题工作报告安排"
	case ActVoteRecorded:
		return "录入满意度测评结果"
	case ActVoteCorrected:
		return "更正满意度测评结果"
	case ActOpinionRecorded:
		return "录入审议意见"
	case ActFeedbackSent:
		return "反馈市政府"
	}
	return a
}

// Overview is a meeting's appraisal page: the ranking, the hearings and the audit.
type Overview struct {
	Meeting    Meeting
	Candidates []Candidate
	Hearings   []Hearing
	Events     []Event
}

// Feedback is the state of a meeting's 审议意见 and its feedback to the city government.
type Feedback struct {
	MeetingID     int64
	Opinion       string // 审议意见
	OpinionAt     *time.Time
	OpinionByName string
	SentOn        *time.Time // the calendar date it went to the city government
	SentAt        *time.Time // when it was marked sent
	SentByName    string
	Version       int // 0: nothing recorded yet
}

// Sent reports whether the feedback went to the city government.
func (f Feedback) Sent() bool { return f.SentAt != nil }

// ChangedAfterSend reports whether the 审议意见 was corrected after the feedback was sent
// (what the government received is not what the page shows).
func (f Feedback) ChangedAfterSend() bool {
	return f.SentAt != nil && f.OpinionAt != nil && f.OpinionAt.After(*f.SentAt)
}

// Rating is a lead deputy's latest rating of one kind: "satisfied", "basically_satisfied",
// "unsatisfied" or "" (none).
type Rating string

// Label is the Chinese name of a rating.
func (r Rating) Label() string {
	switch r {
	case "satisfied":
		return "满意"
	case "basically_satisfied":
		return "基本满意"
	case "unsatisfied":
		return "不满意"
	}
	return "未评价"
}

// Case is a suggestion of the meeting whose lead deputy's latest reply or implementation
// rating is 不满意 — the notion of supervise.ListReviewBack: it must be taken up again (回头看).
type Case struct {
	SuggestionID int64
	Number       int
	Title        string
	Status       string // suggestion status
	LeadDeputy   string
	UnitID       int64 // the lead unit (主办), 0 when none
	UnitName     string
	ReplyRating  Rating
	ImplRating   Rating
}

// InReviewBack reports whether the case is closed, so that it is on the reviewers' 回头看
// list (/supervise/review_back) now; an open one is still being handled (重新办理, 督办).
func (c Case) InReviewBack() bool { return c.Status == "closed" }

// UnitCases counts a unit's cases to take up again.
type UnitCases struct {
	UnitID   int64
	UnitName string
	Count    int
}

// Report is the feedback page and its workbook: everything that goes to the city
// government for a meeting.
type Report struct {
	Meeting  Meeting
	Feedback Feedback
	Hearings []Hearing
	// Ratings are the meeting's 双测评 results, counted as internal/stats counts them: the
	// totals and one row per lead unit (答复满意度 and 落实满意度 apart, class A never merged
	// with satisfied).
	Ratings *stats.Dashboard
	Cases   []Case      // rated 不满意, to take up again
	ByUnit  []UnitCases // Cases per lead unit, most first
	AsOf    time.Time
}

// HearingInput is what staff fill in to choose a unit for a hearing or to change it.
type HearingInput struct {
	UnitID  int64
	Session string
	HeldOn  time.Time // a date; its year, month and day are read in Shanghai
}

// Store is the persistence of this package; storage/postgres implements it. Every method is
// scoped by tenant; a row of another tenant is not found.
type Store interface {
	// Meeting returns the tenant's meeting, or ErrNotFound.
	Meeting(ctx context.Context, tenantID, id int64) (*Meeting, error)
	// Meetings lists the tenant's meetings, newest first.
	Meetings(ctx context.Context, tenantID int64) ([]Meeting, error)
	// Candidates ranks the tenant's active units by the meeting's suggestions they handle
	// (active assignments, merged suggestions left out), most first.
	Candidates(ctx context.Context, tenantID, meetingID int64) ([]Candidate, error)
	// ActiveUnit reports whether the unit is one of the tenant's active units.
	ActiveUnit(ctx context.Context, tenantID, unitID int64) (bool, error)
	// Hearings lists hearings by held date: of a meeting (meetingID not 0), of a unit (unitID
	// not 0), or both.
	Hearings(ctx context.Context, tenantID, meetingID, unitID int64) ([]Hearing, error)
	// Hearing returns one hearing of the meeting, or ErrNotFound.
	Hearing(ctx context.Context, tenantID, meetingID, id int64) (*Hearing, error)
	// InsertHearing stores a new hearing (version 1) with its audit event and sets h.ID,
	// h.Version, h.CreatedAt and h.UpdatedAt; a second hearing of the unit in the meeting is
	// ErrConflict. In the same transaction, once h has its id, it publishes the notices tell
	// builds (nil: none) and returns their pushes, to queue after commit.
	InsertHearing(ctx context.Context, tenantID int64, h *Hearing, by int64, at time.Time, tell Tell) ([]notify.Job, error)
	// UpdateHearing rewrites the session, date and vote of a hearing at version (h.Version)
	// with the audit event ev and the notices of tell, and bumps the version; a changed
	// version is ErrConflict.
	UpdateHearing(ctx context.Context, tenantID int64, h *Hearing, ev Event, at time.Time, tell Tell) ([]notify.Job, error)
	// Events lists the meeting's audit, newest first.
	Events(ctx context.Context, tenantID, meetingID int64, limit int) ([]Event, error)

	// Feedback returns the meeting's feedback (Version 0 when nothing was recorded).
	Feedback(ctx context.Context, tenantID, meetingID int64) (*Feedback, error)
	// SetOpinion stores the 审议意见 at version (0: none recorded yet) with the audit event
	// ev; a changed version is ErrConflict.
	SetOpinion(ctx context.Context, tenantID, meetingID int64, version int, opinion string, ev Event, at time.Time) error
	// MarkSent records that the feedback went to the city government on sentOn, at version,
	// with the audit event ev and the notices of tell. It reports false (and changes and
	// tells nothing) when it was sent already; a changed version of an unsent feedback is
	// ErrConflict.
	MarkSent(ctx context.Context, tenantID, meetingID int64, version int, sentOn time.Time, ev Event, at time.Time, tell Tell) (bool, []notify.Job, error)
	// Cases lists the meeting's suggestions whose lead deputy's latest reply or
	// implementation rating is 不满意, by number; unitID not 0 keeps those it leads.
	Cases(ctx context.Context, tenantID, meetingID, unitID int64) ([]Case, error)
}

// Tell builds, inside the transaction that saves a record (once the record has its id), the
// notices the store publishes with it: the record and its notices commit together or not at
// all. A nil Tell, or a nil result, tells nobody.
type Tell = func() *notify.Notices

// Ratings counts the 双测评 results as the statistics do; stats.Service implements it.
type Ratings interface {
	Dashboard(ctx context.Context, a auth.Actor, f stats.Filter) (*stats.Dashboard, error)
}

// ActionLabel is the Chinese name of the event's action.
func (e Event) ActionLabel() string { return ActionLabel(e.Action) }

// Detail says in words what an audit event changed.
func (e Event) Detail() string {
	str := func(m map[string]any, k string) string {
		if m == nil {
			return ""
		}
		s, _ := m[k].(string)
		return s
	}
	num := func(m map[string]any, k string) int {
		f, _ := m[k].(float64) // JSON numbers
		if n, ok := m[k].(int); ok {
			return n
		}
		return int(f)
	}
	sub := func(k string) map[string]any {
		m, _ := e.Data[k].(map[string]any)
		return m
	}
	vote := func(m map[string]any) string {
		v := Vote{Satisfied: num(m, "satisfied"), Basic: num(m, "basic"), Unsatisfied: num(m, "unsatisfied")}
		return fmt.Sprintf("满意%d、基本满意%d、不满意%d（满意率%s）", v.Satisfied, v.Basic, v.Unsatisfied, v.Rate().Percent())
	}
	hearing := func(m map[string]any) string { return str(m, "session") + "，" + str(m, "held_on") }
	switch e.Action {
	case ActHearingRecorded:
		return hearing(e.Data)
	case ActHearingEdited:
		return hearing(sub("from")) + " → " + hearing(sub("to"))
	case ActVoteRecorded:
		return vote(sub("to"))
	case ActVoteCorrected:
		return vote(sub("from")) + " → " + vote(sub("to"))
	case ActOpinionRecorded:
		s := "审议意见"
		if str(e.Data, "from") != "" {
			s = "更正审议意见"
		}
		if after, _ := e.Data["after_sent"].(bool); after {
			s += "（反馈市政府后修改）"
		}
		return s
	case ActFeedbackSent:
		return fmt.Sprintf("反馈日期%s；测评不满意建议%d件，已通知%d个承办单位", str(e.Data, "sent_on"), num(e.Data, "cases"), num(e.Data, "units_told"))
	}
	return ""
}
