-- +goose Up
-- Official-account template sends return a msgid; WeChat's TEMPLATESENDJOBFINISH event later
-- reports whether the message reached the user (the bot receives it).
ALTER TABLE deliveries ADD COLUMN wechat_msgid bigint, ADD COLUMN wechat_result text NOT NULL DEFAULT '';
CREATE INDEX deliveries_msgid ON deliveries (tenant_id, wechat_msgid) WHERE wechat_msgid IS NOT NULL;

-- +goose Down
DROP INDEX deliveries_msgid;
ALTER TABLE deliveries DROP COLUMN wechat_result, DROP COLUMN wechat_msgid;
