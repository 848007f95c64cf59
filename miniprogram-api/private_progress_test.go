package mpapi_test

import (
	"context"
	"fmt"
	"testing"
)

// A unit's private note (内部备注) is for staff only: the deputy's page shows neither the
// note nor a timeline line announcing one, while a note meant for the deputy shows both.
func TestPrivateProgressLeavesNoTraceOnTheDeputysPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-private-note", "jyg", "13800000001")
	id := b.submitted(zhang, "路灯不亮", "新华路路灯长期不亮，夜间出行不便，请尽快修复。")
	b.accepted(id)
	ctx := context.Background()
	if _, err := b.sugg.AddProgress(ctx, handler, id, "内部：领导尚未批示，暂缓办理", true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.AddProgress(ctx, handler, id, "已联系供电公司更换灯具", false); err != nil {
		t.Fatal(err)
	}
	r := b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), zhang, nil)
	b.want(r, 200, "detail")
	var d struct {
		Progress []struct{ Body string }
		Timeline []struct{ Action, Label string }
	}
	r.json(t, &d)
	if len(d.Progress) != 1 || d.Progress[0].Body != "已联系供电公司更换灯具" {
		t.Fatalf("progress shown to the deputy: %+v", d.Progress)
	}
	lines := 0
	for _, e := range d.Timeline {
		if e.Action == "progress" {
			lines++
		}
	}
	if lines != 1 {
		t.Fatalf("the deputy's timeline has %d 办理进展 lines for one shared and one private note: %+v", lines, d.Timeline)
	}
}
