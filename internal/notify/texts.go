package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jianyi/internal/deadline"
)

// Subscribe-message keys every configured template must have (see TemplateID).
const (
	FieldThing  = "thing1"  // the suggestion or matter, ≤ 20 characters
	FieldPhrase = "phrase2" // the status, ≤ 5 Chinese characters
	FieldNote   = "thing3"  // what to do / detail, ≤ 20 characters
	FieldTime   = "time4"   // when
)

// Mini-program pages a notice opens.
const (
	PageInbox = "pages/notices/index"
)

func pageSuggestion(id int64) string { return fmt.Sprintf("pages/suggestion/detail?id=%d", id) }
func pageRate(id int64) string       { return fmt.Sprintf("pages/suggestion/rate?id=%d", id) }
func pageImplRate(id int64) string {
	return fmt.Sprintf("pages/suggestion/rate?id=%d&kind=implementation", id)
}
func pageContact(sid, cid int64) string {
	return fmt.Sprintf("pages/suggestion/contact?id=%d&contact_id=%d", sid, cid)
}

// ConsolePage is a case's page in the staff console (mounted at the site's root), the
// link of staff template messages.
func ConsolePage(id int64) string { return fmt.Sprintf("/suggestions/%d", id) }

// Console lists staff notices link to: the notice list (a staff digest), the overdue list
// (the weekly overdue digest) and 问题清单 (problem items, interviews, rectification reports).
const (
	ConsoleInbox    = "/inbox"
	ConsoleOverdue  = "/supervise/overdue"
	ConsoleProblems = "/problems"
	// ConsoleUnitInbox is a unit's list of assignments: the link for a unit a case was
	// moved away from, whose page of the case it no longer sees.
	ConsoleUnitInbox = "/unit"
)

// clip cuts s to at most n characters, marking a cut with "…".
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Clip is clip for the other packages that build subscribe fields (reminders): whitespace,
// newlines and tabs included, collapses to single spaces, which WeChat's thing fields accept.
func Clip(s string, n int) string { return clip(s, n) }

// fmtTime renders t in Shanghai the way subscribe-message time fields accept it.
func fmtTime(t time.Time) string { return t.In(deadline.Shanghai).Format("2006-01-02 15:04") }

func fmtDate(t time.Time) string { return t.In(deadline.Shanghai).Format("2006年01月02日") }

// fields builds the template fields of a notice; every value is within WeChat's limits.
func fields(thing, phrase, note string, at time.Time) map[string]string {
	return map[string]string{
		FieldThing:  clip(thing, 20),
		FieldPhrase: phrase,
		FieldNote:   clip(note, 20),
		FieldTime:   fmtTime(at),
	}
}

// numberLabel renders 第0012号, or "" before registration.
func numberLabel(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("第%04d号", n)
}

// subject is how a notice names a suggestion: 《title》(第0012号).
func subject(title string, number int) string {
	s := "《" + clip(title, 40) + "》"
	if l := numberLabel(number); l != "" {
		s += "（" + l + "）"
	}
	return s
}
