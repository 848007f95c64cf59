package pgtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Tenant is a small standing committee made for one test: a current meeting, categories,
// deputies in two delegations, units with a handler and a leader each, and one staff user
// of every desk role.
type Tenant struct {
	ID          int64
	Code        string
	MeetingID   int64
	Categories  []int64
	Deputies    []int64 // 6 deputies
	Units       []int64 // 3 units
	Handlers    []int64 // unit_handler user per unit, same order as Units
	UnitLeaders []int64 // unit_leader user per unit
	Reviewer    int64
	Coordinator int64
	Leader      int64
	Admin       int64
	Committee   int64 // bound to Categories[0]
}

var tenantSeq atomic.Int64

// tenantIDBase keeps fixture tenants clear of the small ids tests insert by hand (1, 2).
const tenantIDBase = 1000

// NewTenant creates a tenant with its roster in pool's database.
func NewTenant(t testing.TB, pool *pgxpool.Pool) *Tenant {
	t.Helper()
	ctx := context.Background()
	n := tenantSeq.Add(1)
	tn := &Tenant{Code: fmt.Sprintf("t%d", n)}
	q := func(dst any, sql string, args ...any) {
		t.Helper()
		if err := pool.QueryRow(ctx, sql, args...).Scan(dst); err != nil {
			t.Fatalf("pgtest fixture %q: %v", fmt.Sprintf("%.50s", sql), err)
		}
	}
	// The id is unique in the test binary, not only in this test's database: the tests of one
	// binary share a Redis database (redistest), where keys are per tenant (bind-code
	// failures, rate limits, caches), so two tests' "tenant 1" would count against each other.
	q(&tn.ID, `INSERT INTO tenants (id, code, name) VALUES ($1, $2, $3) RETURNING id`,
		tenantIDBase+n, tn.Code, fmt.Sprintf("测试市人大常委会%d", n))
	q(&tn.MeetingID, `INSERT INTO meetings (tenant_id, name, year, starts_on, ends_on, is_current)
		VALUES ($1, '第十届人民代表大会第六次会议', 2026, '2026-01-10', '2026-12-31', true) RETURNING id`, tn.ID)
	for _, c := range []string{"城市建设", "教育卫生", "社会保障"} {
		var id int64
		q(&id, `INSERT INTO categories (tenant_id, name) VALUES ($1,$2) RETURNING id`, tn.ID, c)
		tn.Categories = append(tn.Categories, id)
	}
	var dels [2]int64
	q(&dels[0], `INSERT INTO delegations (tenant_id, name) VALUES ($1,'雄关区代表团') RETURNING id`, tn.ID)
	q(&dels[1], `INSERT INTO delegations (tenant_id, name) VALUES ($1,'镜铁区代表团') RETURNING id`, tn.ID)
	names := []string{"张建国", "李秀英", "王志强", "赵丽华", "陈明", "刘芳"}
	for i, name := range names {
		var id int64
		q(&id, `INSERT INTO deputies (tenant_id, name, phone, delegation_id) VALUES ($1,$2,$3,$4) RETURNING id`,
			tn.ID, name, fmt.Sprintf("139%04d%04d", n%10000, i), dels[i%2])
		tn.Deputies = append(tn.Deputies, id)
	}
	user := func(username, name string, unit int64, roles ...string) int64 {
		var id int64
		var unitArg any
		if unit != 0 {
			unitArg = unit
		}
		q(&id, `INSERT INTO users (tenant_id, username, display_name, unit_id) VALUES ($1,$2,$3,$4) RETURNING id`,
			tn.ID, username, name, unitArg)
		for _, r := range roles {
			MustExec(t, pool, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES ($1,$2,$3)`, tn.ID, id, r)
		}
		return id
	}
	for i, u := range []string{"市住房和城乡建设局", "市教育局", "市交通运输局"} {
		var id int64
		q(&id, `INSERT INTO units (tenant_id, name) VALUES ($1,$2) RETURNING id`, tn.ID, u)
		tn.Units = append(tn.Units, id)
		tn.Handlers = append(tn.Handlers, user(fmt.Sprintf("handler%d", i), u+"经办人", id, "unit_handler"))
		tn.UnitLeaders = append(tn.UnitLeaders, user(fmt.Sprintf("unitleader%d", i), u+"负责人", id, "unit_leader"))
	}
	tn.Reviewer = user("reviewer", "代表工委王科长", 0, "reviewer")
	tn.Coordinator = user("coordinator", "督查室李主任", 0, "coordinator")
	tn.Leader = user("leader", "常委会赵副主任", 0, "leader")
	tn.Admin = user("admin", "系统管理员", 0, "admin")
	tn.Committee = user("committee", "城建环保工委", 0, "committee")
	MustExec(t, pool, `INSERT INTO user_categories (tenant_id, user_id, category_id) VALUES ($1,$2,$3)`, tn.ID, tn.Committee, tn.Categories[0])
	return tn
}
