package postgres

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pipeline exposes the statement pipeline to tests.
type Pipeline struct{ p *pipeline }

// NewPipeline builds a pipeline for tests.
func NewPipeline(pool *pgxpool.Pool, max, flushes int) Pipeline {
	return Pipeline{newPipeline(pool, max, flushes)}
}

// Do runs queue's statement in the pipeline's next flush.
func (p Pipeline) Do(queue func(b *pgx.Batch)) error { return p.p.do(queue) }
