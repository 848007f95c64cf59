package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"jianyi/internal/notify"
)

// tellIn publishes in tx, the transaction that saves a record, the notices tell builds once
// the record is written (it has its id then), and returns the pushes to queue after commit
// (notify.Teller.Queue). A nil tell, or one that builds none, publishes nothing. A failed
// publish fails the transaction: the record and its notices commit together or not at all.
func tellIn(ctx context.Context, tx pgx.Tx, tell func() *notify.Notices) ([]notify.Job, error) {
	if tell == nil {
		return nil, nil
	}
	jobs, err := notify.PublishIn(ctx, &notifyTx{tx: tx}, tell())
	if err != nil {
		return nil, fmt.Errorf("publish notices: %w", err)
	}
	return jobs, nil
}
