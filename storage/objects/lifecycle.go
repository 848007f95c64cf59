package objects

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
)

// IncomingPrefix is where phones upload with a presigned POST, for every tenant, before the
// completion call turns the upload into re-encoded copies (it equals media.IncomingPrefix;
// lifecycle_test.go checks that media's keys fall under it). What stays there (an upload
// never completed, refused, or grown after the size check) is deleted by the bucket's own
// lifecycle rule, so no job of ours sweeps it.
const IncomingPrefix = "tenant/incoming/"

// IncomingRuleID names our rule among the bucket's lifecycle rules; IncomingExpiryDays is
// its age limit (S3 counts whole days, rounded up to the next midnight UTC).
const (
	IncomingRuleID     = "jianyi-expire-incoming"
	IncomingExpiryDays = 1
)

func incomingRule() lifecycle.Rule {
	return lifecycle.Rule{
		ID:         IncomingRuleID,
		Status:     "Enabled",
		RuleFilter: lifecycle.Filter{Prefix: IncomingPrefix},
		Expiration: lifecycle.Expiration{Days: IncomingExpiryDays},
	}
}

func sameRule(a, b lifecycle.Rule) bool {
	return a.ID == b.ID && a.Status == b.Status && a.Prefix == b.Prefix && a.RuleFilter.Prefix == b.RuleFilter.Prefix &&
		a.RuleFilter.And.IsEmpty() && a.RuleFilter.Tag.IsEmpty() && a.RuleFilter.ObjectSizeGreaterThan == 0 &&
		a.RuleFilter.ObjectSizeLessThan == 0 && a.Expiration.Days == b.Expiration.Days && a.Expiration.Date.IsZero()
}

// ensureLifecycle makes the bucket expire IncomingPrefix after IncomingExpiryDays. It reads
// the bucket's rules and writes them back with ours added or corrected, keeping every other
// rule (an operator's own) as it was; when ours is already there it writes nothing, so every
// instance may run it at start-up. A store without lifecycle support (jianyi dev's embedded
// S3) is left alone and ExpiresIncoming reports false.
func (s *Store) ensureLifecycle(ctx context.Context) error {
	cfg, err := s.mc.GetBucketLifecycle(ctx, s.bucket)
	switch {
	case err == nil:
	case minio.ToErrorResponse(err).Code == "NoSuchLifecycleConfiguration":
		cfg = lifecycle.NewConfiguration()
	case unsupported(err):
		return nil
	default:
		return fmt.Errorf("objects: read lifecycle of bucket %q: %w", s.bucket, err)
	}
	want := incomingRule()
	rules := make([]lifecycle.Rule, 0, len(cfg.Rules)+1)
	found, same := false, false
	for _, r := range cfg.Rules {
		if r.ID != IncomingRuleID {
			rules = append(rules, r)
			continue
		}
		if !found { // S3 refuses duplicate ids: keep one, ours
			same = sameRule(r, want)
			rules = append(rules, want)
		}
		found = true
	}
	if found && same && len(rules) == len(cfg.Rules) {
		s.expiresIncoming = true
		return nil
	}
	if !found {
		rules = append(rules, want)
	}
	cfg.Rules = rules
	if err := s.mc.SetBucketLifecycle(ctx, s.bucket, cfg); err != nil {
		if unsupported(err) {
			return nil
		}
		return fmt.Errorf("objects: set lifecycle of bucket %q (the key needs s3:GetLifecycleConfiguration and s3:PutLifecycleConfiguration): %w", s.bucket, err)
	}
	s.expiresIncoming = true
	return nil
}

// unsupported reports a store that has no bucket lifecycle: it says NotImplemented, or it
// ignores the ?lifecycle subresource and answers with another document (gofakes3 lists the
// bucket).
func unsupported(err error) bool {
	er := minio.ToErrorResponse(err)
	if er.Code == "NotImplemented" || er.StatusCode == http.StatusNotImplemented {
		return true
	}
	var ue xml.UnmarshalError
	return errors.As(err, &ue)
}

// ExpiresIncoming reports whether the bucket carries the rule that expires IncomingPrefix
// (false on a store without lifecycle support, where abandoned uploads stay).
func (s *Store) ExpiresIncoming() bool { return s.expiresIncoming }
