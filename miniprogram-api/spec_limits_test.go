package mpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"jianyi/internal/activity"
)

// TestSubscriptionNeedsAccepted: a subscribe-dialog answer without accepted is refused (422,
// Chinese message) and nothing is recorded; it was taken as a refusal, which switches a
// long-term subscription off.
func TestSubscriptionNeedsAccepted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-sub-accepted", "jyg", "13800000001")
	b.want(b.do("POST", "/api/v1/subscriptions", tok, map[string]any{"results": []map[string]any{
		{"template_id": "TPL_LONG", "accepted": true, "long_term": true}}}), 204, "long-term on")
	before := b.dbState()
	for _, body := range []string{
		`{"results":[{"template_id":"x"}]}`,
		`{"results":[{"template_id":"TPL_LONG","long_term":true}]}`,
		`{"results":[{"template_id":"TPL_A","accepted":true},{"template_id":"TPL_LONG","accepted":null,"long_term":true}]}`,
	} {
		b.wantSaying(b.do("POST", "/api/v1/subscriptions", tok, body), 422, "bad_subscriptions", "accepted", body)
	}
	if b.dbState() != before {
		t.Fatal("a refused answer changed the database")
	}
}

// TestListsRefuseUnknownParameters: every list refuses a query parameter it does not take
// (or one given twice) the same way, 400 bad_filter naming the ones it takes. Only the
// suggestion list did; the notices, snaps, similar suggestions and activities answered 200
// and dropped what they did not understand. (GET /deputies refuses them too: deputies_test.)
func TestListsRefuseUnknownParameters(t *testing.T) {
	t.Parallel()
	r := setupActivities(t)
	tok := r.deputy("openid-params", "jyg", "13800000001")
	r.activity(1, activity.KindInspection, "视察民政路提升改建工程", 72*time.Hour, 10)
	for _, tc := range []struct{ path, names string }{
		{"/api/v1/suggestions?foo=bar", "status"},
		{"/api/v1/suggestions?limit=5&limit=6", "limit"},
		{"/api/v1/notices?x=1", "before"},
		{"/api/v1/notices?limit=5&limit=5", "before"},
		{"/api/v1/snaps?x=1", "before"},
		{"/api/v1/activities?kind=inspection&x=1", "kind"},
		{"/api/v1/suggestions/similar?q=" + url.QueryEscape("路灯") + "&x=1", "exclude"},
	} {
		r.wantSaying(r.do("GET", tc.path, tok, nil), 400, "bad_filter", tc.names, tc.path)
	}
	for _, path := range []string{"/api/v1/suggestions?limit=5", "/api/v1/notices?limit=5", "/api/v1/snaps?limit=5",
		"/api/v1/activities?kind=inspection", "/api/v1/suggestions/similar?q=" + url.QueryEscape("路灯") + "&exclude=1"} {
		r.want(r.do("GET", path, tok, nil), 200, path)
	}
}

// TestListSearchWordsLimit: the search words of "my suggestions" may be 50 characters, as the
// spec says; the 51st is refused as 422 query_too_long saying so (it was a bare bad_filter).
func TestListSearchWordsLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-list-q", "jyg", "13800000001")
	b.want(b.do("GET", "/api/v1/suggestions?q="+url.QueryEscape(strings.Repeat("路", 50)), tok, nil), 200, "50 characters")
	b.wantSaying(b.do("GET", "/api/v1/suggestions?q="+url.QueryEscape(strings.Repeat("路", 51)), tok, nil),
		422, "query_too_long", "50", "51 characters")
}
