package main

import (
	"context"
	"testing"
)

// The demo has 代表参与活动 in every phase a desk sees: upcoming with answers of each kind
// (dev-deputy1 still to answer), and held with its 纪要; a second seed adds none.
func TestSeedDemoActivities(t *testing.T) {
	t.Parallel()
	d, count := seededDemo(t)
	if n := count(`SELECT count(*) FROM activities WHERE status = 'planned' AND starts_at > now()`); n != 2 {
		t.Errorf("%d upcoming demo activities, want 2", n)
	}
	if n := count(`SELECT count(*) FROM activities WHERE starts_at < now() AND summary <> ''`); n != 1 {
		t.Errorf("%d held demo activities with a summary, want 1", n)
	}
	for _, answer := range []string{"invited", "accepted", "declined"} {
		if n := count(`SELECT count(*) FROM activity_invitations WHERE answer = '` + answer + `'`); n == 0 {
			t.Errorf("no demo invitation answered %s", answer)
		}
	}
	if n := count(`SELECT count(*) FROM activity_suggestions`); n < 3 {
		t.Errorf("%d demo activity links to suggestions", n)
	}
	if n := count(`SELECT count(*) FROM activity_invitations i JOIN deputies d ON d.tenant_id = i.tenant_id AND d.id = i.deputy_id
		WHERE i.answer = 'invited' AND d.id = (SELECT min(id) FROM deputies)`); n == 0 {
		t.Error("the first demo deputy has no invitation to answer")
	}
	if _, err := seedDemo(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM activities`); n != 3 {
		t.Fatalf("%d demo activities after a second seed, want 3", n)
	}
}
