// Package directory holds who and what a tenant is made of: meetings, categories,
// delegations and groups, deputies, handling units, staff users and their roles, the
// calendar overrides, the clock settings, reply class labels and WeChat template ids.
package directory

import (
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
)

// Tenant is one standing committee.
type Tenant struct {
	ID   int64
	Code string
	Name string
}

// Meeting is an annual congress session.
type Meeting struct {
	ID        int64
	Name      string
	Year      int
	StartsOn  time.Time
	EndsOn    time.Time
	IsCurrent bool
}

// Category is a subject area of suggestions.
type Category struct {
	ID   int64
	Name string
}

// Delegation is a 代表团.
type Delegation struct {
	ID   int64
	Name string
}

// Group is a 代表小组 within a delegation.
type Group struct {
	ID             int64
	DelegationID   int64
	Name           string
	DelegationName string
}

// Deputy is a people's deputy. Phone is shown to staff only, never logged.
type Deputy struct {
	ID             int64
	Name           string
	Phone          string
	DelegationID   int64
	GroupID        int64
	DelegationName string
	GroupName      string
	Active         bool
	Bound          bool // has signed in from the mini-program
}

// Unit is a handling organisation.
type Unit struct {
	ID     int64
	Name   string
	Kind   string
	Active bool
}

// User is a staff account of the console.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Phone       string
	UnitID      int64
	UnitName    string
	Roles       []auth.Role
	CategoryIDs []int64
	Active      bool
	LockedUntil *time.Time
}

// Config is the tenant's settings page: clocks, reply class labels, template ids.
type Config struct {
	Settings    deadline.Settings
	ReplyLabels map[string]string            // "A".."D" -> label
	Templates   map[string]map[string]string // notice -> channel ("mp"/"oa") -> template id
}

// TemplateChannels are the WeChat channels a notice can use.
var TemplateChannels = []string{"mp", "oa"}

// Notice is a kind of notice a tenant may configure a template for.
type Notice struct {
	Key   string
	Label string
}

// Notices lists the deputy-facing notices of PRODUCT.md, keyed by the outbox event names.
var Notices = []Notice{
	{"suggestion.submitted", "建议已收到"},
	{"suggestion.returned", "退回修改"},
	{"suggestion.registered", "已立案"},
	{"suggestion.assigned", "已交办"},
	{"assignment.accepted", "承办单位已签收"},
	{"contact.recorded", "沟通记录待确认"},
	{"suggestion.progress", "办理进展"},
	{"suggestion.replied", "答复待评价"},
	{"suggestion.rehandling", "重新办理"},
	{"commitment.done", "承诺事项已完成待评价"},
	{"suggestion.closed", "已办结"},
	{"reminder.deadline", "办理时限提醒"},
}

// DeputyRow is one row of a deputy import.
type DeputyRow struct {
	Line       int
	Name       string
	Phone      string
	Delegation string
	Group      string
}

// ImportResult tells what an import did.
type ImportResult struct {
	Created int
	Updated int
	Errors  []RowError
}

// RowError is a problem with one line of an import file.
type RowError struct {
	Line    int
	Message string
}
