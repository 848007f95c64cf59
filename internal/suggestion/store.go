package suggestion

import (
	"context"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
)

// Store is what the workflow needs from persistence; storage/postgres implements it.
// Reads take the tenant explicitly; every method filters by it.
type Store interface {
	// Tx runs fn in one transaction: the state change, its audit events and its outbox rows
	// commit together or not at all.
	Tx(ctx context.Context, fn func(Tx) error) error

	Get(ctx context.Context, tenantID, id int64) (*Suggestion, error)
	// PublishedReplies lists the public replies of the tenant with that code, newest first,
	// with ids below before (0: from the newest).
	PublishedReplies(ctx context.Context, tenantCode string, before int64, limit int) ([]PublishedReply, error)
	// ForwardedOpinions lists the opinion letters forwarded to a unit, newest first.
	ForwardedOpinions(ctx context.Context, tenantID, unitID int64, limit int) ([]ForwardedOpinion, error)
	Detail(ctx context.Context, tenantID, id int64) (*Detail, error)
	// ActorNames sets ActorName and ActorUnit of the events, as the actors are named now
	// within the tenant (Detail leaves them empty: deputies' pages do not show them).
	ActorNames(ctx context.Context, tenantID int64, events []AuditEvent) error
	List(ctx context.Context, a auth.Actor, f ListFilter) ([]Summary, error)
	// ListStamp is the deputy's list stamp: raised by every transaction that changes one of
	// the deputy's led or co-signed suggestions or co-signatures (0 before the first).
	ListStamp(ctx context.Context, tenantID, deputyID int64) (int64, error)
	Similar(ctx context.Context, tenantID int64, text string, excludeID int64, limit int) ([]Summary, error)
	// SimilarForDeputy is Similar as the deputy may see it: other deputies' suggestions once
	// registered, the deputy's own (led or co-signed) in any state but draft and merged.
	SimilarForDeputy(ctx context.Context, tenantID, deputyID int64, text string, excludeID int64, limit int) ([]Summary, error)
	// Relation tells how a deputy and a unit stand to a suggestion: the deputy's co-sign
	// state ("lead", "accepted", "invited", "merged", "declined" or "") and whether the
	// unit holds an active assignment on it.
	Relation(ctx context.Context, tenantID, id, deputyID, unitID int64) (deputyRel string, unitAssigned bool, err error)
	Assignment(ctx context.Context, tenantID, id int64) (*Assignment, error)
	Contact(ctx context.Context, tenantID, id int64) (*Contact, error)
	Commitment(ctx context.Context, tenantID, id int64) (*Commitment, int64, error) // and its suggestion id
	Extension(ctx context.Context, tenantID, id int64) (*Extension, error)
	Config(ctx context.Context, tenantID int64) (*TenantConfig, error)
}

// Tx is one open transaction.
type Tx interface {
	// Lock-free optimistic update: writes s where version = expect, bumps s.Version.
	// Zero rows means somebody else changed it first: ErrConflict.
	// text: the title, body or location changed (otherwise they are not written).
	UpdateSuggestion(ctx context.Context, s *Suggestion, expect int, text bool) error
	// PublishReply sets a reply's published_at; ok is false when it was published already.
	// A reply of another suggestion or tenant is ErrNotFound.
	PublishReply(ctx context.Context, tenantID, suggestionID, replyID int64, at time.Time) (ok bool, err error)
	InsertSuggestion(ctx context.Context, s *Suggestion) error
	NextNumber(ctx context.Context, tenantID, meetingID int64) (int, error)
	// CurrentMeeting is the tenant's current meeting and whether today (a Shanghai date) is
	// outside its session days (闭会期间).
	CurrentMeeting(ctx context.Context, tenantID int64, today time.Time) (id int64, recess bool, err error)

	Assignments(ctx context.Context, tenantID, suggestionID int64) ([]Assignment, error)
	// InsertAssignments writes new assignments (same suggestion, state, round and times;
	// unit, role and due date per row) and sets their ids.
	InsertAssignments(ctx context.Context, as []*Assignment) error
	// QueueAssignments writes them with the commit instead; their ids stay unknown.
	QueueAssignments(ctx context.Context, as []*Assignment) error
	UpdateAssignment(ctx context.Context, as *Assignment, expect int) error

	// UpsertCosigner invites (or merges in) a deputy; changed is false when the deputy was
	// already in that state or has accepted.
	UpsertCosigner(ctx context.Context, tenantID, suggestionID, deputyID int64, state string) (changed bool, err error)
	SetCosignState(ctx context.Context, tenantID, suggestionID, deputyID int64, from []string, to string) (bool, error)
	Cosigners(ctx context.Context, tenantID, suggestionID int64) ([]Cosigner, error)

	InsertContact(ctx context.Context, tenantID int64, c *Contact) error
	ConfirmContact(ctx context.Context, tenantID, contactID, deputyID int64, confirmation, comment string, at time.Time) (bool, error)
	// HasContact reports a contact of stage recorded on the assignment that the deputy has
	// not disputed (one not yet answered counts: most deputies never answer).
	HasContact(ctx context.Context, tenantID, assignmentID int64, stage ContactStage) (bool, error)
	// ConsultedSinceEscalation reports whether the assignment has a contact held and recorded
	// at or after the suggestion's latest escalation (a second 不满意) that the deputy has
	// not disputed.
	ConsultedSinceEscalation(ctx context.Context, tenantID, suggestionID, assignmentID int64) (bool, error)
	// ForwardOpinion forwards a not-registered suggestion to the active units of unitIDs
	// that belong to the tenant; n is how many it took.
	ForwardOpinion(ctx context.Context, tenantID, suggestionID int64, unitIDs []int64, at time.Time) (n int, err error)
	// ActedSince reports whether a recorded action on the suggestion since t was a's.
	ActedSince(ctx context.Context, tenantID, suggestionID int64, a auth.Actor, action Action, since time.Time) (bool, error)
	InsertProgress(ctx context.Context, tenantID int64, p *ProgressNote) error
	// RepeatedProgress returns the suggestion's latest progress note when it is the same
	// author's, with the same body and privacy, written less than within ago (by the
	// database's clock, which stamped it); nil otherwise.
	RepeatedProgress(ctx context.Context, tenantID, suggestionID, authorUserID int64, body string, private bool, within time.Duration) (*ProgressNote, error)
	InsertCoOpinion(ctx context.Context, tenantID int64, o *CoOpinion, createdBy int64) error
	InsertReply(ctx context.Context, tenantID int64, r *Reply, createdBy int64, publishDue time.Time) error
	LatestReply(ctx context.Context, tenantID, suggestionID int64) (*Reply, error)
	CompleteCommitment(ctx context.Context, tenantID, id int64, note string, at time.Time) (bool, error)
	InsertEvaluation(ctx context.Context, tenantID int64, e *Evaluation) error // ErrConflict when already rated
	// Rated reports whether the deputy has given the suggestion a rating of kind in round.
	Rated(ctx context.Context, tenantID, suggestionID, deputyID int64, kind EvaluationKind, round int) (bool, error)
	// UnsatisfiedSinceReopen counts the deputy's 不满意 reply ratings of the suggestion in the
	// rounds before round that came after its last reopen in 回头看 (a reopen starts afresh).
	UnsatisfiedSinceReopen(ctx context.Context, tenantID, suggestionID, deputyID int64, round int) (int, error)
	// CategoryExists reports whether the category is one of the tenant's.
	CategoryExists(ctx context.Context, tenantID, categoryID int64) (bool, error)
	// IsLeader reports whether the user is an active user of the tenant holding the leader role.
	IsLeader(ctx context.Context, tenantID, userID int64) (bool, error)
	OpenTracking(ctx context.Context, tenantID, suggestionID int64, reason string) error
	CloseTracking(ctx context.Context, tenantID, suggestionID int64, at time.Time) error
	InsertExtension(ctx context.Context, tenantID int64, e *Extension) error
	DecideExtension(ctx context.Context, tenantID, id int64, state string, by int64, at time.Time) (bool, error)

	Audit(ctx context.Context, e AuditEvent) error
	Outbox(ctx context.Context, e OutboxEvent) error
	// QueueReceipt writes an idempotent request's answer with the commit; a key already
	// taken fails the whole transaction with ErrReceiptTaken.
	QueueReceipt(ctx context.Context, tenantID int64, r *Receipt) error
}

// TenantConfig is the tenant's clocks and calendar.
type TenantConfig struct {
	Settings deadline.Settings
	Calendar *deadline.Calendar
	// CategoryReplyMonths are the categories' own reply clocks (categories.reply_months),
	// for the categories that have one.
	CategoryReplyMonths map[int64]int
	// ClassLabels are the tenant's own labels of reply classes (tenants.reply_labels), for the
	// classes it relabelled; ClassLabel falls back to DefaultClassLabels.
	ClassLabels map[ReplyClass]string
}

// ClassLabel is how the tenant names a reply class.
func (c *TenantConfig) ClassLabel(k ReplyClass) string {
	if l := c.ClassLabels[k]; l != "" {
		return l
	}
	return DefaultClassLabels[k]
}

// ReplySettings are the clock settings for a suggestion of the category: the tenant's, with
// the category's own reply clock when it has one.
func (c *TenantConfig) ReplySettings(categoryID int64) deadline.Settings {
	st := c.Settings
	if m := c.CategoryReplyMonths[categoryID]; m > 0 {
		st.ReplyMonths = m
	}
	return st
}
