package postgres

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// A workflow change's queued writes are sent as one statement: each write is a data-modifying
// CTE, and the statement's result calls jianyi_expect for each write whose row count is a
// condition of the change (a stale version, an unknown unit). PostgreSQL runs every CTE of a
// statement to completion, so a failed check rolls all of them back. One statement instead of
// one per write saves each write its own executor start-up, protocol messages and reply,
// which on this workload cost more than the writes themselves.

// write is one data-modifying statement of a change. Its placeholders are $1..$len(args).
type write struct {
	sql  string // INSERT or UPDATE, with RETURNING when want > 0 or then reads it
	then string // optional second statement reading the first's rows as {w}
	args []any
	want int    // rows sql must return; 0: not checked
	code string // the refusal (see guardErrors) when it returns another number
	// cosigners: sql is an UPDATE of suggestions RETURNING tenant_id, id of a suggestion that
	// has co-signers, whose list stamps are raised too.
	cosigners bool
}

// changeStatement is a change's writes combined, ready to send.
type changeStatement struct {
	writes []write
	stamps listStamps
}

// listStamps are the deputies whose list stamps (migration 00066) a change raises, each for
// a suggestion (which picks the stamp's shard), besides the co-signers of the suggestions
// its cosigners writes update.
type listStamps struct {
	tenant      int64
	deputies    []int64
	suggestions []int64
}

func (c *changeStatement) add(w write) { c.writes = append(c.writes, w) }

func (c *changeStatement) empty() bool { return len(c.writes) == 0 && len(c.stamps.deputies) == 0 }

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

type shiftKey struct {
	sql string
	by  int
}

// shifted remembers shift's answers: a change's writes come from a few dozen fixed SQL texts
// at a few offsets, and the regular expression cost every change more than its arguments.
var shifted sync.Map // shiftKey → string

// shift renumbers a statement's placeholders $n to $(n+by).
func shift(sql string, by int) string {
	if by == 0 {
		return sql
	}
	k := shiftKey{sql, by}
	if s, ok := shifted.Load(k); ok {
		return s.(string)
	}
	s := placeholder.ReplaceAllStringFunc(sql, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(n+by)
	})
	shifted.Store(k, s)
	return s
}

// listStampShards is how many rows hold one deputy's list stamp (migration 00066).
const listStampShards = 8

// build returns the one statement and its arguments.
func (c *changeStatement) build() (string, []any) {
	var b strings.Builder
	var checks, cosigners []string
	var args []any
	b.WriteString("WITH ")
	for i, w := range c.writes {
		name := "w" + strconv.Itoa(i)
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s AS (%s)", name, shift(w.sql, len(args)))
		if w.then != "" {
			fmt.Fprintf(&b, ", %sx AS (%s)", name, strings.ReplaceAll(shift(w.then, len(args)), "{w}", name))
		}
		if w.want > 0 {
			checks = append(checks, fmt.Sprintf("jianyi_expect((SELECT count(*) FROM %s), %d, '%s')", name, w.want, w.code))
		}
		if w.cosigners {
			cosigners = append(cosigners, fmt.Sprintf(` UNION ALL SELECT c.deputy_id, %[1]s.id FROM %[1]s JOIN suggestion_cosigners c
				ON c.tenant_id=%[1]s.tenant_id AND c.suggestion_id=%[1]s.id`, name))
		}
		args = append(args, w.args...)
	}
	if st := c.stamps; st.tenant > 0 && (len(st.deputies) > 0 || len(cosigners) > 0) {
		// A deputy's stamp is spread over listStampShards rows, picked by suggestion, so that
		// changes to different suggestions of one deputy rarely wait for each other's row
		// lock. Rows are raised in key order, so that two changes touching the same rows
		// lock them in the same order and never wait on each other in a cycle.
		n := len(args)
		if len(c.writes) > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `stamps AS (INSERT INTO deputy_list_stamps AS l (tenant_id, deputy_id, shard)
			SELECT DISTINCT $%d::bigint, d, (s %% %d)::smallint FROM
				(SELECT d, s FROM unnest($%d::bigint[], $%d::bigint[]) AS u(d, s)%s) x ORDER BY 2, 3
			ON CONFLICT (tenant_id, deputy_id, shard) DO UPDATE SET stamp = l.stamp + 1)`,
			n+1, listStampShards, n+2, n+3, strings.Join(cosigners, ""))
		args = append(args, st.tenant, st.deputies, st.suggestions)
	}
	b.WriteString(" SELECT ")
	if len(checks) == 0 {
		b.WriteString("1")
	} else {
		b.WriteString(strings.Join(checks, ", "))
	}
	return b.String(), args
}

// rowsInsert is one INSERT of several rows of the same columns, in order (audit events are
// read back in id order, so two events of one change must not be separate CTEs, whose order
// of execution PostgreSQL does not promise). cols is the column list; row is one VALUES tuple
// with placeholders $1..$k for k values per row.
func rowsInsert(table, cols, row string, rows [][]any) write {
	var b strings.Builder
	var args []any
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, cols)
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(shift(row, len(args)))
		args = append(args, r...)
	}
	return write{sql: b.String(), args: args}
}
