-- +goose Up
-- A replayed answer goes back as it was first sent, byte for byte. As jsonb it came back with
-- its keys reordered and its spaces dropped, and PostgreSQL parsed it on every submit.
ALTER TABLE idempotency_keys ALTER COLUMN response TYPE text USING response::text;

-- +goose Down
ALTER TABLE idempotency_keys ALTER COLUMN response TYPE jsonb USING response::jsonb;
