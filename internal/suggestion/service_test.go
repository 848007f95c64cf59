package suggestion_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// bundle is what every integration test needs: a service on a fresh database and a tenant.
type bundle struct {
	pool *pgxpool.Pool
	svc  *suggestion.Service
	tn   *pgtest.Tenant
	now  time.Time
	ctx  context.Context
}

func setup(t *testing.T) *bundle {
	t.Helper()
	pool := pgtest.New(t)
	b := &bundle{pool: pool, tn: pgtest.NewTenant(t, pool), ctx: context.Background(),
		now: time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)}
	b.svc = suggestion.NewService(postgres.NewSuggestionStore(pool), func() time.Time { return b.now })
	return b
}

func staff(tn *pgtest.Tenant, id int64, roles ...auth.Role) auth.Actor {
	return auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: id, Roles: roles}
}

func (b *bundle) deputy(i int) auth.Actor { return auth.Deputy(b.tn.ID, b.tn.Deputies[i]) }
func (b *bundle) reviewer() auth.Actor    { return staff(b.tn, b.tn.Reviewer, auth.RoleReviewer) }
func (b *bundle) leader() auth.Actor      { return staff(b.tn, b.tn.Leader, auth.RoleLeader) }
func (b *bundle) coordinator() auth.Actor { return staff(b.tn, b.tn.Coordinator, auth.RoleCoordinator) }
func (b *bundle) admin() auth.Actor       { return staff(b.tn, b.tn.Admin, auth.RoleAdmin) }
func (b *bundle) committee() auth.Actor {
	a := staff(b.tn, b.tn.Committee, auth.RoleCommittee)
	a.CategoryIDs = []int64{b.tn.Categories[0]}
	return a
}
func (b *bundle) unit(i int) auth.Actor {
	a := staff(b.tn, b.tn.Handlers[i], auth.RoleUnitHandler)
	a.UnitID = b.tn.Units[i]
	return a
}

// fatal carries an unexpected error from must to the test's deferred catch.
type fatal struct{ err error }

// must returns v or stops the test on err; every test defers catch(t).
func must[T any](v T, err error) T {
	if err != nil {
		panic(fatal{err})
	}
	return v
}

func noErr(err error) {
	if err != nil {
		panic(fatal{err})
	}
}

func catch(t *testing.T) {
	if r := recover(); r != nil {
		f, ok := r.(fatal)
		if !ok {
			panic(r)
		}
		t.Fatalf("unexpected error: %v (%s)", f.err, suggestion.CodeOf(f.err))
	}
}

func wantErr(t *testing.T, err error, kind error, code string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got %v, want %v", err, kind)
	}
	if code != "" && suggestion.CodeOf(err) != code {
		t.Fatalf("got code %q, want %q", suggestion.CodeOf(err), code)
	}
	var e *suggestion.Error
	if errors.As(err, &e) && e.Message == "" {
		t.Fatalf("error %s has no message for people", code)
	}
}

const body = "民政路早晚高峰拥堵严重，建议拓宽道路并优化红绿灯配时，方便群众出行。"

func (b *bundle) submitted(t *testing.T, title string) *suggestion.Suggestion {
	t.Helper()
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: title, Body: body}))
	return must(b.svc.Submit(b.ctx, b.deputy(0), d.ID, d.Version))
}

func (b *bundle) registered(t *testing.T, title string) *suggestion.Suggestion {
	t.Helper()
	s := b.submitted(t, title)
	return must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
}

func (b *bundle) assigned(t *testing.T, title string) (*suggestion.Suggestion, []suggestion.Assignment) {
	t.Helper()
	s := b.registered(t, title)
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
		LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}))
	d := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	return s, d.Assignments
}

// replied drives a suggestion to "replied" with the given class.
func (b *bundle) replied(t *testing.T, title string, class suggestion.ReplyClass) (*suggestion.Suggestion, int64) {
	t.Helper()
	s, asgs := b.assigned(t, title)
	lead := asgs[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"}))
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "孙经办、张建国代表", Summary: "沟通了办理思路"}))
	in := suggestion.ReplyInput{Class: class, Body: "经研究，已将民政路拓宽纳入年度计划并完成信号灯优化。"}
	if class == suggestion.ClassB || class == suggestion.ClassC {
		in.Commitments = []suggestion.CommitmentInput{{What: "完成民政路拓宽工程", DueOn: b.now.AddDate(0, 6, 0)}}
	}
	must(b.svc.Reply(b.ctx, b.unit(0), lead, in))
	return must(b.svc.Get(b.ctx, b.reviewer(), s.ID)), lead
}

func TestTransitionTablePairByPair(t *testing.T) {
	t.Parallel()
	defer catch(t)
	allowed := map[[2]suggestion.Status]bool{}
	for _, p := range [][2]suggestion.Status{
		{"draft", "submitted"}, {"returned", "submitted"},
		{"submitted", "returned"}, {"submitted", "not_registered"}, {"submitted", "registered"}, {"submitted", "merged"},
		{"registered", "assigned"}, {"registered", "merged"},
		{"assigned", "handling"},
		{"handling", "replied"}, {"rehandling", "replied"}, {"escalated", "replied"},
		{"replied", "evaluated"}, {"replied", "tracking"}, {"replied", "closed"},
		{"evaluated", "closed"}, {"evaluated", "tracking"}, {"evaluated", "rehandling"}, {"evaluated", "escalated"},
		{"escalated", "tracking"}, {"escalated", "closed"},
		{"tracking", "tracking"}, {"tracking", "closed"}, {"tracking", "rehandling"}, // 回头看 after 落实不满意
		{"closed", "rehandling"},
	} {
		allowed[p] = true
	}
	for _, from := range suggestion.Statuses {
		for _, to := range suggestion.Statuses {
			if got, want := suggestion.CanTransition(from, to), allowed[[2]suggestion.Status{from, to}]; got != want {
				t.Errorf("%s → %s: allowed=%v, want %v", from, to, got, want)
			}
		}
	}
}

// Each staff action tried by every role: only the roles of PRODUCT.md succeed; the others are
// refused and change nothing.
func TestStaffActionsPerRole(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	roles := map[string]auth.Actor{
		"reviewer": b.reviewer(), "coordinator": b.coordinator(), "leader": b.leader(), "admin": b.admin(),
		"committee": b.committee(), "unit": b.unit(0), "deputy": b.deputy(0),
	}
	type action struct {
		name  string
		setup func(t *testing.T) *suggestion.Suggestion
		do    func(a auth.Actor, s *suggestion.Suggestion) error
		may   []string
	}
	actions := []action{
		{"register", func(t *testing.T) *suggestion.Suggestion { return b.submitted(t, "登记") },
			func(a auth.Actor, s *suggestion.Suggestion) error {
				_, err := b.svc.Register(b.ctx, a, s.ID, s.Version, b.tn.Categories[0])
				return err
			}, []string{"reviewer"}},
		{"return", func(t *testing.T) *suggestion.Suggestion { return b.submitted(t, "退回") },
			func(a auth.Actor, s *suggestion.Suggestion) error {
				_, err := b.svc.Return(b.ctx, a, s.ID, s.Version, "请补充具体位置")
				return err
			}, []string{"reviewer"}},
		{"not_register", func(t *testing.T) *suggestion.Suggestion { return b.submitted(t, "不予立案") },
			func(a auth.Actor, s *suggestion.Suggestion) error {
				_, err := b.svc.NotRegister(b.ctx, a, s.ID, s.Version, "属于个人诉求，转为意见函")
				return err
			}, []string{"reviewer"}},
		{"assign", func(t *testing.T) *suggestion.Suggestion { return b.registered(t, "交办") },
			func(a auth.Actor, s *suggestion.Suggestion) error {
				_, err := b.svc.Assign(b.ctx, a, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]})
				return err
			}, []string{"reviewer", "coordinator"}},
	}
	for _, ac := range actions {
		for name, actor := range roles {
			s := ac.setup(t)
			err := ac.do(actor, s)
			after := must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
			if contains(ac.may, name) {
				if err != nil {
					t.Errorf("%s by %s: %v", ac.name, name, err)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s by %s: allowed, want refused", ac.name, name)
			} else if !errors.Is(err, suggestion.ErrForbidden) && !errors.Is(err, suggestion.ErrNotFound) {
				t.Errorf("%s by %s: %v, want forbidden or not found", ac.name, name, err)
			}
			if after.Status != s.Status || after.Version != s.Version {
				t.Errorf("%s by %s changed the suggestion: %s v%d → %s v%d", ac.name, name, s.Status, s.Version, after.Status, after.Version)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Actions from the wrong state are refused with invalid_transition and write nothing.
func TestWrongStateIsRefused(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "草稿", Body: body}))
	_, err := b.svc.Register(b.ctx, b.reviewer(), d.ID, d.Version, b.tn.Categories[0])
	wantErr(t, err, suggestion.ErrNotFound, "") // drafts are invisible at the desks
	s := b.registered(t, "已立案")
	_, err = b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0])
	wantErr(t, err, suggestion.ErrInvalidTransition, "invalid_transition")
	_, err = b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_not_due")
	_, err = b.svc.Submit(b.ctx, b.deputy(0), s.ID, s.Version)
	wantErr(t, err, suggestion.ErrInvalidTransition, "invalid_transition")
	var events int
	if err := b.pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 3 { // create, submit, register
		t.Fatalf("refused actions wrote audit events: %d, want 3", events)
	}
}

// A whole life: draft → … → closed, with one unsatisfied round and a tracking case, checked
// event by event in the audit trail, and the outbox written alongside.
func TestFullLifeWithRehandlingAndTracking(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	lead, co := b.deputy(0), b.deputy(1)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于民政路提升改建的建议", Body: body}))
	noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1]}))
	noErr(b.svc.RespondCosign(b.ctx, co, d.ID, true))
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
	if s.Number != 1 || s.NumberLabel() != "第0001号" {
		t.Fatalf("number = %d %q", s.Number, s.NumberLabel())
	}
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
		LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}, Mode: suggestion.ModeLeaderLed, LeaderUserID: b.tn.Leader}))
	if !s.IsKey || s.ReplyDueAt == nil {
		t.Fatalf("leader-led must be key with a reply due date: %+v", s)
	}
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	leadAsg, coAsg := det.Assignments[0], det.Assignments[1]
	if leadAsg.Role != suggestion.RoleLead || coAsg.Role != suggestion.RoleCo {
		t.Fatalf("assignments: %+v", det.Assignments)
	}
	// reply clock: 3 months from 2026-03-20 → 2026-06-20 is a Saturday → Monday 2026-06-22 (06-19..21 端午 off: 06-22 Mon)
	if got := leadAsg.DueAt.In(shanghai(t)).Format("2006-01-02"); got != "2026-06-22" {
		t.Fatalf("lead reply due %s, want 2026-06-22", got)
	}
	must(b.svc.Accept(b.ctx, b.unit(0), leadAsg.ID, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.Accept(b.ctx, b.unit(1), coAsg.ID, suggestion.AcceptInput{HandlerName: "周经办"}))
	_, err := b.svc.Reply(b.ctx, b.unit(0), leadAsg.ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "已经全部解决了这个问题。"})
	wantErr(t, err, suggestion.ErrInvalid, "before_contact_required")
	c := must(b.svc.RecordContact(b.ctx, b.unit(0), leadAsg.ID, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now, Method: "座谈", People: "孙经办、张建国代表", Summary: "了解代表意图"}))
	must(b.svc.ConfirmContact(b.ctx, lead, c.ID, true, ""))
	must(b.svc.SubmitCoOpinion(b.ctx, b.unit(1), coAsg.ID, "教育局同意配合，学校门口路段一并考虑。"))
	must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已完成现场勘查。", false))
	must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "内部：需协调用地指标。", true))
	must(b.svc.Reply(b.ctx, b.unit(0), leadAsg.ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "已完成信号灯配时优化，拥堵明显缓解。"}))
	// the co-signer rates first: recorded, nothing moves
	s = must(b.svc.RateReply(b.ctx, co, s.ID, suggestion.BasicallySatisfied, ""))
	if s.Status != suggestion.StatusReplied {
		t.Fatalf("a co-signer's rating moved the case to %s", s.Status)
	}
	s = must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Unsatisfied, "道路没有拓宽"))
	if s.Status != suggestion.StatusRehandling || s.Round != 2 {
		t.Fatalf("after 不满意: %s round %d", s.Status, s.Round)
	}
	must(b.svc.Reply(b.ctx, b.unit(0), leadAsg.ID, suggestion.ReplyInput{Class: suggestion.ClassB,
		Body: "拓宽工程已列入明年计划，先行实施交通疏导。", Commitments: []suggestion.CommitmentInput{{What: "完成民政路拓宽", DueOn: b.now.AddDate(0, 8, 0)}}}))
	s = must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusTracking {
		t.Fatalf("B reply with open commitment rated 满意: %s, want tracking", s.Status)
	}
	_, err = b.svc.RateImplementation(b.ctx, lead, s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "commitments_open")
	det = must(b.svc.Detail(b.ctx, lead, s.ID))
	noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), det.Replies[1].Commitments[0].ID, "拓宽工程已完工通车"))
	s = must(b.svc.RateImplementation(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed || s.ClosedAt == nil {
		t.Fatalf("after implementation 满意: %s", s.Status)
	}

	det = must(b.svc.Detail(b.ctx, lead, s.ID))
	type line struct{ action, from, to string }
	var got []line
	for _, e := range det.Timeline {
		got = append(got, line{e.Action, string(e.From), string(e.To)})
	}
	want := []line{
		{"create_draft", "", "draft"}, {"invite_cosigners", "", "draft"}, {"cosign_accepted", "", "draft"},
		{"submit", "draft", "submitted"}, {"register", "submitted", "registered"}, {"assign", "registered", "assigned"},
		{"accept", "assigned", "handling"}, {"accept", "", "handling"}, {"record_contact", "", "handling"},
		// One progress line: the unit's private note (内部备注) is neither shown to the deputy
		// nor announced on their timeline.
		{"contact_confirmed", "", "handling"}, {"co_opinion", "", "handling"}, {"progress", "", "handling"},
		{"reply", "handling", "replied"}, {"rate_reply", "", "replied"},
		{"rate_reply", "replied", "evaluated"}, {"rehandle", "evaluated", "rehandling"},
		{"reply", "rehandling", "replied"}, {"rate_reply", "replied", "evaluated"}, {"track", "evaluated", "tracking"},
		{"commitment_done", "", "tracking"}, {"implementation_due", "", "tracking"},
		{"rate_impl", "", "tracking"}, {"impl_close", "tracking", "closed"},
	}
	if len(got) != len(want) {
		t.Fatalf("timeline has %d events, want %d:\n%v", len(got), len(want), got)
	}
	if staff := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)); len(staff.Timeline) != len(want)+1 {
		t.Fatalf("staff timeline has %d events, want %d with the private note's", len(staff.Timeline), len(want)+1)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %v, want %v", i, got[i], want[i])
		}
	}
	if det.Timeline[15].ActorKind != "system" || det.Timeline[14].ActorKind != "deputy" {
		t.Errorf("automatic follow-ups must be the system's: %+v", det.Timeline[14:16])
	}
	if e := det.Timeline[5]; e.Data["lead_unit_id"] == nil || e.CreatedAt.IsZero() || e.ActorID == 0 ||
		e.SuggestionID != s.ID || e.TenantID != b.tn.ID {
		t.Errorf("the assign event lost its details on the way to the timeline: %+v", e)
	}
	if len(det.Progress) != 1 {
		t.Errorf("deputy sees %d progress notes, want 1 (private note hidden)", len(det.Progress))
	}
	if len(det.Replies) != 2 || det.Replies[0].Body == "" || det.Replies[1].Class != suggestion.ClassB {
		t.Errorf("replies: %+v", det.Replies)
	}
	var outbox []string
	rows, _ := b.pool.Query(b.ctx, `SELECT event FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 ORDER BY id`, b.tn.ID, s.ID)
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		outbox = append(outbox, e)
	}
	rows.Close()
	wantOutbox := "cosign.invited suggestion.submitted suggestion.registered suggestion.assigned assignment.accepted assignment.accepted contact.recorded contact.confirmed assignment.co_opinion suggestion.progress suggestion.replied suggestion.rated suggestion.rated suggestion.rehandling suggestion.replied suggestion.rated suggestion.tracking commitment.done suggestion.implementation_due suggestion.implementation_rated suggestion.closed"
	if strings.Join(outbox, " ") != wantOutbox {
		t.Errorf("outbox:\n got %s\nwant %s", strings.Join(outbox, " "), wantOutbox)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A second 不满意 escalates to face-to-face consultation with leader supervision.
func TestSecondUnsatisfiedEscalates(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, lead := b.replied(t, "小区物业管理", suggestion.ClassA)
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "物业问题依旧"))
	must(b.svc.Reply(b.ctx, b.unit(0), lead, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "已约谈物业公司并整改到位。"}))
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "整改不到位"))
	if s.Status != suggestion.StatusEscalated || s.Round != 3 {
		t.Fatalf("second 不满意: %s round %d, want escalated round 3", s.Status, s.Round)
	}
	_, err := b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "")
	wantErr(t, err, suggestion.ErrInvalid, "reason_required")

	// The unit answers again only after meeting the deputy: a contact held before the
	// escalation does not count, one held after it does.
	third := suggestion.ReplyInput{Class: suggestion.ClassB, Body: "经当面协商，物业公司更换方案已列入计划。",
		Commitments: []suggestion.CommitmentInput{{What: "更换物业公司", DueOn: b.now.AddDate(0, 3, 0)}}}
	_, err = b.svc.Reply(b.ctx, b.unit(0), lead, third)
	wantErr(t, err, suggestion.ErrInvalid, "consultation_required")
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactDuring,
		HappenedAt: b.now.Add(-2 * time.Hour), Method: "电话", People: "孙经办、代表", Summary: "升级前的电话沟通补记"}))
	_, err = b.svc.Reply(b.ctx, b.unit(0), lead, third)
	wantErr(t, err, suggestion.ErrInvalid, "consultation_required")
	b.now = b.now.Add(24 * time.Hour)
	// One the deputy disputes does not count either.
	disputed := must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactDuring,
		HappenedAt: b.now.Add(-2 * time.Hour), Method: "当面协商", People: "孙经办、代表", Summary: "称已当面协商"}))
	must(b.svc.ConfirmContact(b.ctx, b.deputy(0), disputed.ID, false, "没有见过面"))
	_, err = b.svc.Reply(b.ctx, b.unit(0), lead, third)
	wantErr(t, err, suggestion.ErrInvalid, "consultation_required")
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactDuring,
		HappenedAt: b.now.Add(-time.Hour), Method: "当面协商", People: "孙经办、代表、常委会领导", Summary: "当面协商更换物业公司"}))
	s = must(b.svc.Get(b.ctx, b.reviewer(), must(b.svc.Reply(b.ctx, b.unit(0), lead, third)).SuggestionID))
	if s.Status != suggestion.StatusReplied || s.Round != 3 {
		t.Fatalf("after the consultation: %s round %d", s.Status, s.Round)
	}
}

func TestConcurrentAssignsExactlyOneWins(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := b.registered(t, "老旧小区改造")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
				LeadUnitID: b.tn.Units[i], CoUnitIDs: []int64{b.tn.Units[2]}})
		}()
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, suggestion.ErrConflict):
			conflicts++
		default:
			t.Fatalf("unexpected: %v", err)
		}
	}
	if wins != 1 || conflicts != 1 {
		t.Fatalf("wins=%d conflicts=%d", wins, conflicts)
	}
	var asg, audit, outbox int
	_ = b.pool.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM assignments WHERE tenant_id=$1 AND suggestion_id=$2),
		(SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='assign'),
		(SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event='suggestion.assigned')`,
		b.tn.ID, s.ID).Scan(&asg, &audit, &outbox)
	if asg != 2 || audit != 1 || outbox != 1 {
		t.Fatalf("half-written state: %d assignments, %d audit, %d outbox", asg, audit, outbox)
	}
}

func TestConcurrentRatingsExactlyOneWins(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.replied(t, "公交线路优化", suggestion.ClassA)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	ratings := []suggestion.Rating{suggestion.Satisfied, suggestion.Unsatisfied}
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.svc.RateReply(b.ctx, b.deputy(0), s.ID, ratings[i], "线路仍不合理")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		// The loser either collides with the winner's write (conflict) or, when it reads after
		// the winner committed, finds no rating due any more; both refuse and write nothing.
		switch {
		case err == nil:
			ok++
		case errors.Is(err, suggestion.ErrConflict), suggestion.CodeOf(err) == "rating_not_due":
		default:
			t.Fatalf("unexpected: %v", err)
		}
	}
	var evals int
	_ = b.pool.QueryRow(b.ctx, `SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID).Scan(&evals)
	if ok != 1 || evals != 1 {
		t.Fatalf("%d ratings succeeded, %d stored; want 1 and 1", ok, evals)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	other := pgtest.NewTenant(t, b.pool)
	s := b.registered(t, "甲市的建议")
	intruders := []auth.Actor{
		staff(other, other.Reviewer, auth.RoleReviewer),
		staff(other, other.Admin, auth.RoleAdmin),
		auth.Deputy(other.ID, b.tn.Deputies[0]), // a real deputy id, but claimed under the other tenant
		{TenantID: 999999, Kind: auth.KindStaff, ID: b.tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}},
	}
	for _, a := range intruders {
		_, err := b.svc.Get(b.ctx, a, s.ID)
		wantErr(t, err, suggestion.ErrNotFound, "")
		_, err = b.svc.Detail(b.ctx, a, s.ID)
		wantErr(t, err, suggestion.ErrNotFound, "")
		_, err = b.svc.Assign(b.ctx, a, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: other.Units[0]})
		if err == nil {
			t.Fatal("assign across tenants succeeded")
		}
		list := must(b.svc.List(b.ctx, a, suggestion.ListFilter{}))
		for _, x := range list {
			if x.ID == s.ID {
				t.Fatal("another tenant's suggestion is listed")
			}
		}
	}
	// a unit of this tenant assigned to another unit's row: not found
	s2, asgs := b.assigned(t, "交办给住建局")
	_, err := b.svc.Accept(b.ctx, b.unit(2), asgs[0].ID, suggestion.AcceptInput{HandlerName: "越权"})
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
	after := must(b.svc.Get(b.ctx, b.reviewer(), s2.ID))
	if after.Version != s2.Version {
		t.Fatal("a refused call changed the suggestion")
	}
	// another deputy cannot see or rate
	_, err = b.svc.Get(b.ctx, b.deputy(3), s2.ID)
	wantErr(t, err, suggestion.ErrNotFound, "")
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	long := strings.Repeat("长", suggestion.MaxTitle+1)
	cases := []struct {
		name string
		in   suggestion.DraftInput
		code string
	}{
		{"empty title", suggestion.DraftInput{Title: "  ", Body: body}, "title_required"},
		{"long title", suggestion.DraftInput{Title: long, Body: body}, "title_too_long"},
		{"long body", suggestion.DraftInput{Title: "标题", Body: strings.Repeat("字", suggestion.MaxBody+1)}, "body_too_long"},
	}
	for _, c := range cases {
		_, err := b.svc.CreateDraft(b.ctx, b.deputy(0), c.in)
		wantErr(t, err, suggestion.ErrInvalid, c.code)
	}
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "太短", Body: "短"}))
	_, err := b.svc.Submit(b.ctx, b.deputy(0), d.ID, d.Version)
	wantErr(t, err, suggestion.ErrInvalid, "body_too_short")
	_, err = b.svc.Submit(b.ctx, b.deputy(1), d.ID, d.Version)
	wantErr(t, err, suggestion.ErrNotFound, "")
	_, err = b.svc.Submit(b.ctx, b.deputy(0), d.ID, d.Version+7)
	wantErr(t, err, suggestion.ErrConflict, "version_conflict")
	_, err = b.svc.Get(b.ctx, b.deputy(0), 987654321)
	wantErr(t, err, suggestion.ErrNotFound, "")

	s, _ := b.replied(t, "路灯维修", suggestion.ClassA)
	_, err = b.svc.RateReply(b.ctx, b.deputy(4), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrNotFound, "") // not an author: the suggestion does not exist for them
	_, err = b.svc.RateReply(b.ctx, b.reviewer(), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrForbidden, "")
	_, err = b.svc.RateReply(b.ctx, b.deputy(0), s.ID, "great", "")
	wantErr(t, err, suggestion.ErrInvalid, "bad_rating")

	r := b.registered(t, "重点建议")
	_, err = b.svc.Assign(b.ctx, b.reviewer(), r.ID, r.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], IsKey: true})
	wantErr(t, err, suggestion.ErrInvalid, "leader_required")
	_, err = b.svc.Assign(b.ctx, b.reviewer(), r.ID, r.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], Mode: suggestion.ModeJoint, CoUnitIDs: []int64{b.tn.Units[1]}})
	wantErr(t, err, suggestion.ErrInvalid, "chain_required")
	_, err = b.svc.Assign(b.ctx, b.reviewer(), r.ID, r.Version, suggestion.AssignInput{LeadUnitID: 424242})
	wantErr(t, err, suggestion.ErrInvalid, "unit_not_found")
	after := must(b.svc.Get(b.ctx, b.reviewer(), r.ID))
	if after.Status != suggestion.StatusRegistered || after.Version != r.Version {
		t.Fatalf("refused assignment changed the suggestion: %s v%d", after.Status, after.Version)
	}
	var asg, audit int
	_ = b.pool.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM assignments WHERE tenant_id=$1 AND suggestion_id=$2),
		(SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='assign')`,
		b.tn.ID, r.ID).Scan(&asg, &audit)
	if asg != 0 || audit != 0 {
		t.Fatalf("refused assignment left %d assignments and %d audit events", asg, audit)
	}
}

// A wrong assignment is returned inside the window and re-routed; the history keeps the old one.
func TestReturnAndReroute(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "学校周边食品安全")
	lead := asgs[0]
	must(b.svc.RequestReturn(b.ctx, b.unit(0), lead.ID, "属于市场监管职责"))
	n := must(b.svc.DecideReturn(b.ctx, b.reviewer(), lead.ID, b.tn.Units[2], "改派交通局"))
	if n.UnitID != b.tn.Units[2] || n.State != suggestion.AsgPending || n.Role != suggestion.RoleLead {
		t.Fatalf("new assignment: %+v", n)
	}
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	if len(det.Assignments) != 3 {
		t.Fatalf("history lost: %d assignments", len(det.Assignments))
	}
	_, err := b.svc.Accept(b.ctx, b.unit(0), lead.ID, suggestion.AcceptInput{HandlerName: "旧单位"})
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
	// outside the window (7 working days) a return request is refused
	_, asgs2 := b.assigned(t, "窗口期外")
	b.now = b.now.AddDate(0, 0, 20)
	_, err = b.svc.RequestReturn(b.ctx, b.unit(0), asgs2[0].ID, "不属于我单位")
	wantErr(t, err, suggestion.ErrInvalidTransition, "return_window_closed")
}

// Merging keeps every author: the duplicate's deputy becomes a co-signer of the survivor and
// may rate its reply.
func TestMergeKeepsEveryAuthor(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	keep := b.registered(t, "新华路地下通道")
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(2), suggestion.DraftInput{Title: "新华路修建地下人行通道", Body: body}))
	dup := must(b.svc.Submit(b.ctx, b.deputy(2), d.ID, d.Version))
	// A merge decided on a page older than the suggestion (another reviewer returned it for
	// revision meanwhile and the deputy sent it again) is a conflict and changes nothing.
	stale := dup.Version
	must(b.svc.Return(b.ctx, b.reviewer(), dup.ID, dup.Version, "请补充通道位置"))
	dup = must(b.svc.Submit(b.ctx, b.deputy(2), d.ID, -1))
	_, err := b.svc.Merge(b.ctx, b.reviewer(), dup.ID, keep.ID, stale, "内容重复")
	wantErr(t, err, suggestion.ErrConflict, "version_conflict")
	if now := must(b.svc.Get(b.ctx, b.reviewer(), dup.ID)); now.Status != suggestion.StatusSubmitted || now.Version != dup.Version {
		t.Fatalf("a stale merge changed the suggestion: %s v%d", now.Status, now.Version)
	}
	dup = must(b.svc.Merge(b.ctx, b.reviewer(), dup.ID, keep.ID, dup.Version, "内容重复"))
	if dup.Status != suggestion.StatusMerged || dup.MergedInto != keep.ID {
		t.Fatalf("duplicate: %+v", dup)
	}
	if _, err := b.svc.Get(b.ctx, b.deputy(2), keep.ID); err != nil {
		t.Fatalf("the duplicate's author cannot see the surviving suggestion: %v", err)
	}
	keep = must(b.svc.Assign(b.ctx, b.reviewer(), keep.ID, keep.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]}))
	det := must(b.svc.Detail(b.ctx, b.reviewer(), keep.ID))
	must(b.svc.Accept(b.ctx, b.unit(0), det.Assignments[0].ID, suggestion.AcceptInput{HandlerName: "孙"}))
	must(b.svc.RecordContact(b.ctx, b.unit(0), det.Assignments[0].ID, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: b.now, Method: "电话", People: "孙", Summary: "沟通"}))
	must(b.svc.Reply(b.ctx, b.unit(0), det.Assignments[0].ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "地下通道已建成投入使用。"}))
	must(b.svc.RateReply(b.ctx, b.deputy(2), keep.ID, suggestion.Satisfied, ""))
}

// Close and reopen in 回头看; close from replied waits for the rating window.
func TestCloseAndReopen(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.replied(t, "口袋公园建设", suggestion.ClassA)
	rows := must(b.svc.List(b.ctx, b.deputy(0), suggestion.ListFilter{}))
	if len(rows) != 1 || rows[0].RatingDueAt == nil || !rows[0].RatingDueAt.After(b.now) {
		t.Fatalf("a replied suggestion's list row must carry the rating deadline: %+v", rows)
	}
	_, err := b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "代表未评价")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_window_open")
	b.now = b.now.AddDate(0, 2, 0)
	s = must(b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "评价期满未反馈"))
	_, err = b.svc.Reopen(b.ctx, b.reviewer(), s.ID, s.Version, "")
	wantErr(t, err, suggestion.ErrInvalid, "reason_required")
	s = must(b.svc.Reopen(b.ctx, b.reviewer(), s.ID, s.Version, "回头看发现公园设施未完善"))
	if s.Status != suggestion.StatusRehandling || s.ClosedAt != nil {
		t.Fatalf("reopened: %s", s.Status)
	}
}

func TestExtensionForComplexCase(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "集中供热管网改造")
	must(b.svc.Accept(b.ctx, b.unit(0), asgs[0].ID, suggestion.AcceptInput{HandlerName: "孙"}))
	e := must(b.svc.RequestExtension(b.ctx, b.unit(0), asgs[0].ID, "涉及多部门，需要统筹资金"))
	s = must(b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, true, "同意"))
	if !s.Complex {
		t.Fatal("approved extension did not mark the case complex")
	}
	// 6 months from 2026-03-20 → 2026-09-20, a make-up working Sunday
	if got := s.ReplyDueAt.In(shanghai(t)).Format("2006-01-02"); got != "2026-09-20" {
		t.Fatalf("complex reply due %s, want 2026-09-20", got)
	}
	_, err := b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, true, "再次")
	wantErr(t, err, suggestion.ErrConflict, "extension_decided")
}

// Similar earlier suggestions are offered by shared wording, not by identical titles, and
// never include drafts, merged duplicates or the suggestion itself.
func TestSimilarOffersRelatedSuggestions(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	bus := b.submitted(t, "关于优化公交车线路和运行时间的建议")
	road := b.submitted(t, "关于民政路提升改建的建议")
	b.submitted(t, "关于加强居家养老服务的建议")
	must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "公交线路草稿", Body: body}))
	// Another deputy drafting is offered nothing not yet registered: those stay private.
	if got := must(b.svc.Similar(b.ctx, b.deputy(1), "公交线路太少，末班车太早", 0, 5)); len(got) != 0 {
		t.Fatalf("a deputy was offered another's unregistered suggestions: %+v", got)
	}
	got := must(b.svc.Similar(b.ctx, b.reviewer(), "公交线路太少，末班车太早", 0, 5))
	if len(got) == 0 || got[0].ID != bus.ID {
		t.Fatalf("similar to 公交线路: %+v, want the bus-route suggestion first", got)
	}
	for _, x := range got {
		if x.Title == "公交线路草稿" {
			t.Fatal("a draft was offered as similar")
		}
		if x.Title == "关于加强居家养老服务的建议" {
			t.Fatal("an unrelated suggestion was offered")
		}
	}
	got = must(b.svc.Similar(b.ctx, b.reviewer(), "民政路拓宽", road.ID, 5))
	for _, x := range got {
		if x.ID == road.ID {
			t.Fatal("the suggestion itself was offered as similar")
		}
	}
	if got := must(b.svc.Similar(b.ctx, b.reviewer(), "关于的建议", 0, 5)); len(got) != 0 {
		t.Fatalf("boilerplate alone matched %d suggestions", len(got))
	}
	// generic policy words match nothing on their own: they are in almost every title
	if got := must(b.svc.Similar(b.ctx, b.reviewer(), "关于进一步加强问题解决的建议", 0, 5)); len(got) != 0 {
		t.Fatalf("generic words matched %d suggestions", len(got))
	}

	// A retitled draft is found by its new title once submitted, and no longer by its old one.
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(2), suggestion.DraftInput{Title: "关于校园周边停车难的建议", Body: body}))
	d = must(b.svc.UpdateDraft(b.ctx, b.deputy(2), d.ID, d.Version, suggestion.DraftInput{Title: "关于菜市场环境卫生的建议", Body: body}))
	must(b.svc.Submit(b.ctx, b.deputy(2), d.ID, d.Version))
	if got := must(b.svc.Similar(b.ctx, b.reviewer(), "菜市场卫生脏乱", 0, 5)); len(got) == 0 || got[0].ID != d.ID {
		t.Fatalf("similar to the new title: %+v, want the retitled suggestion", got)
	}
	for _, x := range must(b.svc.Similar(b.ctx, b.reviewer(), "校园周边停车", 0, 5)) {
		if x.ID == d.ID {
			t.Fatal("the retitled suggestion is still found by its old title")
		}
	}
}

// Lists filter by status, and a deputy sees what they lead or co-sign, newest first.
func TestListFilters(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	sub := b.submitted(t, "待审核的建议")
	reg := b.registered(t, "已立案的建议")
	got := must(b.svc.List(b.ctx, b.reviewer(), suggestion.ListFilter{Statuses: []suggestion.Status{suggestion.StatusRegistered}}))
	if len(got) != 1 || got[0].ID != reg.ID {
		t.Fatalf("registered filter: %+v", got)
	}
	got = must(b.svc.List(b.ctx, b.deputy(0), suggestion.ListFilter{}))
	if len(got) != 2 || got[0].ID != reg.ID || got[1].ID != sub.ID {
		t.Fatalf("deputy list: %+v", got)
	}
	got = must(b.svc.List(b.ctx, b.deputy(0), suggestion.ListFilter{Before: reg.ID, Limit: 1}))
	if len(got) != 1 || got[0].ID != sub.ID {
		t.Fatalf("cursor page: %+v", got)
	}
	if got := must(b.svc.List(b.ctx, b.deputy(2), suggestion.ListFilter{})); len(got) != 0 {
		t.Fatalf("another deputy sees %d suggestions", len(got))
	}
}

// Changes that touch the same deputies' lists in opposite roles (A leads and B co-signs one,
// B leads and A co-signs the other) run side by side without deadlocking, and each raises
// both deputies' list stamps exactly once.
func TestConcurrentChangesSharingDeputies(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	a, c := b.deputy(0), b.deputy(1)
	var subs []*suggestion.Suggestion
	for i := range 16 {
		lead, co := a, c // suggestions i and i+8 share a stamp shard with the roles swapped
		if i >= 8 {
			lead, co = c, a
		}
		d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: fmt.Sprintf("联名建议%d", i), Body: body}))
		noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{co.ID}))
		noErr(b.svc.RespondCosign(b.ctx, co, d.ID, true))
		s := must(b.svc.Get(b.ctx, lead, d.ID))
		subs = append(subs, must(b.svc.Submit(b.ctx, lead, s.ID, s.Version)))
	}
	stampA, stampC := must(b.svc.ListStamp(b.ctx, a)), must(b.svc.ListStamp(b.ctx, c))
	var wg sync.WaitGroup
	errs := make(chan error, len(subs))
	for w := range 8 {
		wg.Go(func() {
			for i := w * 2; i < w*2+2; i++ {
				_, err := b.svc.Register(b.ctx, b.reviewer(), subs[i].ID, subs[i].Version, b.tn.Categories[0])
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("register beside other changes to the same deputies: %v", err)
		}
	}
	if got := must(b.svc.ListStamp(b.ctx, a)) - stampA; got != 16 {
		t.Fatalf("deputy A's stamp rose by %d for 16 changes", got)
	}
	if got := must(b.svc.ListStamp(b.ctx, c)) - stampC; got != 16 {
		t.Fatalf("deputy B's stamp rose by %d for 16 changes", got)
	}
	wantErr(t, func() error { _, err := b.svc.ListStamp(b.ctx, b.reviewer()); return err }(), suggestion.ErrForbidden, "")
}
