// Package appraisaltest takes suggestions through the real workflow to the ratings the
// appraisal's tests count (internal/appraisal and the console's pages).
package appraisaltest

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// Case is who a suggestion involves: all of one tenant.
type Case struct {
	TenantID    int64
	ReviewerID  int64 // a reviewer who registers and assigns
	DeputyID    int64 // the lead deputy, who rates
	CategoryID  int64
	LeadUnit    int64
	LeadHandler int64 // a unit_handler of LeadUnit
	CoUnit      int64 // 0: none
	Title       string
}

// Outcome is how far the suggestion goes.
type Outcome struct {
	// Reply is the lead deputy's rating of the reply; "" stops at assigned.
	Reply suggestion.Rating
	// Commit replies class B with one commitment (otherwise class A, nothing promised).
	Commit bool
	// Impl, with Commit and a reply rated 满意 or 基本满意, completes the commitment and rates
	// the implementation.
	Impl suggestion.Rating
}

// Walk submits, registers and assigns a suggestion and takes it to o; it returns its id.
func Walk(t testing.TB, svc *suggestion.Service, c Case, o Outcome) int64 {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("walk %q: %v", c.Title, err)
		}
	}
	dep := auth.Deputy(c.TenantID, c.DeputyID)
	rev := auth.Actor{TenantID: c.TenantID, Kind: auth.KindStaff, ID: c.ReviewerID, Roles: []auth.Role{auth.RoleReviewer}}
	unit := auth.Actor{TenantID: c.TenantID, Kind: auth.KindStaff, ID: c.LeadHandler, Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: c.LeadUnit}
	sg, err := svc.CreateDraft(ctx, dep, suggestion.DraftInput{Title: c.Title, Body: c.Title + "：情况说明和具体建议，请有关部门研究解决。"})
	must(err)
	sg, err = svc.Submit(ctx, dep, sg.ID, sg.Version)
	must(err)
	sg, err = svc.Register(ctx, rev, sg.ID, sg.Version, c.CategoryID)
	must(err)
	in := suggestion.AssignInput{LeadUnitID: c.LeadUnit}
	if c.CoUnit != 0 {
		in.CoUnitIDs = []int64{c.CoUnit}
	}
	_, err = svc.Assign(ctx, rev, sg.ID, sg.Version, in)
	must(err)
	if o.Reply == "" {
		return sg.ID
	}
	det, err := svc.Detail(ctx, rev, sg.ID)
	must(err)
	var asg int64
	for _, a := range det.Assignments {
		if a.UnitID == c.LeadUnit && a.Active {
			asg = a.ID
		}
	}
	_, err = svc.Accept(ctx, unit, asg, suggestion.AcceptInput{HandlerName: "经办人", HandlerPhone: "0937-6200000"})
	must(err)
	_, err = svc.RecordContact(ctx, unit, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: time.Now().Add(-time.Hour),
		Method: "电话", People: "领衔代表", Summary: "办前沟通，了解代表意图"})
	must(err)
	reply := suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经研究，该问题已解决，具体情况答复如下。"}
	if o.Commit {
		reply = suggestion.ReplyInput{Class: suggestion.ClassB, Body: "已列入计划，分步解决，具体安排答复如下。",
			Commitments: []suggestion.CommitmentInput{{What: "年内完成整改", DueOn: time.Now().AddDate(0, 2, 0)}}}
	}
	_, err = svc.Reply(ctx, unit, asg, reply)
	must(err)
	reason := ""
	if o.Reply == suggestion.Unsatisfied {
		reason = "问题没有实质性解决"
	}
	_, err = svc.RateReply(ctx, dep, sg.ID, o.Reply, reason)
	must(err)
	if o.Impl == "" {
		return sg.ID
	}
	det, err = svc.Detail(ctx, rev, sg.ID)
	must(err)
	for _, r := range det.Replies {
		for _, cm := range r.Commitments {
			if cm.DoneAt == nil {
				must(svc.CompleteCommitment(ctx, unit, cm.ID, "已按承诺完成"))
			}
		}
	}
	reason = ""
	if o.Impl == suggestion.Unsatisfied {
		reason = "落实不到位"
	}
	_, err = svc.RateImplementation(ctx, dep, sg.ID, o.Impl, reason)
	must(err)
	return sg.ID
}
