package suggestion

import (
	"context"
	"strings"

	"jianyi/internal/auth"
)

// RequestReopen is an author asking for 回头看 on a closed case whose work was not done (PRODUCT:
// "let the author reopen when the work was not done, and make sure the unit hears it"). Only a
// reviewer reopens; the request puts the case on the 回头看 list with the reason, and the
// reviewers and the lead unit are told. Each author asks once per closing.
func (s *Service) RequestReopen(ctx context.Context, a auth.Actor, id int64, reason string) error {
	if !a.IsDeputy() {
		return errForbidden
	}
	if err := needReason(reason); err != nil {
		return err
	}
	_, err := s.change(ctx, a, id, -1, func(tx Tx, sg *Suggestion) (*step, error) {
		isLead, err := s.author(ctx, tx, a, sg)
		if err != nil {
			return nil, err
		}
		if sg.Status != StatusClosed || sg.ClosedAt == nil {
			return nil, newErr(ErrInvalidTransition, "reopen_not_allowed", "只有已办结的建议可以申请回头看")
		}
		asked, err := tx.ActedSince(ctx, a.TenantID, sg.ID, a, ActReopenRequested, *sg.ClosedAt)
		if err != nil {
			return nil, err
		}
		if asked {
			return nil, newErr(ErrConflict, "reopen_already_requested", "您已申请回头看，代表工作部门会尽快处理")
		}
		return &step{action: string(ActReopenRequested), to: sg.Status, event: EvReopenRequested,
			reason: strings.TrimSpace(reason), data: map[string]any{"deputy_id": a.ID, "lead": isLead}}, nil
	})
	return err
}

// canRequestReopen: deputy a may ask for 回头看 on the closed case of d now.
func canRequestReopen(a auth.Actor, d *Detail) bool {
	sg := &d.Suggestion
	if sg.Status != StatusClosed || sg.ClosedAt == nil {
		return false
	}
	for _, e := range d.Timeline {
		if e.Action == string(ActReopenRequested) && e.ActorKind == string(a.Kind) && e.ActorID == a.ID && !e.CreatedAt.Before(*sg.ClosedAt) {
			return false
		}
	}
	return true
}
