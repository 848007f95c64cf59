package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"jianyi/storage/postgres/pgtest"
)

// The demo tenant must show every part working: each stable state has suggestions, the
// roster is the size the README promises, and a second start writes nothing.
func TestSeedDemoCoversEveryState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := demoDeps(t)
	info, err := seedDemo(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Accounts) < 6 {
		t.Fatalf("demo accounts: %+v", info.Accounts)
	}
	var published int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM replies WHERE published_at IS NOT NULL`).Scan(&published); err != nil || published == 0 {
		t.Fatalf("the demo publishes no reply for its public page (%d, %v)", published, err)
	}
	counts := map[string]int{}
	rows, err := d.pool.Query(ctx, `SELECT status::text, count(*) FROM suggestions GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		counts[s] = n
	}
	rows.Close()
	for _, s := range []string{"draft", "submitted", "returned", "not_registered", "registered", "assigned",
		"handling", "replied", "rehandling", "escalated", "tracking", "closed", "merged"} {
		if counts[s] == 0 {
			t.Errorf("no demo suggestion in state %s (have %v)", s, counts)
		}
	}
	var deputies, delegations, units, roles int
	if err := d.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM deputies), (SELECT count(*) FROM delegations),
		(SELECT count(*) FROM units), (SELECT count(DISTINCT role) FROM user_roles)`).Scan(&deputies, &delegations, &units, &roles); err != nil {
		t.Fatal(err)
	}
	if deputies < 30 || delegations != 3 || units != 10 || roles != 7 {
		t.Fatalf("roster: %d deputies, %d delegations, %d units, %d desk roles", deputies, delegations, units, roles)
	}
	var before, after int
	_ = d.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&before)
	if _, err := seedDemo(ctx, d); err != nil {
		t.Fatalf("second seed: %v", err)
	}
	_ = d.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&after)
	if before != after {
		t.Fatalf("second seed wrote %d audit events", after-before)
	}
}

// demoDeps is what seedDemo needs: a fresh database and a quiet log.
func demoDeps(t *testing.T) *deps {
	return &deps{pool: pgtest.New(t), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// seededDemo is a fresh database with the demo seeded once, and a count of rows in it.
func seededDemo(t *testing.T) (*deps, func(sql string) int) {
	t.Helper()
	d := demoDeps(t)
	if _, err := seedDemo(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d, func(sql string) int { t.Helper(); return pgtest.Count(t, d.pool, sql) }
}
