-- +goose Up
-- The 三见面 supervision list (supervise.ListContacts) reads the 部门快办 cases replied in the
-- last six months; without this index each page view walked every case of the tenant. Only
-- fast-track rows are in it, so other suggestions' writes never touch it.
CREATE INDEX suggestions_fast_replied ON suggestions (tenant_id, replied_at) WHERE mode = 'fast_track';

-- +goose Down
DROP INDEX suggestions_fast_replied;
