package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/stats"
)

// StatsStore runs the dashboard's counting queries. They read the rollup of migration 00023
// (stats_rollup: sums per meeting, lead unit, category, delegation and submission month,
// kept by triggers in the workflow's transactions) instead of the tenant's suggestions:
//
//   - whole months of the period: the rollup's sums (a few thousand rows at most);
//   - the partial months at the ends of a period filter: stats_members rows by submission
//     time (one narrow row per suggestion, index range);
//   - overdue and 未反馈, which move with the clock: stats_members rows whose clock runs
//     and has run out (partial indexes on the due times);
//   - the trend: the rollup's replied/closed rows per event month, plus the partial months.
//     The event month is the case's FIRST reply and FIRST closing (migration 00073), so a
//     re-reply or a reopen and second closing never moves a case out of a month already
//     reported: a month's figures never shrink later.
//
// All of it in one batch in one read-only snapshot. Every query leads with tenant_id; the
// filters (meeting, unit, category or the committee's categories, delegation, period) are
// columns of both tables. RecountCounts/RecountTrend (stats_store_recount_test.go) compute the
// same from the workflow tables and are what the rollup is tested against.
type StatsStore struct {
	pool *pgxpool.Pool
}

// NewStatsStore builds the store.
func NewStatsStore(pool *pgxpool.Pool) *StatsStore { return &StatsStore{pool: pool} }

var (
	_ stats.Store          = (*StatsStore)(nil)
	_ stats.DashboardStore = (*StatsStore)(nil)
)

// Pool returns the store's pool (tests).
func (s *StatsStore) Pool() *pgxpool.Pool { return s.pool }

// statsArgs collects positional arguments.
type statsArgs []any

func (a *statsArgs) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

func countDests(c *stats.Counts) []any {
	return []any{&c.Submitted, &c.Registered, &c.NotRegistered, &c.Assigned, &c.Replied, &c.RepliedOnTime,
		&c.Closed, &c.Overdue, &c.ClassA, &c.ClassB, &c.ClassC, &c.ClassD,
		&c.Rated, &c.Satisfied, &c.BasicallySatisfied, &c.Unsatisfied, &c.NoFeedback,
		&c.ImplRated, &c.ImplSatisfied, &c.ImplBasicallySatisfied, &c.ImplUnsatisfied, &c.Tracking}
}

// readStats runs fn (the recount) in a read-only transaction tuned for aggregates: JIT off
// (its compile time dwarfs these queries) and enough work_mem for the hash joins.
func (s *StatsStore) readStats(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	if _, err := tx.Exec(ctx, "SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Version implements stats.Store: the newest audit event of the tenant. Every workflow
// change writes one, so an unchanged version means unchanged numbers.
func (s *StatsStore) Version(ctx context.Context, tenantID int64) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM audit_events WHERE tenant_id = $1`, tenantID).Scan(&v)
	return v, err
}

var shanghaiLoc = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

func monthStart(t time.Time) time.Time {
	l := t.In(shanghaiLoc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, shanghaiLoc)
}

// statsPeriod splits a period filter [From, To) into whole Shanghai months, read from the
// rollup, and the partial months at its ends, read from stats_members.
type statsPeriod struct {
	bounded    bool
	fromM, toM string // whole months: month >= fromM AND month < toM ("" = open)
	noWhole    bool   // the period has no whole month
	edges      [][2]time.Time
	from, to   time.Time // the filter itself (zero = open)
}

func splitPeriod(f stats.Filter) statsPeriod {
	p := statsPeriod{from: f.From, to: f.To, bounded: !f.From.IsZero() || !f.To.IsZero()}
	if !p.bounded {
		return p
	}
	var lo, hi time.Time // whole months [lo, hi)
	if !f.From.IsZero() {
		lo = monthStart(f.From)
		if !lo.Equal(f.From) {
			lo = lo.AddDate(0, 1, 0)
		}
	}
	if !f.To.IsZero() {
		hi = monthStart(f.To)
	}
	if !lo.IsZero() && !hi.IsZero() && !lo.Before(hi) {
		p.noWhole = true
		if f.From.Before(f.To) {
			p.edges = append(p.edges, [2]time.Time{f.From, f.To})
		}
		return p
	}
	if !lo.IsZero() {
		p.fromM = lo.Format("2006-01-02")
		if f.From.Before(lo) {
			p.edges = append(p.edges, [2]time.Time{f.From, lo})
		}
	}
	if !hi.IsZero() {
		p.toM = hi.Format("2006-01-02")
		if hi.Before(f.To) {
			p.edges = append(p.edges, [2]time.Time{hi, f.To})
		}
	}
	return p
}

// dimsWhere adds the filters that are columns of stats_rollup and stats_members.
func dimsWhere(b *strings.Builder, args *statsArgs, f stats.Filter, cats []int64) {
	if f.MeetingID != 0 {
		fmt.Fprintf(b, " AND meeting_id = %s", args.add(f.MeetingID))
	}
	if f.UnitID != 0 {
		fmt.Fprintf(b, " AND unit_id = %s", args.add(f.UnitID))
	}
	if f.CategoryID != 0 {
		fmt.Fprintf(b, " AND category_id = %s", args.add(f.CategoryID))
	}
	if len(cats) > 0 {
		fmt.Fprintf(b, " AND category_id = ANY(%s)", args.add(cats))
	}
	if f.DelegationID != 0 {
		fmt.Fprintf(b, " AND delegation_id = %s", args.add(f.DelegationID))
	}
}

// wholeMonths restricts rollup rows to the period's whole months.
func (p statsPeriod) wholeMonths(b *strings.Builder, args *statsArgs) {
	if !p.bounded {
		return
	}
	b.WriteString(" AND month > '-infinity'") // never submitted: outside every period
	if p.fromM != "" {
		fmt.Fprintf(b, " AND month >= %s::date", args.add(p.fromM))
	}
	if p.toM != "" {
		fmt.Fprintf(b, " AND month < %s::date", args.add(p.toM))
	}
}

// edgeRanges restricts stats_members rows to the partial months.
func (p statsPeriod) edgeRanges(b *strings.Builder, args *statsArgs) {
	b.WriteString(" AND (")
	for i, e := range p.edges {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(b, "submitted_at >= %s AND submitted_at < %s", args.add(e[0]), args.add(e[1]))
	}
	b.WriteString(")")
}

// whole restricts stats_members rows to the whole period.
func (p statsPeriod) whole(b *strings.Builder, args *statsArgs) {
	if !p.from.IsZero() {
		fmt.Fprintf(b, " AND submitted_at >= %s", args.add(p.from))
	}
	if !p.to.IsZero() {
		fmt.Fprintf(b, " AND submitted_at < %s", args.add(p.to))
	}
}

const statsSums = `sum(registered), sum(not_registered), sum(assigned), sum(replied), sum(on_time),
  sum(closed), 0::bigint, sum(class_a), sum(class_b), sum(class_c), sum(class_d),
  sum(rated), sum(satisfied), sum(basically), sum(unsatisfied), 0::bigint,
  sum(impl_rated), sum(impl_satisfied), sum(impl_basically), sum(impl_unsatisfied), sum(tracking)`

type statsQ struct {
	sql  string
	args []any
	scan func(pgx.Rows) error
}

// compactAt: a tenant's difference rows are folded into the rollup once there are this many;
// below it they are simply summed with the rest.
const compactAt = 256

// CountsAndTrend implements stats.DashboardStore: totals, per-unit rows (byUnit: every
// active unit, zeros included) and, with months > 0, the monthly trend, from one snapshot.
func (s *StatsStore) CountsAndTrend(ctx context.Context, tenantID int64, f stats.Filter, cats []int64, byUnit bool, months int, now time.Time) (stats.Counts, []stats.UnitRow, []stats.TrendPoint, error) {
	// Apply the marks of recent workflow changes (00060), so the numbers are never stale, and
	// fold the difference rows when many are pending (below that they are simply summed with
	// the rest): one round trip, before the read's snapshot is taken.
	pre := &pgx.Batch{}
	pre.Queue(`SELECT stats_drain($1)`, tenantID)
	pre.Queue(`SELECT stats_compact($1) WHERE (SELECT count(*) FROM
	  (SELECT 1 FROM stats_rollup WHERE tenant_id = $1 AND NOT compacted LIMIT `+fmt.Sprint(compactAt)+`) x) >= `+fmt.Sprint(compactAt), tenantID)
	if err := s.pool.SendBatch(ctx, pre).Close(); err != nil {
		return stats.Counts{}, nil, nil, fmt.Errorf("stats drain: %w", err)
	}

	p := splitPeriod(f)
	byID := map[int64]stats.Counts{}
	var qs []statsQ
	scanCounts := func(rows pgx.Rows) error {
		for rows.Next() {
			var unit int64
			var c stats.Counts
			if err := rows.Scan(append([]any{&unit}, countDests(&c)...)...); err != nil {
				return err
			}
			byID[unit] = byID[unit].Add(c)
		}
		return rows.Err()
	}
	// Whole months from the rollup.
	if !p.noWhole {
		args := statsArgs{tenantID}
		var b strings.Builder
		b.WriteString(`SELECT unit_id, sum(n), ` + statsSums + ` FROM stats_rollup WHERE tenant_id = $1 AND ev = 0`)
		p.wholeMonths(&b, &args)
		dimsWhere(&b, &args, f, cats)
		b.WriteString(" GROUP BY unit_id")
		qs = append(qs, statsQ{b.String(), args, scanCounts})
	}
	// Partial months from the members.
	if len(p.edges) > 0 {
		args := statsArgs{tenantID}
		var b strings.Builder
		b.WriteString(`SELECT unit_id, count(*), ` + statsSums + ` FROM stats_members WHERE tenant_id = $1`)
		p.edgeRanges(&b, &args)
		dimsWhere(&b, &args, f, cats)
		b.WriteString(" GROUP BY unit_id")
		qs = append(qs, statsQ{b.String(), args, scanCounts})
	}
	// The clock-bound counts: one range of each due-time index (index-only: the filter
	// columns are included), so the number of rows read is the number of clocks run out.
	{
		args := statsArgs{tenantID}
		n := args.add(now)
		var b strings.Builder
		b.WriteString(`SELECT unit_id, count(*) FILTER (WHERE k = 1), count(*) FILTER (WHERE k = 2) FROM (`)
		for i, col := range []string{"reply_due_at", "rating_due_at"} {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			fmt.Fprintf(&b, `SELECT unit_id, %d AS k FROM stats_members WHERE tenant_id = $1 AND %s < %s`, i+1, col, n)
			p.whole(&b, &args)
			dimsWhere(&b, &args, f, cats)
		}
		b.WriteString(") x GROUP BY unit_id")
		qs = append(qs, statsQ{b.String(), args, func(rows pgx.Rows) error {
			for rows.Next() {
				var unit int64
				var c stats.Counts
				if err := rows.Scan(&unit, &c.Overdue, &c.NoFeedback); err != nil {
					return err
				}
				byID[unit] = byID[unit].Add(c)
			}
			return rows.Err()
		}})
	}
	// The trend: per Shanghai month since the start of the window, submitted (ev 0, by
	// submission month), first replied (2) and first closed (3).
	var start time.Time
	got := map[string]*stats.TrendPoint{}
	scanTrend := func(rows pgx.Rows) error {
		for rows.Next() {
			var ev int
			var m time.Time
			var n int
			if err := rows.Scan(&ev, &m, &n); err != nil {
				return err
			}
			key := m.Format("2006-01")
			pt := got[key]
			if pt == nil {
				pt = &stats.TrendPoint{Month: key}
				got[key] = pt
			}
			switch ev {
			case 0:
				pt.Submitted += n
			case 2:
				pt.Replied += n
			case 3:
				pt.Closed += n
			}
		}
		return rows.Err()
	}
	if months > 0 {
		start = monthStart(now).AddDate(0, -(months - 1), 0)
		since := start.Format("2006-01-02")
		if !p.noWhole {
			args := statsArgs{tenantID}
			var b strings.Builder
			fmt.Fprintf(&b, `SELECT ev, ev_month, sum(n) FROM stats_rollup WHERE tenant_id = $1 AND ev_month >= %s::date`, args.add(since))
			p.wholeMonths(&b, &args)
			dimsWhere(&b, &args, f, cats)
			b.WriteString(" GROUP BY ev, ev_month")
			qs = append(qs, statsQ{b.String(), args, scanTrend})
		}
		if len(p.edges) > 0 {
			args := statsArgs{tenantID}
			var b strings.Builder
			sinceArg := args.add(since)
			b.WriteString(`SELECT v.ev, v.m, count(*) FROM stats_members,
  LATERAL (VALUES (0, month), (2, replied_month), (3, closed_month)) v(ev, m) WHERE tenant_id = $1`)
			p.edgeRanges(&b, &args)
			dimsWhere(&b, &args, f, cats)
			fmt.Fprintf(&b, " AND v.m >= %s::date GROUP BY 1, 2", sinceArg)
			qs = append(qs, statsQ{b.String(), args, scanTrend})
		}
	}
	type unit struct {
		id     int64
		name   string
		active bool
	}
	var units []unit
	if byUnit {
		qs = append(qs, statsQ{`SELECT id, name, active FROM units WHERE tenant_id = $1 ORDER BY name`, []any{tenantID}, func(rows pgx.Rows) error {
			for rows.Next() {
				var u unit
				if err := rows.Scan(&u.id, &u.name, &u.active); err != nil {
					return err
				}
				units = append(units, u)
			}
			return rows.Err()
		}})
	}

	err := func() error {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // read-only: nothing to keep
		batch := &pgx.Batch{}
		batch.Queue(`SET LOCAL jit = off`) // its compile time would dwarf these queries
		for _, q := range qs {
			batch.Queue(q.sql, q.args...)
		}
		br := tx.SendBatch(ctx, batch)
		defer br.Close()
		if _, err := br.Exec(); err != nil {
			return err
		}
		for _, q := range qs {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			err = q.scan(rows)
			rows.Close()
			if err != nil {
				return err
			}
		}
		return br.Close()
	}()
	if err != nil {
		return stats.Counts{}, nil, nil, fmt.Errorf("stats: %w", err)
	}

	var total stats.Counts
	for _, c := range byID {
		total = total.Add(c)
	}
	var out []stats.UnitRow
	for _, u := range units {
		c, has := byID[u.id]
		if !u.active && !has {
			continue
		}
		if f.UnitID != 0 && u.id != f.UnitID {
			continue
		}
		out = append(out, stats.UnitRow{UnitID: u.id, UnitName: u.name, Counts: c})
	}
	var trend []stats.TrendPoint
	if months > 0 {
		trend = make([]stats.TrendPoint, 0, months)
		for i := 0; i < months; i++ {
			m := start.AddDate(0, i, 0).Format("2006-01")
			pt := stats.TrendPoint{Month: m}
			if g := got[m]; g != nil {
				pt = *g
			}
			trend = append(trend, pt)
		}
	}
	return total, out, trend, nil
}

// Counts implements stats.Store: the totals and, with byUnit, one row per active unit
// (zeros included).
func (s *StatsStore) Counts(ctx context.Context, tenantID int64, f stats.Filter, cats []int64, byUnit bool, now time.Time) (stats.Counts, []stats.UnitRow, error) {
	c, u, _, err := s.CountsAndTrend(ctx, tenantID, f, cats, byUnit, 0, now)
	return c, u, err
}

// Trend implements stats.Store: per month (Shanghai) over the last months, how many were
// submitted, replied for the first time and closed for the first time (stats.TrendPoint).
func (s *StatsStore) Trend(ctx context.Context, tenantID int64, f stats.Filter, months int, now time.Time) ([]stats.TrendPoint, error) {
	_, _, t, err := s.CountsAndTrend(ctx, tenantID, f, nil, false, months, now)
	return t, err
}

// Drain applies the rollup marks left by workflow changes (migration 00060) for a tenant
// (0: every tenant) and returns how many suggestions it refreshed. Readers call it before
// they sum; the worker calls it in the background so that readers find little to do.
func (s *StatsStore) Drain(ctx context.Context, tenantID int64) (int, error) {
	var n int
	sql := `SELECT stats_drain($1)`
	if tenantID == 0 {
		sql = `SELECT COALESCE(sum(stats_drain(tenant_id)), 0) FROM (SELECT DISTINCT tenant_id FROM stats_dirty) t WHERE $1 = 0`
	}
	if err := s.pool.QueryRow(ctx, sql, tenantID).Scan(&n); err != nil {
		return 0, fmt.Errorf("drain stats marks: %w", err)
	}
	return n, nil
}

// VerifyRollup checks the rollup's invariant for a tenant (0: every tenant): stats_members
// equals what the workflow tables say now, and stats_rollup sums to the members' sums per
// key. Tests call it after workflow changes; an operator can call it on a live database (it
// reads the tenant's suggestions once). stats_rebuild(tenant) repairs a difference.
func (s *StatsStore) VerifyRollup(ctx context.Context, tenantID int64) error {
	if _, err := s.Drain(ctx, tenantID); err != nil {
		return err
	}
	var members, keys int
	err := s.pool.QueryRow(ctx, `WITH src AS (SELECT * FROM stats_member_source WHERE $1 = 0 OR tenant_id = $1),
	  mem AS (SELECT * FROM stats_members WHERE $1 = 0 OR tenant_id = $1)
	  SELECT count(*) FROM ((TABLE mem EXCEPT ALL TABLE src) UNION ALL (TABLE src EXCEPT ALL TABLE mem)) x`, tenantID).Scan(&members)
	if err != nil {
		return fmt.Errorf("verify rollup: %w", err)
	}
	const k = `tenant_id, meeting_id, unit_id, category_id, delegation_id, month`
	err = s.pool.QueryRow(ctx, `WITH r AS (
	    SELECT `+k+`, ev, ev_month, sum(n) AS n, sum(registered), sum(not_registered), sum(assigned), sum(replied), sum(on_time),
	      sum(closed), sum(class_a), sum(class_b), sum(class_c), sum(class_d), sum(rated), sum(satisfied), sum(basically),
	      sum(unsatisfied), sum(impl_rated), sum(impl_satisfied), sum(impl_basically), sum(impl_unsatisfied), sum(tracking)
	    FROM stats_rollup WHERE $1 = 0 OR tenant_id = $1 GROUP BY `+k+`, ev, ev_month HAVING sum(n) <> 0),
	  m AS (
	    SELECT `+k+`, 0::smallint, month, count(*)::numeric, sum(registered), sum(not_registered), sum(assigned), sum(replied),
	      sum(on_time), sum(closed), sum(class_a), sum(class_b), sum(class_c), sum(class_d), sum(rated), sum(satisfied),
	      sum(basically), sum(unsatisfied), sum(impl_rated), sum(impl_satisfied), sum(impl_basically), sum(impl_unsatisfied), sum(tracking)
	    FROM stats_members WHERE $1 = 0 OR tenant_id = $1 GROUP BY `+k+`
	    UNION ALL
	    SELECT `+k+`, v.ev, v.m, count(*)::numeric, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
	    FROM stats_members, LATERAL (VALUES (2::smallint, replied_month), (3::smallint, closed_month)) v(ev, m)
	    WHERE ($1::bigint = 0 OR tenant_id = $1) AND v.m IS NOT NULL GROUP BY `+k+`, v.ev, v.m)
	  SELECT count(*) FROM ((TABLE r EXCEPT ALL TABLE m) UNION ALL (TABLE m EXCEPT ALL TABLE r)) x`, tenantID).Scan(&keys)
	if err != nil {
		return fmt.Errorf("verify rollup: %w", err)
	}
	if members != 0 || keys != 0 {
		return fmt.Errorf("verify rollup: %d member rows differ from the workflow tables, %d rollup keys from the members", members, keys)
	}
	return nil
}
