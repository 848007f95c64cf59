package console_test

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var hearingOption = regexp.MustCompile(`<option value="(\d+)"( data-suggested="1")?>([^<]*)</option>`)

// The hearing form lists each active unit once: the suggested ones first, marked, then the
// others; a unit chosen already is no longer suggested but may still be chosen.
func TestHearingFormListsEachUnitOnce(t *testing.T) {
	t.Parallel()
	b := setupAppraisal(t)
	b.seedRatings()
	d := b.desk("shencha")
	options := func() []string {
		t.Helper()
		_, page := d.c.get("/appraisal/meetings/1")
		form := page[strings.Index(page, `id="hearing-form"`):]
		form = form[:strings.Index(form, "</select>")]
		var out []string
		for _, m := range hearingOption.FindAllStringSubmatch(form, -1) {
			o := m[1] + " " + m[3]
			if m[2] != "" {
				o = "*" + o
			}
			out = append(out, o)
		}
		return out
	}
	want := []string{"*1 市住房和城乡建设局（建议选取，办理3件）", "*2 市交通运输局（建议选取，办理3件）", "101 市教育局"}
	if got := options(); !slices.Equal(got, want) {
		t.Fatalf("hearing form offers %q, want %q", got, want)
	}
	d.ok("hearing", "/appraisal/meetings/1/hearings", url.Values{"unit": {"1"}, "session": {"市十届人大常委会第二十次会议"}, "held_on": {"2026-01-05"}})
	want = []string{"*2 市交通运输局（建议选取，办理3件）", "1 市住房和城乡建设局", "101 市教育局"}
	if got := options(); !slices.Equal(got, want) {
		t.Fatalf("after choosing 住建局 the form offers %q, want %q", got, want)
	}
}
