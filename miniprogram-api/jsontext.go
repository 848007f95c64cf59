package mpapi

import (
	"unicode/utf16"
	"unicode/utf8"

	"jianyi/internal/plaintext"
)

// cleanJSONText reports whether every string of a JSON text (keys and values) is text a
// person could have typed: valid UTF-8, no plaintext.Control character, raw or \u-escaped,
// and no \u escape of half a surrogate pair (which would decode as U+FFFD, silently
// changing what was sent). Every domain refuses the same characters with the same code.
//
// It is lexical and lenient about structure: malformed JSON is the decoder's to refuse.
func cleanJSONText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !in {
			in = c == '"'
			continue
		}
		switch {
		case c == '"':
			in = false
		case c >= 0x80:
			r, n := utf8.DecodeRune(b[i:])
			if plaintext.Control(r) {
				return false
			}
			i += n - 1
		case plaintext.Control(rune(c)):
			return false
		case c == '\\':
			if i+1 >= len(b) {
				return true
			}
			i++
			if b[i] != 'u' {
				continue
			}
			r, ok := hex4(b, i+1)
			if !ok {
				return true // not JSON: the decoder refuses it
			}
			i += 4
			switch {
			case plaintext.Control(r):
				return false
			case r >= 0xDC00 && r <= 0xDFFF: // a low half without its high half
				return false
			case utf16.IsSurrogate(r): // a high half: the next escape must be its low half
				if i+6 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
					return false
				}
				lo, ok := hex4(b, i+3)
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return false
				}
				i += 6
			}
		}
	}
	return true
}

// hex4 reads the four hex digits of a \u escape starting at b[i].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}
