package mpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"jianyi/internal/suggestion"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres/pgtest"
)

// TestSubscriptionsCountedOnceAndSpent: a subscribe-dialog answer retried with the same
// Idempotency-Key (weak network) gives the deputy one one-time credit, not two; the credit is
// what lets the delivery side send one subscribe message, and it is spent by that send.
func TestSubscriptionsCountedOnceAndSpent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rig := b.noticeRig()
	tok := b.deputy("openid-sub", "jyg", "13800000001")
	credits := func(tpl string) (oneTime int, longTerm bool) {
		t.Helper()
		err := b.pool.QueryRow(t.Context(), `SELECT coalesce(sum(one_time), 0), coalesce(bool_or(long_term), false)
			FROM notify_credits WHERE tenant_id = 1 AND deputy_id = 10 AND template_id = $1`, tpl).Scan(&oneTime, &longTerm)
		if err != nil {
			t.Fatal(err)
		}
		return oneTime, longTerm
	}

	body := map[string]any{"results": []map[string]any{
		{"template_id": "TPL_SUB", "accepted": true},
		{"template_id": "TPL_LONG", "accepted": true, "long_term": true},
		{"template_id": "TPL_NO", "accepted": false},
	}}
	r := b.do("POST", "/api/v1/subscriptions", tok, body, "Idempotency-Key", "sub-1")
	b.want(r, 204, "record subscriptions")
	r = b.do("POST", "/api/v1/subscriptions", tok, body, "Idempotency-Key", "sub-1")
	b.want(r, 204, "record subscriptions retried")
	if r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("retried subscriptions were not answered from the first request")
	}
	if n, _ := credits("TPL_SUB"); n != 1 {
		t.Fatalf("%d one-time credits after one answer sent twice with one key, want 1", n)
	}
	if _, on := credits("TPL_LONG"); !on {
		t.Fatal("long-term subscription not recorded")
	}
	if n := b.count(`SELECT count(*) FROM notify_credits WHERE template_id = 'TPL_NO'`); n != 0 {
		t.Fatalf("a refused one-time template left %d rows", n)
	}
	// The same key with another answer is refused and changes nothing.
	other := map[string]any{"results": []map[string]any{{"template_id": "TPL_SUB", "accepted": true}}}
	r = b.do("POST", "/api/v1/subscriptions", tok, other, "Idempotency-Key", "sub-1")
	b.want(r, 422, "same key, other answers")
	if r.code() != "idempotency_key_reused" {
		t.Fatalf("code %s", r.code())
	}
	if n, _ := credits("TPL_SUB"); n != 1 {
		t.Fatalf("%d one-time credits after a refused request, want 1", n)
	}
	b.want(b.do("POST", "/api/v1/subscriptions", tok, body, "Idempotency-Key", " bad key"), 400, "bad key")
	for _, bad := range []string{"", "TPL\x00SUB", "TPL SUB", strings.Repeat("T", 129)} {
		r = b.do("POST", "/api/v1/subscriptions", tok, map[string]any{"results": []map[string]any{
			{"template_id": "TPL_SUB", "accepted": true}, {"template_id": bad, "accepted": true}}})
		b.want(r, 422, fmt.Sprintf("template id %q", bad))
		want := "bad_subscriptions"
		if strings.ContainsRune(bad, 0) {
			want = "bad_text" // refused with every other NUL, before the body is read
		}
		if r.code() != want {
			t.Fatalf("template id %q: code %s, want %s", bad, r.code(), want)
		}
	}
	if n, _ := credits("TPL_SUB"); n != 1 {
		t.Fatalf("%d one-time credits after refused requests, want 1", n)
	}

	// The delivery side reads the credit: the deputy's first notice goes out as one subscribe
	// message (later ones fall in the digest window), and the credit is used up.
	id := b.submitted(tok, "关于修复雄关路路灯的建议", "雄关路东段路灯损坏已久，夜间行人通行不便。")
	b.assigned(id, suggestion.AssignInput{LeadUnitID: 1})
	rig.drain(t)
	if n := b.app.Count(wechattest.APISubscribeSend); n != 1 {
		t.Fatalf("%d subscribe messages sent with one credit, want 1", n)
	}
	if n, _ := credits("TPL_SUB"); n != 0 {
		t.Fatalf("%d one-time credits left after the send, want 0", n)
	}

	// Two accepted answers of one template in one request are two credits; a request
	// without a key is simply recorded.
	two := map[string]any{"results": []map[string]any{
		{"template_id": "TPL_SUB", "accepted": true}, {"template_id": "TPL_SUB", "accepted": true},
		{"template_id": "TPL_LONG", "accepted": false, "long_term": true}}}
	b.want(b.do("POST", "/api/v1/subscriptions", tok, two), 204, "two credits, long-term off")
	if n, _ := credits("TPL_SUB"); n != 2 {
		t.Fatalf("%d one-time credits, want 2", n)
	}
	if _, on := credits("TPL_LONG"); on {
		t.Fatal("long-term subscription still on after it was refused")
	}
	// Credits add up across requests, and a one-time answer leaves a long-term flag alone.
	b.want(b.do("POST", "/api/v1/subscriptions", tok, map[string]any{"results": []map[string]any{
		{"template_id": "TPL_SUB", "accepted": true}, {"template_id": "TPL_LONG", "accepted": true, "long_term": true}}},
		"Idempotency-Key", "sub-2"), 204, "one more credit, long-term on")
	b.want(b.do("POST", "/api/v1/subscriptions", tok, map[string]any{"results": []map[string]any{
		{"template_id": "TPL_LONG", "accepted": true}}}, "Idempotency-Key", "sub-3"), 204, "one-time answer on a long-term template")
	if n, _ := credits("TPL_SUB"); n != 3 {
		t.Fatalf("%d one-time credits, want 3", n)
	}
	if n, on := credits("TPL_LONG"); n != 1 || !on {
		t.Fatalf("long-term template: %d one-time credits, long-term %v; want 1 and on", n, on)
	}
}

// TestSubscriptionsAllOrNone: the answers of one request are recorded together. When the
// store fails on one of them, none is kept, so the phone's retry (with the same key, which
// a 5xx releases) counts each credit once.
func TestSubscriptionsAllOrNone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-sub-atomic", "jyg", "13800000001")
	// A store failure on the second template of the request.
	for _, q := range []string{
		`CREATE FUNCTION fail_credit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
		`CREATE TRIGGER fail_credit BEFORE INSERT OR UPDATE ON notify_credits
		FOR EACH ROW WHEN (NEW.template_id = 'TPL_B') EXECUTE FUNCTION fail_credit()`,
	} {
		pgtest.MustExec(t, b.pool, q)
	}
	body := map[string]any{"results": []map[string]any{
		{"template_id": "TPL_A", "accepted": true}, {"template_id": "TPL_B", "accepted": true}}}
	r := b.do("POST", "/api/v1/subscriptions", tok, body, "Idempotency-Key", "atomic-1")
	b.want(r, 500, "store fails on the second template")
	if n := b.count(`SELECT count(*) FROM notify_credits WHERE tenant_id = 1 AND deputy_id = 10`); n != 0 {
		t.Fatalf("%d credit rows kept from a failed request, want none", n)
	}
	pgtest.MustExec(t, b.pool, `DROP TRIGGER fail_credit ON notify_credits`)
	b.want(b.do("POST", "/api/v1/subscriptions", tok, body, "Idempotency-Key", "atomic-1"), 204, "retry")
	if n := b.count(`SELECT coalesce(sum(one_time), 0)::int FROM notify_credits WHERE tenant_id = 1 AND deputy_id = 10`); n != 2 {
		t.Fatalf("%d one-time credits after the retry, want 2 (one per template)", n)
	}
}
