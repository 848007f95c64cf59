-- +goose Up
-- 提出时间 is the first submission (internal/suggestion, SubmitChecked): a suggestion returned
-- for revision and sent again used to take the resubmission's time. Cases already resubmitted
-- get back the time of their first submit event; the dashboard's trigger recomputes each one
-- (its month moves back to where it was first counted).
UPDATE suggestions s SET submitted_at = f.first
FROM (SELECT tenant_id, suggestion_id, min(created_at) AS first FROM audit_events
      WHERE action = 'submit' GROUP BY tenant_id, suggestion_id) f
WHERE s.tenant_id = f.tenant_id AND s.id = f.suggestion_id AND f.first < s.submitted_at;

-- +goose Down
-- The resubmission times are not kept anywhere but the audit log; the first submissions stay.
SELECT 1;
