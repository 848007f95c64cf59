package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// lazyTx is a transaction that is opened only when a statement needs its answer before the
// commit. A workflow change whose writes are all queued (submit, assign, most transitions)
// never opens one: its writes go as one statement (change_statement.go) in one round trip,
// and guards inside it (guardSQLState) abort all of them.
type lazyTx struct {
	pool *pgxpool.Pool
	tx   pgx.Tx
}

func (l *lazyTx) begin(ctx context.Context) error {
	if l.tx != nil {
		return nil
	}
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	l.tx = tx
	return nil
}

func (l *lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := l.begin(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return l.tx.Exec(ctx, sql, args...)
}

func (l *lazyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := l.begin(ctx); err != nil {
		return nil, err
	}
	return l.tx.Query(ctx, sql, args...)
}

func (l *lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := l.begin(ctx); err != nil {
		return errRow{err}
	}
	return l.tx.QueryRow(ctx, sql, args...)
}

// commit sends the change's statement and commits: in the open transaction when there is
// one, otherwise as a statement of its own (one round trip, its own transaction).
func (l *lazyTx) commit(ctx context.Context, c *changeStatement) error {
	if l.tx == nil {
		if c.empty() {
			return nil
		}
		sql, args := c.build()
		_, err := l.pool.Exec(ctx, sql, args...)
		return err
	}
	if !c.empty() {
		sql, args := c.build()
		if _, err := l.tx.Exec(ctx, sql, args...); err != nil {
			return err
		}
	}
	if err := l.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (l *lazyTx) rollback(ctx context.Context) {
	if l.tx != nil {
		_ = l.tx.Rollback(ctx) // a no-op after commit
	}
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// guardSQLState is the SQLSTATE raised by jianyi_expect (migration 00006) when a guarded
// statement touched an unexpected number of rows; the message is the refusal's code.
const guardSQLState = "JY001"

// guardCode returns the refusal code of a failed guard, or "".
func guardCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == guardSQLState {
		return pe.Message
	}
	return ""
}
