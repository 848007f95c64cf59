package plaintext_test

import (
	"strings"
	"testing"

	"jianyi/internal/plaintext"
)

func TestUnreadable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in                string
		text, line, title bool // unreadable as text, as one line, as a title
	}{
		{"关于路灯的建议", false, false, false},
		{"一、现状\n\t路灯不亮。\r\n", false, true, true},
		{"emoji 😀", false, false, false},
		{"关于　路灯 的建议", false, false, false}, // ideographic and no-break spaces are spaces
		{"标题\x00", true, true, true},
		{"\x07响铃", true, true, true},
		{"删除\x7f", true, true, true},
		{"内\u0085容", true, true, true},
		{"分\u2028行", true, true, true},
		{"名\xff称", true, true, true},
		// Noncharacters are no text anywhere.
		{"标题\uffff", true, true, true},
		{"\ufffe正文", true, true, true},
		{"正\ufdd0文", true, true, true},
		{"正文\U0010FFFF", true, true, true},
		// Format characters pass in a body (they come with pasted text and emoji) but not
		// in a title.
		{"\u200b\u200b\u200b", false, false, true},
		{"\u202e\u202d", false, false, true},
		{"\ufeff关于路灯的建议", false, false, true},
		{"关于路灯\u00ad的建议", false, false, true},
		{"关于路灯的建议\n", false, true, true},
	} {
		if got := plaintext.Unreadable(c.in); got != c.text {
			t.Errorf("Unreadable(%q) = %v, want %v", c.in, got, c.text)
		}
		if got := plaintext.UnreadableLine(c.in); got != c.line {
			t.Errorf("UnreadableLine(%q) = %v, want %v", c.in, got, c.line)
		}
		if got := plaintext.UnreadableTitle(c.in); got != c.title {
			t.Errorf("UnreadableTitle(%q) = %v, want %v", c.in, got, c.title)
		}
	}
}

// Only characters that show count towards a minimum length: zero-width and other format
// characters, controls, spaces and stray combining marks do not.
func TestVisibleCount(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{strings.Repeat("\u200b", 12), 0},
		{"\u202e\u202d", 0},
		{" \t\n\u3000\u00a0", 0},
		{"\ufeff\u2060\u00ad", 0},
		{"\u0301\u0301", 0},
		{"路灯不亮", 4},
		{"路\u200b灯", 2},
		{"A1，。😀¥", 6},
	} {
		if got := plaintext.VisibleCount(c.in); got != c.want {
			t.Errorf("VisibleCount(%q) = %d, want %d", c.in, got, c.want)
		}
		if got := plaintext.Blank(c.in); got != (c.want == 0) {
			t.Errorf("Blank(%q) = %v, want %v", c.in, got, c.want == 0)
		}
	}
}

func TestStripBOM(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"\ufeff一、现状":       "一、现状",
		"一、\ufeff现状\ufeff": "一、现状",
		"一、现状":             "一、现状",
	} {
		if got := plaintext.StripBOM(in); got != want {
			t.Errorf("StripBOM(%q) = %q, want %q", in, got, want)
		}
	}
}

// Refusal is the words every domain package puts after a field's name: a one-line field says
// a line break or a zero-width space cannot be stored there, a text allows both.
func TestRefusal(t *testing.T) {
	for _, c := range []struct {
		s       string
		oneLine bool
		want    string
	}{
		{"名称", true, ""},
		{"第一行\n第二行", false, ""},
		{"零\u200b宽", false, ""},
		{"第一行\n第二行", true, "含有无法识别或看不见的字符（如换行、零宽字符、控制字符或乱码），请删除后重新填写"},
		{"零\u200b宽", true, "含有无法识别或看不见的字符（如换行、零宽字符、控制字符或乱码），请删除后重新填写"},
		{"控制\x07字符", false, "含有无法识别的字符（如控制字符或乱码），请删除后重新填写"},
		{"乱\xff码", true, "含有无法识别或看不见的字符（如换行、零宽字符、控制字符或乱码），请删除后重新填写"},
	} {
		if got := plaintext.Refusal(c.s, c.oneLine); got != c.want {
			t.Errorf("Refusal(%q, %v) = %q, want %q", c.s, c.oneLine, got, c.want)
		}
	}
}
