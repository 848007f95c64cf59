package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/directory"
)

// DirectoryStore is the PostgreSQL side of internal/directory.
type DirectoryStore struct {
	pool *pgxpool.Pool
}

// NewDirectoryStore builds the store.
func NewDirectoryStore(pool *pgxpool.Pool) *DirectoryStore { return &DirectoryStore{pool: pool} }

var _ directory.Store = (*DirectoryStore)(nil)

func dirErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.NotFound()
	}
	if IsUniqueViolation(err) {
		return directory.ErrDuplicate
	}
	if isForeignKeyViolation(err) {
		return directory.ErrBadReference
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isForeignKeyViolation: SQLSTATE 23503, a referenced row (unit, category, delegation …)
// that is not the tenant's.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

func dirNullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func dirZeroID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Tenant implements directory.Store.
func (s *DirectoryStore) Tenant(ctx context.Context, tenantID int64) (*directory.Tenant, error) {
	t := directory.Tenant{ID: tenantID}
	err := s.pool.QueryRow(ctx, `SELECT code, name FROM tenants WHERE id = $1`, tenantID).Scan(&t.Code, &t.Name)
	return &t, dirErr(err, "tenant")
}

// CreateTenant implements directory.Store.
func (s *DirectoryStore) CreateTenant(ctx context.Context, code, name string) (*directory.Tenant, error) {
	t := directory.Tenant{Code: code, Name: name}
	err := s.pool.QueryRow(ctx, `INSERT INTO tenants (id, code, name) VALUES (nextval('tenant_ids'), $1, $2) RETURNING id`, code, name).Scan(&t.ID)
	return &t, dirErr(err, "create tenant")
}

// Meetings implements directory.Store.
func (s *DirectoryStore) Meetings(ctx context.Context, tenantID int64) ([]directory.Meeting, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, year, starts_on, ends_on, is_current FROM meetings WHERE tenant_id = $1 ORDER BY starts_on DESC, id DESC`, tenantID)
	if err != nil {
		return nil, dirErr(err, "meetings")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Meeting, error) {
		var m directory.Meeting
		err := r.Scan(&m.ID, &m.Name, &m.Year, &m.StartsOn, &m.EndsOn, &m.IsCurrent)
		return m, err
	})
}

// SaveMeeting implements directory.Store.
func (s *DirectoryStore) SaveMeeting(ctx context.Context, tenantID int64, m *directory.Meeting) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if m.IsCurrent {
			if _, err := tx.Exec(ctx, `UPDATE meetings SET is_current = false WHERE tenant_id = $1 AND is_current AND id <> $2`, tenantID, m.ID); err != nil {
				return dirErr(err, "unmark current meeting")
			}
		}
		if m.ID == 0 {
			return dirErr(tx.QueryRow(ctx, `INSERT INTO meetings (tenant_id, name, year, starts_on, ends_on, is_current) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				tenantID, m.Name, m.Year, m.StartsOn, m.EndsOn, m.IsCurrent).Scan(&m.ID), "insert meeting")
		}
		tag, err := tx.Exec(ctx, `UPDATE meetings SET name = $3, year = $4, starts_on = $5, ends_on = $6, is_current = $7 WHERE tenant_id = $1 AND id = $2`,
			tenantID, m.ID, m.Name, m.Year, m.StartsOn, m.EndsOn, m.IsCurrent)
		if err == nil && tag.RowsAffected() == 0 {
			return directory.NotFound()
		}
		return dirErr(err, "update meeting")
	})
}

func (s *DirectoryStore) named(ctx context.Context, table string, tenantID int64) ([]struct {
	ID   int64
	Name string
}, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM `+table+` WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, dirErr(err, table)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct {
		ID   int64
		Name string
	}, error) {
		var v struct {
			ID   int64
			Name string
		}
		err := r.Scan(&v.ID, &v.Name)
		return v, err
	})
}

func (s *DirectoryStore) saveNamed(ctx context.Context, table string, tenantID int64, id *int64, name string) error {
	if *id == 0 {
		return dirErr(s.pool.QueryRow(ctx, `INSERT INTO `+table+` (tenant_id, name) VALUES ($1, $2) RETURNING id`, tenantID, name).Scan(id), "insert "+table)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE `+table+` SET name = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, *id, name)
	if err == nil && tag.RowsAffected() == 0 {
		return directory.NotFound()
	}
	return dirErr(err, "update "+table)
}

// Categories implements directory.Store.
func (s *DirectoryStore) Categories(ctx context.Context, tenantID int64) ([]directory.Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, COALESCE(reply_months, 0) FROM categories WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, dirErr(err, "categories")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Category, error) {
		var c directory.Category
		err := r.Scan(&c.ID, &c.Name, &c.ReplyMonths)
		return c, err
	})
}

// SaveCategory implements directory.Store: the name and the category's own reply clock.
func (s *DirectoryStore) SaveCategory(ctx context.Context, tenantID int64, c *directory.Category) error {
	if err := s.saveNamed(ctx, "categories", tenantID, &c.ID, c.Name); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `UPDATE categories SET reply_months = NULLIF($3, 0) WHERE tenant_id = $1 AND id = $2`, tenantID, c.ID, c.ReplyMonths)
	return dirErr(err, "category reply clock")
}

// Delegations implements directory.Store.
func (s *DirectoryStore) Delegations(ctx context.Context, tenantID int64) ([]directory.Delegation, error) {
	vs, err := s.named(ctx, "delegations", tenantID)
	out := make([]directory.Delegation, len(vs))
	for i, v := range vs {
		out[i] = directory.Delegation{ID: v.ID, Name: v.Name}
	}
	return out, err
}

// SaveDelegation implements directory.Store.
func (s *DirectoryStore) SaveDelegation(ctx context.Context, tenantID int64, d *directory.Delegation) error {
	return s.saveNamed(ctx, "delegations", tenantID, &d.ID, d.Name)
}

// Groups implements directory.Store.
func (s *DirectoryStore) Groups(ctx context.Context, tenantID int64) ([]directory.Group, error) {
	rows, err := s.pool.Query(ctx, `SELECT g.id, g.delegation_id, g.name, d.name FROM deputy_groups g
		JOIN delegations d ON d.tenant_id = g.tenant_id AND d.id = g.delegation_id WHERE g.tenant_id = $1 ORDER BY d.name, g.name`, tenantID)
	if err != nil {
		return nil, dirErr(err, "groups")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Group, error) {
		var g directory.Group
		err := r.Scan(&g.ID, &g.DelegationID, &g.Name, &g.DelegationName)
		return g, err
	})
}

// SaveGroup implements directory.Store.
func (s *DirectoryStore) SaveGroup(ctx context.Context, tenantID int64, g *directory.Group) error {
	if g.ID == 0 {
		return dirErr(s.pool.QueryRow(ctx, `INSERT INTO deputy_groups (tenant_id, delegation_id, name) VALUES ($1, $2, $3) RETURNING id`, tenantID, g.DelegationID, g.Name).Scan(&g.ID), "insert group")
	}
	tag, err := s.pool.Exec(ctx, `UPDATE deputy_groups SET name = $3, delegation_id = $4 WHERE tenant_id = $1 AND id = $2`, tenantID, g.ID, g.Name, g.DelegationID)
	if err == nil && tag.RowsAffected() == 0 {
		return directory.NotFound()
	}
	return dirErr(err, "update group")
}

const dirDeputyCols = `d.id, d.name, d.phone, d.delegation_id, d.group_id, COALESCE(dl.name, ''), COALESCE(g.name, ''), d.active, d.mp_openid IS NOT NULL`
const dirDeputyFrom = ` FROM deputies d
	LEFT JOIN delegations dl ON dl.tenant_id = d.tenant_id AND dl.id = d.delegation_id
	LEFT JOIN deputy_groups g ON g.tenant_id = d.tenant_id AND g.id = d.group_id`

func dirScanDeputy(r pgx.Row) (directory.Deputy, error) {
	var d directory.Deputy
	var del, grp *int64
	err := r.Scan(&d.ID, &d.Name, &d.Phone, &del, &grp, &d.DelegationName, &d.GroupName, &d.Active, &d.Bound)
	d.DelegationID, d.GroupID = dirZeroID(del), dirZeroID(grp)
	return d, err
}

// Deputies implements directory.Store.
func (s *DirectoryStore) Deputies(ctx context.Context, tenantID int64, query string, limit int) ([]directory.Deputy, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+dirDeputyCols+dirDeputyFrom+`
		WHERE d.tenant_id = $1 AND ($2 = '' OR d.name LIKE '%' || $2 || '%' OR d.phone = $2)
		ORDER BY dl.name NULLS LAST, d.name LIMIT $3`, tenantID, query, limit)
	if err != nil {
		return nil, dirErr(err, "deputies")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Deputy, error) { return dirScanDeputy(r) })
}

// Deputy implements directory.Store.
func (s *DirectoryStore) Deputy(ctx context.Context, tenantID, id int64) (*directory.Deputy, error) {
	d, err := dirScanDeputy(s.pool.QueryRow(ctx, `SELECT `+dirDeputyCols+dirDeputyFrom+` WHERE d.tenant_id = $1 AND d.id = $2`, tenantID, id))
	return &d, dirErr(err, "deputy")
}

// Peers implements directory.Store. It reads the tenant's deputies by the primary key's
// leading tenant_id (a committee has hundreds, not millions), so it needs no index of its
// own; strpos matches the name part literally, without LIKE's wildcards.
func (s *DirectoryStore) Peers(ctx context.Context, tenantID int64, namePart string, exclude int64, limit int) ([]directory.Peer, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.name, COALESCE(dl.name, '') FROM deputies d
		LEFT JOIN delegations dl ON dl.tenant_id = d.tenant_id AND dl.id = d.delegation_id
		WHERE d.tenant_id = $1 AND d.active AND d.id <> $3 AND strpos(lower(d.name), lower($2)) > 0
		ORDER BY lower(d.name) = lower($2) DESC, strpos(lower(d.name), lower($2)), d.name, d.id LIMIT $4`,
		tenantID, namePart, exclude, limit)
	if err != nil {
		return nil, dirErr(err, "peers")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Peer, error) {
		var p directory.Peer
		err := r.Scan(&p.ID, &p.Name, &p.Delegation)
		return p, err
	})
}

// SaveDeputy implements directory.Store.
func (s *DirectoryStore) SaveDeputy(ctx context.Context, tenantID int64, d *directory.Deputy) error {
	if d.ID == 0 {
		return dirErr(s.pool.QueryRow(ctx, `INSERT INTO deputies (tenant_id, name, phone, delegation_id, group_id, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			tenantID, d.Name, d.Phone, dirNullID(d.DelegationID), dirNullID(d.GroupID), d.Active).Scan(&d.ID), "insert deputy")
	}
	tag, err := s.pool.Exec(ctx, `UPDATE deputies SET name = $3, phone = $4, delegation_id = $5, group_id = $6, active = $7 WHERE tenant_id = $1 AND id = $2`,
		tenantID, d.ID, d.Name, d.Phone, dirNullID(d.DelegationID), dirNullID(d.GroupID), d.Active)
	if err == nil && tag.RowsAffected() == 0 {
		return directory.NotFound()
	}
	return dirErr(err, "update deputy")
}

// ImportDeputies implements directory.Store.
func (s *DirectoryStore) ImportDeputies(ctx context.Context, tenantID int64, rows []directory.DeputyRow) (created, updated int, err error) {
	err = Tx(ctx, s.pool, func(tx pgx.Tx) error {
		created, updated = 0, 0
		dels := map[string]int64{}
		groups := map[string]int64{}
		delegation := func(name string) (*int64, error) {
			if name == "" {
				return nil, nil
			}
			if id, ok := dels[name]; ok {
				return &id, nil
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO delegations (tenant_id, name) VALUES ($1, $2)
				ON CONFLICT (tenant_id, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, tenantID, name).Scan(&id)
			dels[name] = id
			return &id, err
		}
		group := func(delID *int64, name string) (*int64, error) {
			if name == "" || delID == nil {
				return nil, nil
			}
			key := fmt.Sprint(*delID, "/", name)
			if id, ok := groups[key]; ok {
				return &id, nil
			}
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM deputy_groups WHERE tenant_id = $1 AND delegation_id = $2 AND name = $3`, tenantID, *delID, name).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				err = tx.QueryRow(ctx, `INSERT INTO deputy_groups (tenant_id, delegation_id, name) VALUES ($1, $2, $3) RETURNING id`, tenantID, *delID, name).Scan(&id)
			}
			groups[key] = id
			return &id, err
		}
		for _, r := range rows {
			delID, err := delegation(r.Delegation)
			if err != nil {
				return dirErr(err, "import delegation")
			}
			grpID, err := group(delID, r.Group)
			if err != nil {
				return dirErr(err, "import group")
			}
			var id int64
			if r.Phone != "" {
				err = tx.QueryRow(ctx, `SELECT id FROM deputies WHERE tenant_id = $1 AND phone = $2 LIMIT 1`, tenantID, r.Phone).Scan(&id)
			} else {
				err = tx.QueryRow(ctx, `SELECT id FROM deputies WHERE tenant_id = $1 AND name = $2 AND phone = '' LIMIT 1`, tenantID, r.Name).Scan(&id)
			}
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				if _, err := tx.Exec(ctx, `INSERT INTO deputies (tenant_id, name, phone, delegation_id, group_id) VALUES ($1, $2, $3, $4, $5)`,
					tenantID, r.Name, r.Phone, delID, grpID); err != nil {
					return dirErr(err, "import deputy")
				}
				created++
			case err != nil:
				return dirErr(err, "import lookup")
			default:
				if _, err := tx.Exec(ctx, `UPDATE deputies SET name = $3, delegation_id = COALESCE($4, delegation_id), group_id = COALESCE($5, group_id), active = true WHERE tenant_id = $1 AND id = $2`,
					tenantID, id, r.Name, delID, grpID); err != nil {
					return dirErr(err, "import update")
				}
				updated++
			}
		}
		return nil
	})
	return created, updated, err
}

// Units implements directory.Store.
func (s *DirectoryStore) Units(ctx context.Context, tenantID int64) ([]directory.Unit, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, kind, active FROM units WHERE tenant_id = $1 ORDER BY active DESC, name`, tenantID)
	if err != nil {
		return nil, dirErr(err, "units")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.Unit, error) {
		var u directory.Unit
		err := r.Scan(&u.ID, &u.Name, &u.Kind, &u.Active)
		return u, err
	})
}

// Unit implements directory.Store.
func (s *DirectoryStore) Unit(ctx context.Context, tenantID, id int64) (*directory.Unit, error) {
	u := directory.Unit{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT name, kind, active FROM units WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&u.Name, &u.Kind, &u.Active)
	return &u, dirErr(err, "unit")
}

// SaveUnit implements directory.Store.
func (s *DirectoryStore) SaveUnit(ctx context.Context, tenantID int64, u *directory.Unit) error {
	if u.ID == 0 {
		return dirErr(s.pool.QueryRow(ctx, `INSERT INTO units (tenant_id, name, kind, active) VALUES ($1, $2, $3, $4) RETURNING id`, tenantID, u.Name, u.Kind, u.Active).Scan(&u.ID), "insert unit")
	}
	tag, err := s.pool.Exec(ctx, `UPDATE units SET name = $3, kind = $4, active = $5 WHERE tenant_id = $1 AND id = $2`, tenantID, u.ID, u.Name, u.Kind, u.Active)
	if err == nil && tag.RowsAffected() == 0 {
		return directory.NotFound()
	}
	return dirErr(err, "update unit")
}

const dirUserSelect = `SELECT u.id, u.username, u.display_name, u.phone, u.unit_id, COALESCE(un.name, ''), u.active, u.locked_until,
	COALESCE((SELECT array_agg(r.role::text ORDER BY r.role) FROM user_roles r WHERE r.tenant_id = u.tenant_id AND r.user_id = u.id), '{}'),
	COALESCE((SELECT array_agg(c.category_id ORDER BY c.category_id) FROM user_categories c WHERE c.tenant_id = u.tenant_id AND c.user_id = u.id), '{}')
	FROM users u LEFT JOIN units un ON un.tenant_id = u.tenant_id AND un.id = u.unit_id`

func dirScanUser(r pgx.Row) (directory.User, error) {
	var u directory.User
	var unit *int64
	var roles []string
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Phone, &unit, &u.UnitName, &u.Active, &u.LockedUntil, &roles, &u.CategoryIDs)
	u.UnitID = dirZeroID(unit)
	for _, r := range roles {
		u.Roles = append(u.Roles, auth.Role(r))
	}
	return u, err
}

// Users implements directory.Store.
func (s *DirectoryStore) Users(ctx context.Context, tenantID int64) ([]directory.User, error) {
	rows, err := s.pool.Query(ctx, dirUserSelect+` WHERE u.tenant_id = $1 ORDER BY u.active DESC, u.username`, tenantID)
	if err != nil {
		return nil, dirErr(err, "users")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (directory.User, error) { return dirScanUser(r) })
}

// User implements directory.Store.
func (s *DirectoryStore) User(ctx context.Context, tenantID, id int64) (*directory.User, error) {
	u, err := dirScanUser(s.pool.QueryRow(ctx, dirUserSelect+` WHERE u.tenant_id = $1 AND u.id = $2`, tenantID, id))
	return &u, dirErr(err, "user")
}

// SaveUser implements directory.Store.
func (s *DirectoryStore) SaveUser(ctx context.Context, tenantID int64, u *directory.User) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if u.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO users (tenant_id, username, display_name, phone, unit_id, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				tenantID, u.Username, u.DisplayName, u.Phone, dirNullID(u.UnitID), u.Active).Scan(&u.ID); err != nil {
				return dirErr(err, "insert user")
			}
		} else {
			tag, err := tx.Exec(ctx, `UPDATE users SET username = $3, display_name = $4, phone = $5, unit_id = $6, active = $7 WHERE tenant_id = $1 AND id = $2`,
				tenantID, u.ID, u.Username, u.DisplayName, u.Phone, dirNullID(u.UnitID), u.Active)
			if err != nil {
				return dirErr(err, "update user")
			}
			if tag.RowsAffected() == 0 {
				return directory.NotFound()
			}
			if !u.Active {
				if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE tenant_id = $1 AND user_id = $2`, tenantID, u.ID); err != nil {
					return dirErr(err, "end sessions")
				}
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2`, tenantID, u.ID); err != nil {
			return dirErr(err, "clear roles")
		}
		for _, r := range u.Roles {
			if _, err := tx.Exec(ctx, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES ($1, $2, $3)`, tenantID, u.ID, string(r)); err != nil {
				return dirErr(err, "insert role")
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_categories WHERE tenant_id = $1 AND user_id = $2`, tenantID, u.ID); err != nil {
			return dirErr(err, "clear categories")
		}
		for _, c := range u.CategoryIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO user_categories (tenant_id, user_id, category_id) VALUES ($1, $2, $3)`, tenantID, u.ID, c); err != nil {
				return dirErr(err, "insert category")
			}
		}
		return nil
	})
}

// SetPassword implements directory.Store; it also ends the user's other sessions.
func (s *DirectoryStore) SetPassword(ctx context.Context, tenantID, userID int64, hash string) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, failed_logins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2`, tenantID, userID, hash); err != nil {
			return dirErr(err, "set password")
		}
		_, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
		return dirErr(err, "end sessions")
	})
}

// Unlock implements directory.Store.
func (s *DirectoryStore) Unlock(ctx context.Context, tenantID, userID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2`, tenantID, userID)
	if err == nil && tag.RowsAffected() == 0 {
		return directory.NotFound()
	}
	return dirErr(err, "unlock")
}

// Holidays implements directory.Store.
func (s *DirectoryStore) Holidays(ctx context.Context, tenantID int64) ([]deadline.Override, error) {
	rows, err := s.pool.Query(ctx, `SELECT day, working, name FROM holiday_overrides WHERE tenant_id = $1 ORDER BY day`, tenantID)
	if err != nil {
		return nil, dirErr(err, "holidays")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (deadline.Override, error) {
		var o deadline.Override
		var d time.Time
		err := r.Scan(&d, &o.Working, &o.Name)
		o.Date = d.Format(time.DateOnly)
		return o, err
	})
}

// SaveHoliday implements directory.Store.
func (s *DirectoryStore) SaveHoliday(ctx context.Context, tenantID int64, o deadline.Override) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO holiday_overrides (tenant_id, day, working, name) VALUES ($1, $2::date, $3, $4)
		ON CONFLICT (tenant_id, day) DO UPDATE SET working = EXCLUDED.working, name = EXCLUDED.name`, tenantID, o.Date, o.Working, o.Name)
	return dirErr(err, "save holiday")
}

// DeleteHoliday implements directory.Store.
func (s *DirectoryStore) DeleteHoliday(ctx context.Context, tenantID int64, date string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM holiday_overrides WHERE tenant_id = $1 AND day = $2::date`, tenantID, date)
	if err == nil && tag.RowsAffected() == 0 {
		return directory.NotFound()
	}
	return dirErr(err, "delete holiday")
}

// Config implements directory.Store: stored settings over the defaults.
func (s *DirectoryStore) Config(ctx context.Context, tenantID int64) (*directory.Config, error) {
	var settings, labels []byte
	if err := s.pool.QueryRow(ctx, `SELECT settings, reply_labels FROM tenants WHERE id = $1`, tenantID).Scan(&settings, &labels); err != nil {
		return nil, dirErr(err, "tenant config")
	}
	c := &directory.Config{Settings: deadline.DefaultSettings(), ReplyLabels: map[string]string{}}
	if err := json.Unmarshal(settings, &c.Settings); err != nil {
		return nil, fmt.Errorf("tenant %d settings: %w", tenantID, err)
	}
	stored := map[string]string{}
	_ = json.Unmarshal(labels, &stored)
	for _, k := range []string{"A", "B", "C", "D"} {
		c.ReplyLabels[k] = stored[k]
	}
	return c, nil
}

// SaveSettings implements directory.Store.
func (s *DirectoryStore) SaveSettings(ctx context.Context, tenantID int64, st deadline.Settings) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `UPDATE tenants SET settings = $2 WHERE id = $1`, tenantID, b)
	return dirErr(err, "save settings")
}

// SaveReplyLabels implements directory.Store.
func (s *DirectoryStore) SaveReplyLabels(ctx context.Context, tenantID int64, labels map[string]string) error {
	b, err := json.Marshal(labels)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `UPDATE tenants SET reply_labels = $2 WHERE id = $1`, tenantID, b)
	return dirErr(err, "save labels")
}
