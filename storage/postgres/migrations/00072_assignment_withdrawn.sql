-- +goose Up
-- A co-unit's return request granted without naming another unit (suggestion.WithdrawCoUnit:
-- "与本单位无关", and no other co-unit is needed) leaves its assignment 'withdrawn' and
-- inactive. Like a re-routed ('reassigned') one it stays in the history, and every query that
-- reads active assignments (the unit's inbox and workload, reminders, overdue lists, exports,
-- statistics) leaves it out.
ALTER TYPE assignment_state ADD VALUE 'withdrawn';

-- +goose Down
-- PostgreSQL cannot drop a value from an enum, so the type is rebuilt without it. A withdrawn
-- assignment reads as a re-routed one, the inactive state the code before this migration knows.
UPDATE assignments SET state = 'reassigned' WHERE state = 'withdrawn';
ALTER TYPE assignment_state RENAME TO assignment_state_withdrawn;
CREATE TYPE assignment_state AS ENUM (
  'pending', 'accepted', 'return_requested', 'reassigned', 'opinion_sent', 'replied');
ALTER TABLE assignments ALTER COLUMN state DROP DEFAULT,
  ALTER COLUMN state TYPE assignment_state USING state::text::assignment_state,
  ALTER COLUMN state SET DEFAULT 'pending';
DROP TYPE assignment_state_withdrawn;
