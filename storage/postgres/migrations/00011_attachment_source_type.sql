-- +goose Up
-- The sniffed type of what the phone sent (the stored copies are always re-encoded JPEG), so a
-- replayed upload completion answers the same source_type. Separate from 00010 because 00010
-- was already applied in dev databases; IF NOT EXISTS covers a database migrated while the
-- column briefly lived in 00010.
ALTER TABLE attachments ADD COLUMN IF NOT EXISTS source_type text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE attachments DROP COLUMN IF EXISTS source_type;
