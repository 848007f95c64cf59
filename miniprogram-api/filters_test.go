package mpapi

import (
	"net/url"
	"testing"
	"unicode/utf8"
)

func TestParseListFilter(t *testing.T) {
	t.Parallel()
	good := []string{"", "status=draft,submitted", "role=lead&limit=5", "q=路灯&before=100", "limit=50"}
	for _, q := range good {
		v, _ := url.ParseQuery(q)
		if _, err := parseListFilter(v); err != nil {
			t.Errorf("%q refused: %v", q, err)
		}
	}
	bad := []string{"status=nope", "role=admin", "limit=0", "limit=51", "before=-1", "before=x", "unit_id=3", "status=draft,,submitted"}
	for _, q := range bad {
		v, _ := url.ParseQuery(q)
		if _, err := parseListFilter(v); err == nil {
			t.Errorf("%q accepted", q)
		}
	}
}

func FuzzParseListFilter(f *testing.F) {
	f.Add("status=draft,submitted&role=lead&q=路灯&before=10&limit=5")
	f.Add("limit=99999999999999999999")
	f.Add("q=%00&status=")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		f, err := parseListFilter(v)
		if err != nil {
			return
		}
		if f.Limit < 1 || f.Limit > 50 || f.Before < 0 || utf8.RuneCountInString(f.Query) > 50 {
			t.Fatalf("accepted out-of-range filter %+v", f)
		}
		if f.Role != "" && f.Role != "lead" && f.Role != "cosigned" {
			t.Fatalf("role %q", f.Role)
		}
		for _, s := range f.Statuses {
			if !validStatus(s) {
				t.Fatalf("status %q", s)
			}
		}
	})
}
