package postgres

// The workflow store's reads for lists, detail pages and similar-suggestion lookups.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/suggestion"
)

// summaryCols are the columns summaries scans, from s (suggestions), d (lead deputy) and
// c (category).
const summaryCols = `s.id, coalesce(s.number,0), s.title, s.status, s.mode, s.is_key, s.lead_deputy_id, d.name,
		coalesce(s.category_id,0), coalesce(c.name,''), s.reply_due_at, s.rating_due_at, s.updated_at, s.created_at,
		coalesce(s.merged_into,0)`

// pageCols are summaryCols with the names left empty, for fillNames.
const pageCols = `s.id, coalesce(s.number,0), s.title, s.status, s.mode, s.is_key, s.lead_deputy_id, ''::text,
		coalesce(s.category_id,0), ''::text, s.reply_due_at, s.rating_due_at, s.updated_at, s.created_at,
		coalesce(s.merged_into,0)`

// nameTTL is how long a deputy's or a category's name is reused for list pages: a rename
// shows on the deputies' lists within a minute (the detail page always reads it afresh).
const nameTTL = time.Minute

// nameCacheMax bounds one database's name cache (a city has ~1,000 deputies).
const nameCacheMax = 100_000

type nameKey struct {
	tenant, id int64
	category   bool
}

type nameEntry struct {
	name string
	at   time.Time
}

type nameCache struct {
	mu sync.RWMutex
	m  map[nameKey]nameEntry
}

// fillNames sets LeadName and Category of xs (all of tenantID) from the name cache, reading
// the names it lacks in one statement.
func (s *SuggestionStore) fillNames(ctx context.Context, tenantID int64, xs []suggestion.Summary) error {
	nc := &s.names
	now := time.Now()
	lookup := func(k nameKey) (string, bool) {
		e, ok := nc.m[k]
		return e.name, ok && now.Sub(e.at) < nameTTL
	}
	var deps, cats []int64
	nc.mu.RLock()
	for i := range xs {
		x := &xs[i]
		if n, ok := lookup(nameKey{tenantID, x.LeadDeputyID, false}); ok {
			x.LeadName = n
		} else if !slices.Contains(deps, x.LeadDeputyID) {
			deps = append(deps, x.LeadDeputyID)
		}
		if x.CategoryID == 0 {
			continue
		}
		if n, ok := lookup(nameKey{tenantID, x.CategoryID, true}); ok {
			x.Category = n
		} else if !slices.Contains(cats, x.CategoryID) {
			cats = append(cats, x.CategoryID)
		}
	}
	nc.mu.RUnlock()
	if len(deps) == 0 && len(cats) == 0 {
		return nil
	}
	if deps == nil {
		deps = []int64{}
	}
	if cats == nil {
		cats = []int64{}
	}
	rows, err := s.pool.Query(ctx, `SELECT false, id, name FROM deputies WHERE tenant_id=$1 AND id = ANY($2)
		UNION ALL SELECT true, id, name FROM categories WHERE tenant_id=$1 AND id = ANY($3)`, tenantID, deps, cats)
	if err != nil {
		return fmt.Errorf("read names: %w", err)
	}
	got := map[nameKey]string{}
	for rows.Next() {
		var k nameKey
		var n string
		if err := rows.Scan(&k.category, &k.id, &n); err != nil {
			rows.Close()
			return fmt.Errorf("read names: %w", err)
		}
		k.tenant = tenantID
		got[k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read names: %w", err)
	}
	nc.mu.Lock()
	if len(nc.m)+len(got) > nameCacheMax {
		clear(nc.m)
	}
	for k, n := range got {
		nc.m[k] = nameEntry{name: n, at: now}
	}
	nc.mu.Unlock()
	for i := range xs {
		x := &xs[i]
		if n, ok := got[nameKey{tenantID, x.LeadDeputyID, false}]; ok {
			x.LeadName = n
		}
		if n, ok := got[nameKey{tenantID, x.CategoryID, true}]; ok && x.CategoryID != 0 {
			x.Category = n
		}
	}
	return nil
}

// List returns summaries the actor may see, newest first.
//
// The page size is written into the SQL as a number (it is an int, so this is safe), not
// sent as a parameter: with a known LIMIT the generic plan of the prepared statement costs
// the same as a custom one and PostgreSQL stops planning the statement on every call (the
// deputy's list planned in ~0.6 ms and ran in ~0.1 ms on a 100k-suggestion tenant).
func (s *SuggestionStore) List(ctx context.Context, a auth.Actor, f suggestion.ListFilter) ([]suggestion.Summary, error) {
	where := []string{"s.tenant_id=$1"}
	args := []any{a.TenantID}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	n := f.Limit
	if n <= 0 || n > 1000 {
		n = 20
	}
	limit := strconv.Itoa(n)
	switch {
	case a.IsDeputy():
		d := arg(a.ID) // $2
		before := f.Before > 0
		if before {
			arg(f.Before) // $3
		}
		plain := len(f.Statuses) == 0 && f.CategoryID == 0 && f.MeetingID == 0 && f.UnitID == 0 &&
			!f.KeyOnly && f.LeaderID == 0 && !f.Overdue && strings.TrimSpace(f.Query) == ""
		if plain {
			xs, err := s.summaries(ctx, deputyPage(f.Role, before, limit), args...)
			if err != nil {
				return nil, err
			}
			return xs, s.fillNames(ctx, a.TenantID, xs)
		}
		// With filters the led and co-signed ids are a set the filters then narrow.
		leadCut, coCut := "", ""
		if before {
			leadCut, coCut = " AND l.id < $3", " AND c.suggestion_id < $3"
		}
		lead := "(SELECT l.id FROM suggestions l WHERE l.tenant_id=$1 AND l.lead_deputy_id=" + d + leadCut + ")"
		co := "(SELECT c.suggestion_id FROM suggestion_cosigners c WHERE c.tenant_id=$1 AND c.deputy_id=" + d +
			" AND c.state IN ('accepted','invited','merged')" + coCut + ")"
		switch f.Role {
		case "lead":
			where = append(where, "s.id IN "+lead)
		case "cosigned":
			where = append(where, "s.id IN "+co)
		default:
			where = append(where, "s.id IN ("+lead+" UNION ALL "+co+")")
		}
	case a.SeesWholeTenant():
		where = append(where, "s.status <> 'draft'")
	case a.IsUnit():
		where = append(where, "s.id IN (SELECT suggestion_id FROM assignments x WHERE x.tenant_id=$1 AND x.unit_id="+arg(a.UnitID)+" AND x.active)")
	case a.Has(auth.RoleCommittee):
		where = append(where, "s.status <> 'draft'", "s.category_id = ANY("+arg(a.CategoryIDs)+")")
	default:
		return nil, nil
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		where = append(where, "s.status = ANY("+arg(ss)+"::suggestion_status[])")
	}
	if f.CategoryID > 0 {
		where = append(where, "s.category_id="+arg(f.CategoryID))
	}
	if f.MeetingID > 0 {
		where = append(where, "s.meeting_id="+arg(f.MeetingID))
	}
	if f.UnitID > 0 {
		where = append(where, "s.id IN (SELECT suggestion_id FROM assignments y WHERE y.tenant_id=$1 AND y.unit_id="+arg(f.UnitID)+" AND y.active)")
	}
	if f.KeyOnly {
		where = append(where, "s.is_key")
	}
	if f.LeaderID > 0 {
		where = append(where, "s.leader_user_id="+arg(f.LeaderID))
	}
	if f.Overdue {
		where = append(where, "s.reply_due_at < now() AND s.status IN ('assigned','handling','rehandling','escalated')")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg("%" + likeEscape(q) + "%")
		where = append(where, "(s.title ILIKE "+p+" OR s.body ILIKE "+p+")")
	}
	if f.Before > 0 {
		where = append(where, "s.id < "+arg(f.Before))
	}
	sql := `SELECT ` + summaryCols + `
		FROM suggestions s
		JOIN deputies d ON d.tenant_id=s.tenant_id AND d.id=s.lead_deputy_id
		LEFT JOIN categories c ON c.tenant_id=s.tenant_id AND c.id=s.category_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY s.id DESC LIMIT ` + limit
	return s.summaries(ctx, sql, args...)
}

// ListStamp reads the deputy's list stamp (migration 00066): the sum of its shards, which
// only ever grows; 0 when no change has raised it.
func (s *SuggestionStore) ListStamp(ctx context.Context, tenantID, deputyID int64) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(stamp), 0)::bigint FROM deputy_list_stamps
		WHERE tenant_id=$1 AND deputy_id=$2`, tenantID, deputyID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read list stamp: %w", err)
	}
	return n, nil
}

// deputyPage is the SQL of one page of a deputy's suggestions without filters ($1 tenant,
// $2 deputy, $3 the id the page starts below when before is set), newest first. Both arms
// read their rows newest first (suggestions_lead, cosigners_deputy) and the merge stops after
// one page, so only the rows that make the page are read: no separate pass for the ids, no
// second look-up of each row. The names come from nameCache: joining them cost PostgreSQL as
// much as reading the rows.
//
// A deputy never co-signs a suggestion they lead (InviteCosigners and Merge refuse it); the
// lead filter on the co-signed arm keeps UNION ALL exact all the same.
func deputyPage(role string, before bool, limit string) string {
	ledCut, coCut := "", ""
	if before {
		ledCut, coCut = " AND s.id < $3", " AND c.suggestion_id < $3"
	}
	led := `(SELECT ` + pageCols + ` FROM suggestions s WHERE s.tenant_id=$1 AND s.lead_deputy_id=$2` + ledCut +
		` ORDER BY s.id DESC LIMIT ` + limit + `)`
	cosigned := func(notLed string) string {
		return `(SELECT ` + pageCols + ` FROM suggestion_cosigners c JOIN suggestions s ON s.tenant_id=$1 AND s.id=c.suggestion_id
		WHERE c.tenant_id=$1 AND c.deputy_id=$2 AND c.state IN ('accepted','invited','merged')` + notLed + coCut +
			` ORDER BY c.suggestion_id DESC LIMIT ` + limit + `)`
	}
	switch role {
	case "lead":
		return led
	case "cosigned":
		return cosigned("")
	}
	return `SELECT * FROM (` + led + ` UNION ALL ` + cosigned(" AND s.lead_deputy_id <> $2") + `) p ORDER BY 1 DESC LIMIT ` + limit
}

func (s *SuggestionStore) summaries(ctx context.Context, sql string, args ...any) ([]suggestion.Summary, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	defer rows.Close()
	out := []suggestion.Summary{}
	for rows.Next() {
		var x suggestion.Summary
		var status, mode string // plain strings: pgx scans named string types through reflection
		if err := rows.Scan(&x.ID, &x.Number, &x.Title, &status, &mode, &x.IsKey, &x.LeadDeputyID, &x.LeadName,
			&x.CategoryID, &x.Category, &x.ReplyDueAt, &x.RatingDueAt, &x.UpdatedAt, &x.CreatedAt, &x.MergedInto); err != nil {
			return nil, fmt.Errorf("scan summary: %w", err)
		}
		x.Status, x.Mode = suggestion.Status(status), suggestion.Mode(mode)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Similar finds the tenant's suggestions whose titles share the most Chinese character
// bigrams with text (generic words removed; migrations 00003–00005), best first: every one
// but drafts and merged ones, as staff reviewing a submission see them.
func (s *SuggestionStore) Similar(ctx context.Context, tenantID int64, text string, excludeID int64, limit int) ([]suggestion.Summary, error) {
	return s.summaries(ctx, similarSQL(`s.status NOT IN ('draft','merged')`), pgx.QueryExecModeExec, tenantID, text, excludeID, limit)
}

// similarToOthers are the states in which a suggestion is offered to any deputy of the tenant
// drafting one like it: registered (立案, numbered) and every later one. Before that (submitted,
// returned for revision, declined as 不予立案) it is a matter between its authors and the
// committee, and other deputies cannot open it either. A state added later stays private
// until it is listed here.
var similarToOthers = []string{
	string(suggestion.StatusRegistered), string(suggestion.StatusAssigned), string(suggestion.StatusHandling),
	string(suggestion.StatusReplied), string(suggestion.StatusEvaluated), string(suggestion.StatusRehandling),
	string(suggestion.StatusEscalated), string(suggestion.StatusTracking), string(suggestion.StatusClosed),
}

// SimilarForDeputy is Similar as a deputy drafting a suggestion may see it: other deputies'
// suggestions once registered (similarToOthers), and the deputy's own, led or co-signed (the
// co-signatures the deputy's list shows), in any state but draft and merged (a merged one's
// authors co-sign the case it went into, which is offered instead), so that a deputy about
// to write the same thing again sees it was written.
func (s *SuggestionStore) SimilarForDeputy(ctx context.Context, tenantID, deputyID int64, text string, excludeID int64, limit int) ([]suggestion.Summary, error) {
	return s.summaries(ctx, similarSQL(`s.status NOT IN ('draft','merged') AND (s.status = ANY($6::suggestion_status[])
			OR s.lead_deputy_id=$5
			OR EXISTS (SELECT 1 FROM suggestion_cosigners o WHERE o.tenant_id=$1 AND o.suggestion_id=s.id
				AND o.deputy_id=$5 AND o.state IN ('accepted','invited','merged')))`),
		pgx.QueryExecModeExec, tenantID, text, excludeID, limit, deputyID, similarToOthers)
}

// similarSQL ranks the tenant's suggestions ($1) like text ($2), leaving out $3, and keeps the
// best $4 of those that pass where.
//
// Rank inside the narrow search table first and join only the best few: a common word can
// match a third of a tenant's suggestions, and joining every match before ranking cost more
// than the ranking. Rows the where clause refuses are dropped after the cut, so the cut keeps
// a margin. Planned for each text (an unnamed statement, QueryExecModeExec): a cached generic
// plan does not fold suggestion_query($2) and recomputed it for every candidate, 7 s instead
// of 37 ms on 100,000 suggestions.
func similarSQL(where string) string {
	return `WITH q AS (SELECT suggestion_query($2) AS q),
		best AS (SELECT x.suggestion_id AS id, ts_rank(x.search, q.q) AS r FROM suggestion_search x, q
			WHERE x.tenant_id=$1 AND x.suggestion_id <> $3 AND x.search @@ q.q
			ORDER BY r DESC, x.suggestion_id DESC LIMIT $4 * 4 + 20)
		SELECT ` + summaryCols + `
		FROM best
		JOIN suggestions s ON s.tenant_id=$1 AND s.id=best.id
		JOIN deputies d ON d.tenant_id=s.tenant_id AND d.id=s.lead_deputy_id
		LEFT JOIN categories c ON c.tenant_id=s.tenant_id AND c.id=s.category_id
		WHERE ` + where + `
		ORDER BY best.r DESC, s.id DESC LIMIT $4`
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Detail reads the whole record of a suggestion in one or two round trips: first the
// suggestion with its timeline, in one statement; then, in one batch, only the parts that
// suggestions.parts says may exist (migration 00064). Most suggestions have few parts (a
// fresh submission has none), and each statement, join or existence probe costs PostgreSQL
// more than the reading of the row itself. The lead deputy's and the category's names come
// from nameCache, as on the lists: a rename shows within a minute. Who acted on each timeline
// event is named by ActorNames, for the readers who are shown it (staff). The timeline's events are
// aggregated in the order audit_suggestion reads them (and checked here); an ORDER BY inside
// array_agg would sort them again (PostgreSQL 15), about 8% of the statement.
func (s *SuggestionStore) Detail(ctx context.Context, tenantID, id int64) (*suggestion.Detail, error) {
	d := &suggestion.Detail{}
	var parts int
	var timeline []auditRecord
	dests := append(suggestionDests(&d.Suggestion), &parts, &timeline)
	err := s.pool.QueryRow(ctx, `SELECT `+suggestionCols+`, parts,
		(SELECT array_agg(e) FROM (SELECT ROW(x.id, x.actor_kind, x.actor_id, x.action, coalesce(x.from_status::text,''),
			coalesce(x.to_status::text,''), x.reason, x.data, x.created_at) e
			FROM audit_events x WHERE x.tenant_id=$1 AND x.suggestion_id=$2 ORDER BY x.id) t)
		FROM suggestions WHERE tenant_id=$1 AND id=$2`, tenantID, id).Scan(dests...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	} else if err != nil {
		return nil, fmt.Errorf("read suggestion detail: %w", err)
	}
	names := []suggestion.Summary{{LeadDeputyID: d.Suggestion.LeadDeputyID, CategoryID: d.Suggestion.CategoryID}}
	if err := s.fillNames(ctx, tenantID, names); err != nil {
		return nil, err
	}
	d.LeadName, d.Category = names[0].LeadName, names[0].Category
	d.Timeline = make([]suggestion.AuditEvent, len(timeline))
	for i := range timeline {
		if d.Timeline[i], err = timeline[i].event(tenantID, id); err != nil {
			return nil, err
		}
	}
	// PostgreSQL keeps a sorted subquery's order in practice but does not promise it.
	slices.SortStableFunc(d.Timeline, func(a, b suggestion.AuditEvent) int { return cmp.Compare(a.ID, b.ID) })

	d.HasPhotos = parts&partPhotos != 0
	b := &pgx.Batch{}
	if parts&partCosigners != 0 {
		queueRows(b, &d.Cosigners, func(r pgx.Rows, c *suggestion.Cosigner) error {
			return r.Scan(&c.DeputyID, &c.Name, &c.State)
		}, `SELECT c.deputy_id, d.name, c.state FROM suggestion_cosigners c JOIN deputies d ON d.tenant_id=c.tenant_id AND d.id=c.deputy_id
		WHERE c.tenant_id=$1 AND c.suggestion_id=$2 ORDER BY c.created_at, c.deputy_id`, tenantID, id)
	}
	if parts&partAssignments != 0 {
		queueRows(b, &d.Assignments, func(r pgx.Rows, a *suggestion.Assignment) error {
			x, err := scanAssignment(r)
			if err == nil {
				*a = *x
			}
			return err
		}, `SELECT `+assignmentCols+` FROM assignments a JOIN units u ON u.tenant_id=a.tenant_id AND u.id=a.unit_id
		WHERE a.tenant_id=$1 AND a.suggestion_id=$2 ORDER BY a.role, a.id`, tenantID, id)
	}
	if parts&partContacts != 0 {
		queueRows(b, &d.Contacts, func(r pgx.Rows, c *suggestion.Contact) error {
			return r.Scan(&c.ID, &c.SuggestionID, &c.AssignmentID, &c.Stage, &c.HappenedAt, &c.Method, &c.People,
				&c.Summary, &c.RecordedBy, &c.Confirmation, &c.DeputyComment, &c.ConfirmedAt, &c.CreatedAt)
		}, `SELECT id, suggestion_id, assignment_id, stage, happened_at, method, people, summary, recorded_by,
		confirmation, deputy_comment, confirmed_at, created_at FROM contacts WHERE tenant_id=$1 AND suggestion_id=$2 ORDER BY happened_at, id`,
			tenantID, id)
	}
	if parts&partProgress != 0 {
		queueRows(b, &d.Progress, func(r pgx.Rows, n *suggestion.ProgressNote) error {
			return r.Scan(&n.ID, &n.SuggestionID, &n.AssignmentID, &n.AuthorUserID, &n.Body, &n.Private, &n.CreatedAt)
		}, `SELECT id, suggestion_id, coalesce(assignment_id,0), author_user_id, body, private, created_at
		FROM progress_notes WHERE tenant_id=$1 AND suggestion_id=$2 ORDER BY id`, tenantID, id)
	}
	if parts&partCoOpinions != 0 {
		queueRows(b, &d.CoOpinions, func(r pgx.Rows, o *suggestion.CoOpinion) error {
			return r.Scan(&o.ID, &o.AssignmentID, &o.UnitID, &o.UnitName, &o.Body, &o.CreatedAt)
		}, `SELECT o.id, o.assignment_id, o.unit_id, u.name, o.body, o.created_at FROM co_opinions o
		JOIN units u ON u.tenant_id=o.tenant_id AND u.id=o.unit_id WHERE o.tenant_id=$1 AND o.suggestion_id=$2 ORDER BY o.id`,
			tenantID, id)
	}
	if parts&partReplies != 0 {
		b.Queue(replySelect+` WHERE r.tenant_id=$1 AND r.suggestion_id=$2 ORDER BY r.round`, tenantID, id).Query(func(rows pgx.Rows) error {
			var err error
			d.Replies, err = scanReplies(rows)
			return err
		})
	}
	if parts&partEvaluations != 0 {
		queueRows(b, &d.Evaluations, func(r pgx.Rows, e *suggestion.Evaluation) error {
			return r.Scan(&e.ID, &e.SuggestionID, &e.DeputyID, &e.DeputyName, &e.Kind, &e.Round, &e.Rating, &e.Reason, &e.CreatedAt)
		}, `SELECT e.id, e.suggestion_id, e.deputy_id, coalesce(d.name, ''), e.kind, e.round, e.rating, e.reason, e.created_at FROM evaluations e
		LEFT JOIN deputies d ON d.tenant_id=e.tenant_id AND d.id=e.deputy_id
		WHERE e.tenant_id=$1 AND e.suggestion_id=$2 ORDER BY e.id`, tenantID, id)
	}
	if parts&partExtensions != 0 {
		queueRows(b, &d.Extensions, func(r pgx.Rows, e *suggestion.Extension) error {
			return r.Scan(&e.ID, &e.SuggestionID, &e.AssignmentID, &e.Reason, &e.State, &e.RequestedBy, &e.RequestedAt, &e.DecidedAt)
		}, `SELECT id, suggestion_id, assignment_id, reason, state, requested_by, requested_at, decided_at FROM extensions
		WHERE tenant_id=$1 AND suggestion_id=$2 ORDER BY id`, tenantID, id)
	}
	if b.Len() > 0 {
		if err := s.sendDetailBatch(ctx, b); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *SuggestionStore) sendDetailBatch(ctx context.Context, b *pgx.Batch) error {
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		var de *suggestion.Error
		if errors.As(err, &de) {
			return err
		}
		return fmt.Errorf("read suggestion detail: %w", err)
	}
	return nil
}

const replySelect = `SELECT r.id, r.suggestion_id, r.assignment_id, r.unit_id, u.name, r.round, r.class, r.body,
	r.document_key, r.replied_at, r.on_time, r.published_at,
	coalesce((SELECT json_agg(json_build_object('id', c.id, 'what', c.what, 'due_on', c.due_on, 'done_at', c.done_at, 'done_note', c.done_note) ORDER BY c.id)
	          FROM commitments c WHERE c.tenant_id=r.tenant_id AND c.reply_id=r.id), '[]')
	FROM replies r JOIN units u ON u.tenant_id=r.tenant_id AND u.id=r.unit_id`

func scanReplies(rows pgx.Rows) ([]suggestion.Reply, error) {
	var out []suggestion.Reply
	for rows.Next() {
		var r suggestion.Reply
		var cs []byte
		if err := rows.Scan(&r.ID, &r.SuggestionID, &r.AssignmentID, &r.UnitID, &r.UnitName, &r.Round, &r.Class, &r.Body,
			&r.DocumentKey, &r.RepliedAt, &r.OnTime, &r.PublishedAt, &cs); err != nil {
			return nil, err
		}
		var raw []struct {
			ID       int64      `json:"id"`
			What     string     `json:"what"`
			DueOn    string     `json:"due_on"`
			DoneAt   *time.Time `json:"done_at"`
			DoneNote string     `json:"done_note"`
		}
		if err := json.Unmarshal(cs, &raw); err != nil {
			return nil, fmt.Errorf("commitments: %w", err)
		}
		for _, c := range raw {
			due, _ := time.ParseInLocation("2006-01-02", c.DueOn, deadline.Shanghai)
			r.Commitments = append(r.Commitments, suggestion.Commitment{ID: c.ID, ReplyID: r.ID, What: c.What, DueOn: due, DoneAt: c.DoneAt, DoneNote: c.DoneNote})
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Bits of suggestions.parts, as migration 00064 numbers them: which part tables may hold rows
// of a suggestion.
const (
	partCosigners = 1 << iota
	partAssignments
	partContacts
	partProgress
	partCoOpinions
	partReplies
	partEvaluations
	partExtensions
	partPhotos
)

// queueRows queues sql on b and appends every row it returns, read by scan, to *dst.
func queueRows[T any](b *pgx.Batch, dst *[]T, scan func(pgx.Rows, *T) error, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var x T
			if err := scan(rows, &x); err != nil {
				return err
			}
			*dst = append(*dst, x)
		}
		return rows.Err()
	})
}

// auditRecord is one element of the timeline's record array in Detail, scanned field by
// field (pgx's CompositeIndexScanner) without a second statement.
type auditRecord struct {
	e        suggestion.AuditEvent
	from, to string
	data     []byte
}

func (r *auditRecord) ScanNull() error { return errors.New("timeline: null event") }

func (r *auditRecord) ScanIndex(i int) any {
	return [...]any{&r.e.ID, &r.e.ActorKind, &r.e.ActorID, &r.e.Action, &r.from, &r.to, &r.e.Reason, &r.data, &r.e.CreatedAt}[i]
}

func (r *auditRecord) event(tenantID, suggestionID int64) (suggestion.AuditEvent, error) {
	e := r.e
	e.TenantID, e.SuggestionID = tenantID, suggestionID
	e.From, e.To = suggestion.Status(r.from), suggestion.Status(r.to)
	if len(r.data) > 2 { // "{}" holds nothing
		if err := json.Unmarshal(r.data, &e.Data); err != nil {
			return e, fmt.Errorf("timeline: event %d data: %w", e.ID, err)
		}
	}
	return e, nil
}

// ---- transaction ------------------------------------------------------------------------

// ActorNames names who acted on each event, as they are named now and within the tenant: a
// staff user's display name and, for a unit's staff, the unit's name; a deputy's name. An id
// not on record (or of another tenant) names nobody. One statement for all the events.
func (s *SuggestionStore) ActorNames(ctx context.Context, tenantID int64, events []suggestion.AuditEvent) error {
	staff, deputies := []int64{}, []int64{}
	for _, e := range events {
		switch e.ActorKind {
		case "staff":
			if !slices.Contains(staff, e.ActorID) {
				staff = append(staff, e.ActorID)
			}
		case "deputy":
			if !slices.Contains(deputies, e.ActorID) {
				deputies = append(deputies, e.ActorID)
			}
		}
	}
	if len(staff) == 0 && len(deputies) == 0 {
		return nil
	}
	type who struct {
		kind string
		id   int64
	}
	type named struct{ name, unit string }
	names := map[who]named{}
	rows, err := s.pool.Query(ctx, `SELECT 'staff', u.id, u.display_name, coalesce(un.name, '')
		FROM users u LEFT JOIN units un ON un.tenant_id = u.tenant_id AND un.id = u.unit_id
		WHERE u.tenant_id = $1 AND u.id = ANY($2)
		UNION ALL
		SELECT 'deputy', d.id, d.name, '' FROM deputies d WHERE d.tenant_id = $1 AND d.id = ANY($3)`,
		tenantID, staff, deputies)
	if err != nil {
		return fmt.Errorf("timeline actors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k who
		var n named
		if err := rows.Scan(&k.kind, &k.id, &n.name, &n.unit); err != nil {
			return fmt.Errorf("timeline actors: %w", err)
		}
		names[k] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("timeline actors: %w", err)
	}
	for i := range events {
		e := &events[i]
		if n, ok := names[who{e.ActorKind, e.ActorID}]; ok {
			e.ActorName, e.ActorUnit = n.name, n.unit
		}
	}
	return nil
}
