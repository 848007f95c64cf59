package directory

import (
	"context"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
)

// Store is the persistence the directory needs; storage/postgres implements it. Every method
// filters by tenant.
type Store interface {
	Tenant(ctx context.Context, tenantID int64) (*Tenant, error)
	CreateTenant(ctx context.Context, code, name string) (*Tenant, error)

	Meetings(ctx context.Context, tenantID int64) ([]Meeting, error)
	SaveMeeting(ctx context.Context, tenantID int64, m *Meeting) error

	Categories(ctx context.Context, tenantID int64) ([]Category, error)
	SaveCategory(ctx context.Context, tenantID int64, c *Category) error
	Delegations(ctx context.Context, tenantID int64) ([]Delegation, error)
	SaveDelegation(ctx context.Context, tenantID int64, d *Delegation) error
	Groups(ctx context.Context, tenantID int64) ([]Group, error)
	SaveGroup(ctx context.Context, tenantID int64, g *Group) error

	Deputies(ctx context.Context, tenantID int64, query string, limit int) ([]Deputy, error)
	Deputy(ctx context.Context, tenantID, id int64) (*Deputy, error)
	// Peers lists the tenant's active deputies whose name contains namePart (ignoring
	// case), but exclude, best matches first (the whole name, then names starting with it),
	// at most limit.
	Peers(ctx context.Context, tenantID int64, namePart string, exclude int64, limit int) ([]Peer, error)
	SaveDeputy(ctx context.Context, tenantID int64, d *Deputy) error
	// ImportDeputies creates missing delegations and groups by name and upserts deputies by
	// phone (or by name when the phone is empty), in one transaction.
	ImportDeputies(ctx context.Context, tenantID int64, rows []DeputyRow) (created, updated int, err error)

	Units(ctx context.Context, tenantID int64) ([]Unit, error)
	Unit(ctx context.Context, tenantID, id int64) (*Unit, error)
	SaveUnit(ctx context.Context, tenantID int64, u *Unit) error

	Users(ctx context.Context, tenantID int64) ([]User, error)
	User(ctx context.Context, tenantID, id int64) (*User, error)
	// SaveUser inserts (ID 0) or updates the user, replacing roles and categories.
	SaveUser(ctx context.Context, tenantID int64, u *User) error
	SetPassword(ctx context.Context, tenantID, userID int64, hash string) error
	Unlock(ctx context.Context, tenantID, userID int64) error

	Holidays(ctx context.Context, tenantID int64) ([]deadline.Override, error)
	SaveHoliday(ctx context.Context, tenantID int64, o deadline.Override) error
	DeleteHoliday(ctx context.Context, tenantID int64, date string) error

	Config(ctx context.Context, tenantID int64) (*Config, error)
	SaveSettings(ctx context.Context, tenantID int64, s deadline.Settings) error
	SaveReplyLabels(ctx context.Context, tenantID int64, labels map[string]string) error
}

// actorCheck: reads are for any staff user of the tenant, writes for admins.
func canRead(a auth.Actor) bool { return a.Kind == auth.KindStaff || a.Kind == auth.KindSystem }
func canAdmin(a auth.Actor) bool {
	return a.Kind == auth.KindSystem || (a.Kind == auth.KindStaff && a.Has(auth.RoleAdmin))
}
