-- +goose Up
-- 代表述职: a deputy reporting to the voters of the constituency at a 代表家站 (the source
-- case: 代表家站组织代表深入选区向选民述职) is an activity staff organise and invite deputies to.
ALTER TYPE activity_kind ADD VALUE 'voter_report';

-- +goose Down
-- PostgreSQL cannot drop a value from an enum, so the type is rebuilt without it; a 述职 reads
-- as a 座谈 (forum), the nearest kind the code before this migration knows.
UPDATE activities SET kind = 'forum' WHERE kind = 'voter_report';
ALTER TYPE activity_kind RENAME TO activity_kind_voter_report;
CREATE TYPE activity_kind AS ENUM (
  'research', 'inspection', 'visit', 'forum', 'assignment_meeting', 'coordination_meeting', 'training');
ALTER TABLE activities ALTER COLUMN kind TYPE activity_kind USING kind::text::activity_kind;
DROP TYPE activity_kind_voter_report;
