package notify

import (
	"context"
	"fmt"
	"strings"
)

// Credits records what a deputy accepted in wx.requestSubscribeMessage: each accepted
// one-time template adds one send; a long-term template is on until refused.
type Credits struct{ store CreditStore }

// NewCredits builds Credits.
func NewCredits(store CreditStore) *Credits { return &Credits{store: store} }

// Record stores one answer of the subscribe dialog. accepted=false on a one-time template
// changes nothing (the deputy simply gave no credit); on a long-term template it turns the
// subscription off.
func (c *Credits) Record(ctx context.Context, tenantID, deputyID int64, templateID string, longTerm bool, accepted bool) error {
	templateID = strings.TrimSpace(templateID)
	if deputyID <= 0 || templateID == "" || len(templateID) > 128 {
		return fmt.Errorf("%w: deputy %d template %q", ErrInvalid, deputyID, templateID)
	}
	if !accepted && !longTerm {
		return nil
	}
	if err := c.store.RecordCredit(ctx, tenantID, deputyID, templateID, longTerm, accepted); err != nil {
		return fmt.Errorf("record subscribe credit: %w", err)
	}
	return nil
}
