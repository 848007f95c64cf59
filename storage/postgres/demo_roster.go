package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DemoRoster is the demo tenant's roster, as loaded by LoadDemoRoster.
type DemoRoster struct {
	TenantID    int64
	Code, Name  string
	MeetingID   int64
	Categories  map[string]int64
	Deputies    []int64 // 36, in three delegations
	DeputyNames []string
	Units       []int64 // 10
	UnitNames   []string
	Handlers    []int64          // unit_handler per unit
	UnitLeaders []int64          // unit_leader per unit
	Users       map[string]int64 // by username
}

// Demo roster content: Jiayuguan-like but fictional people.
var (
	demoCategories  = []string{"城乡建设", "教育", "卫生健康", "交通运输", "社会保障", "生态环境", "农业农村", "经济发展"}
	demoDelegations = []string{"雄关区代表团", "镜铁区代表团", "长城区代表团"}
	demoSurnames    = []rune("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高")
	demoGiven       = []string{"建国", "秀英", "志强", "丽华", "明", "芳", "海燕", "国栋", "红梅", "军", "春霞", "伟"}
	demoUnits       = []struct{ Name, Login string }{
		{"市住房和城乡建设局", "zhujian"}, {"市教育局", "jiaoyu"}, {"市卫生健康委员会", "weijian"},
		{"市交通运输局", "jiaotong"}, {"市人力资源和社会保障局", "renshe"}, {"市生态环境局", "shengtai"},
		{"市农业农村局", "nongye"}, {"市发展和改革委员会", "fagai"}, {"市城市管理综合执法局", "chengguan"},
		{"市公安局交通警察支队", "jiaojing"},
	}
)

// DemoStaff are the desk logins of the demo tenant: username, display name, roles.
var DemoStaff = []struct {
	Username, Name string
	Roles          []string
}{
	{"daigongwei", "代表工委 王科长", []string{"reviewer"}},
	{"ducha", "政府督查室 李主任", []string{"coordinator"}},
	{"lingdao", "常委会 赵副主任", []string{"leader"}},
	{"chengjian", "城建环保工委 周主任", []string{"committee"}},
	{"admin", "系统管理员", []string{"admin", "reviewer"}},
}

// LoadDemoRoster creates the demo tenant with its meeting, categories, 36 deputies in three
// delegations (two groups each), 10 units with a handler and a leader, and the desk staff;
// every staff password is set to passwordHash. When the tenant already exists it only
// reads it back (created=false), so `jianyi dev` can call it on every start.
func LoadDemoRoster(ctx context.Context, pool *pgxpool.Pool, code, name, passwordHash string) (r *DemoRoster, created bool, err error) {
	r = &DemoRoster{Code: code, Name: name, Categories: map[string]int64{}, Users: map[string]int64{}}
	err = pool.QueryRow(ctx, `SELECT id FROM tenants WHERE code=$1`, code).Scan(&r.TenantID)
	switch {
	case err == nil:
		return r, false, readDemoRoster(ctx, pool, r)
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, false, fmt.Errorf("look up demo tenant: %w", err)
	}
	err = Tx(ctx, pool, func(tx pgx.Tx) error {
		one := func(dst any, sql string, args ...any) error {
			if err := tx.QueryRow(ctx, sql, args...).Scan(dst); err != nil {
				return fmt.Errorf("demo roster %.40q: %w", sql, err)
			}
			return nil
		}
		if err := one(&r.TenantID, `INSERT INTO tenants (id, code, name) VALUES (nextval('tenant_ids'), $1, $2) RETURNING id`, code, name); err != nil {
			return err
		}
		if err := one(&r.MeetingID, `INSERT INTO meetings (tenant_id, name, year, starts_on, ends_on, is_current)
			VALUES ($1, '市第十届人民代表大会第六次会议', 2026, '2026-01-12', '2026-12-31', true) RETURNING id`, r.TenantID); err != nil {
			return err
		}
		for _, c := range demoCategories {
			var id int64
			if err := one(&id, `INSERT INTO categories (tenant_id, name) VALUES ($1,$2) RETURNING id`, r.TenantID, c); err != nil {
				return err
			}
			r.Categories[c] = id
		}
		n := 0
		for di, dname := range demoDelegations {
			var del int64
			if err := one(&del, `INSERT INTO delegations (tenant_id, name) VALUES ($1,$2) RETURNING id`, r.TenantID, dname); err != nil {
				return err
			}
			for g := range 2 {
				var grp int64
				if err := one(&grp, `INSERT INTO deputy_groups (tenant_id, delegation_id, name) VALUES ($1,$2,$3) RETURNING id`,
					r.TenantID, del, fmt.Sprintf("%s第%d代表小组", dname[:len(dname)-len("代表团")], g+1)); err != nil {
					return err
				}
				for range 6 {
					dep := string(demoSurnames[n%len(demoSurnames)]) + demoGiven[(n*7+di)%len(demoGiven)]
					var id int64
					// Phone numbers are fictional (reserved-looking 1390937xxxx); dev logins bind by openid.
					if err := one(&id, `INSERT INTO deputies (tenant_id, name, phone, delegation_id, group_id, mp_openid)
						VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, r.TenantID, dep, fmt.Sprintf("1390937%04d", n+1), del, grp,
						fmt.Sprintf("dev-openid-deputy%d", n+1)); err != nil {
						return err
					}
					r.Deputies, r.DeputyNames = append(r.Deputies, id), append(r.DeputyNames, dep)
					n++
				}
			}
		}
		user := func(username, display string, unit int64, roles ...string) (int64, error) {
			var id int64
			var unitArg any
			if unit != 0 {
				unitArg = unit
			}
			if err := one(&id, `INSERT INTO users (tenant_id, username, display_name, password_hash, unit_id) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
				r.TenantID, username, display, passwordHash, unitArg); err != nil {
				return 0, err
			}
			for _, role := range roles {
				if _, err := tx.Exec(ctx, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES ($1,$2,$3)`, r.TenantID, id, role); err != nil {
					return 0, fmt.Errorf("demo role: %w", err)
				}
			}
			r.Users[username] = id
			return id, nil
		}
		for _, u := range demoUnits {
			var id int64
			if err := one(&id, `INSERT INTO units (tenant_id, name) VALUES ($1,$2) RETURNING id`, r.TenantID, u.Name); err != nil {
				return err
			}
			h, err := user(u.Login, u.Name+" 经办人", id, "unit_handler")
			if err != nil {
				return err
			}
			l, err := user(u.Login+"-leader", u.Name+" 分管负责人", id, "unit_leader")
			if err != nil {
				return err
			}
			r.Units, r.UnitNames = append(r.Units, id), append(r.UnitNames, u.Name)
			r.Handlers, r.UnitLeaders = append(r.Handlers, h), append(r.UnitLeaders, l)
		}
		for _, s := range DemoStaff {
			id, err := user(s.Username, s.Name, 0, s.Roles...)
			if err != nil {
				return err
			}
			if s.Username == "chengjian" {
				if _, err := tx.Exec(ctx, `INSERT INTO user_categories (tenant_id, user_id, category_id) VALUES ($1,$2,$3)`,
					r.TenantID, id, r.Categories["城乡建设"]); err != nil {
					return fmt.Errorf("demo committee: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

func readDemoRoster(ctx context.Context, pool *pgxpool.Pool, r *DemoRoster) error {
	if err := pool.QueryRow(ctx, `SELECT id, (SELECT name FROM tenants WHERE id=$1) FROM meetings WHERE tenant_id=$1 AND is_current`,
		r.TenantID).Scan(&r.MeetingID, &r.Name); err != nil {
		return fmt.Errorf("demo meeting: %w", err)
	}
	rows, err := pool.Query(ctx, `SELECT username, id FROM users WHERE tenant_id=$1`, r.TenantID)
	if err != nil {
		return fmt.Errorf("demo users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return err
		}
		r.Users[u] = id
	}
	return rows.Err()
}
