package plaintext_test

import (
	"testing"

	"jianyi/internal/plaintext"
)

func TestUnreadable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in         string
		text, line bool // unreadable as text, as one line
	}{
		{"关于路灯的建议", false, false},
		{"一、现状\n\t路灯不亮。\r\n", false, true},
		{"emoji 😀", false, false},
		{"标题\x00", true, true},
		{"\x07响铃", true, true},
		{"删除\x7f", true, true},
		{"内\u0085容", true, true},
		{"分\u2028行", true, true},
		{"名\xff称", true, true},
	} {
		if got := plaintext.Unreadable(c.in); got != c.text {
			t.Errorf("Unreadable(%q) = %v, want %v", c.in, got, c.text)
		}
		if got := plaintext.UnreadableLine(c.in); got != c.line {
			t.Errorf("UnreadableLine(%q) = %v, want %v", c.in, got, c.line)
		}
	}
}
