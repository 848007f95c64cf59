package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

var mergeVersionRe = regexp.MustCompile(`(?s)id="merge-form">.*?name="version" value="(\d+)"`)

// Two reviewers open the same submission. One registers it; the other, still on the page as
// it was, merges it into another suggestion. The merge was decided on a page that no longer
// holds: it is refused as a conflict and the registration stands (exactly one of the two
// actions wins), instead of the registered case silently disappearing into another one.
func TestMergeFromStalePageIsAConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	into := b.submit(1, 2, "关于老旧小区物业收费公示的建议", "建议公开老旧小区物业收费标准并接受监督。")
	detail := suggestionURL(b.sid)

	a, bb := b.desk("shencha"), b.desk("admin")
	_, pageA := a.c.get(detail)
	m := mergeVersionRe.FindStringSubmatch(pageA)
	if m == nil {
		t.Fatalf("the merge form carries no page version:\n%.3000s", pageA)
	}
	staleVersion := m[1]

	// The other reviewer registers it from the same page version.
	bb.ok("register", detail+"/register", url.Values{"version": {staleVersion}, "category": {"1"}})
	if st := b.status(b.sid); st != "registered" {
		t.Fatalf("after register: %s", st)
	}

	form := url.Values{"csrf": {a.tok}, "version": {staleVersion}, "into": {strconv.FormatInt(into, 10)}, "reason": {"重复建议并案办理"}}
	status, loc, page := a.c.post(detail+"/merge", form)
	if status != http.StatusConflict {
		t.Fatalf("merge from a stale page: %d %q, want 409\n%.600s", status, loc, page)
	}
	mustContain(t, "stale merge", page, "已被他人修改", `id="merge-form"`)
	if st := b.status(b.sid); st != "registered" {
		t.Fatalf("the stale merge changed the case: %s", st)
	}

	// From the page as it is now, the merge goes through.
	_, pageA = a.c.get(detail)
	m = mergeVersionRe.FindStringSubmatch(pageA)
	if m == nil || m[1] == staleVersion {
		t.Fatalf("fresh page version: %v", m)
	}
	form.Set("version", m[1])
	if status, _, page := a.c.post(detail+"/merge", form); status != http.StatusSeeOther {
		t.Fatalf("merge from the fresh page: %d\n%.600s", status, page)
	}
	if st := b.status(b.sid); st != "merged" {
		t.Fatalf("after merge: %s", st)
	}
}

// version is suggestion id's version as stored (what a freshly loaded page carries).
func (b *bundle) version(id int64) int {
	b.t.Helper()
	return b.count(`SELECT version FROM suggestions WHERE id = $1`, id)
}
