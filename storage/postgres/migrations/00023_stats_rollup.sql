-- +goose Up
-- Dashboard rollup. Recounting a tenant's suggestions on every uncached dashboard view scanned
-- 100,000 rows (0.3 s a query, 1.3-2 s a page under load). Instead:
--
--  * stats_members: one narrow row per counted suggestion (not draft, not merged) with its
--    filter dimensions (meeting, lead unit, category, lead deputy's delegation, submission
--    month) and its 0/1 contribution to every clock-free count. It is the "old value" that
--    lets a change be applied as a difference, and it answers the clock-bound counts
--    (overdue, 未反馈) and partial months of a period filter with a small index scan.
--  * stats_rollup: the sums of stats_members per dimension combination and submission month
--    (ev = 0), plus the trend's replied (ev = 2) and closed (ev = 3) counts per event month.
--    Writers only INSERT difference rows (compacted = false): no row is shared between
--    writers, so no lock waits or deadlocks are added to the workflow's transactions.
--    stats_compact(tenant) folds the difference rows into one row per key; readers sum
--    every row of the tenant, so the totals are right whether or not compaction has run.
--
-- Triggers keep both in the workflow's own transaction: on suggestions (the counted columns
-- only), on assignments (active lead changes), on suggestion_facts (replies and ratings,
-- kept by 00021's triggers) and on deputies (a delegation change moves the deputy's
-- suggestions). stats_refresh(tenant, id) recomputes one suggestion from the source tables
-- through stats_member_source, so the rollup can never differ from a recount by construction.

CREATE FUNCTION stats_month(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')::date $$;

CREATE TABLE stats_members (
  tenant_id      bigint NOT NULL,
  suggestion_id  bigint NOT NULL,
  meeting_id     bigint NOT NULL,
  unit_id        bigint NOT NULL,   -- active lead assignment's unit; 0 before assignment
  category_id    bigint NOT NULL,   -- 0: none
  delegation_id  bigint NOT NULL,   -- the lead deputy's; 0: none
  submitted_at   timestamptz,
  month          date NOT NULL,     -- Shanghai month of submitted_at; -infinity when unset
  replied_month  date,
  closed_month   date,
  reply_due_at   timestamptz,       -- only while the reply is awaited (open status)
  rating_due_at  timestamptz,       -- only while the latest reply awaits the lead's rating
  registered     smallint NOT NULL,
  not_registered smallint NOT NULL,
  assigned       smallint NOT NULL,
  replied        smallint NOT NULL,
  on_time        smallint NOT NULL,
  closed         smallint NOT NULL,
  class_a        smallint NOT NULL,
  class_b        smallint NOT NULL,
  class_c        smallint NOT NULL,
  class_d        smallint NOT NULL,
  rated          smallint NOT NULL,
  satisfied      smallint NOT NULL,
  basically      smallint NOT NULL,
  unsatisfied    smallint NOT NULL,
  impl_rated     smallint NOT NULL,
  impl_satisfied smallint NOT NULL,
  impl_basically smallint NOT NULL,
  impl_unsatisfied smallint NOT NULL,
  tracking       smallint NOT NULL,
  PRIMARY KEY (tenant_id, suggestion_id)
);
-- Partial months of a period filter.
CREATE INDEX stats_members_submitted ON stats_members (tenant_id, submitted_at);
-- The clock-bound counts read only the rows whose clock runs.
CREATE INDEX stats_members_reply_due ON stats_members (tenant_id, reply_due_at) WHERE reply_due_at IS NOT NULL;
CREATE INDEX stats_members_rating_due ON stats_members (tenant_id, rating_due_at) WHERE rating_due_at IS NOT NULL;

CREATE TABLE stats_rollup (
  tenant_id      bigint NOT NULL,
  meeting_id     bigint NOT NULL,
  unit_id        bigint NOT NULL,
  category_id    bigint NOT NULL,
  delegation_id  bigint NOT NULL,
  month          date NOT NULL,     -- submission month
  ev             smallint NOT NULL, -- 0 counts, 2 replied in ev_month, 3 closed in ev_month
  ev_month       date NOT NULL,
  compacted      boolean NOT NULL DEFAULT false,
  n              int NOT NULL,      -- ev 0: submitted; else the trend's count
  registered     int NOT NULL DEFAULT 0,
  not_registered int NOT NULL DEFAULT 0,
  assigned       int NOT NULL DEFAULT 0,
  replied        int NOT NULL DEFAULT 0,
  on_time        int NOT NULL DEFAULT 0,
  closed         int NOT NULL DEFAULT 0,
  class_a        int NOT NULL DEFAULT 0,
  class_b        int NOT NULL DEFAULT 0,
  class_c        int NOT NULL DEFAULT 0,
  class_d        int NOT NULL DEFAULT 0,
  rated          int NOT NULL DEFAULT 0,
  satisfied      int NOT NULL DEFAULT 0,
  basically      int NOT NULL DEFAULT 0,
  unsatisfied    int NOT NULL DEFAULT 0,
  impl_rated     int NOT NULL DEFAULT 0,
  impl_satisfied int NOT NULL DEFAULT 0,
  impl_basically int NOT NULL DEFAULT 0,
  impl_unsatisfied int NOT NULL DEFAULT 0,
  tracking       int NOT NULL DEFAULT 0
);
CREATE INDEX stats_rollup_read ON stats_rollup (tenant_id, ev, month);
CREATE INDEX stats_rollup_pending ON stats_rollup (tenant_id) WHERE NOT compacted;

-- What a suggestion contributes now, from the source tables (exactly the old recount's
-- definitions; see internal/stats).
CREATE VIEW stats_member_source AS
SELECT s.tenant_id, s.id AS suggestion_id, s.meeting_id, COALESCE(a.unit_id, 0) AS unit_id,
  COALESCE(s.category_id, 0) AS category_id, COALESCE(d.delegation_id, 0) AS delegation_id,
  s.submitted_at, COALESCE(stats_month(s.submitted_at), '-infinity') AS month,
  stats_month(s.replied_at) AS replied_month, stats_month(s.closed_at) AS closed_month,
  CASE WHEN s.status IN ('assigned', 'handling', 'rehandling', 'escalated') THEN s.reply_due_at END AS reply_due_at,
  CASE WHEN f.last_reply_round IS NOT NULL AND (f.reply_rating_round IS NULL OR f.reply_rating_round < f.last_reply_round)
    THEN s.rating_due_at END AS rating_due_at,
  (s.registered_at IS NOT NULL)::int::smallint AS registered,
  (s.status = 'not_registered')::int::smallint AS not_registered,
  (s.assigned_at IS NOT NULL)::int::smallint AS assigned,
  (f.last_reply_round IS NOT NULL)::int::smallint AS replied,
  COALESCE(f.first_on_time, false)::int::smallint AS on_time,
  (s.status = 'closed')::int::smallint AS closed,
  COALESCE(f.last_class = 'A', false)::int::smallint AS class_a,
  COALESCE(f.last_class = 'B', false)::int::smallint AS class_b,
  COALESCE(f.last_class = 'C', false)::int::smallint AS class_c,
  COALESCE(f.last_class = 'D', false)::int::smallint AS class_d,
  (f.reply_rating IS NOT NULL)::int::smallint AS rated,
  COALESCE(f.reply_rating = 'satisfied', false)::int::smallint AS satisfied,
  COALESCE(f.reply_rating = 'basically_satisfied', false)::int::smallint AS basically,
  COALESCE(f.reply_rating = 'unsatisfied', false)::int::smallint AS unsatisfied,
  (f.impl_rating IS NOT NULL)::int::smallint AS impl_rated,
  COALESCE(f.impl_rating = 'satisfied', false)::int::smallint AS impl_satisfied,
  COALESCE(f.impl_rating = 'basically_satisfied', false)::int::smallint AS impl_basically,
  COALESCE(f.impl_rating = 'unsatisfied', false)::int::smallint AS impl_unsatisfied,
  (s.status = 'tracking')::int::smallint AS tracking
FROM suggestions s
LEFT JOIN LATERAL (SELECT a.unit_id FROM assignments a
                   WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead'
                   ORDER BY a.id DESC LIMIT 1) a ON true
LEFT JOIN suggestion_facts f ON f.tenant_id = s.tenant_id AND f.suggestion_id = s.id
LEFT JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
WHERE s.status NOT IN ('draft', 'merged');

-- +goose StatementBegin
-- Adds (sgn = 1) or removes (sgn = -1) one member's contribution as difference rows.
CREATE FUNCTION stats_rollup_add(m stats_members, sgn int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_rollup (tenant_id, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, n,
    registered, not_registered, assigned, replied, on_time, closed, class_a, class_b, class_c, class_d,
    rated, satisfied, basically, unsatisfied, impl_rated, impl_satisfied, impl_basically, impl_unsatisfied, tracking)
  VALUES (m.tenant_id, m.meeting_id, m.unit_id, m.category_id, m.delegation_id, m.month, 0, m.month, sgn,
    sgn * m.registered, sgn * m.not_registered, sgn * m.assigned, sgn * m.replied, sgn * m.on_time, sgn * m.closed,
    sgn * m.class_a, sgn * m.class_b, sgn * m.class_c, sgn * m.class_d,
    sgn * m.rated, sgn * m.satisfied, sgn * m.basically, sgn * m.unsatisfied,
    sgn * m.impl_rated, sgn * m.impl_satisfied, sgn * m.impl_basically, sgn * m.impl_unsatisfied, sgn * m.tracking);
  IF m.replied_month IS NOT NULL THEN
    INSERT INTO stats_rollup (tenant_id, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, n)
    VALUES (m.tenant_id, m.meeting_id, m.unit_id, m.category_id, m.delegation_id, m.month, 2, m.replied_month, sgn);
  END IF;
  IF m.closed_month IS NOT NULL THEN
    INSERT INTO stats_rollup (tenant_id, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, n)
    VALUES (m.tenant_id, m.meeting_id, m.unit_id, m.category_id, m.delegation_id, m.month, 3, m.closed_month, sgn);
  END IF;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- Recomputes one suggestion: the member row locks first, so concurrent refreshes of the same
-- suggestion take turns and the second reads the first's committed sources.
CREATE FUNCTION stats_refresh(t bigint, sid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o stats_members;
  n stats_members;
  had boolean;
  has boolean;
BEGIN
  SELECT * INTO o FROM stats_members WHERE tenant_id = t AND suggestion_id = sid FOR UPDATE;
  had := FOUND;
  SELECT * INTO n FROM stats_member_source WHERE tenant_id = t AND suggestion_id = sid;
  has := FOUND;
  IF had AND has AND o IS NOT DISTINCT FROM n THEN
    RETURN;
  END IF;
  IF had THEN
    PERFORM stats_rollup_add(o, -1);
    DELETE FROM stats_members WHERE tenant_id = t AND suggestion_id = sid;
  END IF;
  IF has THEN
    PERFORM stats_rollup_add(n, 1);
    INSERT INTO stats_members VALUES (n.*);
  END IF;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- Bulk loads (the benchmark's seeding) set jianyi.stats_bulk = 'on' and call stats_rebuild.
CREATE FUNCTION stats_bulk() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT COALESCE(current_setting('jianyi.stats_bulk', true), '') = 'on' $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stats_on_suggestion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_refresh(OLD.tenant_id, OLD.id);
  ELSE
    PERFORM stats_refresh(NEW.tenant_id, NEW.id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stats_on_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM stats_refresh(OLD.tenant_id, OLD.suggestion_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.suggestion_id <> OLD.suggestion_id) THEN
    PERFORM stats_refresh(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stats_on_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_refresh(OLD.tenant_id, OLD.suggestion_id);
  ELSE
    PERFORM stats_refresh(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stats_on_deputy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sid bigint;
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  FOR sid IN SELECT s.id FROM suggestions s WHERE s.tenant_id = NEW.tenant_id AND s.lead_deputy_id = NEW.id ORDER BY s.id LOOP
    PERFORM stats_refresh(NEW.tenant_id, sid);
  END LOOP;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- Only changes of counted columns fire; drafts never count.
CREATE TRIGGER stats_suggestion_insert AFTER INSERT ON suggestions
  FOR EACH ROW WHEN (NEW.status NOT IN ('draft', 'merged')) EXECUTE FUNCTION stats_on_suggestion();
CREATE TRIGGER stats_suggestion_update AFTER UPDATE OF status, meeting_id, category_id, lead_deputy_id, submitted_at,
    registered_at, assigned_at, reply_due_at, rating_due_at, replied_at, closed_at ON suggestions
  FOR EACH ROW WHEN (NOT (OLD.status IN ('draft', 'merged') AND NEW.status IN ('draft', 'merged'))
    AND (OLD.status, OLD.meeting_id, OLD.category_id, OLD.lead_deputy_id, OLD.submitted_at, OLD.registered_at,
         OLD.assigned_at, OLD.reply_due_at, OLD.rating_due_at, OLD.replied_at, OLD.closed_at)
    IS DISTINCT FROM (NEW.status, NEW.meeting_id, NEW.category_id, NEW.lead_deputy_id, NEW.submitted_at, NEW.registered_at,
         NEW.assigned_at, NEW.reply_due_at, NEW.rating_due_at, NEW.replied_at, NEW.closed_at))
  EXECUTE FUNCTION stats_on_suggestion();
CREATE TRIGGER stats_suggestion_delete AFTER DELETE ON suggestions
  FOR EACH ROW WHEN (OLD.status NOT IN ('draft', 'merged')) EXECUTE FUNCTION stats_on_suggestion();

CREATE TRIGGER stats_assignment_insert AFTER INSERT ON assignments
  FOR EACH ROW WHEN (NEW.role = 'lead' AND NEW.active) EXECUTE FUNCTION stats_on_assignment();
CREATE TRIGGER stats_assignment_update AFTER UPDATE OF active, role, unit_id, suggestion_id ON assignments
  FOR EACH ROW WHEN ((OLD.role = 'lead' AND OLD.active OR NEW.role = 'lead' AND NEW.active)
    AND (OLD.active, OLD.role, OLD.unit_id, OLD.suggestion_id) IS DISTINCT FROM (NEW.active, NEW.role, NEW.unit_id, NEW.suggestion_id))
  EXECUTE FUNCTION stats_on_assignment();
CREATE TRIGGER stats_assignment_delete AFTER DELETE ON assignments
  FOR EACH ROW WHEN (OLD.role = 'lead' AND OLD.active) EXECUTE FUNCTION stats_on_assignment();

CREATE TRIGGER stats_facts AFTER INSERT OR UPDATE OR DELETE ON suggestion_facts
  FOR EACH ROW EXECUTE FUNCTION stats_on_facts();

CREATE TRIGGER stats_deputy_delegation AFTER UPDATE OF delegation_id ON deputies
  FOR EACH ROW WHEN (OLD.delegation_id IS DISTINCT FROM NEW.delegation_id) EXECUTE FUNCTION stats_on_deputy();

-- +goose StatementBegin
-- Folds a tenant's difference rows into one row per key (only the keys that have any), and
-- drops keys that sum to nothing. Concurrent callers skip (the advisory lock is per tenant).
CREATE FUNCTION stats_compact(t bigint) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  k int;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended('jianyi.stats_compact', t)) THEN
    RETURN 0;
  END IF;
  WITH keys AS (
    SELECT DISTINCT meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month
    FROM stats_rollup WHERE tenant_id = t AND NOT compacted
  ), d AS (
    DELETE FROM stats_rollup r USING keys k
    WHERE r.tenant_id = t AND r.meeting_id = k.meeting_id AND r.unit_id = k.unit_id AND r.category_id = k.category_id
      AND r.delegation_id = k.delegation_id AND r.month = k.month AND r.ev = k.ev AND r.ev_month = k.ev_month
    RETURNING r.*
  )
  INSERT INTO stats_rollup (tenant_id, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, compacted, n,
    registered, not_registered, assigned, replied, on_time, closed, class_a, class_b, class_c, class_d,
    rated, satisfied, basically, unsatisfied, impl_rated, impl_satisfied, impl_basically, impl_unsatisfied, tracking)
  SELECT t, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, true, sum(n),
    sum(registered), sum(not_registered), sum(assigned), sum(replied), sum(on_time), sum(closed),
    sum(class_a), sum(class_b), sum(class_c), sum(class_d), sum(rated), sum(satisfied), sum(basically), sum(unsatisfied),
    sum(impl_rated), sum(impl_satisfied), sum(impl_basically), sum(impl_unsatisfied), sum(tracking)
  FROM d GROUP BY meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month
  HAVING sum(n) <> 0; -- every member counts 1 in n, so n = 0 means the key is empty
  GET DIAGNOSTICS k = ROW_COUNT;
  RETURN k;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- Recomputes the members and the rollup of one tenant (NULL: all) from the source tables.
CREATE FUNCTION stats_rebuild(t bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM stats_rollup WHERE t IS NULL OR tenant_id = t;
  DELETE FROM stats_members WHERE t IS NULL OR tenant_id = t;
  INSERT INTO stats_members SELECT * FROM stats_member_source WHERE t IS NULL OR tenant_id = t;
  INSERT INTO stats_rollup (tenant_id, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, compacted, n,
    registered, not_registered, assigned, replied, on_time, closed, class_a, class_b, class_c, class_d,
    rated, satisfied, basically, unsatisfied, impl_rated, impl_satisfied, impl_basically, impl_unsatisfied, tracking)
  SELECT tenant_id, meeting_id, unit_id, category_id, delegation_id, month, 0, month, true, count(*),
    sum(registered), sum(not_registered), sum(assigned), sum(replied), sum(on_time), sum(closed),
    sum(class_a), sum(class_b), sum(class_c), sum(class_d), sum(rated), sum(satisfied), sum(basically), sum(unsatisfied),
    sum(impl_rated), sum(impl_satisfied), sum(impl_basically), sum(impl_unsatisfied), sum(tracking)
  FROM stats_members WHERE t IS NULL OR tenant_id = t
  GROUP BY tenant_id, meeting_id, unit_id, category_id, delegation_id, month;
  INSERT INTO stats_rollup (tenant_id, meeting_id, unit_id, category_id, delegation_id, month, ev, ev_month, compacted, n)
  SELECT tenant_id, meeting_id, unit_id, category_id, delegation_id, month, v.ev, v.m, true, count(*)
  FROM stats_members, LATERAL (VALUES (2::smallint, replied_month), (3::smallint, closed_month)) v(ev, m)
  WHERE (t IS NULL OR tenant_id = t) AND v.m IS NOT NULL
  GROUP BY tenant_id, meeting_id, unit_id, category_id, delegation_id, month, v.ev, v.m;
END $$;
-- +goose StatementEnd

SELECT stats_rebuild(NULL);

-- +goose Down
DROP TRIGGER stats_deputy_delegation ON deputies;
DROP TRIGGER stats_facts ON suggestion_facts;
DROP TRIGGER stats_assignment_delete ON assignments;
DROP TRIGGER stats_assignment_update ON assignments;
DROP TRIGGER stats_assignment_insert ON assignments;
DROP TRIGGER stats_suggestion_delete ON suggestions;
DROP TRIGGER stats_suggestion_update ON suggestions;
DROP TRIGGER stats_suggestion_insert ON suggestions;
DROP FUNCTION stats_rebuild(bigint);
DROP FUNCTION stats_compact(bigint);
DROP FUNCTION stats_on_deputy();
DROP FUNCTION stats_on_facts();
DROP FUNCTION stats_on_assignment();
DROP FUNCTION stats_on_suggestion();
DROP FUNCTION stats_bulk();
DROP FUNCTION stats_refresh(bigint, bigint);
DROP FUNCTION stats_rollup_add(stats_members, int);
DROP VIEW stats_member_source;
DROP TABLE stats_rollup;
DROP TABLE stats_members;
DROP FUNCTION stats_month(timestamptz);
