package console

import "testing"

func TestSafeNextStaysOnSite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"/suggestions/12", "/suggestions/12"},
		{"/suggestions?status=submitted&page=2", "/suggestions?status=submitted&page=2"},
		{"/exports#top", "/exports#top"},
		{"", "/"},
		{"//evil.host", "/"},
		{"///evil.host", "/"},
		{"/\\evil.host", "/"},
		{"\\\\evil.host", "/"},
		{"/\t/evil.host", "/"},   // "/%09/evil.host" after the form is decoded
		{"/\n/evil.host", "/"},   // "/%0a/evil.host"
		{"/\r\n/evil.host", "/"}, // "/%0d%0a/evil.host"
		{"\t//evil.host", "/"},
		{"/\x00/evil.host", "/"},
		{"/\u0085/evil.host", "/"}, // C1 control
		{"/%09/evil.host", "/"},    // still encoded: refused after decoding too
		{"/%5cevil.host", "/"},
		{"/%2F/evil.host", "/"},
		{"https://evil.host/", "/"},
		{"http:evil.host", "/"},
		{"javascript:alert(1)", "/"},
		{"JavaScript:alert(1)", "/"},
		{"data:text/html,<script>", "/"},
		{"evil.host", "/"},
		{"suggestions", "/"},
		{"/\xff/evil.host", "/"}, // not UTF-8
		{"/%zz", "/"},            // does not parse
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
