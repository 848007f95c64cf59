package suggestion

import (
	"fmt"
	"time"
	"unicode/utf8"

	"jianyi/internal/deadline"
	"jianyi/internal/plaintext"
)

// errBadText refuses text no person typed: invalid UTF-8, NUL or other control characters
// (PostgreSQL refuses NUL outright, and the others break exports and WeChat's field checks).
var errBadText = invalid("bad_text", "内容含有无法识别的字符，请删除后重试")

// errBadTitle refuses a title with a line break, a tab or a character that shows as nothing
// (plaintext.UnreadableTitle).
var errBadTitle = invalid("bad_text", "建议标题不能含有换行、制表符或不可见字符，请删除后重试")

// minBody and minReply are the shortest suggestion body (at submit) and reply, counted in
// characters that show (plaintext.VisibleCount): spaces and zero-width characters do not count.
const (
	minBody  = 10
	minReply = 10
)

// blank reports a required field left empty: nothing in it shows (plaintext.Blank).
func blank(s string) bool { return plaintext.Blank(s) }

// checkText refuses any of texts that is not clean (plaintext.Unreadable).
func checkText(texts ...string) error {
	for _, s := range texts {
		if plaintext.Unreadable(s) {
			return errBadText
		}
	}
	return nil
}

// checkLen refuses a field over max characters, naming it for the person.
func checkLen(label, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return invalid("too_long", fmt.Sprintf("%s不能超过%d个字", label, max))
	}
	return nil
}

// MaxShort bounds the short fields of staff forms: names, phone numbers, methods, people.
const MaxShort = 100

// earliest is before any date this system records: a contact held, a commitment due.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// shanghaiDay is the midnight (Shanghai) that starts t's day there.
func shanghaiDay(t time.Time) time.Time {
	y, m, d := t.In(deadline.Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, deadline.Shanghai)
}

// cnDate writes t's day in Shanghai as refusals name it: 2026年09月14日.
func cnDate(t time.Time) string { return t.In(deadline.Shanghai).Format("2006年01月02日") }

// commitmentHorizon is how far ahead a reply may promise: a commitment due later is a typo.
const commitmentHorizon = 10 // years
