package main

import (
	"testing"
)

// The demo meeting has its two 专题工作报告 — the government departments that handle the
// most of its suggestions — one voted on and one still to record, and a 审议意见 not yet sent
// to the city government (so a desk can send it).
func TestSeedDemoAppraisal(t *testing.T) {
	t.Parallel()
	_, count := seededDemo(t)
	if n := count(`SELECT count(*) FROM appraisal_hearings`); n != 2 {
		t.Errorf("%d demo hearings, want 2", n)
	}
	if n := count(`SELECT count(*) FROM appraisal_hearings WHERE satisfied IS NOT NULL`); n != 1 {
		t.Errorf("%d demo hearings voted on, want 1", n)
	}
	if n := count(`SELECT count(*) FROM appraisal_hearings h JOIN units u ON u.tenant_id = h.tenant_id AND u.id = h.unit_id WHERE u.kind <> 'government'`); n != 0 {
		t.Errorf("%d demo hearings of units that are no government department", n)
	}
	if n := count(`SELECT count(*) FROM appraisal_feedbacks WHERE opinion <> '' AND sent_at IS NULL`); n != 1 {
		t.Errorf("%d unsent demo feedbacks with an opinion, want 1", n)
	}
	if n := count(`SELECT count(*) FROM notices WHERE kind IN ('hearing_chosen', 'hearing_voted', 'review_back_due')`); n != 0 {
		t.Errorf("the demo seed told %d appraisal notices", n)
	}
}

// The demo meeting's 建议集中分析 has a 议题 raised by several suggestions, and the demo holds
// one 调研报告 on it, adopted as a city measure.
func TestSeedDemoAnalysis(t *testing.T) {
	t.Parallel()
	_, count := seededDemo(t)
	if n := count(`SELECT count(*) FROM research_reports WHERE adopted`); n != 1 {
		t.Errorf("%d adopted demo research reports, want 1", n)
	}
	if n := count(`SELECT count(*) FROM research_report_suggestions`); n < 2 {
		t.Errorf("the demo research report covers %d suggestions, want at least 2", n)
	}
}
