package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"jianyi/internal/stats"
)

// The recount: the statistics computed straight from the workflow tables, one pass over the
// tenant's suggestions. The dashboard reads the rollup of migration 00023 instead; the
// recount stays, in the tests only, as the reference the rollup is checked against.

// statsBase returns the population: one row per suggestion, with the unit of its active
// lead assignment (NULL before assignment).
func statsBase(tenantID int64, f stats.Filter, cats []int64, withUnit bool, args *statsArgs) string {
	t := args.add(tenantID)
	var b strings.Builder
	b.WriteString(`SELECT s.id, s.status, s.registered_at, s.assigned_at, s.reply_due_at, s.rating_due_at, s.submitted_at,
	  s.replied_at, s.closed_at`)
	withUnit = withUnit || f.UnitID != 0
	if withUnit {
		b.WriteString(`, a.unit_id FROM suggestions s
	LEFT JOIN assignments a ON a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead'`)
	} else {
		b.WriteString(` FROM suggestions s`)
	}
	fmt.Fprintf(&b, " WHERE s.tenant_id = %s AND s.status NOT IN ('draft', 'merged')", t)
	if f.MeetingID != 0 {
		fmt.Fprintf(&b, " AND s.meeting_id = %s", args.add(f.MeetingID))
	}
	if f.CategoryID != 0 {
		fmt.Fprintf(&b, " AND s.category_id = %s", args.add(f.CategoryID))
	}
	if len(cats) > 0 {
		fmt.Fprintf(&b, " AND s.category_id = ANY(%s)", args.add(cats))
	}
	if f.DelegationID != 0 {
		fmt.Fprintf(&b, " AND s.lead_deputy_id IN (SELECT d.id FROM deputies d WHERE d.tenant_id = %s AND d.delegation_id = %s)", t, args.add(f.DelegationID))
	}
	if !f.From.IsZero() {
		fmt.Fprintf(&b, " AND s.submitted_at >= %s", args.add(f.From))
	}
	if !f.To.IsZero() {
		fmt.Fprintf(&b, " AND s.submitted_at < %s", args.add(f.To))
	}
	if f.UnitID != 0 {
		fmt.Fprintf(&b, " AND a.unit_id = %s", args.add(f.UnitID))
	}
	return b.String()
}

// statsQuery counts the population in one pass, joined 1:1 with suggestion_facts (kept by
// triggers from replies and evaluations), grouped by the lead unit.
func statsQuery(tenantID int64, f stats.Filter, cats []int64, byUnit bool, now time.Time) (string, []any) {
	var args statsArgs
	base := statsBase(tenantID, f, cats, true, &args)
	n := args.add(now)
	// One group per lead unit (NULL: not assigned). Every suggestion is in exactly one group,
	// so the totals are the sums: a hash aggregate of ~20 groups, no sort.
	group := " GROUP BY s.unit_id"
	_ = byUnit
	q := `WITH s AS (` + base + `)
SELECT s.unit_id, count(*),
  count(*) FILTER (WHERE s.registered_at IS NOT NULL),
  count(*) FILTER (WHERE s.status = 'not_registered'),
  count(*) FILTER (WHERE s.assigned_at IS NOT NULL),
  count(f.last_reply_round),
  count(*) FILTER (WHERE f.first_on_time),
  count(*) FILTER (WHERE s.status = 'closed'),
  count(*) FILTER (WHERE s.status IN ('assigned', 'handling', 'rehandling', 'escalated') AND s.reply_due_at < ` + n + `),
  count(*) FILTER (WHERE f.last_class = 'A'),
  count(*) FILTER (WHERE f.last_class = 'B'),
  count(*) FILTER (WHERE f.last_class = 'C'),
  count(*) FILTER (WHERE f.last_class = 'D'),
  count(f.reply_rating),
  count(*) FILTER (WHERE f.reply_rating = 'satisfied'),
  count(*) FILTER (WHERE f.reply_rating = 'basically_satisfied'),
  count(*) FILTER (WHERE f.reply_rating = 'unsatisfied'),
  count(*) FILTER (WHERE f.last_reply_round IS NOT NULL AND s.rating_due_at < ` + n + `
                     AND (f.reply_rating_round IS NULL OR f.reply_rating_round < f.last_reply_round)),
  count(f.impl_rating),
  count(*) FILTER (WHERE f.impl_rating = 'satisfied'),
  count(*) FILTER (WHERE f.impl_rating = 'basically_satisfied'),
  count(*) FILTER (WHERE f.impl_rating = 'unsatisfied'),
  count(*) FILTER (WHERE s.status = 'tracking' OR (s.status <> 'closed' AND f.reply_rating = 'unsatisfied'))
FROM s LEFT JOIN suggestion_facts f ON f.tenant_id = $1 AND f.suggestion_id = s.id` + group
	return q, args
}

// RecountCounts returns what Counts returns, recounted from the workflow tables.
func (s *StatsStore) RecountCounts(ctx context.Context, tenantID int64, f stats.Filter, cats []int64, byUnit bool, now time.Time) (stats.Counts, []stats.UnitRow, error) {
	q, args := statsQuery(tenantID, f, cats, byUnit, now)
	var total stats.Counts
	byID := map[int64]stats.Counts{}
	err := s.readStats(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var unit *int64
			var c stats.Counts
			if err := rows.Scan(append([]any{&unit}, countDests(&c)...)...); err != nil {
				return err
			}
			total = total.Add(c)
			if unit != nil {
				byID[*unit] = c
			}
		}
		return rows.Err()
	})
	if err != nil || !byUnit {
		if err != nil {
			err = fmt.Errorf("stats counts: %w", err)
		}
		return total, nil, err
	}
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	urows, err := s.pool.Query(ctx, `SELECT id, name FROM units WHERE tenant_id = $1 AND (active OR id = ANY($2)) ORDER BY name`, tenantID, ids)
	if err != nil {
		return total, nil, fmt.Errorf("stats units: %w", err)
	}
	defer urows.Close()
	var out []stats.UnitRow
	for urows.Next() {
		var r stats.UnitRow
		if err := urows.Scan(&r.UnitID, &r.UnitName); err != nil {
			return total, nil, err
		}
		if f.UnitID != 0 && r.UnitID != f.UnitID {
			continue
		}
		r.Counts = byID[r.UnitID]
		out = append(out, r)
	}
	return total, out, urows.Err()
}

// RecountTrend returns what Trend returns, recounted from the workflow tables.
func (s *StatsStore) RecountTrend(ctx context.Context, tenantID int64, f stats.Filter, months int, now time.Time) ([]stats.TrendPoint, error) {
	var args statsArgs
	base := statsBase(tenantID, f, nil, false, &args)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if sh == nil {
		sh = time.FixedZone("CST", 8*3600)
	}
	ln := now.In(sh)
	start := time.Date(ln.Year(), ln.Month(), 1, 0, 0, 0, 0, sh).AddDate(0, -(months - 1), 0)
	since := args.add(start)
	// One pass: each suggestion contributes its submission, first reply (the earliest of its
	// replies, every round kept in replies) and first closing (the earliest audit event that
	// closed it, or closed_at when earlier) instants.
	q := `WITH s AS (` + base + `)
SELECT date_trunc('month', v.t, 'Asia/Shanghai'),
  count(*) FILTER (WHERE v.k = 1), count(*) FILTER (WHERE v.k = 2), count(*) FILTER (WHERE v.k = 3)
FROM s, LATERAL (VALUES (1, s.submitted_at),
  (2, (SELECT min(r.replied_at) FROM replies r WHERE r.tenant_id = $1 AND r.suggestion_id = s.id)),
  (3, LEAST(s.closed_at, (SELECT min(e.created_at) FROM audit_events e
                          WHERE e.tenant_id = $1 AND e.suggestion_id = s.id AND e.to_status = 'closed')))) v(k, t)
WHERE v.t >= ` + since + `
GROUP BY 1`
	got := map[string]stats.TrendPoint{}
	err := s.readStats(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m time.Time
			var p stats.TrendPoint
			if err := rows.Scan(&m, &p.Submitted, &p.Replied, &p.Closed); err != nil {
				return err
			}
			p.Month = m.In(sh).Format("2006-01")
			got[p.Month] = p
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("stats trend: %w", err)
	}
	out := make([]stats.TrendPoint, 0, months)
	for i := 0; i < months; i++ {
		m := start.AddDate(0, i, 0).Format("2006-01")
		p := got[m]
		p.Month = m
		out = append(out, p)
	}
	return out, nil
}
