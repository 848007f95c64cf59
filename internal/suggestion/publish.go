package suggestion

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

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

// numberRun is a run of digits as people write phone and identity numbers: grouped by
// spaces of any width (a Chinese keyboard types U+3000), dashes of any kind (-, —, –), dots,
// slashes, underscores, tildes, stars or commas, an area code in brackets, an optional +86
// or 86 in front, and an identity number's final X. Only the digits decide what it is
// (maskNumber), so a date or an amount written the same way is left alone.
var numberRun = regexp.MustCompile(`(?:\+?86[\p{Zs}\p{Pd}]?)?\(?[0-9][0-9\p{Zs}\p{Pd}.()/_~*，,、·]*[0-9Xx]`)

// MaskPersonal hides phone and identity numbers in text meant for the public: 139****5678,
// 0937-*******, 620200********123X, however they are grouped or written (full-width digits
// too). Other numbers (dates, amounts, areas, long references) are left alone. Names are
// left: the public page shows no author.
func MaskPersonal(s string) string {
	s = halfWidthDigits(s)
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	return numberRun.ReplaceAllStringFunc(s, maskRun)
}

// maskRun masks a run that is one number, or else the numbers of a list ("13912345678、
// 13800001111": each item on its own, so that two items never read as one identity number),
// or else every stretch of its digit groups that is one (maskGroups).
func maskRun(run string) string {
	if m, ok := maskNumber(run); ok {
		return m
	}
	if strings.ContainsAny(run, listSeparators) {
		var b strings.Builder
		masked := false
		for rest := run; rest != ""; {
			i := strings.IndexAny(rest, listSeparators)
			if i < 0 {
				i = len(rest)
			}
			item := maskGroups(rest[:i])
			masked = masked || item != rest[:i]
			b.WriteString(item)
			if i < len(rest) {
				_, n := utf8.DecodeRuneInString(rest[i:])
				b.WriteString(rest[i : i+n])
				i += n
			}
			rest = rest[i:]
		}
		if masked {
			return b.String()
		}
		// No item is a number: the commas may group one number ("138，1234，5678").
	}
	return maskGroups(run)
}

// listSeparators separate the items of a list of numbers; they may also group the digits of
// one number.
const listSeparators = "，,、"

// maskGroups masks every stretch of run's digit groups that is a number ("0937-6200000-801"
// is a landline and an extension, "13912345678-13800001111" two mobiles): the longest
// stretch from each group that forms a number is masked.
func maskGroups(run string) string {
	if m, ok := maskNumber(run); ok {
		return m
	}
	// groups are the run's digit groups as [start, end) offsets; separators lie between.
	var groups [][2]int
	for i := 0; i < len(run); {
		if !isDigitX(run[i]) {
			i++
			continue
		}
		j := i
		for j < len(run) && isDigitX(run[j]) {
			j++
		}
		groups = append(groups, [2]int{i, j})
		i = j
	}
	var b strings.Builder
	done := 0 // run[:done] is written
	for i := 0; i < len(groups); i++ {
		for j := len(groups) - 1; j >= i; j-- {
			from, to := groups[i][0], groups[j][1]
			if m, ok := maskNumber(run[from:to]); ok {
				b.WriteString(run[done:from])
				b.WriteString(m)
				done, i = to, j
				break
			}
		}
	}
	b.WriteString(run[done:])
	return b.String()
}

func isDigitX(c byte) bool { return (c >= '0' && c <= '9') || c == 'X' || c == 'x' }

// maskNumber masks run when, without its separators, it is a mobile number (with or without
// 86), a landline with its area code or an identity number.
func maskNumber(run string) (string, bool) {
	var b strings.Builder
	for _, r := range run {
		if (r >= '0' && r <= '9') || r == 'X' || r == 'x' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	x := strings.ContainsAny(d, "Xx")
	switch {
	case len(d) == 18 && !strings.ContainsAny(d[:17], "Xx") && d[0] != '0':
		return d[:6] + "********" + d[14:], true
	case x:
		return "", false
	case strings.HasPrefix(run, "+86") || strings.HasPrefix(run, "86") && len(d) == 13:
		d = d[2:]
	}
	switch {
	case len(d) == 11 && d[0] == '1' && d[1] >= '3':
		return d[:3] + "****" + d[7:], true
	case len(d) >= 10 && len(d) <= 12 && d[0] == '0' && d[1] != '0':
		area := 4
		if d[1] == '1' || d[1] == '2' { // 010, 02x: three-digit area codes
			area = 3
		}
		return d[:area] + "-" + strings.Repeat("*", len(d)-area), true
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
