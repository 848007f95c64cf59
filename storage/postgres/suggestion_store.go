package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/suggestion"
)

// SuggestionStore implements suggestion.Store on PostgreSQL.
type SuggestionStore struct {
	pool *pgxpool.Pool

	mu      sync.Mutex
	configs map[int64]cachedConfig

	names nameCache // deputies' and categories' names for list pages (suggestion_read.go)
}

type cachedConfig struct {
	cfg *suggestion.TenantConfig
	at  time.Time
}

// configTTL bounds how long a tenant's clock settings are reused before they are read again;
// an administrator's change takes effect within it.
const configTTL = 30 * time.Second

// NewSuggestionStore builds the workflow's store.
func NewSuggestionStore(pool *pgxpool.Pool) *SuggestionStore {
	return &SuggestionStore{pool: pool, configs: map[int64]cachedConfig{}, names: nameCache{m: map[nameKey]nameEntry{}}}
}

var _ suggestion.Store = (*SuggestionStore)(nil)

var errNotFound = &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "not_found", Message: "建议不存在或无权查看"}

// Tx runs fn in a transaction. Writes whose answer is not needed before the commit (the
// suggestion's update, its audit and outbox rows, a fresh assignment) are queued and sent as
// one statement at the end (change_statement.go); a real transaction is opened only when fn
// needs an answer first.
func (s *SuggestionStore) Tx(ctx context.Context, fn func(suggestion.Tx) error) error {
	t := &sgTx{tx: &lazyTx{pool: s.pool}}
	defer t.tx.rollback(ctx)
	if err := fn(t); err != nil {
		return err
	}
	if err := t.tx.commit(ctx, t.statement()); err != nil {
		if e, ok := guardErrors[guardCode(err)]; ok {
			return e
		}
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "idempotency_keys_pkey" {
			return suggestion.ErrReceiptTaken
		}
		return fmt.Errorf("write suggestion, audit and outbox: %w", err)
	}
	return nil
}

// guardErrors are the refusals a queued statement's guard can raise (see lazy_tx.go).
var guardErrors = map[string]*suggestion.Error{
	"version_conflict": {Kind: suggestion.ErrConflict, Code: "version_conflict", Message: "该建议已被他人修改，请刷新后重试"},
	"unit_not_found":   {Kind: suggestion.ErrInvalid, Code: "unit_not_found", Message: "承办单位不存在"},
}

const suggestionCols = `tenant_id, id, meeting_id, coalesce(number,0), lead_deputy_id, title, body,
	coalesce(category_id,0), status, mode, is_key, coalesce(leader_user_id,0), complex, in_recess, round,
	lat, lng, address, content_flag, coalesce(merged_into,0), status_reason, reply_due_at, rating_due_at,
	version, submitted_at, registered_at, assigned_at, replied_at, closed_at, created_at, updated_at,
	parts & 1 <> 0`

// suggestionDests are the scan destinations of suggestionCols.
func suggestionDests(s *suggestion.Suggestion) []any {
	return []any{&s.TenantID, &s.ID, &s.MeetingID, &s.Number, &s.LeadDeputyID, &s.Title, &s.Body,
		&s.CategoryID, &s.Status, &s.Mode, &s.IsKey, &s.LeaderUserID, &s.Complex, &s.InRecess, &s.Round,
		&s.Location.Lat, &s.Location.Lng, &s.Location.Address, &s.ContentFlag, &s.MergedInto, &s.StatusReason,
		&s.ReplyDueAt, &s.RatingDueAt, &s.Version, &s.SubmittedAt, &s.RegisteredAt, &s.AssignedAt,
		&s.RepliedAt, &s.ClosedAt, &s.CreatedAt, &s.UpdatedAt, &s.HasCosigners}
}

func scanSuggestion(row pgx.Row) (*suggestion.Suggestion, error) {
	var s suggestion.Suggestion
	err := row.Scan(suggestionDests(&s)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan suggestion: %w", err)
	}
	return &s, nil
}

// Get reads one suggestion of the tenant.
func (s *SuggestionStore) Get(ctx context.Context, tenantID, id int64) (*suggestion.Suggestion, error) {
	return scanSuggestion(s.pool.QueryRow(ctx, `SELECT `+suggestionCols+` FROM suggestions WHERE tenant_id=$1 AND id=$2`, tenantID, id))
}

// Relation tells how a deputy and a unit stand to a suggestion.
func (s *SuggestionStore) Relation(ctx context.Context, tenantID, id, deputyID, unitID int64) (string, bool, error) {
	var rel string
	var unit bool
	err := s.pool.QueryRow(ctx, `SELECT
		coalesce((SELECT CASE WHEN lead_deputy_id=$3 THEN 'lead' END FROM suggestions WHERE tenant_id=$1 AND id=$2),
		         (SELECT state FROM suggestion_cosigners WHERE tenant_id=$1 AND suggestion_id=$2 AND deputy_id=$3), ''),
		EXISTS (SELECT 1 FROM assignments WHERE tenant_id=$1 AND suggestion_id=$2 AND unit_id=$4 AND active)
		OR EXISTS (SELECT 1 FROM opinion_forwards WHERE tenant_id=$1 AND suggestion_id=$2 AND unit_id=$4)`,
		tenantID, id, deputyID, unitID).Scan(&rel, &unit)
	if err != nil {
		return "", false, fmt.Errorf("suggestion relation: %w", err)
	}
	return rel, unit, nil
}

const assignmentCols = `a.tenant_id, a.id, a.suggestion_id, a.unit_id, u.name, a.role, a.state, a.active, a.round,
	a.assigned_at, a.due_at, a.return_due_at, a.accepted_at, a.contact_due_at, coalesce(a.handler_user_id,0),
	a.handler_name, a.handler_phone, a.chain, a.return_reason, coalesce(a.replaced_by,0), a.version`

func scanAssignment(row pgx.Row) (*suggestion.Assignment, error) {
	var a suggestion.Assignment
	var chain []byte
	err := row.Scan(&a.TenantID, &a.ID, &a.SuggestionID, &a.UnitID, &a.UnitName, &a.Role, &a.State, &a.Active,
		&a.Round, &a.AssignedAt, &a.DueAt, &a.ReturnDueAt, &a.AcceptedAt, &a.ContactDueAt, &a.HandlerUserID,
		&a.HandlerName, &a.HandlerPhone, &chain, &a.ReturnReason, &a.ReplacedBy, &a.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "assignment_not_found", Message: "交办记录不存在或无权查看"}
	}
	if err != nil {
		return nil, fmt.Errorf("scan assignment: %w", err)
	}
	_ = json.Unmarshal(chain, &a.Chain)
	return &a, nil
}

// Assignment reads one assignment of the tenant.
func (s *SuggestionStore) Assignment(ctx context.Context, tenantID, id int64) (*suggestion.Assignment, error) {
	return scanAssignment(s.pool.QueryRow(ctx, `SELECT `+assignmentCols+` FROM assignments a
		JOIN units u ON u.tenant_id=a.tenant_id AND u.id=a.unit_id WHERE a.tenant_id=$1 AND a.id=$2`, tenantID, id))
}

func queryAssignments(ctx context.Context, q *lazyTx, tenantID, suggestionID int64) ([]suggestion.Assignment, error) {
	sql := `SELECT ` + assignmentCols + ` FROM assignments a JOIN units u ON u.tenant_id=a.tenant_id AND u.id=a.unit_id
		WHERE a.tenant_id=$1 AND a.suggestion_id=$2 ORDER BY a.role, a.id`
	rows, err := q.Query(ctx, sql, tenantID, suggestionID)
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	defer rows.Close()
	var out []suggestion.Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Contact reads one contact of the tenant.
func (s *SuggestionStore) Contact(ctx context.Context, tenantID, id int64) (*suggestion.Contact, error) {
	var c suggestion.Contact
	err := s.pool.QueryRow(ctx, `SELECT id, suggestion_id, assignment_id, stage, happened_at, method, people, summary,
		recorded_by, confirmation, deputy_comment, confirmed_at, created_at FROM contacts WHERE tenant_id=$1 AND id=$2`,
		tenantID, id).Scan(&c.ID, &c.SuggestionID, &c.AssignmentID, &c.Stage, &c.HappenedAt, &c.Method, &c.People,
		&c.Summary, &c.RecordedBy, &c.Confirmation, &c.DeputyComment, &c.ConfirmedAt, &c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "contact_not_found", Message: "沟通记录不存在或无权查看"}
	}
	if err != nil {
		return nil, fmt.Errorf("read contact: %w", err)
	}
	return &c, nil
}

// Commitment reads one commitment and the suggestion it belongs to.
func (s *SuggestionStore) Commitment(ctx context.Context, tenantID, id int64) (*suggestion.Commitment, int64, error) {
	var c suggestion.Commitment
	var sid int64
	err := s.pool.QueryRow(ctx, `SELECT id, reply_id, what, due_on, done_at, done_note, suggestion_id
		FROM commitments WHERE tenant_id=$1 AND id=$2`, tenantID, id).Scan(&c.ID, &c.ReplyID, &c.What, &c.DueOn, &c.DoneAt, &c.DoneNote, &sid)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "commitment_not_found", Message: "承诺事项不存在"}
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read commitment: %w", err)
	}
	return &c, sid, nil
}

// Extension reads one extension request.
func (s *SuggestionStore) Extension(ctx context.Context, tenantID, id int64) (*suggestion.Extension, error) {
	var e suggestion.Extension
	err := s.pool.QueryRow(ctx, `SELECT id, suggestion_id, assignment_id, reason, state, requested_by, requested_at, decided_at
		FROM extensions WHERE tenant_id=$1 AND id=$2`, tenantID, id).Scan(&e.ID, &e.SuggestionID, &e.AssignmentID,
		&e.Reason, &e.State, &e.RequestedBy, &e.RequestedAt, &e.DecidedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "extension_not_found", Message: "延期申请不存在"}
	}
	if err != nil {
		return nil, fmt.Errorf("read extension: %w", err)
	}
	return &e, nil
}

// Config reads the tenant's clock settings and builds its calendar (cached for configTTL).
func (s *SuggestionStore) Config(ctx context.Context, tenantID int64) (*suggestion.TenantConfig, error) {
	s.mu.Lock()
	c, ok := s.configs[tenantID]
	s.mu.Unlock()
	if ok && time.Since(c.at) < configTTL {
		return c.cfg, nil
	}
	cfg, err := TenantConfig(ctx, s.pool, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.configs[tenantID] = cachedConfig{cfg: cfg, at: time.Now()}
	s.mu.Unlock()
	return cfg, nil
}

// TenantConfig reads a tenant's settings (defaults for what is not set) and holiday overrides.
func TenantConfig(ctx context.Context, pool *pgxpool.Pool, tenantID int64) (*suggestion.TenantConfig, error) {
	var raw []byte
	var labels map[suggestion.ReplyClass]string
	err := pool.QueryRow(ctx, `SELECT settings, reply_labels FROM tenants WHERE id=$1`, tenantID).Scan(&raw, &labels)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "tenant_not_found", Message: "常委会不存在"}
	}
	if err != nil {
		return nil, fmt.Errorf("read tenant settings: %w", err)
	}
	st := deadline.DefaultSettings()
	if len(raw) > 2 {
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("tenant %d settings: %w", tenantID, err)
		}
	}
	rows, err := pool.Query(ctx, `SELECT to_char(day,'YYYY-MM-DD'), working, name FROM holiday_overrides WHERE tenant_id=$1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("read holiday overrides: %w", err)
	}
	var ovs []deadline.Override
	for rows.Next() {
		var o deadline.Override
		if err := rows.Scan(&o.Date, &o.Working, &o.Name); err != nil {
			rows.Close()
			return nil, err
		}
		ovs = append(ovs, o)
	}
	rows.Close()
	cal, err := deadline.NewCalendar(ovs)
	if err != nil {
		return nil, fmt.Errorf("tenant %d calendar: %w", tenantID, err)
	}
	cfg := &suggestion.TenantConfig{Settings: st, Calendar: cal, CategoryReplyMonths: map[int64]int{}, ClassLabels: labels}
	rows, err = pool.Query(ctx, `SELECT id, reply_months FROM categories WHERE tenant_id=$1 AND reply_months IS NOT NULL`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("read category clocks: %w", err)
	}
	for rows.Next() {
		var id int64
		var m int
		if err := rows.Scan(&id, &m); err != nil {
			rows.Close()
			return nil, err
		}
		cfg.CategoryReplyMonths[id] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read category clocks: %w", err)
	}
	return cfg, nil
}

type sgTx struct {
	tx     *lazyTx
	guard  []write // the suggestion's version-checked update(s), listed first
	writes []write // other queued writes
	audits [][]any // audit event rows, inserted in order by one statement
	outbox [][]any // outbox rows, likewise
	// parts are suggestions.parts bits (migration 00064) the guard's update sets, by
	// suggestion (see markPart).
	parts map[int64]int
	// stamps: whose list stamps the change raises (migration 00066), besides the co-signers
	// of the suggestions it updates.
	stamps listStamps
}

// touch has the change raise the deputy's list stamp, for a change to the suggestion.
func (t *sgTx) touch(tenantID, deputyID, suggestionID int64) {
	t.stamps.tenant = tenantID
	t.stamps.deputies = append(t.stamps.deputies, deputyID)
	t.stamps.suggestions = append(t.stamps.suggestions, suggestionID)
}

// markPart has the suggestion's update set a bit of suggestions.parts. Assignments rely on
// it (they have no marking trigger); for other parts it only spares the trigger a write.
func (t *sgTx) markPart(suggestionID int64, bit int) {
	if t.parts == nil {
		t.parts = map[int64]int{}
	}
	t.parts[suggestionID] |= bit
}

// statement is what the commit sends: every queued write in one statement.
func (t *sgTx) statement() *changeStatement {
	c := &changeStatement{stamps: t.stamps}
	for _, w := range t.guard {
		w.args[partsArg] = t.parts[w.args[1].(int64)]
		c.add(w)
	}
	for _, w := range t.writes {
		c.add(w)
	}
	if len(t.audits) > 0 {
		c.add(rowsInsert("audit_events", `tenant_id, suggestion_id, actor_kind, actor_id, action, from_status,
		to_status, reason, data, created_at`,
			`($1,$2,$3,$4,$5,nullif($6,'')::suggestion_status,nullif($7,'')::suggestion_status,$8,$9,$10)`, t.audits))
	}
	if len(t.outbox) > 0 {
		c.add(rowsInsert("outbox", "tenant_id, event, suggestion_id, payload", "($1,$2,$3,$4)", t.outbox))
	}
	return c
}

// suggestionUpdate is the workflow's only UPDATE of suggestions: version-checked, and marking
// the suggestion for the dashboard rollup in the same statement (migrations 00060, 00062; the
// rollup's trigger leaves version-bumping updates to it). %s is where the text columns go
// when they changed: left out of the SET list, they do not wake the similarity trigger.
const suggestionUpdate = `UPDATE suggestions SET number=nullif($4,0), category_id=nullif($5,0),
		status=$6, mode=$7, is_key=$8, leader_user_id=nullif($9,0), complex=$10, round=$11,
		content_flag=$12, merged_into=nullif($13,0), status_reason=$14, reply_due_at=$15, rating_due_at=$16,
		submitted_at=$17, registered_at=$18, assigned_at=$19, replied_at=$20, closed_at=$21, updated_at=$22,
		parts=parts|$23, version=version+1%s
		WHERE tenant_id=$1 AND id=$2 AND version=$3 RETURNING tenant_id, id`

var (
	updateState = fmt.Sprintf(suggestionUpdate, "")
	updateText  = fmt.Sprintf(suggestionUpdate, ", title=$24, body=$25, lat=$26, lng=$27, address=$28")
)

// partsArg is the index in suggestionUpdate's arguments of the parts bits ($23), known only
// when the statement is sent.
const partsArg = 22

// UpdateSuggestion queues the conditional update; a stale version fails the whole
// transaction with ErrConflict.
func (t *sgTx) UpdateSuggestion(ctx context.Context, s *suggestion.Suggestion, expect int, text bool) error {
	args := []any{s.TenantID, s.ID, expect, s.Number, s.CategoryID, s.Status, s.Mode, s.IsKey, s.LeaderUserID,
		s.Complex, s.Round, s.ContentFlag, s.MergedInto, s.StatusReason, s.ReplyDueAt, s.RatingDueAt,
		s.SubmittedAt, s.RegisteredAt, s.AssignedAt, s.RepliedAt, s.ClosedAt, s.UpdatedAt, 0}
	sql := updateState
	if text {
		sql = updateText
		args = append(args, s.Title, s.Body, s.Location.Lat, s.Location.Lng, s.Location.Address)
	}
	// The co-signers' list stamps are raised only for a suggestion that has had co-signers
	// (parts bit 1, read with s; the version check makes the reading current).
	t.guard = append(t.guard, write{sql: sql, args: args, want: 1, code: "version_conflict", cosigners: s.HasCosigners,
		then: `INSERT INTO stats_dirty (tenant_id, suggestion_id) SELECT tenant_id, id FROM {w} ON CONFLICT DO NOTHING`})
	t.touch(s.TenantID, s.LeadDeputyID, s.ID)
	s.Version = expect + 1
	return nil
}

func (t *sgTx) InsertSuggestion(ctx context.Context, s *suggestion.Suggestion) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, mode,
		in_recess, round, lat, lng, address, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13) RETURNING id, version`,
		s.TenantID, s.MeetingID, s.LeadDeputyID, s.Title, s.Body, s.Status, s.Mode, s.InRecess, s.Round,
		s.Location.Lat, s.Location.Lng, s.Location.Address, s.CreatedAt).Scan(&s.ID, &s.Version)
	if err != nil {
		return fmt.Errorf("insert suggestion: %w", err)
	}
	t.touch(s.TenantID, s.LeadDeputyID, s.ID)
	return nil
}

func (t *sgTx) NextNumber(ctx context.Context, tenantID, meetingID int64) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `UPDATE meetings SET next_number=next_number+1 WHERE tenant_id=$1 AND id=$2 RETURNING next_number-1`,
		tenantID, meetingID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next number of meeting %d: %w", meetingID, err)
	}
	return n, nil
}

func (t *sgTx) CurrentMeeting(ctx context.Context, tenantID int64, today time.Time) (int64, bool, error) {
	var id int64
	var recess bool
	err := t.tx.QueryRow(ctx, `SELECT id, NOT ($2::date BETWEEN starts_on AND ends_on) FROM meetings
		WHERE tenant_id=$1 AND is_current`, tenantID, today.In(deadline.Shanghai).Format("2006-01-02")).Scan(&id, &recess)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, &suggestion.Error{Kind: suggestion.ErrInvalid, Code: "no_current_meeting", Message: "当前没有开放的届次会议，请联系代表工委"}
	}
	if err != nil {
		return 0, false, fmt.Errorf("current meeting: %w", err)
	}
	return id, recess, nil
}

func (t *sgTx) Assignments(ctx context.Context, tenantID, suggestionID int64) ([]suggestion.Assignment, error) {
	return queryAssignments(ctx, t.tx, tenantID, suggestionID)
}

// assignmentsInsert writes all of one suggestion's new assignments in one statement; only
// active units of the tenant are taken, so the caller compares the count.
const assignmentsInsert = `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, active, round,
		assigned_at, due_at, return_due_at, chain)
		SELECT $1, $2, x.unit_id, x.role::assignment_role, $5, true, $6, $7, x.due_at, $8, x.chain
		FROM unnest($3::bigint[], $4::text[], $10::timestamptz[], $9::jsonb[]) WITH ORDINALITY AS x(unit_id, role, due_at, chain, n)
		JOIN units u ON u.tenant_id=$1 AND u.id=x.unit_id AND u.active
		ORDER BY x.n`

func assignmentsArgs(as []*suggestion.Assignment) []any {
	units := make([]int64, len(as))
	roles := make([]string, len(as))
	dues := make([]time.Time, len(as))
	chains := make([]string, len(as)) // each unit's chain (the names are the lead unit's)
	for i, a := range as {
		units[i], roles[i], dues[i] = a.UnitID, string(a.Role), a.DueAt
		c, _ := json.Marshal(a.Chain)
		chains[i] = string(c)
	}
	a0 := as[0]
	return []any{a0.TenantID, a0.SuggestionID, units, roles, a0.State, a0.Round, a0.AssignedAt, a0.ReturnDueAt, chains, dues}
}

// InsertAssignments writes the assignments now and sets their ids; an unknown or inactive
// unit refuses them all.
func (t *sgTx) InsertAssignments(ctx context.Context, as []*suggestion.Assignment) error {
	if len(as) == 0 {
		return nil
	}
	rows, err := t.tx.Query(ctx, assignmentsInsert+` RETURNING id, version, unit_id`, assignmentsArgs(as)...)
	if err != nil {
		return fmt.Errorf("insert assignments: %w", err)
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var id int64
		var version int
		var unit int64
		if err := rows.Scan(&id, &version, &unit); err != nil {
			return fmt.Errorf("insert assignments: %w", err)
		}
		for _, a := range as {
			if a.UnitID == unit && a.ID == 0 {
				a.ID, a.Version = id, version
				break
			}
		}
		got++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert assignments: %w", err)
	}
	if got != len(as) {
		return guardErrors["unit_not_found"]
	}
	t.markPart(as[0].SuggestionID, partAssignments)
	return nil
}

// QueueAssignments writes the assignments with the commit; an unknown or inactive unit
// refuses the whole transaction.
func (t *sgTx) QueueAssignments(ctx context.Context, as []*suggestion.Assignment) error {
	if len(as) == 0 {
		return nil
	}
	t.writes = append(t.writes, write{sql: assignmentsInsert + ` RETURNING 1`, args: assignmentsArgs(as),
		want: len(as), code: "unit_not_found"})
	t.markPart(as[0].SuggestionID, partAssignments)
	return nil
}

func (t *sgTx) UpdateAssignment(ctx context.Context, a *suggestion.Assignment, expect int) error {
	chain, _ := json.Marshal(a.Chain)
	tag, err := t.tx.Exec(ctx, `UPDATE assignments SET state=$4, active=$5, round=$6, due_at=$7, accepted_at=$8,
		contact_due_at=$9, handler_user_id=nullif($10,0), handler_name=$11, handler_phone=$12, chain=$13,
		return_reason=$14, replaced_by=nullif($15,0), version=version+1, updated_at=now()
		WHERE tenant_id=$1 AND id=$2 AND version=$3`,
		a.TenantID, a.ID, expect, a.State, a.Active, a.Round, a.DueAt, a.AcceptedAt, a.ContactDueAt, a.HandlerUserID,
		a.HandlerName, a.HandlerPhone, chain, a.ReturnReason, a.ReplacedBy)
	if err != nil {
		return fmt.Errorf("update assignment %d: %w", a.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return &suggestion.Error{Kind: suggestion.ErrConflict, Code: "version_conflict", Message: "该交办已被他人处理，请刷新后重试"}
	}
	a.Version = expect + 1
	return nil
}

func (t *sgTx) UpsertCosigner(ctx context.Context, tenantID, suggestionID, deputyID int64, state string) (bool, error) {
	// An accepted co-signer stays accepted; a row already in the state is left alone, so
	// that asking twice changes (and tells) nothing.
	tag, err := t.tx.Exec(ctx, `INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state)
		SELECT $1,$2,$3,$4 WHERE EXISTS (SELECT 1 FROM deputies WHERE tenant_id=$1 AND id=$3 AND active)
		ON CONFLICT (tenant_id, suggestion_id, deputy_id) DO UPDATE SET state=EXCLUDED.state
		WHERE suggestion_cosigners.state IN ('declined','invited') AND suggestion_cosigners.state <> EXCLUDED.state`,
		tenantID, suggestionID, deputyID, state)
	if err != nil {
		return false, fmt.Errorf("upsert cosigner: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		_ = t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deputies WHERE tenant_id=$1 AND id=$2 AND active)`, tenantID, deputyID).Scan(&exists)
		if !exists {
			return false, &suggestion.Error{Kind: suggestion.ErrInvalid, Code: "deputy_not_found", Message: "联名代表不存在"}
		}
		return false, nil
	}
	t.touch(tenantID, deputyID, suggestionID)
	return true, nil
}

func (t *sgTx) SetCosignState(ctx context.Context, tenantID, suggestionID, deputyID int64, from []string, to string) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE suggestion_cosigners SET state=$5 WHERE tenant_id=$1 AND suggestion_id=$2
		AND deputy_id=$3 AND state = ANY($4)`, tenantID, suggestionID, deputyID, from, to)
	if err != nil {
		return false, fmt.Errorf("set cosign state: %w", err)
	}
	t.touch(tenantID, deputyID, suggestionID)
	return tag.RowsAffected() == 1, nil
}

func (t *sgTx) Cosigners(ctx context.Context, tenantID, suggestionID int64) ([]suggestion.Cosigner, error) {
	rows, err := t.tx.Query(ctx, `SELECT deputy_id, state FROM suggestion_cosigners WHERE tenant_id=$1 AND suggestion_id=$2`, tenantID, suggestionID)
	if err != nil {
		return nil, fmt.Errorf("cosigners: %w", err)
	}
	defer rows.Close()
	var out []suggestion.Cosigner
	for rows.Next() {
		var c suggestion.Cosigner
		if err := rows.Scan(&c.DeputyID, &c.State); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *sgTx) InsertContact(ctx context.Context, tenantID int64, c *suggestion.Contact) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO contacts (tenant_id, suggestion_id, assignment_id, stage, happened_at, method,
		people, summary, recorded_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id, created_at`,
		tenantID, c.SuggestionID, c.AssignmentID, c.Stage, c.HappenedAt, c.Method, c.People, c.Summary, c.RecordedBy).Scan(&c.ID, &c.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert contact: %w", err)
	}
	return nil
}

func (t *sgTx) ConfirmContact(ctx context.Context, tenantID, contactID, deputyID int64, confirmation, comment string, at time.Time) (bool, error) {
	// Only the suggestion's lead deputy answers a contact; the service refuses anybody else
	// first, and the condition here keeps a row from ever being answered by somebody else.
	tag, err := t.tx.Exec(ctx, `UPDATE contacts c SET confirmation=$3, deputy_comment=$4, confirmed_by=$5, confirmed_at=$6
		WHERE c.tenant_id=$1 AND c.id=$2 AND c.confirmation='pending'
		AND EXISTS (SELECT 1 FROM suggestions s WHERE s.tenant_id=c.tenant_id AND s.id=c.suggestion_id
			AND s.lead_deputy_id=$5)`, tenantID, contactID, confirmation, comment, deputyID, at)
	if err != nil {
		return false, fmt.Errorf("confirm contact: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *sgTx) HasContact(ctx context.Context, tenantID, assignmentID int64, stage suggestion.ContactStage) (bool, error) {
	var ok bool
	// A contact the deputy disputed (代表提出异议: it did not happen as recorded) does not count.
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE tenant_id=$1 AND assignment_id=$2 AND stage=$3
		AND confirmation <> 'disputed')`,
		tenantID, assignmentID, stage).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("has contact: %w", err)
	}
	return ok, nil
}

func (t *sgTx) ConsultedSinceEscalation(ctx context.Context, tenantID, suggestionID, assignmentID int64) (bool, error) {
	var ok bool
	// Held and recorded after the escalation, and not disputed by the deputy.
	err := t.tx.QueryRow(ctx, `WITH esc AS (SELECT coalesce(max(e.created_at), '-infinity') AS at FROM audit_events e
			WHERE e.tenant_id=$1 AND e.suggestion_id=$2 AND e.action='escalate')
		SELECT EXISTS (SELECT 1 FROM contacts c, esc WHERE c.tenant_id=$1 AND c.assignment_id=$3
			AND c.happened_at >= esc.at AND c.created_at >= esc.at AND c.confirmation <> 'disputed')`,
		tenantID, suggestionID, assignmentID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("consulted since escalation: %w", err)
	}
	return ok, nil
}

func (t *sgTx) ForwardOpinion(ctx context.Context, tenantID, suggestionID int64, unitIDs []int64, at time.Time) (int, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO opinion_forwards (tenant_id, suggestion_id, unit_id, forwarded_at)
		SELECT $1, $2, u.id, $4 FROM units u WHERE u.tenant_id = $1 AND u.id = ANY($3::bigint[]) AND u.active
		ON CONFLICT DO NOTHING`, tenantID, suggestionID, unitIDs, at)
	if err != nil {
		return 0, fmt.Errorf("forward opinion: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// ForwardedOpinions implements suggestion.Store.
func (s *SuggestionStore) ForwardedOpinions(ctx context.Context, tenantID, unitID int64, limit int) ([]suggestion.ForwardedOpinion, error) {
	rows, err := s.pool.Query(ctx, `SELECT sg.id, sg.title, d.name, sg.status_reason, f.forwarded_at
		FROM opinion_forwards f
		JOIN suggestions sg ON sg.tenant_id = f.tenant_id AND sg.id = f.suggestion_id
		JOIN deputies d ON d.tenant_id = sg.tenant_id AND d.id = sg.lead_deputy_id
		WHERE f.tenant_id = $1 AND f.unit_id = $2
		ORDER BY f.forwarded_at DESC, sg.id DESC LIMIT $3`, tenantID, unitID, limit)
	if err != nil {
		return nil, fmt.Errorf("forwarded opinions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (suggestion.ForwardedOpinion, error) {
		var o suggestion.ForwardedOpinion
		err := r.Scan(&o.SuggestionID, &o.Title, &o.LeadName, &o.Reason, &o.ForwardedAt)
		return o, err
	})
}

func (t *sgTx) ActedSince(ctx context.Context, tenantID, suggestionID int64, a auth.Actor, action suggestion.Action, since time.Time) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2
		AND actor_kind=$3 AND actor_id=$4 AND action=$5 AND created_at >= $6)`,
		tenantID, suggestionID, string(a.Kind), a.ID, string(action), since).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("acted since: %w", err)
	}
	return ok, nil
}

func (t *sgTx) InsertProgress(ctx context.Context, tenantID int64, p *suggestion.ProgressNote) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO progress_notes (tenant_id, suggestion_id, assignment_id, author_user_id, body, private)
		VALUES ($1,$2,nullif($3,0),$4,$5,$6) RETURNING id, created_at`, tenantID, p.SuggestionID, p.AssignmentID,
		p.AuthorUserID, p.Body, p.Private).Scan(&p.ID, &p.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert progress: %w", err)
	}
	return nil
}

// RepeatedProgress implements suggestion.Tx through progress_suggestion.
func (t *sgTx) RepeatedProgress(ctx context.Context, tenantID, suggestionID, authorUserID int64, body string, private bool, within time.Duration) (*suggestion.ProgressNote, error) {
	p := &suggestion.ProgressNote{SuggestionID: suggestionID}
	err := t.tx.QueryRow(ctx, `SELECT id, coalesce(assignment_id, 0), author_user_id, body, private, created_at FROM progress_notes
		WHERE tenant_id = $1 AND id = (SELECT max(id) FROM progress_notes WHERE tenant_id = $1 AND suggestion_id = $2)
		  AND author_user_id = $3 AND body = $4 AND private = $5 AND created_at > now() - $6::interval`,
		tenantID, suggestionID, authorUserID, body, private, within.String()).
		Scan(&p.ID, &p.AssignmentID, &p.AuthorUserID, &p.Body, &p.Private, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read latest progress: %w", err)
	}
	return p, nil
}

func (t *sgTx) InsertCoOpinion(ctx context.Context, tenantID int64, o *suggestion.CoOpinion, createdBy int64) error {
	var sid int64
	err := t.tx.QueryRow(ctx, `INSERT INTO co_opinions (tenant_id, suggestion_id, assignment_id, unit_id, body, created_by)
		SELECT $1, suggestion_id, $2, $3, $4, $5 FROM assignments WHERE tenant_id=$1 AND id=$2
		RETURNING id, created_at, suggestion_id`, tenantID, o.AssignmentID, o.UnitID, o.Body, createdBy).Scan(&o.ID, &o.CreatedAt, &sid)
	if err != nil {
		return fmt.Errorf("insert co-opinion: %w", err)
	}
	return nil
}

func (t *sgTx) InsertReply(ctx context.Context, tenantID int64, r *suggestion.Reply, createdBy int64, publishDue time.Time) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body,
		document_key, created_by, replied_at, on_time, publish_due_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
		tenantID, r.SuggestionID, r.AssignmentID, r.UnitID, r.Round, r.Class, r.Body, r.DocumentKey, createdBy,
		r.RepliedAt, r.OnTime, publishDue).Scan(&r.ID)
	if IsUniqueViolation(err) {
		return &suggestion.Error{Kind: suggestion.ErrConflict, Code: "already_replied", Message: "本轮已答复"}
	}
	if err != nil {
		return fmt.Errorf("insert reply: %w", err)
	}
	for i := range r.Commitments {
		c := &r.Commitments[i]
		c.ReplyID = r.ID
		if err := t.tx.QueryRow(ctx, `INSERT INTO commitments (tenant_id, suggestion_id, reply_id, what, due_on)
			VALUES ($1,$2,$3,$4,$5) RETURNING id`, tenantID, r.SuggestionID, r.ID, c.What,
			c.DueOn.In(deadline.Shanghai).Format("2006-01-02")).Scan(&c.ID); err != nil {
			return fmt.Errorf("insert commitment: %w", err)
		}
	}
	return nil
}

func (t *sgTx) LatestReply(ctx context.Context, tenantID, suggestionID int64) (*suggestion.Reply, error) {
	rows, err := t.tx.Query(ctx, replySelect+` WHERE r.tenant_id=$1 AND r.suggestion_id=$2 ORDER BY r.round DESC LIMIT 1`, tenantID, suggestionID)
	if err != nil {
		return nil, fmt.Errorf("latest reply: %w", err)
	}
	rs, err := scanReplies(rows)
	rows.Close()
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, &suggestion.Error{Kind: suggestion.ErrInvalidTransition, Code: "no_reply", Message: "尚无答复"}
	}
	return &rs[0], nil
}

func (t *sgTx) CompleteCommitment(ctx context.Context, tenantID, id int64, note string, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE commitments SET done_at=$3, done_note=$4 WHERE tenant_id=$1 AND id=$2 AND done_at IS NULL`,
		tenantID, id, at, note)
	if err != nil {
		return false, fmt.Errorf("complete commitment: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *sgTx) InsertEvaluation(ctx context.Context, tenantID int64, e *suggestion.Evaluation) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO evaluations (tenant_id, suggestion_id, deputy_id, kind, round, rating, reason)
		VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING RETURNING id, created_at`,
		tenantID, e.SuggestionID, e.DeputyID, e.Kind, e.Round, e.Rating, e.Reason).Scan(&e.ID, &e.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return &suggestion.Error{Kind: suggestion.ErrConflict, Code: "already_rated", Message: "已评价"}
	}
	if err != nil {
		return fmt.Errorf("insert evaluation: %w", err)
	}
	return nil
}

func (t *sgTx) Rated(ctx context.Context, tenantID, suggestionID, deputyID int64, kind suggestion.EvaluationKind, round int) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2
		AND deputy_id=$3 AND kind=$4 AND round=$5)`, tenantID, suggestionID, deputyID, kind, round).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read evaluation: %w", err)
	}
	return ok, nil
}

// UnsatisfiedSinceReopen counts from the round the last reopen started: the reopen's audit
// event carries it (data.round), and a case never reopened counts from its first round.
func (t *sgTx) UnsatisfiedSinceReopen(ctx context.Context, tenantID, suggestionID, deputyID int64, round int) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM evaluations e
		WHERE e.tenant_id=$1 AND e.suggestion_id=$2 AND e.deputy_id=$3 AND e.kind='reply' AND e.rating='unsatisfied'
		AND e.round < $4 AND e.round >= coalesce((SELECT max((a.data->>'round')::int) FROM audit_events a
			WHERE a.tenant_id=$1 AND a.suggestion_id=$2 AND a.action=$5), 0)`,
		tenantID, suggestionID, deputyID, round, string(suggestion.ActReopen)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unsatisfied ratings: %w", err)
	}
	return n, nil
}

func (t *sgTx) CategoryExists(ctx context.Context, tenantID, categoryID int64) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM categories WHERE tenant_id=$1 AND id=$2)`,
		tenantID, categoryID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read category: %w", err)
	}
	return ok, nil
}

func (t *sgTx) IsLeader(ctx context.Context, tenantID, userID int64) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users u JOIN user_roles r
		ON r.tenant_id=u.tenant_id AND r.user_id=u.id AND r.role='leader'
		WHERE u.tenant_id=$1 AND u.id=$2 AND u.active)`, tenantID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read leader: %w", err)
	}
	return ok, nil
}

func (t *sgTx) OpenTracking(ctx context.Context, tenantID, suggestionID int64, reason string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO tracking_items (tenant_id, suggestion_id, reason)
		SELECT $1,$2,$3 WHERE NOT EXISTS (SELECT 1 FROM tracking_items WHERE tenant_id=$1 AND suggestion_id=$2 AND closed_at IS NULL)`,
		tenantID, suggestionID, reason)
	if err != nil {
		return fmt.Errorf("open tracking: %w", err)
	}
	return nil
}

func (t *sgTx) CloseTracking(ctx context.Context, tenantID, suggestionID int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE tracking_items SET closed_at=$3 WHERE tenant_id=$1 AND suggestion_id=$2 AND closed_at IS NULL`,
		tenantID, suggestionID, at)
	if err != nil {
		return fmt.Errorf("close tracking: %w", err)
	}
	return nil
}

func (t *sgTx) InsertExtension(ctx context.Context, tenantID int64, e *suggestion.Extension) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO extensions (tenant_id, suggestion_id, assignment_id, reason, requested_by)
		SELECT $1,$2,$3,$4,$5 WHERE NOT EXISTS (SELECT 1 FROM extensions WHERE tenant_id=$1 AND assignment_id=$3 AND state='pending')
		RETURNING id, requested_at`, tenantID, e.SuggestionID, e.AssignmentID, e.Reason, e.RequestedBy).Scan(&e.ID, &e.RequestedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return &suggestion.Error{Kind: suggestion.ErrConflict, Code: "extension_pending", Message: "已有待审批的延期申请"}
	}
	if err != nil {
		return fmt.Errorf("insert extension: %w", err)
	}
	return nil
}

func (t *sgTx) DecideExtension(ctx context.Context, tenantID, id int64, state string, by int64, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE extensions SET state=$3, decided_by=$4, decided_at=$5 WHERE tenant_id=$1 AND id=$2 AND state='pending'`,
		tenantID, id, state, by, at)
	if err != nil {
		return false, fmt.Errorf("decide extension: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *sgTx) Audit(ctx context.Context, e suggestion.AuditEvent) error {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("audit data: %w", err)
	}
	t.audits = append(t.audits, []any{e.TenantID, e.SuggestionID, e.ActorKind, e.ActorID, e.Action,
		string(e.From), string(e.To), e.Reason, data, e.CreatedAt})
	return nil
}

// QueueReceipt writes the idempotency row with the change (see suggestion.Receipt); its
// primary key refuses a key another request has taken (Tx maps that to ErrReceiptTaken).
func (t *sgTx) QueueReceipt(ctx context.Context, tenantID int64, r *suggestion.Receipt) error {
	t.writes = append(t.writes, write{sql: `INSERT INTO idempotency_keys (tenant_id, actor, key, request_hash, status_code, response)
		VALUES ($1,$2,$3,$4,$5,$6)`, args: []any{tenantID, r.Actor, r.Key, r.Hash, r.Status, string(r.Body)}})
	return nil
}

func (t *sgTx) Outbox(ctx context.Context, e suggestion.OutboxEvent) error {
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return fmt.Errorf("outbox payload: %w", err)
	}
	t.outbox = append(t.outbox, []any{e.TenantID, e.Event, e.SuggestionID, payload})
	return nil
}

// PublishReply implements suggestion.Tx.
func (t *sgTx) PublishReply(ctx context.Context, tenantID, suggestionID, replyID int64, at time.Time) (bool, error) {
	var fresh bool
	err := t.tx.QueryRow(ctx, `UPDATE replies r SET published_at = coalesce(r.published_at, $4)
		FROM (SELECT id, published_at AS was FROM replies WHERE tenant_id=$1 AND suggestion_id=$2 AND id=$3 FOR UPDATE) o
		WHERE r.tenant_id=$1 AND r.id=o.id RETURNING o.was IS NULL`,
		tenantID, suggestionID, replyID, at).Scan(&fresh)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "reply_not_found", Message: "答复不存在"}
	}
	if err != nil {
		return false, fmt.Errorf("publish reply %d: %w", replyID, err)
	}
	return fresh, nil
}

// PublishedReplies implements suggestion.Store: the public page, by tenant code.
func (s *SuggestionStore) PublishedReplies(ctx context.Context, tenantCode string, before int64, limit int) ([]suggestion.PublishedReply, error) {
	rows, err := s.pool.Query(ctx, `SELECT r.tenant_id, r.id, coalesce(sg.number, 0), sg.title, coalesce(c.name, ''), u.name, r.class, r.body,
		r.replied_at, r.published_at
		FROM tenants t
		JOIN replies r ON r.tenant_id = t.id
		JOIN suggestions sg ON sg.tenant_id = r.tenant_id AND sg.id = r.suggestion_id
		JOIN units u ON u.tenant_id = r.tenant_id AND u.id = r.unit_id
		LEFT JOIN categories c ON c.tenant_id = sg.tenant_id AND c.id = sg.category_id
		WHERE t.code = $1 AND r.published_at IS NOT NULL AND ($2::bigint = 0 OR r.id < $2)
		ORDER BY r.id DESC LIMIT $3`, tenantCode, before, limit)
	if err != nil {
		return nil, fmt.Errorf("published replies: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (suggestion.PublishedReply, error) {
		var p suggestion.PublishedReply
		err := row.Scan(&p.TenantID, &p.ID, &p.Number, &p.Title, &p.Category, &p.UnitName, &p.Class, &p.Body, &p.RepliedAt, &p.PublishedAt)
		return p, err
	})
}
