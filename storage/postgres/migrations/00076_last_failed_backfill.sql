-- +goose Up
-- Migration 00074 added users.last_failed_at empty, and the sign-in failure rule reads an
-- empty one as a streak forgotten long ago: a user with failed_logins = 3 from before the
-- upgrade started again at 0 and was not locked after 2 more failures. Their failures are
-- dated now (the latest they can have been), so they count for the next ForgetAfter (a day)
-- like any recent streak, and are forgotten after that.
--
-- 00074's comment also says rows of unknown names are deleted "as new failures come in, so a
-- spray of made-up names cannot grow the table for good". That is not so: a new failure of an
-- unknown name deletes at most 16 of its tenant's forgotten rows. The worker's
-- login_failures_prune loop (ConsoleAuthStore.PruneLoginFailures) deletes every forgotten,
-- unlocked row across tenants in batches.
UPDATE users SET last_failed_at = now() WHERE failed_logins > 0 AND last_failed_at IS NULL;

-- +goose Down
-- Nothing to undo: 00074's Down drops the column, and dated failures are what the code
-- before this migration would have written itself.
SELECT 1;
