-- +goose Up
-- Similar earlier suggestions are offered while drafting and beside each submission.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX suggestions_title_trgm ON suggestions USING gin (tenant_id, title gin_trgm_ops);

-- +goose Down
DROP INDEX suggestions_title_trgm;
