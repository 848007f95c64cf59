package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Notice kinds. Each has Chinese texts (texts.go) and may have its own template id per
// channel; KindAny is the tenant's fallback template for kinds without their own.
const (
	KindAny = "*"

	// To deputies.
	KindReceived        = "received"
	KindReturned        = "returned"
	KindRegistered      = "registered"
	KindAssigned        = "assigned"
	KindAccepted        = "accepted"
	KindContactRecorded = "contact_recorded"
	KindProgress        = "progress"
	KindReplied         = "replied"
	KindRehandling      = "rehandling"
	KindCommitmentDone  = "commitment_done"
	KindClosed          = "closed"
	KindReopened        = "reopened"
	KindMerged          = "merged"
	KindNotRegistered   = "not_registered"
	KindCosignInvited   = "cosign_invited"

	// To staff and units.
	KindNewSubmission    = "new_submission"
	KindNewAssignment    = "new_assignment"
	KindReturnRequested  = "return_requested"
	KindExtension        = "extension_requested"
	KindReturnDecided    = "return_decided"
	KindNudged           = "nudged"
	KindSupervised       = "supervised"        // a leader's or the committee's 督办意见 to the unit
	KindReopenRequested  = "reopen_requested"  // a deputy asks for 回头看 on a closed case
	KindOpinionForwarded = "opinion_forwarded" // a 不予立案 submission forwarded to a unit as 意见函
	KindUnsatisfied      = "unsatisfied"
	KindDisputed         = "contact_disputed"
	KindEscalated        = "escalated"
	KindReminder         = "reminder"
	KindOverdue          = "overdue"
	KindOverdueDigest    = "overdue_digest"
	KindDigest           = "digest"

	// 问题清单 / 约谈 (internal/supervise): a problem recorded against a unit and an interview
	// held with it go to the unit's staff; the unit's rectification report to the supervisors.
	KindProblemRecorded       = "problem_recorded"
	KindInterviewed           = "interviewed"
	KindRectificationReported = "rectification_reported"

	// 代表参与活动 (internal/activity): invited deputies hear of an invitation, a change and a
	// cancellation; the organiser (staff) of each deputy's answer.
	KindActivityInvited   = "activity_invited"
	KindActivityChanged   = "activity_changed"
	KindActivityCancelled = "activity_cancelled"
	KindActivityAnswered  = "activity_answered"
	KindActivityUnit      = "activity_unit" // a unit's staff: an activity concerns the unit (deputies are coming)

	// 专题工作报告与满意度测评 / 年度反馈市政府 (internal/appraisal): a unit's staff hear that the
	// unit is to report to the standing committee, the vote on it, and how many of its
	// suggestions rated 不满意 must be taken up again (回头看) once the feedback is sent.
	KindHearingChosen = "hearing_chosen"
	KindHearingVoted  = "hearing_voted"
	KindReviewBackDue = "review_back_due"
)

// Kinds lists every notice kind, for the console's template editor.
var Kinds = []string{
	KindReceived, KindReturned, KindRegistered, KindAssigned, KindAccepted, KindContactRecorded,
	KindProgress, KindReplied, KindRehandling, KindCommitmentDone, KindClosed, KindReopened, KindMerged,
	KindNotRegistered, KindCosignInvited, KindReturnDecided, KindNudged, KindSupervised, KindReopenRequested, KindOpinionForwarded,
	KindNewSubmission, KindNewAssignment, KindReturnRequested, KindExtension, KindUnsatisfied,
	KindDisputed, KindEscalated, KindReminder, KindOverdue, KindOverdueDigest, KindDigest,
	KindProblemRecorded, KindInterviewed, KindRectificationReported,
	KindActivityInvited, KindActivityChanged, KindActivityCancelled, KindActivityAnswered, KindActivityUnit,
	KindHearingChosen, KindHearingVoted, KindReviewBackDue,
}

// TemplateID is one configured WeChat template: for a notice kind (or KindAny) and a push
// channel (ChannelMPSubscribe, ChannelOATemplate or ChannelOAStaff).
//
// Subscribe templates must have the keys thing1 (建议/事项), phrase2 (状态), thing3 (说明),
// time4 (时间); official-account templates first, keyword1, keyword2, keyword3, remark.
type TemplateID struct {
	Kind       string `json:"kind"`
	Channel    string `json:"channel"`
	TemplateID string `json:"template_id"` // "" removes it
}

// TemplateSet is a tenant's configured templates.
type TemplateSet []TemplateID

// For returns the template id for kind on channel: the kind's own, else the KindAny one.
func (s TemplateSet) For(kind, channel string) string {
	fallback := ""
	for _, t := range s {
		if t.Channel != channel {
			continue
		}
		if t.Kind == kind {
			return t.TemplateID
		}
		if t.Kind == KindAny {
			fallback = t.TemplateID
		}
	}
	return fallback
}

// Templates reads and edits a tenant's template ids (the console calls it through
// internal/directory).
type Templates struct{ store TemplateStore }

// NewTemplates builds Templates.
func NewTemplates(store TemplateStore) *Templates { return &Templates{store: store} }

// Get returns every configured template of the tenant.
func (t *Templates) Get(ctx context.Context, tenantID int64) (TemplateSet, error) {
	ts, err := t.store.TemplateIDs(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("get templates of tenant %d: %w", tenantID, err)
	}
	return ts, nil
}

// Set configures (or with an empty TemplateID removes) one template id.
func (t *Templates) Set(ctx context.Context, tenantID int64, tpl TemplateID) error {
	tpl.TemplateID = strings.TrimSpace(tpl.TemplateID)
	if tpl.Kind != KindAny && !slices.Contains(Kinds, tpl.Kind) {
		return fmt.Errorf("%w: unknown notice kind %q", ErrInvalid, tpl.Kind)
	}
	if tpl.Channel != ChannelMPSubscribe && tpl.Channel != ChannelOATemplate && tpl.Channel != ChannelOAStaff {
		return fmt.Errorf("%w: unknown channel %q", ErrInvalid, tpl.Channel)
	}
	if len(tpl.TemplateID) > 128 {
		return fmt.Errorf("%w: template id too long", ErrInvalid)
	}
	if err := t.store.SetTemplateID(ctx, tenantID, tpl); err != nil {
		return fmt.Errorf("set template %s/%s: %w", tpl.Kind, tpl.Channel, err)
	}
	return nil
}
