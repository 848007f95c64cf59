package auth

import (
	"errors"
	"testing"

	"jianyi/internal/apperr"
)

func TestCheckNewPassword(t *testing.T) {
	for _, c := range []struct{ user, pw, code string }{
		{"zhangsan", "jianyi-demo-2026", ""}, // the demo password (cmd/jianyi/seed.go)
		{"shencha", "desk-pass-2026", ""},
		{"xinren", "secret-pass-99", ""},
		{"li", "climb-42-peaks", ""}, // a 2-letter username is refused only when equal
		{"zhangsan", "Tr0ub4dor&3", ""},
		{"zhangsan", "长城脚下2026", ""},
		{"zhangsan", "1234567", "weak_password"},
		{"zhangsan", "12345678901234567890123456789012345678901234567890123456789012345", "password_too_long"},
		{"zhangsan", "aaaaaaaa", "password_repeated"},
		{"zhangsan", "11111111", "password_repeated"},
		{"zhangsan", "!!!!!!!!", "password_repeated"},
		{"zhangsan", "AAAAAAAA!", "password_repeated"},
		{"zhangsan", "12345678", "password_sequence"},
		{"zhangsan", "23456789", "password_sequence"},
		{"zhangsan", "87654321", "password_sequence"},
		{"zhangsan", "abcdefgh", "password_sequence"},
		{"zhangsan", "HGFEDCBA", "password_sequence"},
		{"zhangsan", "12345678!", "password_sequence"},
		{"zhangsan", "zhangsan", "password_has_username"},
		{"zhangsan", "ZhangSan-2026", "password_has_username"},
		{"li", "li", "weak_password"},
		{"lilili", "my-lilili-1", "password_has_username"},
		{"zhangsan", "password", "password_common"},
		{"zhangsan", "Password1", "password_common"},
		{"zhangsan", "qwertyui", "password_common"},
		{"zhangsan", "88888888", "password_repeated"},
		{"zhangsan", "abc12345", "password_common"},
		{"zhangsan", "a1234567", "password_common"},
		{"zhangsan", "admin123", "password_common"},
		{"zhangsan", "woaini1314", "password_common"},
		{"zhangsan", "iloveyou", "password_common"},
		{"zhangsan", "iloveyou!", "password_common"},
		{"zhangsan", "1qaz2wsx", "password_common"},
		{"zhangsan", "correcthorse", "password_too_simple"},
		{"zhangsan", "20260314", "password_too_simple"},
		{"zhangsan", "长城脚下都是好汉", "password_too_simple"},
	} {
		err := CheckNewPassword(c.user, c.pw)
		var e *apperr.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s / %q refused: %v", c.user, c.pw, err)
		case c.code != "" && (!errors.As(err, &e) || e.Code != c.code || !errors.Is(err, apperr.ErrInvalid) || e.Message == ""):
			t.Errorf("%s / %q: %v, want %s", c.user, c.pw, err, c.code)
		}
	}
	for p := range commonPasswords {
		if len([]rune(p)) < MinPasswordLen || CheckNewPassword("zhangsan", p) == nil {
			t.Errorf("common password %q is not refused", p)
		}
	}
}
