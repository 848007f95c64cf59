// Package postgres is the PostgreSQL side of every domain store: the pool, the goose
// migrations, the transaction helper and one file per aggregate.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for goose
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// pgx defaults to max(4, NumCPU) connections, too few for a worker whose deliveries wait
	// on WeChat while holding none, and for serve under concurrent requests; pool_max_conns
	// in the URL still wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 32
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	// Short OLTP queries and the dashboard's aggregates both lose more to JIT compilation
	// than they gain from it.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return pool, nil
}

// Migrate runs the embedded goose migrations: "up", "down" (one step) or "reset" (all down).
// MigrationStatus reports where the database stands.
func Migrate(ctx context.Context, url string, direction string) error {
	return withMigrations(url, func(p *goose.Provider) error {
		var err error
		switch direction {
		case "up":
			_, err = p.Up(ctx)
		case "down":
			_, err = p.Down(ctx)
		case "reset":
			_, err = p.DownTo(ctx, 0)
		default:
			return fmt.Errorf("unknown migration direction %q (up, down, reset)", direction)
		}
		if err != nil {
			return fmt.Errorf("migrate %s: %w", direction, err)
		}
		return nil
	})
}

// MigrationState is one embedded migration and whether the database has applied it.
type MigrationState struct {
	Version   int64
	Name      string    // the file name without version and extension, e.g. "init"
	Applied   bool      // false: pending
	AppliedAt time.Time // zero when pending
}

// MigrationStatus lists every embedded migration in version order with its state in the
// database at url (what `jianyi migrate status` prints).
func MigrationStatus(ctx context.Context, url string) ([]MigrationState, error) {
	var out []MigrationState
	err := withMigrations(url, func(p *goose.Provider) error {
		st, err := p.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, s := range st {
			name := strings.TrimSuffix(path.Base(s.Source.Path), path.Ext(s.Source.Path))
			if _, rest, ok := strings.Cut(name, "_"); ok {
				name = rest
			}
			out = append(out, MigrationState{
				Version: s.Source.Version, Name: name,
				Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt,
			})
		}
		return nil
	})
	return out, err
}

// MigrateTo moves the schema up or down to exactly version (for tests of a migration's
// effect on rows written before it).
func MigrateTo(ctx context.Context, url string, version int64) error {
	return withMigrations(url, func(p *goose.Provider) error {
		current, err := p.GetDBVersion(ctx)
		if err == nil {
			if current > version {
				_, err = p.DownTo(ctx, version)
			} else {
				_, err = p.UpTo(ctx, version)
			}
		}
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", version, err)
		}
		return nil
	})
}

// withMigrations runs fn with a goose provider of the embedded migrations on url.
func withMigrations(url string, fn func(*goose.Provider) error) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return fmt.Errorf("open database for migrations: %w", err)
	}
	defer db.Close()
	// Migrations from parallel lines of work can land with a lower version than one
	// already applied; apply them rather than refuse to start.
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrationsFS(), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	return fn(provider)
}

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

// Tx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
func Tx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
