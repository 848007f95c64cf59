// Package plaintext is the one rule of what text a person could have typed into a field:
// every front door and domain refuses the rest with the code bad_text. PostgreSQL refuses NUL
// in text, and the other controls are invisible on every screen that shows the text later.
package plaintext

import "unicode/utf8"

// Control reports a character no field may hold: C0 controls but tab, line feed and carriage
// return; DEL; C1 controls; the line and paragraph separators.
func Control(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	}
	return r == 0x2028 || r == 0x2029
}

// Unreadable reports text that is not valid UTF-8 or holds a Control character.
func Unreadable(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if Control(r) {
			return true
		}
	}
	return false
}

// UnreadableLine is Unreadable for a one-line field: tab and line breaks are refused too.
func UnreadableLine(s string) bool {
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			return true
		}
	}
	return Unreadable(s)
}
