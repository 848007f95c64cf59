package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/analysis"
)

// AnalysisStore is the PostgreSQL side of internal/analysis: the meeting's registered
// suggestions and their similar pairs (suggestion_search, migrations 00004/00005) and the
// research reports (migration 00078).
type AnalysisStore struct {
	pool *pgxpool.Pool
}

// NewAnalysisStore builds the store.
func NewAnalysisStore(pool *pgxpool.Pool) *AnalysisStore { return &AnalysisStore{pool: pool} }

var _ analysis.Store = (*AnalysisStore)(nil)

// Meetings implements analysis.Store: newest first.
func (s *AnalysisStore) Meetings(ctx context.Context, tenantID int64) ([]analysis.Meeting, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, is_current FROM meetings WHERE tenant_id = $1
		ORDER BY starts_on DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("analysis meetings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (analysis.Meeting, error) {
		var m analysis.Meeting
		err := r.Scan(&m.ID, &m.Name, &m.Current)
		return m, err
	})
}

// Items implements analysis.Store: registered is every state from 立案 on; merged ones went
// into the case they were merged with, whose deputies include their authors (co-signers in
// state 'merged', 联名（并案）).
func (s *AnalysisStore) Items(ctx context.Context, tenantID, meetingID int64, limit int) ([]analysis.Item, error) {
	rows, err := s.pool.Query(ctx, `SELECT s.id, COALESCE(s.number, 0), s.title, COALESCE(c.name, ''),
		COALESCE((SELECT u.name FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
			WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead' ORDER BY a.id DESC LIMIT 1), ''),
		ARRAY(SELECT s.lead_deputy_id UNION SELECT o.deputy_id FROM suggestion_cosigners o
			WHERE o.tenant_id = s.tenant_id AND o.suggestion_id = s.id AND o.state IN ('accepted', 'merged')),
		COALESCE(`+lastLeadRating("reply")+` = 'unsatisfied', false)
	FROM suggestions s
	LEFT JOIN categories c ON c.tenant_id = s.tenant_id AND c.id = s.category_id
	WHERE s.tenant_id = $1 AND s.meeting_id = $2
	  AND s.status NOT IN ('draft', 'submitted', 'returned', 'not_registered', 'merged')
	ORDER BY s.id
	LIMIT $3`, tenantID, meetingID, limit)
	if err != nil {
		return nil, fmt.Errorf("analysis items of meeting %d: %w", meetingID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (analysis.Item, error) {
		var it analysis.Item
		err := r.Scan(&it.SuggestionID, &it.Number, &it.Title, &it.Category, &it.LeadUnit, &it.Deputies, &it.Unsatisfied)
		return it, err
	})
}

// Pairs implements analysis.Store: the Dice coefficient of two suggestions' title bigrams
// (the search vector holds the title's only, migration 00005), computed by joining the ids' lexemes on equality,
// so only pairs sharing at least one bigram are ever counted (a meeting's few hundred
// suggestions, at most analysis.MaxSuggestions).
func (s *AnalysisStore) Pairs(ctx context.Context, tenantID int64, ids []int64, min float64) ([]analysis.Pair, error) {
	rows, err := s.pool.Query(ctx, `WITH lex AS (
			SELECT x.suggestion_id AS id, w FROM suggestion_search x, unnest(tsvector_to_array(x.search)) AS w
			WHERE x.tenant_id = $1 AND x.suggestion_id = ANY($2::bigint[])),
		sizes AS (SELECT id, count(*) AS n FROM lex GROUP BY id),
		shared AS (SELECT a.id AS a, b.id AS b, count(*) AS k FROM lex a JOIN lex b ON b.w = a.w AND b.id > a.id GROUP BY a.id, b.id)
		SELECT shared.a, shared.b, 2.0 * shared.k / (sa.n + sb.n) FROM shared
		JOIN sizes sa ON sa.id = shared.a
		JOIN sizes sb ON sb.id = shared.b
		WHERE 2.0 * shared.k / (sa.n + sb.n) >= $3
		ORDER BY 1, 2`, tenantID, ids, min)
	if err != nil {
		return nil, fmt.Errorf("analysis pairs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (analysis.Pair, error) {
		var p analysis.Pair
		err := r.Scan(&p.A, &p.B, &p.Sim)
		return p, err
	})
}

const reportSelect = `SELECT id, title, report_on, summary, outcome, adopted, version, created_at, updated_at FROM research_reports`

func scanReport(r pgx.Row) (analysis.Report, error) {
	var rp analysis.Report
	err := r.Scan(&rp.ID, &rp.Title, &rp.ReportOn, &rp.Summary, &rp.Outcome, &rp.Adopted, &rp.Version, &rp.CreatedAt, &rp.UpdatedAt)
	return rp, err
}

// Reports implements analysis.Store: newest first, each with the suggestions it covers.
func (s *AnalysisStore) Reports(ctx context.Context, tenantID int64, limit int) ([]analysis.Report, error) {
	rows, err := s.pool.Query(ctx, reportSelect+` WHERE tenant_id = $1 ORDER BY report_on DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("research reports: %w", err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analysis.Report, error) { return scanReport(r) })
	if err != nil {
		return nil, fmt.Errorf("research reports: %w", err)
	}
	if err := s.fillLinks(ctx, tenantID, rs); err != nil {
		return nil, err
	}
	return rs, nil
}

// fillLinks reads the suggestions each report covers, by number.
func (s *AnalysisStore) fillLinks(ctx context.Context, tenantID int64, rs []analysis.Report) error {
	if len(rs) == 0 {
		return nil
	}
	at := make(map[int64]int, len(rs))
	ids := make([]int64, len(rs))
	for i, r := range rs {
		at[r.ID], ids[i] = i, r.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT l.report_id, s.id, COALESCE(s.number, 0), s.title
		FROM research_report_suggestions l
		JOIN suggestions s ON s.tenant_id = l.tenant_id AND s.id = l.suggestion_id
		WHERE l.tenant_id = $1 AND l.report_id = ANY($2::bigint[])
		ORDER BY l.report_id, s.number NULLS LAST, s.id`, tenantID, ids)
	if err != nil {
		return fmt.Errorf("research report suggestions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var l analysis.Linked
		if err := rows.Scan(&rid, &l.ID, &l.Number, &l.Title); err != nil {
			return fmt.Errorf("research report suggestions: %w", err)
		}
		rs[at[rid]].Suggestions = append(rs[at[rid]].Suggestions, l)
	}
	return rows.Err()
}

// Counts implements analysis.Store.
func (s *AnalysisStore) Counts(ctx context.Context, tenantID int64) (analysis.Counts, error) {
	var c analysis.Counts
	err := s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE adopted) FROM research_reports WHERE tenant_id = $1`, tenantID).
		Scan(&c.Reports, &c.Adopted)
	if err != nil {
		return c, fmt.Errorf("research report counts: %w", err)
	}
	return c, nil
}

// linkable refuses, inside tx, ids that are not the tenant's suggestions (drafts are their
// deputies' alone, so they are not offered either).
func linkable(ctx context.Context, tx pgx.Tx, tenantID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var missing []int64
	err := tx.QueryRow(ctx, `SELECT COALESCE(array_agg(x ORDER BY x), '{}') FROM unnest($2::bigint[]) AS x
		WHERE NOT EXISTS (SELECT 1 FROM suggestions s WHERE s.tenant_id = $1 AND s.id = x AND s.status <> 'draft')`,
		tenantID, ids).Scan(&missing)
	if err != nil {
		return fmt.Errorf("check report suggestions: %w", err)
	}
	if len(missing) > 0 {
		return analysis.SuggestionsNotFound(missing)
	}
	return nil
}

func link(ctx context.Context, tx pgx.Tx, tenantID, reportID int64, ids []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM research_report_suggestions WHERE tenant_id = $1 AND report_id = $2`, tenantID, reportID); err != nil {
		return fmt.Errorf("unlink report suggestions: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO research_report_suggestions (tenant_id, report_id, suggestion_id)
		SELECT $1, $2, x FROM unnest($3::bigint[]) AS x ON CONFLICT DO NOTHING`, tenantID, reportID, ids); err != nil {
		return fmt.Errorf("link report suggestions: %w", err)
	}
	return nil
}

// InsertReport implements analysis.Store.
func (s *AnalysisStore) InsertReport(ctx context.Context, tenantID int64, in analysis.ReportInput, by int64) (int64, error) {
	var id int64
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := linkable(ctx, tx, tenantID, in.SuggestionIDs); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO research_reports (tenant_id, title, report_on, summary, outcome, adopted, created_by, updated_by)
			VALUES ($1, $2, $3::date, $4, $5, $6, $7, $7) RETURNING id`,
			tenantID, in.Title, in.ReportOn.Format(time.DateOnly), in.Summary, in.Outcome, in.Adopted, by).Scan(&id); err != nil {
			return fmt.Errorf("insert research report: %w", err)
		}
		return link(ctx, tx, tenantID, id, in.SuggestionIDs)
	})
	return id, err
}

// missingOrConflict tells, after a write of version touched no row, whether the report is
// gone (not found) or was changed since (conflict).
func missingOrConflict(ctx context.Context, tx pgx.Tx, tenantID, id int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM research_reports WHERE tenant_id = $1 AND id = $2)`, tenantID, id).Scan(&ok); err != nil {
		return fmt.Errorf("research report %d: %w", id, err)
	}
	if ok {
		return analysis.Conflict()
	}
	return analysis.ReportNotFound()
}

// UpdateReport implements analysis.Store.
func (s *AnalysisStore) UpdateReport(ctx context.Context, tenantID, id int64, version int, in analysis.ReportInput, by int64) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE research_reports SET title = $4, report_on = $5::date, summary = $6, outcome = $7, adopted = $8,
			updated_by = $9, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 AND version = $3`,
			tenantID, id, version, in.Title, in.ReportOn.Format(time.DateOnly), in.Summary, in.Outcome, in.Adopted, by)
		if err != nil {
			return fmt.Errorf("update research report: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return missingOrConflict(ctx, tx, tenantID, id)
		}
		if err := linkable(ctx, tx, tenantID, in.SuggestionIDs); err != nil {
			return err
		}
		return link(ctx, tx, tenantID, id, in.SuggestionIDs)
	})
}

// DeleteReport implements analysis.Store.
func (s *AnalysisStore) DeleteReport(ctx context.Context, tenantID, id int64, version int) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM research_reports WHERE tenant_id = $1 AND id = $2 AND version = $3`, tenantID, id, version)
		if err != nil {
			return fmt.Errorf("delete research report: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return missingOrConflict(ctx, tx, tenantID, id)
		}
		return nil
	})
}
