package suggestion

import "jianyi/internal/auth"

// Status is the state of a suggestion; mirrored by the Postgres enum suggestion_status.
type Status string

const (
	StatusDraft         Status = "draft"
	StatusSubmitted     Status = "submitted"
	StatusReturned      Status = "returned"
	StatusNotRegistered Status = "not_registered"
	StatusRegistered    Status = "registered"
	StatusAssigned      Status = "assigned"
	StatusHandling      Status = "handling"
	StatusReplied       Status = "replied"
	StatusEvaluated     Status = "evaluated"
	StatusRehandling    Status = "rehandling"
	StatusEscalated     Status = "escalated"
	StatusTracking      Status = "tracking"
	StatusClosed        Status = "closed"
	StatusMerged        Status = "merged"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusReturned, StatusNotRegistered,
	StatusRegistered, StatusAssigned, StatusHandling, StatusReplied, StatusEvaluated,
	StatusRehandling, StatusEscalated, StatusTracking, StatusClosed, StatusMerged}

// Label is the Chinese name shown to deputies and staff.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "草稿"
	case StatusSubmitted:
		return "已提交待审核"
	case StatusReturned:
		return "退回修改"
	case StatusNotRegistered:
		return "不予立案"
	case StatusRegistered:
		return "已立案"
	case StatusAssigned:
		return "已交办"
	case StatusHandling:
		return "办理中"
	case StatusReplied:
		return "已答复待评价"
	case StatusEvaluated:
		return "已评价"
	case StatusRehandling:
		return "重新办理"
	case StatusEscalated:
		return "当面协商督办"
	case StatusTracking:
		return "跟踪督办"
	case StatusClosed:
		return "已办结"
	case StatusMerged:
		return "已并案"
	}
	return string(s)
}

// Open reports whether the suggestion still owes work to somebody.
func (s Status) Open() bool {
	switch s {
	case StatusDraft, StatusNotRegistered, StatusClosed, StatusMerged:
		return false
	}
	return true
}

// Action names an operation that moves a suggestion from one status to another.
type Action string

const (
	ActSubmit      Action = "submit"
	ActReturn      Action = "return"
	ActNotRegister Action = "not_register"
	ActRegister    Action = "register"
	ActAssign      Action = "assign"
	ActAccept      Action = "accept"     // the lead unit accepts
	ActReply       Action = "reply"      // the lead unit replies
	ActRateReply   Action = "rate_reply" // the lead deputy rates the reply
	ActConclude    Action = "conclude"   // system: evaluated → closed/tracking/rehandling/escalated
	ActRateImpl    Action = "rate_impl"  // the lead deputy rates implementation
	ActTrack       Action = "track"      // reviewer puts the case on the tracking list
	ActClose       Action = "close"      // reviewer closes
	ActReopen      Action = "reopen"     // reviewer reopens in 回头看
	ActMerge       Action = "merge"      // reviewer merges a duplicate into another suggestion
	ActImplAccept  Action = "impl_close" // system: implementation satisfied → closed
)

// Rule is one row of the transition table: an action may move a suggestion from any of From
// to one of To, performed by an actor holding one of Roles (ownership is checked separately).
type Rule struct {
	From  []Status
	To    []Status
	Roles []auth.Role
	// System marks automatic follow-ups performed by the service itself.
	System bool
}

var (
	unitRoles  = []auth.Role{auth.RoleUnitHandler, auth.RoleUnitLeader}
	staffAdmin = []auth.Role{auth.RoleReviewer}
)

// Rules is the whole transition table. Nothing moves a suggestion except through it.
var Rules = map[Action]Rule{
	ActSubmit:      {From: []Status{StatusDraft, StatusReturned}, To: []Status{StatusSubmitted}, Roles: []auth.Role{auth.RoleDeputy}},
	ActReturn:      {From: []Status{StatusSubmitted}, To: []Status{StatusReturned}, Roles: staffAdmin},
	ActNotRegister: {From: []Status{StatusSubmitted}, To: []Status{StatusNotRegistered}, Roles: staffAdmin},
	ActRegister:    {From: []Status{StatusSubmitted}, To: []Status{StatusRegistered}, Roles: staffAdmin},
	ActAssign:      {From: []Status{StatusRegistered}, To: []Status{StatusAssigned}, Roles: []auth.Role{auth.RoleReviewer, auth.RoleCoordinator}},
	ActAccept:      {From: []Status{StatusAssigned}, To: []Status{StatusHandling}, Roles: unitRoles},
	ActReply:       {From: []Status{StatusHandling, StatusRehandling, StatusEscalated}, To: []Status{StatusReplied}, Roles: unitRoles},
	ActRateReply:   {From: []Status{StatusReplied}, To: []Status{StatusEvaluated}, Roles: []auth.Role{auth.RoleDeputy}},
	ActConclude:    {From: []Status{StatusEvaluated}, To: []Status{StatusClosed, StatusTracking, StatusRehandling, StatusEscalated}, System: true},
	ActRateImpl:    {From: []Status{StatusTracking}, To: []Status{StatusTracking}, Roles: []auth.Role{auth.RoleDeputy}},
	ActImplAccept:  {From: []Status{StatusTracking}, To: []Status{StatusClosed}, System: true},
	ActTrack:       {From: []Status{StatusEvaluated, StatusEscalated, StatusReplied}, To: []Status{StatusTracking}, Roles: staffAdmin},
	ActClose:       {From: []Status{StatusEvaluated, StatusEscalated, StatusTracking, StatusReplied}, To: []Status{StatusClosed}, Roles: staffAdmin},
	ActReopen:      {From: []Status{StatusClosed, StatusTracking}, To: []Status{StatusRehandling}, Roles: staffAdmin},
	ActMerge:       {From: []Status{StatusSubmitted, StatusRegistered}, To: []Status{StatusMerged}, Roles: staffAdmin},
}

// CanTransition reports whether any action of the table moves from → to.
func CanTransition(from, to Status) bool {
	for _, r := range Rules {
		if contains(r.From, from) && contains(r.To, to) {
			return true
		}
	}
	return false
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
