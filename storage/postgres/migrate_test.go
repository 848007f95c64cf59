package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// Migrations must go up, come all the way down and go up again, so a bad release can be rolled back.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	tables := func() int {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
			WHERE table_schema='public' AND table_name <> 'goose_db_version'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	up := tables()
	if up < 25 {
		t.Fatalf("after up: %d tables, want the whole schema", up)
	}
	if err := postgres.Migrate(ctx, dsn, "reset"); err != nil {
		t.Fatal(err)
	}
	if n := tables(); n != 0 {
		t.Fatalf("after reset: %d tables left", n)
	}
	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	if n := tables(); n != up {
		t.Fatalf("second up: %d tables, first had %d", n, up)
	}
}

// Every primary key and index must start with tenant_id (Citus distribution column).
func TestEveryIndexLeadsWithTenant(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	rows, err := pool.Query(context.Background(), `
		SELECT i.relname, t.relname, a.attname
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
		WHERE n.nspname = 'public' AND t.relname NOT IN ('tenants', 'goose_db_version')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx, tbl, col string
		if err := rows.Scan(&idx, &tbl, &col); err != nil {
			t.Fatal(err)
		}
		if col != "tenant_id" {
			t.Errorf("index %s on %s leads with %s, want tenant_id", idx, tbl, col)
		}
	}
}
