package suggestion_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// mxCase is one suggestion brought to a stage of its life, with the handles the actions need.
type mxCase struct {
	sg         *suggestion.Suggestion
	lead, co   int64 // assignment ids (lead unit 0, co-unit 1)
	extension  int64
	commitment int64
	contact    int64
	mergeInto  int64
}

// mxStage names how far a case is driven before the action under test is tried.
type mxStage int

const (
	stDraft            mxStage = iota
	stReturned                 // returned to the deputy for revision
	stSubmitted                //
	stRegistered               // registered in Categories[0]
	stAssigned                 // lead unit 0 and co-unit 1, both assignments pending
	stReturnRequested          // the lead unit asked to return its assignment
	stCoReturning              // the co-unit asked to return its assignment
	stHandling                 // both units accepted; "before" contact recorded on both assignments
	stExtensionPending         // stHandling plus the lead unit's pending extension request
	stRepliedA                 // class A reply awaiting ratings
	stRepliedB                 // class B reply with one open commitment, awaiting ratings
	stTrackingDone             // B reply rated 满意, its commitment done: implementation to rate
	stTracking                 // B reply rated 满意, commitment still open
	stEscalated                // two 不满意 ratings
	stClosed                   // class A reply rated 满意
)

// mxBuild drives a fresh suggestion to stage. Deputy 0 leads it; deputy 1 accepted co-signing
// and deputy 2 was invited but never answered.
func (b *bundle) mxBuild(t *testing.T, stage mxStage) *mxCase {
	t.Helper()
	c := &mxCase{}
	lead := b.deputy(0)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于改善民政路交通的建议", Body: body}))
	noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1], b.tn.Deputies[2]}))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true))
	c.sg = must(b.svc.Get(b.ctx, lead, d.ID))
	if stage == stDraft {
		return c
	}
	s := must(b.svc.Submit(b.ctx, lead, c.sg.ID, c.sg.Version))
	c.sg = s
	switch stage {
	case stReturned:
		c.sg = must(b.svc.Return(b.ctx, b.reviewer(), s.ID, s.Version, "请补充具体路段"))
		return c
	case stSubmitted:
		return c
	}
	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
	c.sg = s
	if stage == stRegistered {
		return c
	}
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
		LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}))
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	for _, as := range det.Assignments {
		if as.Role == suggestion.RoleLead {
			c.lead = as.ID
		} else {
			c.co = as.ID
		}
	}
	if stage == stAssigned {
		return b.mxReload(c)
	}
	if stage == stReturnRequested {
		must(b.svc.RequestReturn(b.ctx, b.unit(0), c.lead, "不属于本单位职责"))
		return b.mxReload(c)
	}
	if stage == stCoReturning {
		must(b.svc.RequestReturn(b.ctx, b.unit(1), c.co, "与本单位职责无关"))
		return b.mxReload(c)
	}
	must(b.svc.Accept(b.ctx, b.unit(0), c.lead, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"}))
	must(b.svc.Accept(b.ctx, b.unit(1), c.co, suggestion.AcceptInput{HandlerName: "周经办"}))
	contact := func(unit int, asg int64) int64 {
		return must(b.svc.RecordContact(b.ctx, b.unit(unit), asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
			HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "经办人、张建国代表", Summary: "沟通了办理思路"})).ID
	}
	c.contact = contact(0, c.lead)
	contact(1, c.co)
	switch stage {
	case stHandling:
		return b.mxReload(c)
	case stExtensionPending:
		c.extension = must(b.svc.RequestExtension(b.ctx, b.unit(0), c.lead, "涉及多部门，需要统筹资金")).ID
		return b.mxReload(c)
	}
	reply := func(class suggestion.ReplyClass) {
		in := suggestion.ReplyInput{Class: class, Body: "经研究，已将民政路拓宽纳入年度计划并完成信号灯优化。"}
		if class == suggestion.ClassB {
			in.Commitments = []suggestion.CommitmentInput{{What: "完成民政路拓宽工程", DueOn: b.now.AddDate(0, 6, 0)}}
		}
		must(b.svc.Reply(b.ctx, b.unit(0), c.lead, in))
	}
	switch stage {
	case stRepliedA:
		reply(suggestion.ClassA)
	case stRepliedB, stTracking, stTrackingDone:
		reply(suggestion.ClassB)
		det := must(b.svc.Detail(b.ctx, b.reviewer(), c.sg.ID))
		c.commitment = det.Replies[len(det.Replies)-1].Commitments[0].ID
		if stage != stRepliedB {
			must(b.svc.RateReply(b.ctx, lead, c.sg.ID, suggestion.Satisfied, ""))
		}
		if stage == stTrackingDone {
			noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), c.commitment, "拓宽工程已完工通车"))
		}
	case stEscalated:
		reply(suggestion.ClassA)
		must(b.svc.RateReply(b.ctx, lead, c.sg.ID, suggestion.Unsatisfied, "道路没有拓宽"))
		reply(suggestion.ClassA)
		must(b.svc.RateReply(b.ctx, lead, c.sg.ID, suggestion.Unsatisfied, "仍未拓宽"))
	case stClosed:
		reply(suggestion.ClassA)
		must(b.svc.RateReply(b.ctx, lead, c.sg.ID, suggestion.Satisfied, ""))
	}
	return b.mxReload(c)
}

func (b *bundle) mxReload(c *mxCase) *mxCase {
	c.sg = must(b.svc.Get(b.ctx, b.deputy(0), c.sg.ID))
	return c
}

// mxFootprint is what a refusal must leave alone: the suggestion's version and status and
// the number of its audit events and outbox rows.
type mxFootprint struct {
	version, audits, outbox int
	status                  string
}

func (b *bundle) mxFootprint(id int64) mxFootprint {
	var f mxFootprint
	noErr(b.pool.QueryRow(b.ctx, `SELECT version, status::text,
		(SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2),
		(SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2)
		FROM suggestions WHERE tenant_id=$1 AND id=$2`, b.tn.ID, id).Scan(&f.version, &f.status, &f.audits, &f.outbox))
	return f
}

// mxActors are every kind of actor the matrix tries, by the short name its rows use.
var mxActorNames = []string{
	"rev", "coord", "leader", "comm", "admin",
	"leadU", "unitLdr", "coU", "otherU",
	"leadD", "coD", "invD", "otherD",
	"xRev", "xUnit",
}

func (b *bundle) mxActors(other *pgtest.Tenant) map[string]auth.Actor {
	unitLeader := staff(b.tn, b.tn.UnitLeaders[0], auth.RoleUnitLeader)
	unitLeader.UnitID = b.tn.Units[0]
	xUnit := staff(other, other.Handlers[0], auth.RoleUnitHandler)
	xUnit.UnitID = other.Units[0]
	return map[string]auth.Actor{
		"rev":     b.reviewer(),
		"coord":   b.coordinator(),
		"leader":  b.leader(),
		"comm":    b.committee(), // bound to Categories[0], the category every case is registered in
		"admin":   b.admin(),
		"leadU":   b.unit(0),   // handler of the lead unit
		"unitLdr": unitLeader,  // unit_leader of the lead unit
		"coU":     b.unit(1),   // handler of the co-unit
		"otherU":  b.unit(2),   // handler of a unit the case was never assigned to
		"leadD":   b.deputy(0), // lead deputy
		"coD":     b.deputy(1), // co-signer who accepted
		"invD":    b.deputy(2), // invited, never accepted
		"otherD":  b.deputy(3), // a deputy with no tie to the case
		"xRev":    staff(other, other.Reviewer, auth.RoleReviewer),
		"xUnit":   xUnit,
	}
}

// mxRow is one action tried by every actor. want lists every actor (the test refuses a row
// that forgets one) as name=outcome: ok, F (ErrForbidden), N (ErrNotFound), T
// (ErrInvalidTransition) or I (ErrInvalid), optionally with the code, as in F:not_an_author.
type mxRow struct {
	name  string
	stage mxStage
	do    func(b *bundle, a auth.Actor, c *mxCase) error
	want  string
}

// The groups of actors spelled out per row below, so that each row states its whole answer.
const (
	// reviewer-only transitions on a submitted suggestion: no unit and no committee sees it yet
	mxReviewerOnSubmitted = "rev=ok coord=F leader=F comm=N admin=F leadU=N unitLdr=N coU=N otherU=N leadD=F coD=F invD=F otherD=N xRev=N xUnit=N"
	// reviewer-only transitions once the units are assigned and the committee sees the category
	mxReviewerOnAssigned = "rev=ok coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=N leadD=F coD=F invD=F otherD=N xRev=N xUnit=N"
)

var mxRows = []mxRow{
	// ---- deputy: drafting and submitting
	{"UpdateDraft/draft", stDraft, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.UpdateDraft(b.ctx, a, c.sg.ID, c.sg.Version, suggestion.DraftInput{Title: "改写后的标题", Body: body})
		return err
	}, "rev=N coord=N leader=N comm=N admin=N leadU=N unitLdr=N coU=N otherU=N leadD=ok coD=F invD=F otherD=N xRev=N xUnit=N"},
	{"UpdateDraft/returned", stReturned, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.UpdateDraft(b.ctx, a, c.sg.ID, c.sg.Version, suggestion.DraftInput{Title: "改写后的标题", Body: body})
		return err
	}, "rev=F coord=F leader=F comm=N admin=F leadU=N unitLdr=N coU=N otherU=N leadD=ok coD=F invD=F otherD=N xRev=N xUnit=N"},
	{"InviteCosigners", stDraft, func(b *bundle, a auth.Actor, c *mxCase) error {
		return b.svc.InviteCosigners(b.ctx, a, c.sg.ID, []int64{b.tn.Deputies[4]})
	}, "rev=N coord=N leader=N comm=N admin=N leadU=N unitLdr=N coU=N otherU=N leadD=ok coD=F invD=F otherD=N xRev=N xUnit=N"},
	// An accepted co-signer accepting again is a retry: done, nothing recorded ("same"); the
	// lead deputy has no invitation to answer.
	{"RespondCosign", stDraft, func(b *bundle, a auth.Actor, c *mxCase) error {
		return b.svc.RespondCosign(b.ctx, a, c.sg.ID, true)
	}, "rev=F coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F:cosign_lead coD=same invD=ok otherD=N xRev=F xUnit=F"},
	{"RespondCosign/decline", stDraft, func(b *bundle, a auth.Actor, c *mxCase) error {
		return b.svc.RespondCosign(b.ctx, a, c.sg.ID, false)
	}, "rev=F coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F:cosign_lead coD=C:cosign_answered invD=ok otherD=N xRev=F xUnit=F"},
	{"Submit/draft", stDraft, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Submit(b.ctx, a, c.sg.ID, c.sg.Version)
		return err
	}, "rev=N coord=N leader=N comm=N admin=N leadU=N unitLdr=N coU=N otherU=N leadD=ok coD=F invD=F otherD=N xRev=N xUnit=N"},
	{"Submit/returned", stReturned, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Submit(b.ctx, a, c.sg.ID, c.sg.Version)
		return err
	}, "rev=F coord=F leader=F comm=N admin=F leadU=N unitLdr=N coU=N otherU=N leadD=ok coD=F invD=F otherD=N xRev=N xUnit=N"},

	// ---- reviewer: registration
	{"Register", stSubmitted, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Register(b.ctx, a, c.sg.ID, c.sg.Version, b.tn.Categories[0])
		return err
	}, mxReviewerOnSubmitted},
	{"Return", stSubmitted, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Return(b.ctx, a, c.sg.ID, c.sg.Version, "请补充具体位置")
		return err
	}, mxReviewerOnSubmitted},
	{"NotRegister", stSubmitted, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.NotRegister(b.ctx, a, c.sg.ID, c.sg.Version, "属于个人诉求，转为意见函")
		return err
	}, mxReviewerOnSubmitted},
	{"Merge", stSubmitted, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Merge(b.ctx, a, c.sg.ID, c.mergeInto, -1, "内容重复")
		return err
	}, mxReviewerOnSubmitted},

	// ---- assignment
	{"Assign", stRegistered, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Assign(b.ctx, a, c.sg.ID, c.sg.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]})
		return err
	}, "rev=ok coord=ok leader=F comm=F admin=F leadU=N unitLdr=N coU=N otherU=N leadD=F coD=F invD=F otherD=N xRev=N xUnit=N"},
	{"Accept", stAssigned, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Accept(b.ctx, a, c.lead, suggestion.AcceptInput{HandlerName: "孙经办"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=ok unitLdr=ok coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"Accept/co-unit", stAssigned, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Accept(b.ctx, a, c.co, suggestion.AcceptInput{HandlerName: "周经办"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=N unitLdr=N coU=ok otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"Accept/again", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Accept(b.ctx, a, c.lead, suggestion.AcceptInput{HandlerName: "孙经办"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=T:assignment_not_pending unitLdr=T:assignment_not_pending coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"RequestReturn", stAssigned, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.RequestReturn(b.ctx, a, c.lead, "不属于本单位职责")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=ok unitLdr=ok coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"DecideReturn/keep", stReturnRequested, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.DecideReturn(b.ctx, a, c.lead, 0, "职责明确，仍由本单位办理")
		return err
	}, "rev=ok coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F coD=F invD=F otherD=F xRev=N xUnit=F"},
	{"DecideReturn/reroute", stReturnRequested, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.DecideReturn(b.ctx, a, c.lead, b.tn.Units[2], "改派交通局")
		return err
	}, "rev=ok coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F coD=F invD=F otherD=F xRev=N xUnit=F"},
	{"WithdrawCoUnit", stCoReturning, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.WithdrawCoUnit(b.ctx, a, c.co, "与该单位职责无关，无需协办")
		return err
	}, "rev=ok coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F coD=F invD=F otherD=F xRev=N xUnit=F"},
	{"WithdrawCoUnit/lead-unit", stReturnRequested, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.WithdrawCoUnit(b.ctx, a, c.lead, "主办单位也不需要")
		return err
	}, "rev=I:lead_not_withdrawable coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F coD=F invD=F otherD=F xRev=N xUnit=F"},

	// ---- handling
	{"RecordContact", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.RecordContact(b.ctx, a, c.lead, suggestion.ContactInput{Stage: suggestion.ContactDuring,
			HappenedAt: b.now.Add(-time.Hour), Method: "座谈", People: "孙经办、张建国代表", Summary: "征求办理意见"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=ok unitLdr=ok coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"RecordContact/pending", stAssigned, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.RecordContact(b.ctx, a, c.lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
			HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "孙经办、张建国代表", Summary: "沟通办理思路"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=T:assignment_not_accepted unitLdr=T:assignment_not_accepted coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"ConfirmContact", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.ConfirmContact(b.ctx, a, c.contact, true, "")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=ok coD=F:not_lead_deputy invD=F:not_lead_deputy otherD=N:contact_not_found xRev=F xUnit=F"},
	{"AddProgress", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.AddProgress(b.ctx, a, c.sg.ID, "已完成现场勘查。", false)
		return err
	}, "rev=ok coord=ok leader=ok comm=ok admin=ok leadU=ok unitLdr=ok coU=ok otherU=N leadD=F coD=F invD=F otherD=F xRev=N xUnit=N"},
	{"SubmitCoOpinion", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.SubmitCoOpinion(b.ctx, a, c.co, "同意配合，学校门口路段一并考虑。")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=N unitLdr=N coU=ok otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"SubmitCoOpinion/lead-assignment", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.SubmitCoOpinion(b.ctx, a, c.lead, "主办单位冒充协办意见。")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=I:not_co_unit unitLdr=I:not_co_unit coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"Reply", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Reply(b.ctx, a, c.lead, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "已完成信号灯配时优化，拥堵明显缓解。"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=ok unitLdr=ok coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"Reply/co-assignment", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Reply(b.ctx, a, c.co, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "协办单位越权作出的正式答复内容。"})
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=N unitLdr=N coU=I:not_lead_unit otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"RequestExtension", stHandling, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.RequestExtension(b.ctx, a, c.lead, "涉及多部门，需要统筹资金")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=ok unitLdr=ok coU=N otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},
	{"DecideExtension", stExtensionPending, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.DecideExtension(b.ctx, a, c.extension, true, "同意按复杂建议办理")
		return err
	}, "rev=ok coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=F coD=F invD=F otherD=F xRev=N xUnit=F"},
	{"CompleteCommitment", stRepliedB, func(b *bundle, a auth.Actor, c *mxCase) error {
		return b.svc.CompleteCommitment(b.ctx, a, c.commitment, "拓宽工程已完工通车")
	}, "rev=F coord=F leader=F comm=F admin=F leadU=ok unitLdr=ok coU=N:commitment_not_found otherU=N leadD=F coD=F invD=F otherD=F xRev=F xUnit=N"},

	// ---- ratings
	{"RateReply", stRepliedA, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.RateReply(b.ctx, a, c.sg.ID, suggestion.Satisfied, "")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=ok coD=ok invD=F:not_an_author otherD=N xRev=F xUnit=F"},
	{"RateImplementation", stTrackingDone, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.RateImplementation(b.ctx, a, c.sg.ID, suggestion.Satisfied, "")
		return err
	}, "rev=F coord=F leader=F comm=F admin=F leadU=F unitLdr=F coU=F otherU=F leadD=ok coD=ok invD=F:not_an_author otherD=N xRev=F xUnit=F"},

	// ---- supervision: the reviewer's alone (PRODUCT.md: "closed → reopened only by a reviewer")
	{"Track", stEscalated, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Track(b.ctx, a, c.sg.ID, c.sg.Version, "列入跟踪督办")
		return err
	}, mxReviewerOnAssigned},
	{"Close", stEscalated, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Close(b.ctx, a, c.sg.ID, c.sg.Version, "当面协商后办结")
		return err
	}, mxReviewerOnAssigned},
	{"Reopen", stClosed, func(b *bundle, a auth.Actor, c *mxCase) error {
		_, err := b.svc.Reopen(b.ctx, a, c.sg.ID, c.sg.Version, "回头看发现问题未解决")
		return err
	}, mxReviewerOnAssigned},
}

func mxParse(t *testing.T, row string, want string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range strings.Fields(want) {
		name, outcome, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("%s: bad expectation %q", row, f)
		}
		if _, dup := out[name]; dup {
			t.Fatalf("%s: %s listed twice", row, name)
		}
		out[name] = outcome
	}
	var missing []string
	for _, n := range mxActorNames {
		if _, ok := out[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 || len(out) != len(mxActorNames) {
		sort.Strings(missing)
		t.Fatalf("%s: the row must state every actor's outcome; missing %v, or unknown names in %q", row, missing, want)
	}
	return out
}

var mxKinds = map[string]error{
	"F": suggestion.ErrForbidden, "N": suggestion.ErrNotFound,
	"T": suggestion.ErrInvalidTransition, "I": suggestion.ErrInvalid, "C": suggestion.ErrConflict,
}

// Every action of the service tried by every kind of actor on a suggestion in the state
// where the action is allowed: exactly the actors PRODUCT.md names succeed; every other one
// is refused with the stated kind (another tenant's or an unrelated party's row is not found,
// never forbidden) and the refusal leaves the suggestion, its audit trail and outbox as they
// were.
func TestRolesMatrix(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	other := pgtest.NewTenant(t, b.pool)
	actors := b.mxActors(other)
	mergeInto := b.mxBuild(t, stRegistered).sg.ID

	for _, row := range mxRows {
		want := mxParse(t, row.name, row.want)
		build := func() *mxCase {
			c := b.mxBuild(t, row.stage)
			c.mergeInto = mergeInto
			return c
		}
		shared := build() // refusals change nothing, so they can all be tried on one case
		for _, name := range mxActorNames {
			a, outcome := actors[name], want[name]
			c := shared
			if outcome == "ok" {
				c = build()
			}
			before := b.mxFootprint(c.sg.ID)
			err := row.do(b, a, c)
			after := b.mxFootprint(c.sg.ID)
			if outcome == "ok" {
				if err != nil {
					t.Errorf("%s by %s: %v (%s), want success", row.name, name, err, suggestion.CodeOf(err))
				} else if after.audits <= before.audits || after.version <= before.version {
					t.Errorf("%s by %s succeeded but left no trace: %+v → %+v", row.name, name, before, after)
				}
				continue
			}
			if outcome == "same" { // a repeat of what was done: succeeds and changes nothing
				if err != nil {
					t.Errorf("%s by %s: %v (%s), want success", row.name, name, err, suggestion.CodeOf(err))
				} else if after != before {
					t.Errorf("%s by %s repeated what was done but changed the case: %+v → %+v", row.name, name, before, after)
				}
				continue
			}
			kind, code, _ := strings.Cut(outcome, ":")
			switch {
			case err == nil:
				t.Errorf("%s by %s: allowed, want %s", row.name, name, outcome)
				shared = build() // the case moved on; later actors need a clean one
				continue
			case !errors.Is(err, mxKinds[kind]):
				t.Errorf("%s by %s: %v (%s), want %s", row.name, name, err, suggestion.CodeOf(err), outcome)
			case code != "" && suggestion.CodeOf(err) != code:
				t.Errorf("%s by %s: code %q, want %q", row.name, name, suggestion.CodeOf(err), code)
			}
			if after != before {
				t.Errorf("%s by %s was refused but changed the case: %+v → %+v", row.name, name, before, after)
			}
		}
	}
}

// The matrix's fixture must really be what its rows assume, or a row could pass for the
// wrong reason (an action refused because the case is in the wrong state, say).
func TestRolesMatrixStages(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	for stage, want := range map[mxStage]suggestion.Status{
		stDraft: suggestion.StatusDraft, stReturned: suggestion.StatusReturned, stSubmitted: suggestion.StatusSubmitted,
		stRegistered: suggestion.StatusRegistered, stAssigned: suggestion.StatusAssigned,
		stReturnRequested: suggestion.StatusAssigned, stCoReturning: suggestion.StatusAssigned, stHandling: suggestion.StatusHandling,
		stExtensionPending: suggestion.StatusHandling, stRepliedA: suggestion.StatusReplied,
		stRepliedB: suggestion.StatusReplied, stTrackingDone: suggestion.StatusTracking,
		stTracking: suggestion.StatusTracking, stEscalated: suggestion.StatusEscalated, stClosed: suggestion.StatusClosed,
	} {
		c := b.mxBuild(t, stage)
		if c.sg.Status != want {
			t.Errorf("stage %d: %s, want %s", stage, c.sg.Status, want)
		}
		det := must(b.svc.Detail(b.ctx, b.deputy(0), c.sg.ID))
		states := map[int64]string{}
		for _, cs := range det.Cosigners {
			states[cs.DeputyID] = cs.State
		}
		if states[b.tn.Deputies[1]] != "accepted" || states[b.tn.Deputies[2]] != "invited" || len(states) != 2 {
			t.Errorf("stage %d: co-signers %v, want deputy 1 accepted and deputy 2 invited", stage, fmt.Sprint(states))
		}
		if c.sg.CategoryID != 0 && c.sg.CategoryID != b.tn.Categories[0] {
			t.Errorf("stage %d: category %d", stage, c.sg.CategoryID)
		}
	}
}
