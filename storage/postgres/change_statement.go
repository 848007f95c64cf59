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
}

// changeStatement is a change's writes combined, ready to send.
type changeStatement struct {
	writes []write
}

func (c *changeStatement) add(w write) { c.writes = append(c.writes, w) }

func (c *changeStatement) empty() bool { return len(c.writes) == 0 }

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

// build returns the one statement and its arguments.
func (c *changeStatement) build() (string, []any) {
	var b strings.Builder
	var checks []string
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
		args = append(args, w.args...)
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
