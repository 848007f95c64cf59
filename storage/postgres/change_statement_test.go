package postgres

import (
	"reflect"
	"strings"
	"testing"
)

// The writes of a change become one statement whose placeholders follow on from each other,
// with a check per counted write and the audit rows of one change in one ordered INSERT.
func TestChangeStatementJoinsWrites(t *testing.T) {
	var c changeStatement
	c.add(write{sql: "UPDATE t SET a=$2 WHERE id=$1 RETURNING id", args: []any{7, "x"}, want: 1, code: "version_conflict",
		then: "INSERT INTO marks SELECT id FROM {w}"})
	c.add(write{sql: "INSERT INTO u (id, v) VALUES ($1, $2)", args: []any{8, "y"}})
	c.add(rowsInsert("log", "id, what", "($1, $2)", [][]any{{7, "first"}, {7, "second"}}))
	sql, args := c.build()
	want := "WITH w0 AS (UPDATE t SET a=$2 WHERE id=$1 RETURNING id), w0x AS (INSERT INTO marks SELECT id FROM w0), " +
		"w1 AS (INSERT INTO u (id, v) VALUES ($3, $4)), " +
		"w2 AS (INSERT INTO log (id, what) VALUES ($5, $6), ($7, $8)) " +
		"SELECT jianyi_expect((SELECT count(*) FROM w0), 1, 'version_conflict')"
	if sql != want {
		t.Fatalf("statement:\n%s\nwant:\n%s", sql, want)
	}
	if !reflect.DeepEqual(args, []any{7, "x", 8, "y", 7, "first", 7, "second"}) {
		t.Fatalf("arguments: %v", args)
	}
	if got := shift("a=$1 AND b=$12 AND c=$2", 10); got != "a=$11 AND b=$22 AND c=$12" {
		t.Fatalf("shift: %s", got)
	}
}

// A change raises the list stamps of the deputies it touched, and of the co-signers of the
// suggestions its marked writes update, in the same statement; one that touched deputies and
// queued nothing else still makes a valid statement.
func TestChangeStatementRaisesListStamps(t *testing.T) {
	var c changeStatement
	c.add(write{sql: "UPDATE suggestions SET x=$2 WHERE id=$1 RETURNING tenant_id, id", args: []any{7, "x"}, cosigners: true})
	c.stamps = listStamps{tenant: 1, deputies: []int64{10}, suggestions: []int64{7}}
	sql, args := c.build()
	for _, want := range []string{"w0 AS (UPDATE suggestions", ", stamps AS (INSERT INTO deputy_list_stamps",
		"unnest($4::bigint[], $5::bigint[])", "FROM w0 JOIN suggestion_cosigners c", "ORDER BY 2, 3"} {
		if !strings.Contains(sql, want) {
			t.Fatalf("statement lacks %q:\n%s", want, sql)
		}
	}
	if !reflect.DeepEqual(args, []any{7, "x", int64(1), []int64{10}, []int64{7}}) {
		t.Fatalf("arguments: %v", args)
	}
	only := changeStatement{stamps: listStamps{tenant: 1, deputies: []int64{11}, suggestions: []int64{8}}}
	if only.empty() {
		t.Fatal("a change that touched a deputy is empty")
	}
	if sql, _ := only.build(); !strings.HasPrefix(sql, "WITH stamps AS (INSERT") || strings.Contains(sql, "suggestion_cosigners") {
		t.Fatalf("statement of stamps alone:\n%s", sql)
	}
}
