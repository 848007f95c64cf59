-- +goose Up
-- The photos of a 随手拍 sent to the official account are fetched from WeChat by a queued
-- task that may run more than once (a retry after a WeChat or storage error, a worker that
-- died mid-task). Each photo remembers the WeChat media id it came from, so that a snap holds
-- one photo per media id; and the snap remembers that the deputy was told, so that the
-- customer-service answer goes out once.
ALTER TABLE attachments ADD COLUMN source_media_id text;
CREATE UNIQUE INDEX attachments_snap_source ON attachments (tenant_id, snap_id, source_media_id)
  WHERE source_media_id IS NOT NULL;
ALTER TABLE snaps ADD COLUMN photos_answered_at timestamptz;

-- +goose Down
ALTER TABLE snaps DROP COLUMN photos_answered_at;
DROP INDEX attachments_snap_source;
ALTER TABLE attachments DROP COLUMN source_media_id;
