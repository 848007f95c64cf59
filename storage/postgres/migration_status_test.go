package postgres_test

import (
	"context"
	"path/filepath"
	"testing"

	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// TestMigrationStatus: every embedded migration is listed in version order with its name,
// pending on an empty database, applied (with its time) after up, and the last one pending
// again after one step down.
func TestMigrationStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations/*.sql: %v %v", files, err)
	}
	check := func(when string, wantApplied func(i, n int) bool) []postgres.MigrationState {
		t.Helper()
		st, err := postgres.MigrationStatus(ctx, dsn)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if len(st) != len(files) {
			t.Fatalf("%s: %d migrations listed, want the %d in migrations/", when, len(st), len(files))
		}
		for i, s := range st {
			if i > 0 && s.Version <= st[i-1].Version {
				t.Fatalf("%s: not in version order at %d: %d after %d", when, i, s.Version, st[i-1].Version)
			}
			if s.Name == "" {
				t.Errorf("%s: migration %d has no name", when, s.Version)
			}
			if want := wantApplied(i, len(st)); s.Applied != want || s.AppliedAt.IsZero() == want {
				t.Errorf("%s: migration %d %s applied=%v at %v, want applied=%v", when, s.Version, s.Name, s.Applied, s.AppliedAt, want)
			}
		}
		return st
	}
	st := check("empty database", func(int, int) bool { return false })
	if st[0].Version != 1 || st[0].Name != "core" {
		t.Errorf("first migration = %d %q, want 1 \"core\"", st[0].Version, st[0].Name)
	}
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	check("after up", func(int, int) bool { return true })
	if err := postgres.Migrate(ctx, dsn, "down"); err != nil {
		t.Fatal(err)
	}
	check("after one down", func(i, n int) bool { return i < n-1 })
}
