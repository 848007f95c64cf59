// Package auth knows who is acting: the actor of a request, its roles, and (in other files)
// staff sessions and passwords.
package auth

import "slices"

// Role is one of the roles of PRODUCT.md; a user may hold several within one tenant.
type Role string

const (
	RoleDeputy      Role = "deputy"
	RoleReviewer    Role = "reviewer"
	RoleCoordinator Role = "coordinator"
	RoleUnitHandler Role = "unit_handler"
	RoleUnitLeader  Role = "unit_leader"
	RoleCommittee   Role = "committee"
	RoleLeader      Role = "leader"
	RoleAdmin       Role = "admin"
)

// Roles lists every role, in display order.
var Roles = []Role{RoleDeputy, RoleReviewer, RoleCoordinator, RoleUnitHandler, RoleUnitLeader,
	RoleCommittee, RoleLeader, RoleAdmin}

// Label is the Chinese name shown to people.
func (r Role) Label() string {
	switch r {
	case RoleDeputy:
		return "代表"
	case RoleReviewer:
		return "代表工委"
	case RoleCoordinator:
		return "政府督查室"
	case RoleUnitHandler:
		return "承办人员"
	case RoleUnitLeader:
		return "承办单位负责人"
	case RoleCommittee:
		return "专工委"
	case RoleLeader:
		return "常委会领导"
	case RoleAdmin:
		return "管理员"
	}
	return string(r)
}

// Kind says whether the actor is a deputy (from the phone or the bot), a staff user
// (console) or the system itself (timers, reconcilers).
type Kind string

const (
	KindDeputy Kind = "deputy"
	KindStaff  Kind = "staff"
	KindSystem Kind = "system"
)

// Actor is who performs an operation. Every domain call takes one; the tenant comes from
// here and nowhere else, so a request can never reach another tenant's rows.
type Actor struct {
	TenantID    int64
	Kind        Kind
	ID          int64 // deputy id for KindDeputy, user id for KindStaff
	Name        string
	Roles       []Role
	UnitID      int64   // for unit_handler / unit_leader
	CategoryIDs []int64 // for committee
}

// Deputy builds the actor for a deputy.
func Deputy(tenantID, deputyID int64) Actor {
	return Actor{TenantID: tenantID, Kind: KindDeputy, ID: deputyID, Roles: []Role{RoleDeputy}}
}

// System builds the actor for background jobs of one tenant.
func System(tenantID int64) Actor {
	return Actor{TenantID: tenantID, Kind: KindSystem}
}

// Has reports whether the actor holds any of the roles.
func (a Actor) Has(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// IsDeputy reports whether the actor is a deputy acting for themself.
func (a Actor) IsDeputy() bool { return a.Kind == KindDeputy }

// IsUnit reports whether the actor acts for a handling unit.
func (a Actor) IsUnit() bool {
	return a.Kind == KindStaff && a.UnitID != 0 && a.Has(RoleUnitHandler, RoleUnitLeader)
}

// SeesWholeTenant reports whether the actor may read every suggestion of the tenant.
func (a Actor) SeesWholeTenant() bool {
	return a.Kind == KindSystem || (a.Kind == KindStaff && a.Has(RoleReviewer, RoleCoordinator, RoleLeader, RoleAdmin))
}
