package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A merged suggestion's page and its list row say what it was merged into — 已并入第0001号 —
// linked for a reader who may open that suggestion, unlinked for one who may not.
func TestMergedSuggestionSaysWhatItWasMergedInto(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	into := b.registered() // 第0001号, 城乡建设
	dup := b.submit(1, 2, "关于规范老旧小区物业收费的建议", "老旧小区物业收费标准不公开，建议统一公示收费项目和标准，接受业主监督。")
	sg, err := b.sugg.Get(ctx, reviewer(1), dup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Register(ctx, reviewer(1), dup, sg.Version, 2); err != nil { // 第0002号, 交通运输
		t.Fatal(err)
	}
	if _, err := b.sugg.Merge(ctx, reviewer(1), dup, into.ID, -1, "重复建议并案办理"); err != nil {
		t.Fatal(err)
	}
	link := `<a href="/suggestions/` + strconv.FormatInt(into.ID, 10) + `">已并入第0001号</a>`
	row := func(page string) string {
		for _, r := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(page, -1) {
			if strings.Contains(r, "规范老旧小区物业收费") {
				return r
			}
		}
		return ""
	}

	rev := b.desk("shencha")
	_, page := rev.c.get(suggestionURL(dup))
	if m := regexp.MustCompile(`<p class="meta" id="merged-into">.*?</p>`).FindString(page); !strings.Contains(m, link) {
		t.Fatalf("the merged suggestion's page does not say what it was merged into: %q\n%.3000s", m, page)
	}
	_, page = rev.c.get("/suggestions?status=merged")
	if r := row(page); !strings.Contains(r, "已并案") || !strings.Contains(r, link) {
		t.Fatalf("the merged row does not say what it was merged into:\n%s", r)
	}

	// A committee of 交通运输 reads the merged suggestion but not the 城乡建设 one it went
	// into: the number is said, with no link to a page it cannot open.
	b.addStaff(62, "gongwei", []string{"committee"}, 2)
	cm := b.desk("gongwei")
	if status, _ := cm.c.get(suggestionURL(into.ID)); status != http.StatusNotFound {
		t.Fatalf("the committee opens the suggestion outside its categories: %d", status)
	}
	_, page = cm.c.get(suggestionURL(dup))
	m := regexp.MustCompile(`<p class="meta" id="merged-into">.*?</p>`).FindString(page)
	if !strings.Contains(m, "已并入第0001号") || strings.Contains(m, "<a ") {
		t.Fatalf("the committee's page of the merged suggestion: %q", m)
	}
	_, page = cm.c.get("/suggestions")
	if r := row(page); !strings.Contains(r, "已并入第0001号") || strings.Contains(r, `href="/suggestions/`+strconv.FormatInt(into.ID, 10)+`"`) {
		t.Fatalf("the committee's merged row:\n%s", r)
	}
}
