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

var (
	// mobile numbers (11 digits from 1[3-9]), landlines (0xxx-xxxxxxx) and identity numbers
	// (18 characters), not inside a longer run of digits.
	mobileRe   = regexp.MustCompile(`(^|[^0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})($|[^0-9])`)
	landlineRe = regexp.MustCompile(`(^|[^0-9])(0[0-9]{2,3})[- ]?([0-9]{7,8})($|[^0-9])`)
	idCardRe   = regexp.MustCompile(`(^|[^0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])($|[^0-9])`)
)

// MaskPersonal hides phone and identity numbers in text meant for the public: 138****5678,
// 0937-*******, 620200********123X. Names are left: the public page shows no author.
func MaskPersonal(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	s = idCardRe.ReplaceAllString(s, "${1}${2}********${3}${4}")
	// Applied twice: adjacent matches share the separating character.
	for range 2 {
		s = mobileRe.ReplaceAllString(s, "${1}${2}****${4}${5}")
		s = landlineRe.ReplaceAllStringFunc(s, func(m string) string {
			sub := landlineRe.FindStringSubmatch(m)
			return sub[1] + sub[2] + "-" + strings.Repeat("*", len(sub[3])) + sub[4]
		})
	}
	return s
}
