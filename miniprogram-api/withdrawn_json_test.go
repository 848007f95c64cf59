package mpapi

import (
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// A co-unit withdrawn from the case (its return granted with no unit in its place) leaves the
// deputy's list of units, and the timeline says so in Chinese, with the reviewer's reason.
func TestWithdrawnCoUnitOnTheDeputysPage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)
	d := &suggestion.Detail{
		Suggestion: suggestion.Suggestion{ID: 7, Title: "农贸市场周边排水改造", Status: suggestion.StatusAssigned},
		Assignments: []suggestion.Assignment{
			{ID: 1, UnitName: "市住房和城乡建设局", Role: suggestion.RoleLead, State: suggestion.AsgPending, Active: true},
			{ID: 2, UnitName: "市交通运输局", Role: suggestion.RoleCo, State: suggestion.AsgWithdrawn},
		},
		Timeline: []suggestion.AuditEvent{
			{Action: string(suggestion.ActRequestReturn), To: suggestion.StatusAssigned, Reason: "与我局职责无关", CreatedAt: at},
			{Action: string(suggestion.ActWithdrawCoUnit), To: suggestion.StatusAssigned, Reason: "经核实无需协办", CreatedAt: at},
		},
	}
	out := toDetail(d, 1, nil, nil)
	if len(out.Units) != 1 || out.Units[0].UnitName != "市住房和城乡建设局" {
		t.Fatalf("units: %+v, want the lead unit alone", out.Units)
	}
	last := out.Timeline[len(out.Timeline)-1]
	if last.Label != "协办单位退出办理" || last.Reason != "经核实无需协办" || last.Action != "withdraw_co_unit" {
		t.Fatalf("timeline line: %+v", last)
	}
}
