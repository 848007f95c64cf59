package suggestion

import (
	"fmt"
	"time"
)

// Mode is the handling mode (四办) chosen at assignment.
type Mode string

const (
	ModeNormal    Mode = "normal"
	ModeLeaderLed Mode = "leader_led"
	ModeFastTrack Mode = "fast_track"
	ModeJoint     Mode = "joint"
)

// Label is the Chinese name of the mode.
func (m Mode) Label() string {
	switch m {
	case ModeLeaderLed:
		return "领导领办"
	case ModeFastTrack:
		return "部门快办"
	case ModeJoint:
		return "协同联办"
	}
	return "常规办理"
}

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool {
	return m == ModeNormal || m == ModeLeaderLed || m == ModeFastTrack || m == ModeJoint
}

// Suggestion is one row of suggestions.
type Suggestion struct {
	TenantID     int64
	ID           int64
	MeetingID    int64
	Number       int // 0 until registered
	LeadDeputyID int64
	Title        string
	Body         string
	CategoryID   int64
	Status       Status
	Mode         Mode
	IsKey        bool
	LeaderUserID int64
	Complex      bool
	InRecess     bool
	Round        int
	Location     Location
	ContentFlag  string // "" or "review" when WeChat's text check asked for a human look
	MergedInto   int64
	StatusReason string
	ReplyDueAt   *time.Time
	RatingDueAt  *time.Time
	Version      int
	SubmittedAt  *time.Time
	RegisteredAt *time.Time
	AssignedAt   *time.Time
	RepliedAt    *time.Time
	ClosedAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// HasCosigners: a deputy was asked to co-sign it at some point (whatever the answer),
	// so a change to it concerns more lists than its lead deputy's.
	HasCosigners bool
}

// NumberLabel renders the per-meeting number the way committees write it: 第0012号.
func (s *Suggestion) NumberLabel() string {
	if s.Number == 0 {
		return ""
	}
	return fmt.Sprintf("第%04d号", s.Number)
}

// Location is where a 随手拍 or a suggestion is about.
type Location struct {
	Lat     *float64
	Lng     *float64
	Address string
}

// Equal reports whether two locations hold the same place.
func (l Location) Equal(o Location) bool {
	same := func(a, b *float64) bool { return a == b || a != nil && b != nil && *a == *b }
	return same(l.Lat, o.Lat) && same(l.Lng, o.Lng) && l.Address == o.Address
}

// Cosigner is a co-signing deputy (联名代表). State invited/accepted/declined/merged; merged
// marks the author of a duplicate that was merged in, who still gets the reply and may rate.
type Cosigner struct {
	DeputyID int64
	Name     string
	State    string
}

// AssignmentRole is lead (主办) or co (协办).
type AssignmentRole string

const (
	RoleLead AssignmentRole = "lead"
	RoleCo   AssignmentRole = "co"
)

// AssignmentState is the per-unit state of an assignment.
type AssignmentState string

const (
	AsgPending         AssignmentState = "pending"
	AsgAccepted        AssignmentState = "accepted"
	AsgReturnRequested AssignmentState = "return_requested"
	AsgReassigned      AssignmentState = "reassigned"
	AsgOpinionSent     AssignmentState = "opinion_sent"
	AsgReplied         AssignmentState = "replied"
	// AsgWithdrawn is a co-unit's assignment whose return request the reviewer granted
	// without naming another unit: the co-unit is off the case and nobody takes its place.
	AsgWithdrawn AssignmentState = "withdrawn"
)

// AssignmentStates lists every assignment state; the Postgres enum assignment_state holds
// the same values.
var AssignmentStates = []AssignmentState{AsgPending, AsgAccepted, AsgReturnRequested, AsgReassigned,
	AsgOpinionSent, AsgReplied, AsgWithdrawn}

// Label is the Chinese name of an assignment state.
func (s AssignmentState) Label() string {
	switch s {
	case AsgPending:
		return "待签收"
	case AsgAccepted:
		return "办理中"
	case AsgReturnRequested:
		return "申请退回"
	case AsgReassigned:
		return "已改派"
	case AsgOpinionSent:
		return "已提交协办意见"
	case AsgReplied:
		return "已答复"
	case AsgWithdrawn:
		return "已撤回协办"
	}
	return string(s)
}

// Chain is the 两抓一办 responsibility chain of a joint case, with the 办理工作方案 the
// government draws up for it: who answers for the case and how the units share the work.
// It is set at assignment (the names on the lead unit's assignment, the plan on every unit's:
// assignments.chain), so the lead unit, the co-units and the 督查室 read the same plan; each
// unit may name its own people when it signs.
type Chain struct {
	Principal string `json:"principal,omitempty"` // 主要领导
	InCharge  string `json:"in_charge,omitempty"` // 分管领导
	Handler   string `json:"handler,omitempty"`   // 经办人
	Plan      string `json:"plan,omitempty"`      // 办理工作方案 (required for joint)
}

// MaxPlan bounds the 办理工作方案: a page of text, not an attached document.
const MaxPlan = 2000

// Assignment is one unit's share of a suggestion.
type Assignment struct {
	TenantID      int64
	ID            int64
	SuggestionID  int64
	UnitID        int64
	UnitName      string
	Role          AssignmentRole
	State         AssignmentState
	Active        bool
	Round         int
	AssignedAt    time.Time
	DueAt         time.Time
	ReturnDueAt   time.Time
	AcceptedAt    *time.Time
	ContactDueAt  *time.Time
	HandlerUserID int64
	HandlerName   string
	HandlerPhone  string
	Chain         Chain
	ReturnReason  string
	ReplacedBy    int64
	Version       int
}

// Withdrawable reports whether the reviewer may grant the assignment's return request without
// a replacement (WithdrawCoUnit): only a co-unit's pending request can be, since a suggestion
// always keeps its lead unit.
func (a *Assignment) Withdrawable() bool {
	return a.Active && a.Role == RoleCo && a.State == AsgReturnRequested
}

// ContactStage is one of the 三见面.
type ContactStage string

const (
	ContactBefore ContactStage = "before"
	ContactDuring ContactStage = "during"
	ContactAfter  ContactStage = "after"
)

// Label is the Chinese name of the stage.
func (c ContactStage) Label() string {
	switch c {
	case ContactBefore:
		return "办前沟通"
	case ContactDuring:
		return "办中征求意见"
	case ContactAfter:
		return "办后回访"
	}
	return string(c)
}

// Contact is one recorded meeting between the unit and the deputy.
type Contact struct {
	ID            int64
	SuggestionID  int64
	AssignmentID  int64
	Stage         ContactStage
	HappenedAt    time.Time
	Method        string
	People        string
	Summary       string
	RecordedBy    int64
	Confirmation  string // pending / confirmed / disputed
	DeputyComment string
	ConfirmedAt   *time.Time
	CreatedAt     time.Time
}

// ReplyClass is A/B/C/D.
type ReplyClass string

const (
	ClassA ReplyClass = "A"
	ClassB ReplyClass = "B"
	ClassC ReplyClass = "C"
	ClassD ReplyClass = "D"
)

// DefaultClassLabels are PRODUCT.md's labels; tenants may configure their own.
var DefaultClassLabels = map[ReplyClass]string{
	ClassA: "已解决或基本解决",
	ClassB: "正在解决或列入计划逐步解决",
	ClassC: "因条件限制需待以后解决",
	ClassD: "留作参考",
}

// Reply is the unit's formal answer for one round.
type Reply struct {
	ID           int64
	SuggestionID int64
	AssignmentID int64
	UnitID       int64
	UnitName     string
	Round        int
	Class        ReplyClass
	ClassLabel   string // the tenant's label of Class, set by Service.Detail
	Body         string
	DocumentKey  string
	RepliedAt    time.Time
	OnTime       bool
	PublishedAt  *time.Time // 答复公开: shown on the tenant's public page since then
	Commitments  []Commitment
}

// ForwardedOpinion is a 不予立案 submission forwarded to a unit as an opinion letter (意见函).
type ForwardedOpinion struct {
	SuggestionID int64
	Title        string
	LeadName     string
	Reason       string // why it was not registered
	ForwardedAt  time.Time
}

// PublishedReply is a reply as the public page shows it: no deputy, no handler, and phone
// and identity numbers in the texts masked (MaskPersonal).
type PublishedReply struct {
	TenantID    int64
	ID          int64
	Number      int
	Title       string
	Category    string
	UnitName    string
	Class       ReplyClass
	Body        string
	RepliedAt   time.Time
	PublishedAt time.Time
}

// Commitment is a promise in a reply: what will be done by when.
type Commitment struct {
	ID       int64
	ReplyID  int64
	What     string
	DueOn    time.Time // a date, midnight Shanghai
	DoneAt   *time.Time
	DoneNote string
}

// Rating is a deputy's verdict.
type Rating string

const (
	Satisfied          Rating = "satisfied"
	BasicallySatisfied Rating = "basically_satisfied"
	Unsatisfied        Rating = "unsatisfied"
)

// Valid reports whether r is one of the three ratings.
func (r Rating) Valid() bool {
	return r == Satisfied || r == BasicallySatisfied || r == Unsatisfied
}

// Label is the Chinese name of the rating.
func (r Rating) Label() string {
	switch r {
	case Satisfied:
		return "满意"
	case BasicallySatisfied:
		return "基本满意"
	case Unsatisfied:
		return "不满意"
	}
	return string(r)
}

// EvaluationKind is reply (答复满意度) or implementation (落实满意度).
type EvaluationKind string

const (
	EvalReply          EvaluationKind = "reply"
	EvalImplementation EvaluationKind = "implementation"
)

// Evaluation is one deputy's rating of one round.
type Evaluation struct {
	ID           int64
	SuggestionID int64
	DeputyID     int64
	DeputyName   string // the rater, for staff pages (read with the detail)
	Kind         EvaluationKind
	Round        int
	Rating       Rating
	Reason       string
	CreatedAt    time.Time
}

// ProgressNote is a unit's or staff member's progress update; private notes never reach deputies.
type ProgressNote struct {
	ID           int64
	SuggestionID int64
	AssignmentID int64
	AuthorUserID int64
	Body         string
	Private      bool
	CreatedAt    time.Time
}

// CoOpinion is a co-unit's opinion to the lead unit.
type CoOpinion struct {
	ID           int64
	AssignmentID int64
	UnitID       int64
	UnitName     string
	Body         string
	CreatedAt    time.Time
}

// Extension is a request to treat the case as complex (6 months instead of 3).
type Extension struct {
	ID           int64
	SuggestionID int64
	AssignmentID int64
	Reason       string
	State        string
	RequestedBy  int64
	RequestedAt  time.Time
	DecidedAt    *time.Time
}

// AuditEvent is one line of a suggestion's timeline.
type AuditEvent struct {
	ID           int64
	TenantID     int64
	SuggestionID int64
	ActorKind    string
	ActorID      int64
	// ActorName and ActorUnit are who acted, as a staff reader's detail names them (Store.
	// ActorNames): a staff user's display name and, for a unit's staff, the unit's name; a
	// deputy's name. Empty for the system, for an actor no longer on record, and on a
	// deputy's detail.
	ActorName string
	ActorUnit string
	Action    string
	From      Status
	To        Status
	Reason    string
	Data      map[string]any
	CreatedAt time.Time
}

// Moved reports whether the event changed the suggestion's status (From is set only then).
func (e AuditEvent) Moved() bool { return e.From != "" && e.From != e.To }

// Supervision reports a progress note written by staff other than the handling unit's (a
// leader, a reviewer, the committee): a 督办意见, which the unit is told about. AddProgress
// records by_unit with the note; an older event is told by its author having no unit.
func (e AuditEvent) Supervision() bool {
	if e.Action != string(ActProgress) {
		return false
	}
	if byUnit, ok := e.Data["by_unit"].(bool); ok {
		return !byUnit
	}
	return e.ActorKind == "staff" && e.ActorUnit == ""
}

// ActorLabel is who acted, as a timeline shows it: 姓名（单位） for a unit's staff, the name
// for other staff, 姓名（代表） for a deputy, 系统 for the system's automatic follow-ups.
func (e AuditEvent) ActorLabel() string {
	switch e.ActorKind {
	case "system":
		return "系统"
	case "deputy":
		if e.ActorName == "" {
			return "代表"
		}
		return e.ActorName + "（代表）"
	}
	name := e.ActorName
	if name == "" {
		name = "工作人员"
	}
	if e.ActorUnit != "" {
		return name + "（" + e.ActorUnit + "）"
	}
	return name
}

// OutboxEvent is a side effect committed with the state change and relayed to the queue.
type OutboxEvent struct {
	TenantID     int64
	SuggestionID int64
	Event        string
	Payload      map[string]any
}

// Outbox event names; the notify package turns each into notices.
const (
	EvSubmitted          = "suggestion.submitted"
	EvReturned           = "suggestion.returned"
	EvNotRegistered      = "suggestion.not_registered"
	EvRegistered         = "suggestion.registered"
	EvAssigned           = "suggestion.assigned"
	EvAccepted           = "assignment.accepted"
	EvReturnRequested    = "assignment.return_requested"
	EvReturnDecided      = "assignment.return_decided"
	EvContactRecorded    = "contact.recorded"
	EvContactConfirmed   = "contact.confirmed"
	EvContactDisputed    = "contact.disputed"
	EvProgress           = "suggestion.progress"
	EvCoOpinion          = "assignment.co_opinion"
	EvReplied            = "suggestion.replied"
	EvRated              = "suggestion.rated"
	EvUnsatisfied        = "suggestion.unsatisfied"
	EvRehandling         = "suggestion.rehandling"
	EvEscalated          = "suggestion.escalated"
	EvTracking           = "suggestion.tracking"
	EvCommitmentDone     = "commitment.done"
	EvImplementationDue  = "suggestion.implementation_due"
	EvImplRated          = "suggestion.implementation_rated"
	EvClosed             = "suggestion.closed"
	EvReopened           = "suggestion.reopened"
	EvReopenRequested    = "suggestion.reopen_requested"
	EvMerged             = "suggestion.merged"
	EvExtensionRequested = "extension.requested"
	EvExtensionDecided   = "extension.decided"
	EvCosignInvited      = "cosign.invited"
)

// Detail is everything a timeline page shows about one suggestion.
type Detail struct {
	Suggestion  Suggestion
	LeadName    string
	Category    string
	Cosigners   []Cosigner
	Assignments []Assignment
	Contacts    []Contact
	Progress    []ProgressNote
	CoOpinions  []CoOpinion
	Replies     []Reply
	Evaluations []Evaluation
	Extensions  []Extension
	Timeline    []AuditEvent
	HasPhotos   bool // photos are attached (internal/media reads them)

	// For a deputy reading the page: when set, they may rate the latest reply (or its
	// implementation) now, and the time is when that rating window closes. A reply is never
	// offered past its window (unrated, it counts as 未反馈); a tracked case's implementation
	// stays open to the lead deputy's rating past its window, until staff close it.
	RateReplyUntil *time.Time
	RateImplUntil  *time.Time
	// CanRequestReopen: the deputy reading a closed case may ask for 回头看 (RequestReopen).
	CanRequestReopen bool
	// ImplRatingDue, for staff reading a tracked case whose latest commitments are all done:
	// the end of the lead deputy's implementation rating window (then it may be closed).
	ImplRatingDue *time.Time
}

// Summary is one row of a list.
type Summary struct {
	ID           int64
	Number       int
	Title        string
	Status       Status
	Mode         Mode
	IsKey        bool
	LeadDeputyID int64
	LeadName     string
	CategoryID   int64
	Category     string
	ReplyDueAt   *time.Time
	RatingDueAt  *time.Time // while a reply awaits the deputies' rating
	UpdatedAt    time.Time
	CreatedAt    time.Time
	MergedInto   int64 // the suggestion a merged one was merged into; 0 otherwise
}

// ListFilter narrows a list; the actor's visibility always applies on top.
type ListFilter struct {
	Statuses   []Status
	CategoryID int64
	UnitID     int64
	MeetingID  int64
	Query      string // matched against title and body
	KeyOnly    bool
	LeaderID   int64
	Overdue    bool
	Role       string // for deputies: "lead", "cosigned" or "" for both
	Before     int64  // cursor: only ids below this
	Limit      int
}
