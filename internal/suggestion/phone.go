package suggestion

import (
	"strings"
	"unicode/utf8"
)

// handlerPhone checks the phone number a unit gives for its handler, as the deputy will dial
// it: digits with the usual separators (spaces, -, +, parentheses), 7 to 20 digits before an
// optional extension written 转 and digits, at most 30 characters in all. Full-width digits
// and punctuation, as a Chinese keyboard may type them, are folded to ASCII. Empty is allowed
// (the handler's name is what is required).
func handlerPhone(s string) (string, error) {
	var b strings.Builder
	digits, ext := 0, -1 // ext: digits after 转, -1 before it
	for _, r := range strings.TrimSpace(s) {
		if r >= '０' && r <= '９' || r == '－' || r == '＋' || r == '（' || r == '）' {
			r -= 0xFEE0
		}
		switch {
		case r >= '0' && r <= '9':
			if ext >= 0 {
				ext++
			} else {
				digits++
			}
		case r == '转' && ext < 0 && digits >= 7:
			ext = 0
		case (r == '-' || r == ' ' || r == '+' || r == '(' || r == ')') && ext < 0:
		default:
			return "", errBadPhone
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out != "" && (digits < 7 || digits > 20 || ext == 0 || utf8.RuneCountInString(out) > 30) {
		return "", errBadPhone
	}
	return out, nil
}

var errBadPhone = invalid("bad_phone", "经办人电话格式不正确：请填写手机号或带区号的座机号（如 0937-6200000，分机可写“转123”）")

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
