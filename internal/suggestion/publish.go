package suggestion

import (
	"context"
	"regexp"
	"strings"

	"jianyi/internal/auth"
)

var errReplyGone = newErr(ErrNotFound, "reply_not_found", "答复不存在")

// PublishReply makes a reply public (答复公开): the tenant's public page lists it from then on,
// and the publication clock (20 working days from the reply) stops reminding the reviewers.
// Only reviewers publish, once; the timeline records it.
func (s *Service) PublishReply(ctx context.Context, a auth.Actor, suggestionID, replyID int64) error {
	if !a.Has(auth.RoleReviewer) {
		return errForbidden
	}
	_, err := s.change(ctx, a, suggestionID, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		ok, err := tx.PublishReply(ctx, a.TenantID, sg.ID, replyID, s.now())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, newErr(ErrConflict, "already_published", "该答复已公开")
		}
		return &step{action: string(ActPublishReply), to: sg.Status, data: map[string]any{"reply_id": replyID}}, nil
	})
	return err
}

// PublishedReplies is the tenant's public page of replies (no sign-in): newest first, at most
// limit (1–50), before a reply id for the next page. Personal data is masked.
func (s *Service) PublishedReplies(ctx context.Context, tenantCode string, before int64, limit int) ([]PublishedReply, error) {
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	if before < 0 {
		before = 0
	}
	rs, err := s.store.PublishedReplies(ctx, tenantCode, before, limit)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].Title = MaskPersonal(rs[i].Title)
		rs[i].Body = MaskPersonal(rs[i].Body)
	}
	return rs, nil
}

// numberRun is a stretch of text that may hold phone or identity numbers: digits (an
// identity number may end in X) with what people put between their groups — spaces of any
// width, dashes of any kind, dots, slashes, underscores, tildes, stars, commas, brackets,
// zero-width spaces —, and an optional + in front. Only the shapes of its digit groups decide
// what is a number (maskGroups), so dates, amounts and lists written with the same signs are
// left alone.
var numberRun = regexp.MustCompile(`\+?\(?[0-9][0-9\p{Zs}\p{Pd}\t.．()（）/／_~～*，,、·・\x{200B}-\x{200D}\x{2060}\x{FEFF}]*[0-9XxＸｘ]`)

// MaskPersonal hides phone and identity numbers in text meant for the public: 139****5678,
// 0937-*******, 620200********123X, however they are grouped or written (full-width digits
// too). Other numbers (dates, amounts, areas, long references) are left alone. Names are
// left: the public page shows no author.
func MaskPersonal(s string) string {
	s = halfWidthDigits(s)
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	return numberRun.ReplaceAllStringFunc(s, maskGroups)
}

// digitGroup is one group of a run's digits, as rune offsets [from, to) into the run.
type digitGroup struct {
	from, to int
	digits   string
}

// groupsOf splits run into its digit groups; an X ends an identity number's last group.
func groupsOf(run []rune) []digitGroup {
	var out []digitGroup
	for i := 0; i < len(run); {
		if !isDigit(run[i]) {
			i++
			continue
		}
		j := i
		var b strings.Builder
		for j < len(run) && isDigit(run[j]) {
			b.WriteRune(run[j])
			j++
		}
		if j < len(run) && isX(run[j]) {
			b.WriteByte('X')
			j++
		}
		out = append(out, digitGroup{from: i, to: j, digits: b.String()})
		i = j
	}
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isX(r rune) bool     { return r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' }

// maxGroups is the most groups one number is written in (+86 and three groups of a mobile;
// an identity number in four).
const maxGroups = 4

// maskGroups masks every stretch of run's consecutive digit groups that is written as a
// number is (numberShape): from each group, the longest such stretch of up to maxGroups+1
// groups. A stretch that starts at the run's first group takes a + or bracket before it, one
// that ends at its last group a closing bracket after it.
func maskGroups(run string) string {
	rs := []rune(run)
	groups := groupsOf(rs)
	var b strings.Builder
	done := 0 // rs[:done] is written
	for i := 0; i < len(groups); i++ {
		for j := min(i+maxGroups, len(groups)-1); j >= i; j-- {
			m, ok := numberShape(groups[i : j+1])
			if !ok {
				continue
			}
			from, to := groups[i].from, groups[j].to
			if i == 0 {
				from = 0
			}
			if j == len(groups)-1 {
				to = len(rs)
			}
			b.WriteString(string(rs[done:from]))
			b.WriteString(m)
			done, i = to, j
			break
		}
	}
	b.WriteString(string(rs[done:]))
	return b.String()
}

// numberShape masks groups when they are written as a number is: a mobile (11 digits from
// 13–19, in one group or in groups of at least three digits, 86 allowed in front), a landline
// (area code 0xx or 0xxx, alone in its group before 7 or 8 digits in groups of at least
// three, or one group of 10–12 digits) or an identity number (18 characters, the last may be X: in one group, or its
// 6-digit region code first and the rest in groups of at least three). Dates (groups of 2), amounts grouped by thousands behind a short head, list items
// and long references have none of these shapes.
func numberShape(groups []digitGroup) (string, bool) {
	lens := make([]int, len(groups))
	var b strings.Builder
	for i, g := range groups {
		lens[i] = len(g.digits)
		b.WriteString(g.digits)
	}
	d := b.String()
	x := strings.Contains(d, "X")
	atLeast3 := func(ls []int) bool {
		for _, l := range ls {
			if l < 3 {
				return false
			}
		}
		return true
	}
	mobile := func(d string, ls []int) bool {
		return len(d) == 11 && d[0] == '1' && d[1] >= '3' && atLeast3(ls)
	}
	switch {
	case len(d) == 18 && !strings.Contains(d[:17], "X") && d[0] != '0' && (len(lens) == 1 || lens[0] == 6 && atLeast3(lens)):
		return d[:6] + "********" + d[14:], true
	case x:
		return "", false
	case mobile(d, lens):
		return d[:3] + "****" + d[7:], true
	case len(lens) > 1 && lens[0] == 2 && d[:2] == "86" && mobile(d[2:], lens[1:]),
		len(lens) == 1 && len(d) == 13 && strings.HasPrefix(d, "86") && mobile(d[2:], []int{11}):
		d = d[2:]
		return d[:3] + "****" + d[7:], true
	case len(d) >= 10 && len(d) <= 12 && d[0] == '0' && d[1] != '0':
		area := 4
		if d[1] == '1' || d[1] == '2' { // 010, 02x: three-digit area codes
			area = 3
		}
		rest := len(d) - area
		if len(lens) == 1 || (lens[0] == area && (rest == 7 || rest == 8) && atLeast3(lens[1:])) {
			return d[:area] + "-" + strings.Repeat("*", rest), true
		}
	}
	return "", false
}

// halfWidthDigits turns full-width digits and the signs numbers are written with (＋－（）)
// into ASCII, so that a number typed on a Chinese keyboard is masked too.
func halfWidthDigits(s string) string {
	if !strings.ContainsAny(s, "０１２３４５６７８９＋－（）") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '＋':
			return '+'
		case r == '－':
			return '-'
		case r == '（':
			return '('
		case r == '）':
			return ')'
		}
		return r
	}, s)
}
