// Package pgtest gives each test a fresh, migrated PostgreSQL database on the real server.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/storage/postgres"
)

// AdminURL is the server the test databases are created on.
func AdminURL() string {
	if u := os.Getenv("JIANYI_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewURL creates an empty database (not migrated) and returns its URL; it is dropped at cleanup.
func NewURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("pgtest: PostgreSQL is not reachable at %s (run scripts/services.sh): %v", AdminURL(), err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "jianyi_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), AdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("pgtest: bad JIANYI_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// New returns a pool on a fresh database migrated to the latest version.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := NewURL(t)
	ctx := context.Background()
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// At returns a pool on a fresh database migrated up to version only, and the database's URL,
// for a test of the migrations after it (postgres.Migrate the URL "up", then pool.Reset()).
func At(t testing.TB, version int64) (*pgxpool.Pool, string) {
	t.Helper()
	dsn := NewURL(t)
	ctx := context.Background()
	if err := postgres.MigrateTo(ctx, dsn, version); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, dsn
}

// MustExec runs a statement or fails the test; for fixtures.
func MustExec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("pgtest exec %q: %v", fmt.Sprintf("%.60s", sql), err)
	}
}

// Count runs a query returning one number (a count) and fails the test on error.
func Count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("pgtest count %q: %v", fmt.Sprintf("%.60s", sql), err)
	}
	return n
}

// Told lists who got notices of kind in the tenant, as "deputy:<id>" or "user:<id>", once per
// notice, by recipient kind and id.
func Told(t testing.TB, pool *pgxpool.Pool, tenantID int64, kind string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT recipient_kind || ':' || recipient_id FROM notices
		WHERE tenant_id = $1 AND kind = $2 ORDER BY recipient_kind, recipient_id, id`, tenantID, kind)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}
