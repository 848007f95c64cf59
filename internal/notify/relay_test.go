package notify_test

import (
	"sync"
	"testing"

	"jianyi/internal/notify"
)

// TestConcurrentRelaysAndBadEvents: four relays drain one outbox together; every event
// becomes its notices exactly once, and dangling or malformed events do not block the rest.
func TestConcurrentRelaysAndBadEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.exec(t, `INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status)
		SELECT $1, g, $2, $3, '建议' || g, '正文', 'handling' FROM generate_series(1, 50) g`, b.tn.ID, b.tn.MeetingID, b.tn.Deputies[0])
	b.exec(t, `INSERT INTO outbox (tenant_id, event, suggestion_id, payload)
		SELECT $1, 'suggestion.progress', s, '{}' FROM generate_series(1, 50) s, generate_series(1, 8) k`, b.tn.ID)
	b.exec(t, `INSERT INTO outbox (tenant_id, event, suggestion_id, payload) VALUES
		($1, 'suggestion.progress', 999999, '{}'), ($1, 'suggestion.closed', 3, '[1, 2]'), ($1, 'no.such_event', 3, '{}')`, b.tn.ID)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := notify.NewRelay(b.store, b.queue, b.clock, nil)
			r.Batch = 7
			if err := r.Drain(b.ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := b.relay.Drain(b.ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, `SELECT count(*) FROM outbox WHERE tenant_id = $1 AND dispatched_at IS NULL`, b.tn.ID); n != 0 {
		t.Fatalf("%d events left", n)
	}
	if n := b.count(t, `SELECT count(*) FROM notices WHERE tenant_id = $1 AND kind = 'progress'`, b.tn.ID); n != 400 {
		t.Fatalf("progress notices = %d, want 400", n)
	}
	if n := b.count(t, `SELECT count(*) FROM notices WHERE tenant_id = $1 AND kind = 'closed'`, b.tn.ID); n != 1 {
		t.Fatalf("closed notices with a malformed payload = %d, want 1", n)
	}
	if n := b.count(t, `SELECT count(*) FROM (SELECT delivery_key FROM notices GROUP BY 1 HAVING count(*) > 1) x`); n != 0 {
		t.Fatal("duplicate notices")
	}
}
