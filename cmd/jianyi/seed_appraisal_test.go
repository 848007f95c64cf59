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
