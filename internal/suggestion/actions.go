package suggestion

// Actions recorded on a suggestion's timeline (audit_events.action) besides the moves of the
// transition table in status.go. Front doors label timeline lines by these names, so the
// service records only constants, and RecordedActions lists every one of them.
const (
	ActCreateDraft       Action = "create_draft"
	ActEdit              Action = "edit"
	ActInviteCosigners   Action = "invite_cosigners"
	ActCosignAccepted    Action = "cosign_accepted"
	ActCosignDeclined    Action = "cosign_declined"
	ActRequestReturn     Action = "request_return"  // a unit asks to return a wrong assignment
	ActKeepAssignment    Action = "keep_assignment" // the reviewer keeps it with the unit
	ActReassign          Action = "reassign"        // the reviewer re-routes it to another unit
	ActRecordContact     Action = "record_contact"
	ActContactConfirmed  Action = "contact_confirmed"
	ActContactDisputed   Action = "contact_disputed"
	ActProgress          Action = "progress"
	ActCoOpinion         Action = "co_opinion"
	ActRequestExtension  Action = "request_extension"
	ActExtensionApproved Action = "extension_approved"
	ActExtensionRejected Action = "extension_rejected"
	ActRehandle          Action = "rehandle" // system: first 不满意 → rehandling
	ActEscalate          Action = "escalate" // system: second 不满意 → escalated
	ActCommitmentDone    Action = "commitment_done"
	ActImplementationDue Action = "implementation_due" // system: last commitment done, rate implementation
	ActPublishReply      Action = "publish_reply"      // a reviewer makes the reply public (答复公开)
	ActReopenRequested   Action = "reopen_requested"   // an author asks for 回头看 on a closed case
	// ActWithdrawCoUnit is the reviewer granting a co-unit's return request without naming
	// another unit in its place (WithdrawCoUnit): the co-unit is off the case.
	ActWithdrawCoUnit Action = "withdraw_co_unit"
	// ActNudge is a deputy's 催办, recorded by the nudge package's store.
	ActNudge Action = "nudge"
	// A reviewer's decision on a photo WeChat's image check flagged, recorded by the media
	// package (media.ActPhotoPassed, media.ActPhotoHidden).
	ActPhotoPassed Action = "photo_passed"
	ActPhotoHidden Action = "photo_hidden"
)

// RecordedActions is every action that can appear on a suggestion's timeline, in lifecycle
// order. ActConclude is not among them: it names the table row of the automatic follow-up
// of a reply rating, which records ActClose, ActTrack, ActRehandle or ActEscalate.
func RecordedActions() []Action {
	return []Action{
		ActCreateDraft, ActEdit, ActInviteCosigners, ActCosignAccepted, ActCosignDeclined, ActSubmit,
		ActReturn, ActNotRegister, ActRegister, ActMerge, ActAssign, ActRequestReturn, ActKeepAssignment,
		ActReassign, ActWithdrawCoUnit, ActAccept, ActRecordContact, ActContactConfirmed, ActContactDisputed, ActProgress,
		ActCoOpinion, ActNudge, ActPhotoPassed, ActPhotoHidden, ActRequestExtension, ActExtensionApproved, ActExtensionRejected, ActReply,
		ActPublishReply, ActRateReply, ActRehandle, ActEscalate, ActTrack, ActCommitmentDone, ActImplementationDue,
		ActRateImpl, ActImplAccept, ActClose, ActReopenRequested, ActReopen,
	}
}
