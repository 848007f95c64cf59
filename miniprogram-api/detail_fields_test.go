package mpapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// TestDetailShowsUnitsDeadlinesAndStates: after assignment the deputy's detail shows each
// assigned unit with its role and due date, the reply deadline, and a timeline whose steps
// carry the states they moved between, all as the core has them.
func TestDetailShowsUnitsDeadlinesAndStates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pgtest.MustExec(t, b.pool, `INSERT INTO units (tenant_id, id, name) VALUES (1, 2, '市交通局')`)
	tok := b.deputy("openid-detail", "jyg", "13800000001")
	id := b.submitted(tok, "关于修复雄关路路灯的建议", "雄关路东段路灯损坏已久，夜间行人通行不便。")
	b.assigned(id, suggestion.AssignInput{LeadUnitID: 1, CoUnitIDs: []int64{2}})
	core, err := b.sugg.Detail(ctx, reviewer, id)
	if err != nil {
		t.Fatal(err)
	}
	if core.Suggestion.ReplyDueAt == nil {
		t.Fatal("the core set no reply deadline on assignment")
	}

	r := b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), tok, nil)
	b.want(r, 200, "detail")
	var d struct {
		Status     string
		ReplyDueAt *time.Time `json:"reply_due_at"`
		Units      []struct {
			UnitName string    `json:"unit_name"`
			Role     string    `json:"role"`
			State    string    `json:"state"`
			DueAt    time.Time `json:"due_at"`
		}
		Timeline []struct {
			Action    string
			From      string
			To        string
			Label     string
			CreatedAt time.Time `json:"created_at"`
		}
	}
	r.json(t, &d)
	if d.Status != "assigned" {
		t.Fatalf("status %q", d.Status)
	}

	// The reply deadline.
	if d.ReplyDueAt == nil || !d.ReplyDueAt.Equal(*core.Suggestion.ReplyDueAt) {
		t.Fatalf("reply_due_at %v, want %v", d.ReplyDueAt, *core.Suggestion.ReplyDueAt)
	}
	if !d.ReplyDueAt.After(time.Now().AddDate(0, 2, 0)) {
		t.Fatalf("reply_due_at %v is not about three months away", d.ReplyDueAt)
	}

	// Each assigned unit with its role and due date.
	want := map[string]suggestion.Assignment{}
	for _, as := range core.Assignments {
		if as.Active {
			want[as.UnitName] = as
		}
	}
	if len(d.Units) != 2 || len(want) != 2 {
		t.Fatalf("units %+v; core has %d active assignments", d.Units, len(want))
	}
	roles := map[string]string{}
	for _, u := range d.Units {
		as, ok := want[u.UnitName]
		if !ok {
			t.Fatalf("unit %q is not assigned", u.UnitName)
		}
		if u.Role != string(as.Role) || u.State != string(as.State) {
			t.Fatalf("unit %s: role %q state %q, want %q %q", u.UnitName, u.Role, u.State, as.Role, as.State)
		}
		if u.DueAt.IsZero() || !u.DueAt.Equal(as.DueAt) || !u.DueAt.After(time.Now()) {
			t.Fatalf("unit %s due_at %v, want %v (in the future)", u.UnitName, u.DueAt, as.DueAt)
		}
		roles[u.UnitName] = u.Role
	}
	if roles["市住建局"] != "lead" || roles["市交通局"] != "co" {
		t.Fatalf("roles %v", roles)
	}
	byRole := map[string]time.Time{}
	for _, u := range d.Units {
		byRole[u.Role] = u.DueAt
	}
	if !byRole["co"].Before(byRole["lead"]) {
		t.Fatalf("the co-unit's opinion (%v) is not due before the lead unit's reply (%v)", byRole["co"], byRole["lead"])
	}

	// The timeline: each state change with the states it moved between, oldest first.
	steps := map[string][2]string{}
	for i, e := range d.Timeline {
		if e.Label == "" || e.CreatedAt.IsZero() {
			t.Fatalf("timeline entry %d: %+v", i, e)
		}
		if i > 0 && e.CreatedAt.Before(d.Timeline[i-1].CreatedAt) {
			t.Fatalf("timeline out of order at %d: %+v", i, d.Timeline)
		}
		steps[e.Action] = [2]string{e.From, e.To}
	}
	for action, fromTo := range map[string][2]string{
		"submit":   {"draft", "submitted"},
		"register": {"submitted", "registered"},
		"assign":   {"registered", "assigned"},
	} {
		if got, ok := steps[action]; !ok || got != fromTo {
			t.Fatalf("timeline %s: from/to %v, want %v (timeline %+v)", action, got, fromTo, d.Timeline)
		}
	}
}
