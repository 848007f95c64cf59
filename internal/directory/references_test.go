package directory_test

import (
	"context"
	"errors"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// Another tenant's (or a made-up) unit, category or delegation is bad input with a Chinese
// message and a stable code, never a database error, and nothing is written.
func TestForeignReferencesAreBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	mine, theirs := pgtest.NewTenant(t, pool), pgtest.NewTenant(t, pool)
	store := postgres.NewDirectoryStore(pool)
	svc := directory.NewService(store)
	admin := auth.Actor{TenantID: mine.ID, Kind: auth.KindStaff, ID: mine.Admin, Roles: []auth.Role{auth.RoleAdmin}}
	delegation := func(tn *pgtest.Tenant) int64 {
		var id int64
		if err := pool.QueryRow(ctx, `SELECT min(id) FROM delegations WHERE tenant_id = $1`, tn.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	count := func(table string) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE tenant_id = $1`, mine.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := func(name string, err error, code string) {
		t.Helper()
		var e *directory.Error
		if !errors.Is(err, directory.ErrInvalid) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
			t.Errorf("%s: got %v, want invalid %s", name, err, code)
		}
	}
	users, deputies, groups := count("users"), count("deputies"), count("deputy_groups")

	user := func(unit int64, roles []auth.Role, cats ...int64) *directory.User {
		return &directory.User{Username: "xinren", DisplayName: "新人", UnitID: unit, Roles: roles, CategoryIDs: cats, Active: true}
	}
	want("user, another tenant's unit", svc.SaveUser(ctx, admin, user(theirs.Units[0], []auth.Role{auth.RoleUnitHandler}), "desk-pass-2026"), "unit_not_found")
	want("user, no such unit", svc.SaveUser(ctx, admin, user(999999, []auth.Role{auth.RoleUnitHandler}), "desk-pass-2026"), "unit_not_found")
	want("user, another tenant's category", svc.SaveUser(ctx, admin, user(0, []auth.Role{auth.RoleCommittee}, mine.Categories[0], theirs.Categories[0]), "desk-pass-2026"), "category_not_found")
	want("deputy, another tenant's delegation", svc.SaveDeputy(ctx, admin, &directory.Deputy{Name: "新代表", DelegationID: delegation(theirs), Active: true}), "delegation_not_found")
	want("deputy, no such delegation", svc.SaveDeputy(ctx, admin, &directory.Deputy{Name: "新代表", DelegationID: 999999, Active: true}), "delegation_not_found")
	want("deputy, no such group", svc.SaveDeputy(ctx, admin, &directory.Deputy{Name: "新代表", DelegationID: delegation(mine), GroupID: 999999, Active: true}), "group_not_found")
	want("group, another tenant's delegation", svc.SaveGroup(ctx, admin, &directory.Group{Name: "新小组", DelegationID: delegation(theirs)}), "delegation_not_found")

	// Behind the service, the store maps a foreign-key violation (SQLSTATE 23503) the same way.
	want("store, another tenant's unit", store.SaveUser(ctx, mine.ID, user(theirs.Units[0], []auth.Role{auth.RoleUnitHandler})), "bad_reference")
	want("store, another tenant's delegation", store.SaveGroup(ctx, mine.ID, &directory.Group{Name: "新小组", DelegationID: delegation(theirs)}), "bad_reference")

	if count("users") != users || count("deputies") != deputies || count("deputy_groups") != groups {
		t.Fatal("a refused save wrote rows")
	}
	// The tenant's own references still work.
	if err := svc.SaveUser(ctx, admin, user(mine.Units[0], []auth.Role{auth.RoleUnitHandler}), "desk-pass-2026"); err != nil {
		t.Fatalf("own unit: %v", err)
	}
	if err := svc.SaveGroup(ctx, admin, &directory.Group{Name: "新小组", DelegationID: delegation(mine)}); err != nil {
		t.Fatalf("own delegation: %v", err)
	}
}
