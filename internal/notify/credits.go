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

// CreditAnswer is one template's answer in the subscribe dialog.
type CreditAnswer struct {
	TemplateID string
	LongTerm   bool
	Accepted   bool
}

// CreditBatchStore records every answer of one dialog in one statement (all or none), so a
// request that fails half-way leaves nothing to count again when the phone retries.
type CreditBatchStore interface {
	RecordCredits(ctx context.Context, tenantID, deputyID int64, answers []CreditAnswer) error
}

// RecordAll stores the answers of one subscribe dialog, as Record does each, but all of them
// or none when the store can (CreditBatchStore; storage/postgres.NotifyStore can).
func (c *Credits) RecordAll(ctx context.Context, tenantID, deputyID int64, answers []CreditAnswer) error {
	keep := make([]CreditAnswer, 0, len(answers))
	for _, a := range answers {
		a.TemplateID = strings.TrimSpace(a.TemplateID)
		if deputyID <= 0 || a.TemplateID == "" || len(a.TemplateID) > 128 {
			return fmt.Errorf("%w: deputy %d template %q", ErrInvalid, deputyID, a.TemplateID)
		}
		if a.Accepted || a.LongTerm {
			keep = append(keep, a)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	bs, ok := c.store.(CreditBatchStore)
	if !ok {
		for _, a := range keep {
			if err := c.store.RecordCredit(ctx, tenantID, deputyID, a.TemplateID, a.LongTerm, a.Accepted); err != nil {
				return fmt.Errorf("record subscribe credit: %w", err)
			}
		}
		return nil
	}
	if err := bs.RecordCredits(ctx, tenantID, deputyID, keep); err != nil {
		return fmt.Errorf("record subscribe credits: %w", err)
	}
	return nil
}
