package postgres_test

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// A tenant's holiday_overrides rows reach the deadlines the workflow computes: an extra day
// off pushes a working-day clock one day later, a make-up working Saturday pulls it one day
// earlier, a day off on a month clock's due date rolls it to the next working day; and one
// tenant's overrides never move another tenant's deadlines.
func TestHolidayOverridesMoveReplyDeadlines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2 November 2026, 10:00 in Shanghai: no statutory holiday in the weeks after it.
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai)
	svc := suggestion.NewService(postgres.NewSuggestionStore(pool), func() time.Time { return now })

	type override struct {
		day     string
		working bool
	}
	tenant := func(ovs ...override) *pgtest.Tenant {
		tn := pgtest.NewTenant(t, pool)
		for _, o := range ovs {
			pgtest.MustExec(t, pool, `INSERT INTO holiday_overrides (tenant_id, day, working, name) VALUES ($1, $2, $3, $4)`,
				tn.ID, o.day, o.working, "本市调整")
		}
		return tn
	}
	// Every tenant and its overrides exist before the first deadline is computed, so that a
	// calendar read across tenants would show.
	plain := tenant()
	dayOff := tenant(override{"2026-11-04", false}) // Wednesday made a local holiday
	makeUp := tenant(override{"2026-11-07", true})  // Saturday made a working day
	both := tenant(override{"2026-11-04", false}, override{"2026-11-07", true})
	monthEnd := tenant(override{"2027-02-02", false}) // the 3-month reply due date made a day off
	// A neighbour whose overrides would move every date above if they leaked.
	tenant(override{"2026-11-03", false}, override{"2026-11-05", false}, override{"2026-11-14", true},
		override{"2027-02-02", false}, override{"2027-02-03", false})

	// assign takes a fresh suggestion of tn to assignment in mode and returns the reply due
	// date (Shanghai) of the suggestion and of its lead unit's assignment, as read back.
	assign := func(tn *pgtest.Tenant, mode suggestion.Mode) (string, string) {
		t.Helper()
		deputy := auth.Deputy(tn.ID, tn.Deputies[0])
		reviewer := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
		check := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("tenant %s: %v (%s)", tn.Code, err, suggestion.CodeOf(err))
			}
		}
		s, err := svc.CreateDraft(ctx, deputy, suggestion.DraftInput{Title: "关于增设公交站点的建议",
			Body: "新建小区附近没有公交站点，居民出行不便，建议增设站点并调整线路。"})
		check(err)
		s, err = svc.Submit(ctx, deputy, s.ID, s.Version)
		check(err)
		s, err = svc.Register(ctx, reviewer, s.ID, s.Version, tn.Categories[0])
		check(err)
		_, err = svc.Assign(ctx, reviewer, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: tn.Units[0], Mode: mode})
		check(err)
		d, err := svc.Detail(ctx, reviewer, s.ID)
		check(err)
		if d.Suggestion.ReplyDueAt == nil || len(d.Assignments) != 1 {
			t.Fatalf("tenant %s: assigned without a reply due date: %+v", tn.Code, d.Suggestion)
		}
		return d.Suggestion.ReplyDueAt.In(shanghai).Format(time.DateOnly),
			d.Assignments[0].DueAt.In(shanghai).Format(time.DateOnly)
	}

	for _, c := range []struct {
		name string
		tn   *pgtest.Tenant
		mode suggestion.Mode
		want string
	}{
		// 15 working days from Mon 2 Nov: 3–6, 9–13, 16–20, 23 November.
		{"no overrides, fast track", plain, suggestion.ModeFastTrack, "2026-11-23"},
		{"extra day off on Wed 4 Nov: one working day later", dayOff, suggestion.ModeFastTrack, "2026-11-24"},
		{"make-up working Sat 7 Nov: one working day earlier", makeUp, suggestion.ModeFastTrack, "2026-11-20"},
		{"a day off and a make-up day cancel out", both, suggestion.ModeFastTrack, "2026-11-23"},
		// 3 months from 2 Nov 2026 is Tue 2 Feb 2027.
		{"no overrides, normal", plain, suggestion.ModeNormal, "2027-02-02"},
		{"day off on the due date rolls to the next working day", monthEnd, suggestion.ModeNormal, "2027-02-03"},
		{"a day off before a month clock's end does not move it", dayOff, suggestion.ModeNormal, "2027-02-02"},
	} {
		gotSg, gotAsg := assign(c.tn, c.mode)
		if gotSg != c.want || gotAsg != c.want {
			t.Errorf("%s: reply due %s (assignment %s), want %s", c.name, gotSg, gotAsg, c.want)
		}
	}
}
