package auth

import (
	"strings"
	"unicode"

	"jianyi/internal/apperr"
)

// MaxPasswordLen is the longest password accepted (argon2 takes any length; a form does not
// need more).
const MaxPasswordLen = 64

// commonPasswords are among the first an attacker tries (lists of leaked Chinese and English
// passwords, keyboard walks, the product's own name), at least MinPasswordLen long; compared
// in lower case.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		12345678 123456789 1234567890 0123456789 87654321 987654321 11223344 12341234 12344321
		12121212 123123123 147258369 147852369 11111111 00000000 66666666 88888888 99999999
		woaini1314 woaini520 5201314520 iloveyou iloveyou1 password password1 password123 passw0rd
		p@ssw0rd p@ssword qwertyui qwerty123 qwertyuiop qwer1234 1234qwer 1qaz2wsx 1q2w3e4r
		1q2w3e4r5t qwe123456 123qweasd qweasdzxc asdfghjk asdf1234 zxcvbnm1 zxcvbnm123 abc12345
		abc123456 abcd1234 a1234567 a12345678 a123456789 aa123456 admin123 admin888 admin1234
		administrator root1234 test1234 welcome1 sunshine football princess superman jianyi123
		jianyi2026 12345678a`) {
		commonPasswords[p] = true
	}
}

func weak(code, msg string) *apperr.Error { return apperr.New(apperr.ErrInvalid, code, msg) }

// CheckNewPassword applies the password policy to a password being set for username; nil or a
// refusal (apperr.ErrInvalid) with a stable code and a Chinese message:
//
//	weak_password          fewer than MinPasswordLen characters
//	password_too_long      more than MaxPasswordLen characters
//	password_repeated      one character repeated (aaaaaaaa, 11111111)
//	password_sequence      consecutive digits or letters, up or down (12345678, abcdefgh, 87654321)
//	password_has_username  equal to the username, or containing it (usernames of 3 or more characters)
//	password_common        on the list of the most common passwords
//	password_too_simple    fewer than two of: letters, digits, symbols
//
// Case is ignored, and the repeat, sequence and common checks also look at the password with
// symbols at its ends taken off ("12345678!" is "12345678").
func CheckNewPassword(username, pw string) error {
	n := len([]rune(pw))
	if n < MinPasswordLen {
		return weak("weak_password", "密码至少8位")
	}
	if n > MaxPasswordLen {
		return weak("password_too_long", "密码不能超过64位")
	}
	low := strings.ToLower(pw)
	core := strings.TrimFunc(low, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	forms := []string{low}
	if core != "" && core != low {
		forms = append(forms, core)
	}
	for _, f := range forms {
		if repeated(f) {
			return weak("password_repeated", "密码不能是同一个字符的重复（如aaaaaaaa、11111111）")
		}
	}
	for _, f := range forms {
		if sequence(f) {
			return weak("password_sequence", "密码不能是连续的数字或字母（如12345678、abcdefgh、87654321）")
		}
	}
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && (low == u || len([]rune(u)) >= 3 && strings.Contains(low, u)) {
		return weak("password_has_username", "密码不能包含用户名")
	}
	for _, f := range forms {
		if commonPasswords[f] {
			return weak("password_common", "密码过于常见，容易被猜中，请换一个")
		}
	}
	var letters, digits, symbols int
	for _, r := range pw {
		switch {
		case unicode.IsLetter(r):
			letters = 1
		case unicode.IsDigit(r):
			digits = 1
		default:
			symbols = 1
		}
	}
	if letters+digits+symbols < 2 {
		return weak("password_too_simple", "密码须包含字母、数字、符号中的至少两种")
	}
	return nil
}

// repeated: every character is the first one.
func repeated(s string) bool {
	r := []rune(s)
	for _, c := range r[1:] {
		if c != r[0] {
			return false
		}
	}
	return len(r) > 1
}

// sequence: every character is the previous one plus 1, or every one minus 1, all digits or
// all ASCII letters (lower case).
func sequence(s string) bool {
	r := []rune(s)
	if len(r) < 2 {
		return false
	}
	class := func(c rune) int {
		switch {
		case c >= '0' && c <= '9':
			return 1
		case c >= 'a' && c <= 'z':
			return 2
		}
		return 0
	}
	step := r[1] - r[0]
	if step != 1 && step != -1 {
		return false
	}
	for i := 1; i < len(r); i++ {
		if r[i]-r[i-1] != step || class(r[i]) == 0 || class(r[i]) != class(r[0]) {
			return false
		}
	}
	return true
}
