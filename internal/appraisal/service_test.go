package appraisal_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/internal/appraisal"
	"jianyi/internal/auth"
	"jianyi/internal/notify"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The ranking counts the meeting's suggestions each unit handles (主办 or 协办, a suggestion
// once, the other meeting's never) and marks the two government departments that handle
// the most — not a court, however many it handles.
func TestRankingMarksTheTwoBusiestGovernmentDepartments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.seed()
	o, err := b.svc.Overview(context.Background(), b.reviewer(), b.tn.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range o.Candidates {
		got = append(got, fmt.Sprintf("%d:%d/%d/%d:%v", c.UnitID, c.Total, c.Lead, c.Co, c.Suggested))
	}
	u := b.tn.Units
	want := []string{fmt.Sprintf("%d:5/4/1:true", u[0]), fmt.Sprintf("%d:3/2/1:false", u[1]), fmt.Sprintf("%d:1/1/0:true", u[2])}
	if !slices.Equal(got, want) {
		t.Fatalf("ranking %v, want %v", got, want)
	}
}

// A hearing is recorded for an active unit of the tenant, once per meeting; the unit's
// staff hear of it. The vote is taken after the hearing, shown as 满意率 and told to the
// unit; a correction on a stale page is a conflict, a correction on the current one is
// recorded, audited and told again.
func TestHearingVoteAndCorrection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	unit := b.tn.Units[0]
	staffOfUnit := users(b.tn.Handlers[0], b.tn.UnitLeaders[0])

	h, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: unit,
		Session: "  市十届人大常委会第二十次会议 ", HeldOn: daysAgo(2)})
	if err != nil {
		t.Fatal(err)
	}
	if h.Session != "市十届人大常委会第二十次会议" || h.UnitName != "市住房和城乡建设局" || h.Version != 1 || h.Vote != nil {
		t.Fatalf("recorded %+v", h)
	}
	if got := b.told(notify.KindHearingChosen); !slices.Equal(got, staffOfUnit) {
		t.Fatalf("chosen told %v, want %v", got, staffOfUnit)
	}

	before := b.tables()
	_, err = b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: unit, Session: "第二十一次会议", HeldOn: daysAgo(1)})
	wantCode(t, "second hearing of the unit", err, appraisal.ErrConflict, "hearing_exists")
	if after := b.tables(); after != before {
		t.Fatalf("refused hearing wrote:\n%s\n%s", before, after)
	}

	h, err = b.svc.RecordVote(ctx, rev, b.tn.MeetingID, h.ID, 1, appraisal.Vote{Satisfied: 30, Basic: 12, Unsatisfied: 3})
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 2 || h.Vote == nil || h.Vote.Rate().Percent() != "93.3%" || h.VotedAt == nil {
		t.Fatalf("voted %+v", h)
	}
	if got := b.told(notify.KindHearingVoted); !slices.Equal(got, staffOfUnit) {
		t.Fatalf("vote told %v, want %v", got, staffOfUnit)
	}
	var body string
	if err := b.pool.QueryRow(ctx, `SELECT body FROM notices WHERE kind = $1 LIMIT 1`, notify.KindHearingVoted).Scan(&body); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"满意30票", "基本满意12票", "不满意3票", "满意率93.3%"} {
		if !strings.Contains(body, w) {
			t.Errorf("vote notice %q lacks %q", body, w)
		}
	}

	// A second desk still on version 1.
	before = b.tables()
	_, err = b.svc.RecordVote(ctx, rev, b.tn.MeetingID, h.ID, 1, appraisal.Vote{Satisfied: 20, Basic: 12, Unsatisfied: 13})
	wantCode(t, "stale correction", err, appraisal.ErrConflict, "conflict")
	if after := b.tables(); after != before {
		t.Fatalf("stale correction wrote:\n%s\n%s", before, after)
	}

	h, err = b.svc.RecordVote(ctx, rev, b.tn.MeetingID, h.ID, 2, appraisal.Vote{Satisfied: 29, Basic: 12, Unsatisfied: 4})
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 3 || h.Vote.Rate().Percent() != "91.1%" {
		t.Fatalf("corrected %+v %s", h, h.Vote.Rate().Percent())
	}
	if got := b.told(notify.KindHearingVoted); len(got) != 4 {
		t.Fatalf("the correction was not told: %v", got)
	}
	// The same numbers again (a double click) change nothing.
	before = b.tables()
	if _, err := b.svc.RecordVote(ctx, rev, b.tn.MeetingID, h.ID, 3, *h.Vote); err != nil {
		t.Fatal(err)
	}
	if after := b.tables(); after != before {
		t.Fatalf("an unchanged vote wrote:\n%s\n%s", before, after)
	}

	o, err := b.svc.Overview(ctx, rev, b.tn.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	var audit []string
	for _, e := range o.Events {
		if e.ActorID != rev.ID {
			t.Errorf("event %s by %d, want %d", e.Action, e.ActorID, rev.ID)
		}
		audit = append(audit, e.Action+": "+e.Detail())
	}
	want := []string{
		"vote_corrected: 满意30、基本满意12、不满意3（满意率93.3%） → 满意29、基本满意12、不满意4（满意率91.1%）",
		"vote_recorded: 满意30、基本满意12、不满意3（满意率93.3%）",
		"hearing_recorded: 市十届人大常委会第二十次会议，" + daysAgo(2).Format("2006-01-02"),
	}
	if !slices.Equal(audit, want) {
		t.Fatalf("audit %q, want %q", audit, want)
	}
}

// Bad input is refused with a stable code and writes nothing: counts, the session, the date,
// ids of another tenant (not found, or an unknown unit), and a vote before the hearing.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	h, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(1)})
	if err != nil {
		t.Fatal(err)
	}
	later, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[1], Session: "第二十二次会议", HeldOn: daysAgo(-5)})
	if err != nil {
		t.Fatal(err)
	}
	b.exec(`UPDATE units SET active = false WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Units[2])
	theirs, err := b.svc.RecordHearing(ctx, staff(b.other, b.other.Reviewer, auth.RoleReviewer), b.other.MeetingID,
		appraisal.HearingInput{UnitID: b.other.Units[0], Session: "别家会议", HeldOn: daysAgo(1)})
	if err != nil {
		t.Fatal(err)
	}
	hearing := func(unit int64, session string, on time.Time) error {
		_, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: unit, Session: session, HeldOn: on})
		return err
	}
	vote := func(id int64, version int, v appraisal.Vote) error {
		_, err := b.svc.RecordVote(ctx, rev, b.tn.MeetingID, id, version, v)
		return err
	}
	u1 := b.tn.Units[1]
	before := b.tables()
	for _, tc := range []struct {
		name string
		err  error
		kind error
		code string
	}{
		{"negative count", vote(h.ID, 1, appraisal.Vote{Satisfied: 30, Basic: -1}), appraisal.ErrInvalid, "bad_vote"},
		{"zero total", vote(h.ID, 1, appraisal.Vote{}), appraisal.ErrInvalid, "vote_empty"},
		{"too many in one column", vote(h.ID, 1, appraisal.Vote{Satisfied: 1001}), appraisal.ErrInvalid, "vote_too_many"},
		{"too many in all", vote(h.ID, 1, appraisal.Vote{Satisfied: 600, Basic: 300, Unsatisfied: 101}), appraisal.ErrInvalid, "vote_too_many"},
		{"vote before the hearing", vote(later.ID, 1, appraisal.Vote{Satisfied: 30}), appraisal.ErrInvalidTransition, "not_held"},
		{"no version", vote(h.ID, 0, appraisal.Vote{Satisfied: 30}), appraisal.ErrInvalid, "bad_version"},
		{"another tenant's hearing", vote(theirs.ID, 1, appraisal.Vote{Satisfied: 30}), appraisal.ErrNotFound, "hearing_not_found"},
		{"no session", hearing(u1, "  ", daysAgo(1)), appraisal.ErrInvalid, "session_required"},
		{"session with a control character", hearing(u1, "第二十次\x07会议", daysAgo(1)), appraisal.ErrInvalid, "bad_text"},
		{"session on two lines", hearing(u1, "第二十次\n会议", daysAgo(1)), appraisal.ErrInvalid, "bad_text"},
		{"session with a zero-width space", hearing(u1, "第二十次\u200b会议", daysAgo(1)), appraisal.ErrInvalid, "bad_text"},
		{"session too long", hearing(u1, strings.Repeat("会", appraisal.MaxSession+1), daysAgo(1)), appraisal.ErrInvalid, "session_too_long"},
		{"no date", hearing(u1, "第二十次会议", time.Time{}), appraisal.ErrInvalid, "held_on_required"},
		{"date in 1999", hearing(u1, "第二十次会议", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)), appraisal.ErrInvalid, "bad_held_on"},
		{"no unit", hearing(0, "第二十次会议", daysAgo(1)), appraisal.ErrInvalid, "unit_required"},
		{"another tenant's unit", hearing(b.other.Units[1], "第二十次会议", daysAgo(1)), appraisal.ErrInvalid, "unknown_unit"},
		{"an inactive unit", hearing(b.tn.Units[2], "第二十次会议", daysAgo(1)), appraisal.ErrInvalid, "unknown_unit"},
	} {
		wantCode(t, tc.name, tc.err, tc.kind, tc.code)
	}
	_, err = b.svc.RecordHearing(ctx, rev, b.other.MeetingID, appraisal.HearingInput{UnitID: u1, Session: "第二十次会议", HeldOn: daysAgo(1)})
	wantCode(t, "another tenant's meeting", err, appraisal.ErrNotFound, "meeting_not_found")
	_, err = b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, 0, "审议意见\x00")
	wantCode(t, "opinion with NUL", err, appraisal.ErrInvalid, "bad_text")
	_, err = b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, 0, strings.Repeat("意", appraisal.MaxOpinion+1))
	wantCode(t, "opinion too long", err, appraisal.ErrInvalid, "opinion_too_long")
	_, err = b.svc.Report(ctx, rev, b.other.MeetingID)
	wantCode(t, "another tenant's report", err, appraisal.ErrNotFound, "meeting_not_found")
	if after := b.tables(); after != before {
		t.Fatalf("refusals wrote:\n%s\n%s", before, after)
	}
}

// Only the standing committee's and the government office's staff run the appraisal; a
// unit sees its own page only, and nothing it tries is written.
func TestWhoMayAppraise(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tn := b.tn
	for name, a := range map[string]auth.Actor{
		"reviewer": b.reviewer(), "coordinator": staff(tn, tn.Coordinator, auth.RoleCoordinator),
		"leader": staff(tn, tn.Leader, auth.RoleLeader), "admin": staff(tn, tn.Admin, auth.RoleAdmin),
	} {
		if _, err := b.svc.Overview(ctx, a, tn.MeetingID); err != nil {
			t.Errorf("%s may see the appraisal: %v", name, err)
		}
	}
	h, err := b.svc.RecordHearing(ctx, b.reviewer(), tn.MeetingID, appraisal.HearingInput{UnitID: tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(1)})
	if err != nil {
		t.Fatal(err)
	}
	committee := staff(tn, tn.Committee, auth.RoleCommittee)
	committee.CategoryIDs = tn.Categories[:1]
	before := b.tables()
	for name, a := range map[string]auth.Actor{
		"unit handler": b.unitStaff(0, auth.RoleUnitHandler), "unit leader": b.unitStaff(0, auth.RoleUnitLeader),
		"committee": committee, "deputy": auth.Deputy(tn.ID, tn.Deputies[0]),
	} {
		_, err := b.svc.RecordHearing(ctx, a, tn.MeetingID, appraisal.HearingInput{UnitID: tn.Units[1], Session: "第二十次会议", HeldOn: daysAgo(1)})
		wantCode(t, name+" records a hearing", err, appraisal.ErrForbidden, "forbidden")
		_, err = b.svc.RecordVote(ctx, a, tn.MeetingID, h.ID, 1, appraisal.Vote{Satisfied: 30})
		wantCode(t, name+" votes", err, appraisal.ErrForbidden, "forbidden")
		_, err = b.svc.SetOpinion(ctx, a, tn.MeetingID, 0, "审议意见")
		wantCode(t, name+" writes the opinion", err, appraisal.ErrForbidden, "forbidden")
		_, err = b.svc.MarkSent(ctx, a, tn.MeetingID, 1, daysAgo(0))
		wantCode(t, name+" sends", err, appraisal.ErrForbidden, "forbidden")
		_, err = b.svc.Report(ctx, a, tn.MeetingID)
		wantCode(t, name+" reads the report", err, appraisal.ErrForbidden, "forbidden")
		_, err = b.svc.Overview(ctx, a, tn.MeetingID)
		wantCode(t, name+" reads the ranking", err, appraisal.ErrForbidden, "forbidden")
	}
	if after := b.tables(); after != before {
		t.Fatalf("refused roles wrote:\n%s\n%s", before, after)
	}
	if _, err := b.svc.ForUnit(ctx, b.reviewer(), 0); err == nil {
		t.Error("a reviewer has no unit page")
	}
	v, err := b.svc.ForUnit(ctx, b.unitStaff(0, auth.RoleUnitLeader), 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.Meeting == nil || v.Meeting.ID != tn.MeetingID || len(v.Hearings) != 1 || v.Hearings[0].ID != h.ID {
		t.Fatalf("unit page %+v", v)
	}
	if v, err := b.svc.ForUnit(ctx, b.unitStaff(1, auth.RoleUnitHandler), 0); err != nil || len(v.Hearings) != 0 {
		t.Fatalf("another unit sees hearings %+v %v", v, err)
	}
	_, err = b.svc.ForUnit(ctx, b.unitStaff(0, auth.RoleUnitHandler), b.other.MeetingID)
	wantCode(t, "a unit reading another tenant's meeting", err, appraisal.ErrNotFound, "meeting_not_found")
}

// The report carries the 双测评 results per lead unit as the statistics count them, the
// suggestions rated 不满意 of this meeting only, and the units they belong to. Sending needs
// the 审议意见, tells each such unit's staff once with the number to take up again, and a
// second send tells nobody; the opinion corrected afterwards is marked as changed.
func TestFeedbackReportAndSend(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	w := b.seed()
	r, err := b.svc.Report(ctx, rev, b.tn.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	rates := map[int64]string{}
	for _, u := range r.Ratings.Units {
		rates[u.UnitID] = fmt.Sprintf("%d/%d/%d/%d %s · %d/%d/%d/%d %s", u.Counts.Rated, u.Counts.Satisfied, u.Counts.BasicallySatisfied, u.Counts.Unsatisfied,
			u.Rates.SatisfactionRate.Percent(), u.Counts.ImplRated, u.Counts.ImplSatisfied, u.Counts.ImplBasicallySatisfied, u.Counts.ImplUnsatisfied, u.Rates.ImplRate.Percent())
	}
	if got, want := rates[b.tn.Units[0]], "4/1/1/2 50.0% · 0/0/0/0 —"; got != want {
		t.Errorf("unit 0: %s, want %s", got, want)
	}
	if got, want := rates[b.tn.Units[1]], "2/1/1/0 100.0% · 2/1/0/1 50.0%"; got != want {
		t.Errorf("unit 1: %s, want %s", got, want)
	}
	if got := r.Ratings.Rates.SatisfactionRate.Percent() + " " + r.Ratings.Rates.ImplRate.Percent(); got != "66.7% 50.0%" {
		t.Errorf("meeting rates %s, want 66.7%% 50.0%%", got)
	}
	var cases []int64
	for _, c := range r.Cases {
		cases = append(cases, c.SuggestionID)
	}
	if want := []int64{w.s3, w.s7, w.s4}; !slices.Equal(cases, want) {
		t.Fatalf("不满意 cases %v, want %v (not %d of the other meeting)", cases, want, w.otherMeeting)
	}
	if c := r.Cases[2]; c.ReplyRating.Label() != "满意" || c.ImplRating.Label() != "不满意" || c.UnitID != b.tn.Units[1] {
		t.Errorf("s4 %+v", c)
	}
	if got := fmt.Sprint(r.ByUnit); got != fmt.Sprintf("[{%d 市住房和城乡建设局 2} {%d 市教育局 1}]", b.tn.Units[0], b.tn.Units[1]) {
		t.Errorf("by unit %s", got)
	}

	_, err = b.svc.MarkSent(ctx, rev, b.tn.MeetingID, 1, daysAgo(0))
	wantCode(t, "send before the opinion", err, appraisal.ErrInvalidTransition, "opinion_required")
	f, err := b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, 0, "一、办理工作总体较好。\n二、对测评不满意的建议要逐件回头看。")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, 0, "另一份意见")
	wantCode(t, "a second desk's first opinion", err, appraisal.ErrConflict, "conflict")
	_, err = b.svc.MarkSent(ctx, rev, b.tn.MeetingID, f.Version, daysAgo(-1))
	wantCode(t, "send tomorrow", err, appraisal.ErrInvalid, "sent_on_future")

	// Two desks send at once: one sends.
	var wg sync.WaitGroup
	results := make([]bool, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.svc.MarkSent(ctx, rev, b.tn.MeetingID, f.Version, daysAgo(0))
			if err != nil {
				t.Error(err)
			}
			if res.Sent && (res.Cases != 3 || res.Units != 2) {
				t.Errorf("sent %+v, want 3 cases of 2 units", res)
			}
			results[i] = res.Sent
		}()
	}
	wg.Wait()
	if results[0] == results[1] {
		t.Fatalf("sends %v, want exactly one", results)
	}
	want := users(b.tn.Handlers[0], b.tn.Handlers[1], b.tn.UnitLeaders[0], b.tn.UnitLeaders[1])
	slices.Sort(want)
	got := b.told(notify.KindReviewBackDue)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("review-back told %v, want %v", got, want)
	}
	var body, page string
	if err := b.pool.QueryRow(ctx, `SELECT body, page FROM notices WHERE kind = $1 AND recipient_id = $2`, notify.KindReviewBackDue, b.tn.UnitLeaders[0]).Scan(&body, &page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "2件建议") || page != appraisal.UnitPage(b.tn.MeetingID) {
		t.Errorf("unit 0's notice %q → %s", body, page)
	}
	if sent, err := b.svc.MarkSent(ctx, rev, b.tn.MeetingID, f.Version, daysAgo(0)); err != nil || sent.Sent {
		t.Fatalf("second send: %v %v", sent, err)
	}
	if n := len(b.told(notify.KindReviewBackDue)); n != 4 {
		t.Fatalf("%d review-back notices after a second send, want 4", n)
	}

	r, err = b.svc.Report(ctx, rev, b.tn.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Feedback.Sent() || r.Feedback.ChangedAfterSend() || r.Feedback.SentByName != "代表工委王科长" {
		t.Fatalf("feedback after send %+v", r.Feedback)
	}
	if _, err := b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, r.Feedback.Version, "一、办理工作总体较好。（更正）"); err != nil {
		t.Fatal(err)
	}
	r, err = b.svc.Report(ctx, rev, b.tn.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Feedback.ChangedAfterSend() {
		t.Fatal("the opinion corrected after sending is not marked")
	}

	v, err := b.svc.ForUnit(ctx, b.unitStaff(1, auth.RoleUnitHandler), b.tn.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) != 1 || v.Cases[0].SuggestionID != w.s4 || !v.Sent {
		t.Fatalf("unit 1's page %+v", v)
	}
}
