package notify_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
)

func staffActor(b *bundle, id int64, roles ...auth.Role) auth.Actor {
	return auth.Actor{TenantID: b.tn.ID, Kind: auth.KindStaff, ID: id, Roles: roles}
}

func unitActor(b *bundle, i int) auth.Actor {
	a := staffActor(b, b.tn.Handlers[i], auth.RoleUnitHandler)
	a.UnitID = b.tn.Units[i]
	return a
}

// TestFullLifeNotices drives one suggestion through its whole life with the workflow service
// and checks every notice per recipient and every delivery per channel.
func TestFullLifeNotices(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	// Deputy 0 reads the mini-program with a long-term subscription; deputy 1 follows the
	// official account; the reviewer is bound on the official account.
	b.exec(t, `UPDATE deputies SET mp_openid = 'mp-d0' WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Deputies[0])
	b.exec(t, `UPDATE deputies SET oa_openid = 'oa-d1', oa_following = true WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Deputies[1])
	b.exec(t, `UPDATE users SET oa_openid = 'oa-rev' WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Reviewer)
	if err := b.credit.Record(b.ctx, b.tn.ID, b.tn.Deputies[0], "TPL_mp_subscribe", true, true); err != nil {
		t.Fatal(err)
	}

	lead, co := auth.Deputy(b.tn.ID, b.tn.Deputies[0]), auth.Deputy(b.tn.ID, b.tn.Deputies[1])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	body := "民政路早晚高峰拥堵严重，建议拓宽道路并优化红绿灯配时，方便群众出行。"
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于民政路提升改建和交通秩序综合整治的建议", Body: body}))
	if err := b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1]}); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.RespondCosign(b.ctx, co, d.ID, true); err != nil {
		t.Fatal(err)
	}
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0],
		CoUnitIDs: []int64{b.tn.Units[1]}, Mode: suggestion.ModeLeaderLed, LeaderUserID: b.tn.Leader}))
	b.drain(t) // pushes go out as the case moves
	det := must(b.svc.Detail(b.ctx, rev, s.ID))
	leadAsg, coAsg := det.Assignments[0], det.Assignments[1]
	must(b.svc.Accept(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"}))
	must(b.svc.Accept(b.ctx, unitActor(b, 1), coAsg.ID, suggestion.AcceptInput{HandlerName: "周经办"}))
	c := must(b.svc.RecordContact(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.clock.Now(), Method: "座谈", People: "孙经办、张建国代表", Summary: "了解代表意图"}))
	must(b.svc.ConfirmContact(b.ctx, lead, c.ID, true, ""))
	must(b.svc.SubmitCoOpinion(b.ctx, unitActor(b, 1), coAsg.ID, "教育局同意配合。"))
	must(b.svc.AddProgress(b.ctx, unitActor(b, 0), s.ID, "已完成现场勘查。", false))
	must(b.svc.AddProgress(b.ctx, unitActor(b, 0), s.ID, "内部：需协调用地指标。", true))
	must(b.svc.Reply(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "已完成信号灯配时优化，拥堵明显缓解。"}))
	b.drain(t)
	must(b.svc.RateReply(b.ctx, co, s.ID, suggestion.BasicallySatisfied, ""))
	must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Unsatisfied, "道路没有拓宽"))
	must(b.svc.Reply(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.ReplyInput{Class: suggestion.ClassB,
		Body: "拓宽工程已列入明年计划，先行实施交通疏导。", Commitments: []suggestion.CommitmentInput{{What: "完成民政路拓宽", DueOn: b.clock.Now().AddDate(0, 8, 0)}}}))
	must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	det = must(b.svc.Detail(b.ctx, lead, s.ID))
	if err := b.svc.CompleteCommitment(b.ctx, unitActor(b, 0), det.Replies[1].Commitments[0].ID, "拓宽工程已完工通车"); err != nil {
		t.Fatal(err)
	}
	s = must(b.svc.RateImplementation(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("status %s", s.Status)
	}
	b.drain(t)
	b.drain(t) // a second run creates and sends nothing more

	who := map[string]string{
		fmt.Sprintf("deputy:%d", b.tn.Deputies[0]): "lead", fmt.Sprintf("deputy:%d", b.tn.Deputies[1]): "co",
		fmt.Sprintf("user:%d", b.tn.Reviewer): "reviewer", fmt.Sprintf("user:%d", b.tn.Leader): "leader",
		fmt.Sprintf("user:%d", b.tn.Handlers[0]): "h0", fmt.Sprintf("user:%d", b.tn.UnitLeaders[0]): "l0",
		fmt.Sprintf("user:%d", b.tn.Handlers[1]): "h1", fmt.Sprintf("user:%d", b.tn.UnitLeaders[1]): "l1",
	}
	rows, err := b.pool.Query(b.ctx, `SELECT n.recipient_kind || ':' || n.recipient_id, n.kind, d.channel, d.status, d.reason
		FROM notices n JOIN deliveries d ON d.tenant_id = n.tenant_id AND d.notice_id = n.id
		WHERE n.tenant_id = $1 ORDER BY n.id, d.seq`, b.tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	notices := map[string][]string{}  // recipient -> kinds in order
	channels := map[string][]string{} // recipient -> channel=status
	for rows.Next() {
		var r, kind, ch, st, reason string
		if err := rows.Scan(&r, &kind, &ch, &st, &reason); err != nil {
			t.Fatal(err)
		}
		name := who[r]
		if name == "" {
			t.Errorf("notice to unexpected recipient %s (%s)", r, kind)
			continue
		}
		if ch == notify.ChannelInApp {
			notices[name] = append(notices[name], kind)
		}
		channels[name+":"+ch] = append(channels[name+":"+ch], st+"/"+reason)
	}
	rows.Close()
	deputyKinds := "received registered assigned accepted accepted contact_recorded progress replied rehandling replied progress commitment_done closed"
	want := map[string]string{
		"lead":     deputyKinds,
		"co":       "cosign_invited " + deputyKinds,
		"reviewer": "new_submission unsatisfied",
		"leader":   "new_assignment unsatisfied",
		"h0":       "new_assignment progress unsatisfied rehandling",
		"l0":       "new_assignment progress unsatisfied rehandling",
		"h1":       "new_assignment",
		"l1":       "new_assignment",
	}
	for name, w := range want {
		if got := strings.Join(notices[name], " "); got != w {
			t.Errorf("%s notices:\n got %s\nwant %s", name, got, w)
		}
	}
	summary := func(key string) string {
		m := map[string]int{}
		for _, s := range channels[key] {
			m[s]++
		}
		var out []string
		for k, v := range m {
			out = append(out, fmt.Sprintf("%s×%d", k, v))
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	nLead, nCo := len(strings.Fields(want["lead"])), len(strings.Fields(want["co"]))
	checks := map[string]string{
		"lead:inapp":            fmt.Sprintf("sent/×%d", nLead),
		"lead:mp_subscribe":     fmt.Sprintf("sent/×%d", nLead),
		"lead:oa_template":      fmt.Sprintf("skipped/sent_via_mp_subscribe×%d", nLead),
		"co:mp_subscribe":       fmt.Sprintf("skipped/not_bound×%d", nCo),
		"co:oa_template":        fmt.Sprintf("sent/×%d", nCo),
		"reviewer:oa_staff":     "sent/×2",
		"h0:oa_staff":           "skipped/not_bound×4",
		"leader:oa_staff":       "skipped/not_bound×2",
		"reviewer:mp_subscribe": "",
	}
	for k, w := range checks {
		if got := summary(k); got != w {
			t.Errorf("%s deliveries = %q, want %q", k, got, w)
		}
	}
	if n := b.app.Count(wechattest.APISubscribeSend); n != nLead {
		t.Errorf("subscribe sends = %d, want %d", n, nLead)
	}
	if n := b.app.Count(wechattest.APITemplateSend); n != nCo+2 {
		t.Errorf("template sends = %d, want %d", n, nCo+2)
	}
	for _, c := range b.app.Calls(wechattest.APISubscribeSend) {
		if !strings.Contains(string(c.Body), `"page":"pages/`) {
			t.Errorf("subscribe message without a mini-program page: %s", c.Body)
		}
	}
	if n := b.count(t, `SELECT count(*) FROM outbox WHERE tenant_id = $1 AND dispatched_at IS NULL`, b.tn.ID); n != 0 {
		t.Errorf("%d outbox rows not dispatched", n)
	}
	// The inbox shows them, newest first.
	list, _, err := b.inbox.List(b.ctx, b.tn.ID, notify.RecipientDeputy, b.tn.Deputies[0], 0, 5)
	if err != nil || len(list) != 5 || list[0].Kind != notify.KindClosed || list[0].Page == "" {
		t.Fatalf("inbox: %+v %v", list, err)
	}
}

// TestTemplateTextsWithinLimits checks that every notice's subscribe fields pass WeChat's
// field limits (47003 must never happen) for long titles too.
func TestTemplateTextsWithinLimits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	long := strings.Repeat("关于加强城市精细化管理", 10)
	b.exec(t, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, number, leader_user_id)
		VALUES ($1, $2, $3, $4, '正文', 12, $5)`, b.tn.ID, b.tn.MeetingID, b.tn.Deputies[0], long[:min(len(long), 600)], b.tn.Leader)
	var sid int64
	_ = b.pool.QueryRow(b.ctx, `SELECT id FROM suggestions WHERE tenant_id = $1`, b.tn.ID).Scan(&sid)
	b.exec(t, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, due_at, return_due_at, handler_name, handler_phone)
		VALUES ($1, $2, $3, 'lead', now(), now(), '孙经办', '0937-6200000')`, b.tn.ID, sid, b.tn.Units[0])
	var asg int64
	_ = b.pool.QueryRow(b.ctx, `SELECT id FROM assignments WHERE tenant_id = $1`, b.tn.ID).Scan(&asg)
	events := []string{suggestion.EvSubmitted, suggestion.EvReturned, suggestion.EvNotRegistered, suggestion.EvRegistered,
		suggestion.EvAssigned, suggestion.EvAccepted, suggestion.EvReturnRequested, suggestion.EvReturnDecided,
		suggestion.EvContactRecorded, suggestion.EvContactDisputed, suggestion.EvProgress, suggestion.EvCoOpinion,
		suggestion.EvReplied, suggestion.EvRated, suggestion.EvImplRated, suggestion.EvRehandling, suggestion.EvEscalated, suggestion.EvTracking,
		suggestion.EvCommitmentDone, suggestion.EvImplementationDue, suggestion.EvClosed, suggestion.EvReopened,
		suggestion.EvMerged, suggestion.EvExtensionRequested, suggestion.EvExtensionDecided, suggestion.EvCosignInvited, notify.EvNudged}
	for _, ev := range events {
		payload := fmt.Sprintf(`{"number": 12, "reason": %q, "unit_ids": [%d], "assignment_id": %d, "unit_id": %d,
			"due_at": "2026-06-22T15:59:59Z", "rating": "unsatisfied", "open_commitments": 1, "stage": "before",
			"deputy_ids": [%d], "into_id": %d, "leader_user_id": %d, "decision": "approved"}`,
			long, b.tn.Units[0], asg, b.tn.Units[0], b.tn.Deputies[1], sid, b.tn.Leader)
		b.exec(t, `INSERT INTO outbox (tenant_id, event, suggestion_id, payload) VALUES ($1, $2, $3, $4)`, b.tn.ID, ev, sid, payload)
	}
	if err := b.relay.Drain(b.ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := b.pool.Query(b.ctx, `SELECT kind, fields, title, page FROM notices WHERE tenant_id = $1`, b.tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for rows.Next() {
		var kind, title, page string
		var f map[string]string
		if err := rows.Scan(&kind, &f, &title, &page); err != nil {
			t.Fatal(err)
		}
		kinds[kind] = true
		if err := wechat.ValidateSubscribeData(f); err != nil {
			t.Errorf("%s: %v (%v)", kind, err, f)
		}
		if title == "" || page == "" {
			t.Errorf("%s: title %q page %q", kind, title, page)
		}
	}
	rows.Close()
	if len(kinds) < 20 {
		t.Errorf("only %d notice kinds produced: %v", len(kinds), kinds)
	}
	_ = time.Now
}

// noticeKinds returns the in-app notice kinds per recipient, in order, named through who.
func noticeKinds(t *testing.T, b *bundle, who map[string]string) map[string]string {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT recipient_kind || ':' || recipient_id, kind FROM notices
		WHERE tenant_id = $1 ORDER BY id`, b.tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, kind string
		if err := rows.Scan(&r, &kind); err != nil {
			t.Fatal(err)
		}
		name := who[r]
		if name == "" {
			t.Errorf("notice to unexpected recipient %s (%s)", r, kind)
			continue
		}
		out[name] = strings.TrimSpace(out[name] + " " + kind)
	}
	return out
}

// TestReassignNotices: a reviewer re-routes a wrongly assigned case; the new unit's staff get
// a new assignment and the deputies learn which unit handles it now.
func TestReassignNotices(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	lead, co := auth.Deputy(b.tn.ID, b.tn.Deputies[0]), auth.Deputy(b.tn.ID, b.tn.Deputies[1])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于改善老旧小区排水设施的建议", Body: "雨季老旧小区积水严重，建议改造排水管网。"}))
	if err := b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1]}); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.RespondCosign(b.ctx, co, d.ID, true); err != nil {
		t.Fatal(err)
	}
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], Mode: suggestion.ModeNormal}))
	b.drain(t)
	det := must(b.svc.Detail(b.ctx, rev, s.ID))
	must(b.svc.RequestReturn(b.ctx, unitActor(b, 0), det.Assignments[0].ID, "不属于本单位职责"))
	n := must(b.svc.DecideReturn(b.ctx, rev, det.Assignments[0].ID, b.tn.Units[2], "改由职能单位办理"))
	if n.UnitID != b.tn.Units[2] {
		t.Fatalf("new assignment to unit %d", n.UnitID)
	}
	b.drain(t)

	who := map[string]string{
		fmt.Sprintf("deputy:%d", b.tn.Deputies[0]): "lead", fmt.Sprintf("deputy:%d", b.tn.Deputies[1]): "co",
		fmt.Sprintf("user:%d", b.tn.Reviewer): "reviewer", fmt.Sprintf("user:%d", b.tn.Coordinator): "coordinator",
		fmt.Sprintf("user:%d", b.tn.Handlers[0]): "h0", fmt.Sprintf("user:%d", b.tn.UnitLeaders[0]): "l0",
		fmt.Sprintf("user:%d", b.tn.Handlers[2]): "h2", fmt.Sprintf("user:%d", b.tn.UnitLeaders[2]): "l2",
	}
	got := noticeKinds(t, b, who)
	want := map[string]string{
		"lead":        "received registered assigned assigned",
		"co":          "cosign_invited received registered assigned assigned",
		"reviewer":    "new_submission return_requested",
		"coordinator": "return_requested",
		"h0":          "new_assignment return_decided",
		"l0":          "new_assignment return_decided",
		"h2":          "new_assignment",
		"l2":          "new_assignment",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s notices:\n got %s\nwant %s", name, got[name], w)
		}
	}
	// The deputies' notice names the new unit; the new unit's notice links its console page.
	var body, page string
	if err := b.pool.QueryRow(b.ctx, `SELECT body FROM notices WHERE tenant_id = $1 AND recipient_kind = 'deputy'
		AND recipient_id = $2 AND kind = 'assigned' ORDER BY id DESC LIMIT 1`, b.tn.ID, b.tn.Deputies[0]).Scan(&body); err != nil {
		t.Fatal(err)
	}
	var unitName string
	_ = b.pool.QueryRow(b.ctx, `SELECT name FROM units WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Units[2]).Scan(&unitName)
	if !strings.Contains(body, "改由"+unitName) || !strings.Contains(body, "答复期限") {
		t.Errorf("deputy notice body %q does not name %s and the deadline", body, unitName)
	}
	if err := b.pool.QueryRow(b.ctx, `SELECT page FROM notices WHERE tenant_id = $1 AND recipient_kind = 'user'
		AND recipient_id = $2`, b.tn.ID, b.tn.Handlers[2]).Scan(&page); err != nil || !strings.Contains(page, fmt.Sprint(s.ID)) {
		t.Errorf("new unit's notice page %q (%v)", page, err)
	}
}

// TestImplementationUnsatisfiedNotices: 落实不满意 keeps the case on the tracking list; the lead
// unit's staff, the reviewers and the key leader hear it as they do an unsatisfied reply.
func TestImplementationUnsatisfiedNotices(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	lead := auth.Deputy(b.tn.ID, b.tn.Deputies[0])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于建设社区养老服务中心的建议", Body: "辖区老年人多，建议建设社区养老服务中心。"}))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0],
		CoUnitIDs: []int64{b.tn.Units[1]}, Mode: suggestion.ModeLeaderLed, LeaderUserID: b.tn.Leader}))
	det := must(b.svc.Detail(b.ctx, rev, s.ID))
	leadAsg := det.Assignments[0]
	must(b.svc.Accept(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.RecordContact(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.clock.Now(), Method: "电话", People: "孙经办", Summary: "了解代表意图"}))
	must(b.svc.Reply(b.ctx, unitActor(b, 0), leadAsg.ID, suggestion.ReplyInput{Class: suggestion.ClassB, Body: "养老服务中心建设已列入明年民生实事计划，正在选址。",
		Commitments: []suggestion.CommitmentInput{{What: "建成养老服务中心", DueOn: b.clock.Now().AddDate(0, 6, 0)}}}))
	must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	det = must(b.svc.Detail(b.ctx, lead, s.ID))
	if err := b.svc.CompleteCommitment(b.ctx, unitActor(b, 0), det.Replies[0].Commitments[0].ID, "已建成"); err != nil {
		t.Fatal(err)
	}
	b.drain(t)
	before := b.count(t, `SELECT count(*) FROM notices WHERE tenant_id = $1 AND kind = 'unsatisfied'`, b.tn.ID)
	if before != 0 {
		t.Fatalf("%d unsatisfied notices before the rating", before)
	}
	s = must(b.svc.RateImplementation(b.ctx, lead, s.ID, suggestion.Unsatisfied, "只建了一半"))
	if s.Status != suggestion.StatusTracking {
		t.Fatalf("status %s", s.Status)
	}
	b.drain(t)
	rows, err := b.pool.Query(b.ctx, `SELECT recipient_kind || ':' || recipient_id, body FROM notices
		WHERE tenant_id = $1 AND kind = 'unsatisfied' ORDER BY recipient_id`, b.tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var r, body string
		if err := rows.Scan(&r, &body); err != nil {
			t.Fatal(err)
		}
		got[r] = body
	}
	rows.Close()
	for name, id := range map[string]int64{"h0": b.tn.Handlers[0], "l0": b.tn.UnitLeaders[0], "reviewer": b.tn.Reviewer, "leader": b.tn.Leader} {
		body, ok := got[fmt.Sprintf("user:%d", id)]
		if !ok {
			t.Errorf("%s was not told of the unsatisfied implementation rating", name)
			continue
		}
		if !strings.Contains(body, "落实") || !strings.Contains(body, "只建了一半") {
			t.Errorf("%s notice body %q", name, body)
		}
	}
	if len(got) != 4 {
		t.Errorf("unsatisfied notices to %v, want the lead unit's handler and leader, the reviewer and the key leader", got)
	}
}
