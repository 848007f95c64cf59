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

// SaveUser, the one place a staff password is set (a new user or an admin's reset), refuses
// the passwords an attacker tries first, with the policy's code, and writes nothing.
func TestSaveUserRefusesWeakPasswords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	mine := pgtest.NewTenant(t, pool)
	svc := directory.NewService(postgres.NewDirectoryStore(pool))
	admin := auth.Actor{TenantID: mine.ID, Kind: auth.KindStaff, ID: mine.Admin, Roles: []auth.Role{auth.RoleAdmin}}
	users := func() int {
		return pgtest.Count(t, pool, `SELECT count(*) FROM users WHERE tenant_id = $1`, mine.ID)
	}
	before := users()
	for pw, code := range map[string]string{
		"1234567": "weak_password", "12345678": "password_sequence", "aaaaaaaa": "password_repeated",
		"88888888": "password_repeated", "password": "password_common", "abc12345": "password_common",
		"xinren2026": "password_has_username", "onlyletters": "password_too_simple",
	} {
		err := svc.SaveUser(ctx, admin, &directory.User{Username: "xinren", DisplayName: "新人", Roles: []auth.Role{auth.RoleReviewer}, Active: true}, pw)
		var e *directory.Error
		if !errors.Is(err, directory.ErrInvalid) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
			t.Errorf("new user with %q: %v, want %s", pw, err, code)
		}
	}
	if users() != before {
		t.Fatal("a refused user was written")
	}
	// A reset to a weak password leaves the old hash.
	var hash string
	if err := pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2`, mine.ID, mine.Reviewer).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	err := svc.SaveUser(ctx, admin, &directory.User{ID: mine.Reviewer, Username: "reviewer", DisplayName: "代表工委王科长", Roles: []auth.Role{auth.RoleReviewer}, Active: true}, "qwertyui")
	if !errors.Is(err, directory.ErrInvalid) {
		t.Fatalf("weak reset: %v", err)
	}
	var after string
	if err := pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2`, mine.ID, mine.Reviewer).Scan(&after); err != nil || after != hash {
		t.Fatalf("a refused reset changed the hash: %v", err)
	}
	if err := svc.SaveUser(ctx, admin, &directory.User{Username: "xinren", DisplayName: "新人", Roles: []auth.Role{auth.RoleReviewer}, Active: true}, "jianyi-demo-2026"); err != nil {
		t.Fatalf("a good password: %v", err)
	}
}
