-- +goose Up
-- A photo's image check whose result never arrives (WeChat's push lost while this service was
-- down, or refused) stayed "pending" for ever. The worker submits it again once it has waited
-- media.CheckWait, up to media.CheckAttempts submissions: check_sent_at is when the check was
-- last submitted, check_attempts how many times. Photos waiting before this migration count as
-- submitted once, when they were uploaded.
ALTER TABLE attachments ADD COLUMN check_sent_at timestamptz,
	ADD COLUMN check_attempts smallint NOT NULL DEFAULT 0;
UPDATE attachments SET check_sent_at = created_at, check_attempts = 1 WHERE check_status = 'pending';
-- Recheck's candidates: only photos still waiting for a verdict are in it.
CREATE INDEX attachments_awaiting_check ON attachments (tenant_id, created_at)
	WHERE check_status IN ('unchecked', 'pending');

-- +goose Down
DROP INDEX attachments_awaiting_check;
ALTER TABLE attachments DROP COLUMN check_attempts, DROP COLUMN check_sent_at;
