package mpapi_test

import "testing"

// The similar-suggestions search refuses a NUL or invalid UTF-8 in q as the list's search
// does (400 bad_filter); a NUL was a 500.
func TestSimilarSearchRefusesUnreadableQuery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-similar-text", "jyg", "13800000001")
	for _, q := range []string{"%E4%BA%95%00%E7%9B%96", "%00", "%E4%BA%95%FF"} {
		b.wantRefusal(b.do("GET", "/api/v1/suggestions/similar?q="+q, zhang, nil), 400, "bad_filter", "similar q="+q)
	}
	b.want(b.do("GET", "/api/v1/suggestions/similar?q=%E4%BA%95%E7%9B%96", zhang, nil), 200, "similar q=井盖")
}
