-- +goose Up
-- Each deputy's list of suggestions (led or co-signed) has a stamp: the mini-program keeps a
-- rendered page of "my suggestions" while the stamp it was read under is current. The
-- workflow's change statement raises the stamps of the lead deputy and co-signers of each
-- suggestion it changes, in the same transaction, so a page never outlives a committed
-- change. A deputy's stamp is the sum of up to 8 shards picked by suggestion id (changes to
-- different suggestions of one deputy rarely wait on one row lock); each shard only grows,
-- so the sum never repeats. No foreign key: rows are written on the hot path, and a stamp
-- left behind by a removed deputy is harmless. Half-full pages keep the updates HOT.
CREATE TABLE deputy_list_stamps (
    tenant_id bigint   NOT NULL,
    deputy_id bigint   NOT NULL,
    shard     smallint NOT NULL,
    stamp     bigint   NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, deputy_id, shard)
) WITH (fillfactor = 50);

-- +goose Down
DROP TABLE deputy_list_stamps;
