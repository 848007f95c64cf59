// Package directory holds who and what a tenant is made of: meetings, categories,
// delegations and groups, deputies, handling units, staff users and their roles, the
// calendar overrides, the clock settings and reply class labels.
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
	// ReplyMonths is the category's own reply clock in months (1–12); 0 keeps the tenant's.
	ReplyMonths int
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

// Peer is a deputy as another deputy of the tenant finds them to invite as a co-signer:
// who they are and their 代表团, never a phone number or a WeChat id.
type Peer struct {
	ID         int64
	Name       string
	Delegation string // "" when the deputy has none
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

// Config is the tenant's settings page: clocks and reply class labels. (WeChat template ids
// are internal/notify's; the console edits them through notify.Templates.)
type Config struct {
	Settings    deadline.Settings
	ReplyLabels map[string]string // "A".."D" -> label; "" = the default
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
