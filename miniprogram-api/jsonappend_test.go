package mpapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

func TestListJSONMatchesEncodingJSON(t *testing.T) {
	due := time.Date(2026, 5, 1, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	utc := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	next := int64(42)
	strs := []string{"", "关于修缮新华路人行道的建议", `引号"和\反斜杠`, "<b>&amp;</b>", "换行\n制表\t", "\x00\x1f",
		"bad \xff utf8", "sep \u2028 \u2029", "emoji 😀", "第0012号"}
	for i, s := range strs {
		x := summaryJSON{ID: int64(i), Number: s, Title: s, Status: "submitted", StatusLabel: s, IsKey: i%2 == 0,
			Mine: i%3 == 0, LeadName: s, Category: s, UpdatedAt: utc}
		if i%2 == 1 {
			x.ReplyDueAt, x.RatingDueAt = &due, &utc
		}
		for _, l := range []listJSON{{Items: []summaryJSON{x}}, {Items: []summaryJSON{x, x}, NextBefore: &next}, {Items: []summaryJSON{}}} {
			want, err := json.Marshal(l)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.appendJSON(nil); !bytes.Equal(got, want) {
				t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
			}
		}
	}
}

func TestNumberLabel(t *testing.T) {
	for _, n := range []int{1, 12, 123, 1234, 12345, 9999999999} {
		if got, want := numberLabel(n), (&suggestion.Suggestion{Number: n}).NumberLabel(); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

func BenchmarkListJSON(b *testing.B) {
	due := time.Now()
	l := listJSON{}
	for i := range 20 {
		l.Items = append(l.Items, summaryJSON{ID: int64(i), Number: "第0012号", Title: "关于第12号问题的建议", Status: "submitted",
			StatusLabel: "已提交", Mine: true, LeadName: "张三", Category: "城建环保", ReplyDueAt: &due, UpdatedAt: due})
	}
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(l)
		}
	})
	b.Run("append", func(b *testing.B) {
		buf := make([]byte, 0, 8<<10)
		for b.Loop() {
			buf = l.appendJSON(buf[:0])
		}
	})
}
