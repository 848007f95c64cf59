package mpapi_test

import (
	"testing"
)

// Notice ids are positive: -1 or 0 is a bad request (422 bad_notice_ids) and marks nothing,
// not even the good ids sent with it. An unknown positive id is nobody's notice: a no-op.
func TestMarkNoticesReadRefusesNonPositiveIDs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-notice-ids", "jyg", "13800000001")
	var id int64
	if err := b.pool.QueryRow(t.Context(), `INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, delivery_key)
		VALUES (1, 'deputy', 10, 'status', '建议已受理', '您的建议已受理', 'ids-test') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	unread := func() int {
		t.Helper()
		r := b.do("GET", "/api/v1/notices/unread-count", zhang, nil)
		b.want(r, 200, "unread count")
		var out struct{ Count int }
		r.json(t, &out)
		return out.Count
	}
	for _, ids := range [][]int64{{-1}, {0}, {id, -1}, {-9223372036854775808}} {
		b.wantRefusal(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{"ids": ids}), 422, "bad_notice_ids", "non-positive ids")
		if n := unread(); n != 1 {
			t.Fatalf("ids %v: unread %d after a refusal, want 1", ids, n)
		}
	}
	b.want(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{"ids": []int64{9223372036854775807}}), 204, "unknown id")
	if n := unread(); n != 1 {
		t.Fatalf("unknown id marked %d", 1-n)
	}
	b.want(b.do("POST", "/api/v1/notices/read", zhang, map[string]any{"ids": []int64{id}}), 204, "own notice")
	if n := unread(); n != 0 {
		t.Fatalf("unread %d after marking, want 0", n)
	}
}
