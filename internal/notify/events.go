package notify

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"jianyi/internal/suggestion"
)

// OutboxEvent is one row of the outbox table written by internal/suggestion.
type OutboxEvent struct {
	TenantID     int64
	ID           int64
	Event        string
	SuggestionID int64
	Payload      map[string]any
	CreatedAt    time.Time
}

// EvNudged is a deputy's 催办 (internal/nudge.EvNudged; repeated here so notify does not
// depend on the bot's package).
const EvNudged = "suggestion.nudged"

// SuggestionFacts is what notice texts say about a suggestion.
type SuggestionFacts struct {
	Title        string
	Number       int
	LeadDeputyID int64
	// LeadDeputyName is the lead deputy's name, for texts that say who asks (联名邀请).
	LeadDeputyName string
	LeaderUserID   int64
}

// AssignmentFacts is what notice texts say about one unit's assignment.
type AssignmentFacts struct {
	UnitID       int64
	UnitName     string
	Role         string
	HandlerName  string
	HandlerPhone string
	DueAt        time.Time // the reply deadline (lead unit) or the co-opinion deadline (co-unit)
}

// Staff roles notices go to (user_roles.role).
const (
	RoleReviewer    = "reviewer"
	RoleCoordinator = "coordinator"
	RoleLeader      = "leader"
	RoleUnitHandler = "unit_handler"
	RoleUnitLeader  = "unit_leader"
)

// Audience says who gets a notice; the store resolves it to recipients, without duplicates.
type Audience struct {
	Deputies  bool    // the lead deputy and the co-signers (accepted or merged)
	DeputyIDs []int64 // these deputies
	UnitIDs   []int64 // staff of these units with UnitRoles
	UnitRoles []string
	Roles     []string // staff of the tenant with any of these roles
	KeyLeader bool     // the key suggestion's leader (suggestions.leader_user_id)
	UserIDs   []int64  // these staff users
}

// Staff reports whether the audience is staff (console pages) rather than deputies.
func (a Audience) Staff() bool { return !a.Deputies && len(a.DeputyIDs) == 0 }

// Recipient is a deputy or a staff user.
type Recipient struct {
	Kind string
	ID   int64
}

// Lookup reads the facts notice texts need and resolves audiences, inside the relay's
// transaction.
type Lookup interface {
	Suggestion(ctx context.Context, tenantID, id int64) (SuggestionFacts, error)
	Assignment(ctx context.Context, tenantID, id int64) (AssignmentFacts, error)
	UnitNames(ctx context.Context, tenantID int64, ids []int64) ([]string, error)
	LeadUnits(ctx context.Context, tenantID, suggestionID int64) ([]int64, error)
	ContactAssignment(ctx context.Context, tenantID, contactID int64) (assignmentID int64, err error)
	Recipients(ctx context.Context, tenantID, suggestionID int64, a Audience) ([]Recipient, error)
}

// NoticeSpec is one notice to create for every recipient of Audience.
type NoticeSpec struct {
	Audience Audience
	Kind     string
	Title    string
	Body     string
	Page     string
	Fields   map[string]string
}

var unitStaff = []string{RoleUnitHandler, RoleUnitLeader}

// Plan turns an outbox event into notice specs (PRODUCT.md "Notifications"). Events that
// tell nobody anything return none.
func Plan(ctx context.Context, lk Lookup, ev OutboxEvent) ([]NoticeSpec, error) {
	p := payload(ev.Payload)
	sg, err := lk.Suggestion(ctx, ev.TenantID, ev.SuggestionID)
	if err != nil {
		return nil, fmt.Errorf("suggestion %d: %w", ev.SuggestionID, err)
	}
	if n := p.int("number"); n > 0 {
		sg.Number = int(n)
	}
	at := ev.CreatedAt
	subj := subject(sg.Title, sg.Number)
	sid := ev.SuggestionID
	reason := p.str("reason")
	deputies := Audience{Deputies: true}
	toDeputies := func(kind, title, body, phrase, note, page string) NoticeSpec {
		return NoticeSpec{Audience: deputies, Kind: kind, Title: title, Body: body, Page: page,
			Fields: fields(sg.Title, phrase, note, at)}
	}
	toStaff := func(a Audience, kind, title, body, phrase, note string) NoticeSpec {
		return NoticeSpec{Audience: a, Kind: kind, Title: title, Body: body, Page: ConsolePage(sid),
			Fields: fields(sg.Title, phrase, note, at)}
	}
	withReason := func(s string) string {
		if reason == "" {
			return s
		}
		return s + "原因：" + reason
	}
	var out []NoticeSpec
	switch ev.Event {
	case suggestion.EvSubmitted:
		out = append(out,
			toDeputies(KindReceived, "建议已收到", "您的建议"+subj+"已提交，代表工委将尽快审查。", "已收到", "等待审查", pageSuggestion(sid)),
			toStaff(Audience{Roles: []string{RoleReviewer}}, KindNewSubmission, "新建议待审查", "代表提交了建议"+subj+"，请审查。", "待审查", "请及时审查立案"))
	case suggestion.EvReturned:
		out = append(out, toDeputies(KindReturned, "建议退回修改", withReason("您的建议"+subj+"需修改后重新提交。"), "退回修改", clipOr(reason, "请修改后重新提交"), pageSuggestion(sid)))
	case suggestion.EvNotRegistered:
		// An opinion letter (意见函): the deputies hear where it went, the units receive it.
		units := p.ints("unit_ids")
		where := "将作为意见转交有关部门参考。"
		if len(units) > 0 {
			names, err := lk.UnitNames(ctx, ev.TenantID, units)
			if err != nil {
				return nil, err
			}
			where = "已作为意见转交" + strings.Join(names, "、") + "参考。"
			out = append(out, toStaff(Audience{UnitIDs: units, UnitRoles: unitStaff}, KindOpinionForwarded, "代表意见转交",
				withReason("代表建议"+subj+"经审查不予立案，作为意见函转交贵单位研究参考。"), "意见转交", "请研究参考"))
		}
		out = append(out, toDeputies(KindNotRegistered, "建议不予立案", withReason("您的建议"+subj+"经审查不予立案，"+where), "不予立案", clipOr(reason, "转为意见处理"), pageSuggestion(sid)))
	case suggestion.EvRegistered:
		out = append(out, toDeputies(KindRegistered, "建议已立案", "您的建议"+subj+"已立案，编号"+numberLabel(sg.Number)+"。", "已立案", "编号"+numberLabel(sg.Number), pageSuggestion(sid)))
	case suggestion.EvAssigned:
		units := p.ints("unit_ids")
		names, err := lk.UnitNames(ctx, ev.TenantID, units)
		if err != nil {
			return nil, err
		}
		dueText := dueClause(suggestion.RoleLead, p.time("due_at"))
		uname := strings.Join(names, "、")
		// The lead unit owes the reply by the reply deadline; a co-unit owes the lead unit its
		// opinion by its own co-opinion deadline (co_due_at), and each reads which it is.
		leadUnit, coUnits := p.int("lead_unit_id"), p.ints("co_unit_ids")
		if leadUnit <= 0 && len(units) > 0 {
			leadUnit, coUnits = units[0], units[1:]
		}
		out = append(out,
			toDeputies(KindAssigned, "建议已交办", "您的建议"+subj+"已交办"+uname+"办理"+dueText+"。", "已交办", uname, pageSuggestion(sid)),
			newAssignment(toStaff, []int64{leadUnit}, suggestion.RoleLead, "建议"+subj+"已交办贵单位", p.time("due_at")))
		if len(coUnits) > 0 {
			out = append(out, newAssignment(toStaff, coUnits, suggestion.RoleCo, "建议"+subj+"已交办贵单位", p.time("co_due_at")))
		}
		if p.int("leader_user_id") > 0 {
			out = append(out, toStaff(Audience{UserIDs: []int64{p.int("leader_user_id")}}, KindNewAssignment, "领衔督办建议", "建议"+subj+"已列为重点建议，由您领衔督办。", "领衔督办", "重点建议"))
		}
		if p.str("mode") == string(suggestion.ModeJoint) {
			// 协同联办: the 督查室 (coordinators) follows the case with the 代表工作部门 from
			// the start, so it hears which unit leads and which units share the work.
			lead, err := lk.UnitNames(ctx, ev.TenantID, []int64{p.int("lead_unit_id")})
			if err != nil {
				return nil, err
			}
			co, err := lk.UnitNames(ctx, ev.TenantID, p.ints("co_unit_ids"))
			if err != nil {
				return nil, err
			}
			leadName, coNames := strings.Join(lead, "、"), strings.Join(co, "、")
			out = append(out, toStaff(Audience{Roles: []string{RoleCoordinator}}, KindNewAssignment, "协同联办建议已交办",
				"建议"+subj+"按协同联办交办，主办单位："+leadName+"；协办单位："+clipOr(coNames, "无")+dueText+"。请按办理工作方案协同督办。",
				"协同联办", "主办："+leadName))
		}
	case suggestion.EvAccepted:
		as, err := lk.Assignment(ctx, ev.TenantID, p.int("assignment_id"))
		if err != nil {
			return nil, err
		}
		body := as.UnitName + "已签收您的建议" + subj + "。"
		if as.HandlerName != "" {
			body += "经办人：" + as.HandlerName
			if as.HandlerPhone != "" {
				body += "，联系电话：" + as.HandlerPhone
			}
			body += "。"
		}
		out = append(out, toDeputies(KindAccepted, "承办单位已签收", body, "已签收", as.UnitName, pageSuggestion(sid)))
	case suggestion.EvReturnRequested:
		as, err := lk.Assignment(ctx, ev.TenantID, p.int("assignment_id"))
		if err != nil {
			return nil, err
		}
		out = append(out, toStaff(Audience{Roles: []string{RoleReviewer, RoleCoordinator}}, KindReturnRequested, "承办单位申请退回", withReason(as.UnitName+"申请退回建议"+subj+"。"), "申请退回", as.UnitName))
	case suggestion.EvReturnDecided:
		asking := Audience{UnitIDs: []int64{p.int("unit_id")}, UnitRoles: unitStaff}
		if p.str("decision") == "withdrawn" {
			// A co-unit's return granted with no unit in its place: the unit that asked is
			// off the case and owes nothing more (its link is its list of assignments, the
			// case's page being gone for it); the lead unit no longer waits for its opinion,
			// as it hears of the opinions co-units send; the deputies learn who works on
			// their case, as when a co-unit is re-routed.
			as, err := lk.Assignment(ctx, ev.TenantID, p.int("assignment_id"))
			if err != nil {
				return nil, err
			}
			gone := toStaff(asking, KindReturnDecided, "退回申请已同意",
				withReason("贵单位关于建议"+subj+"的退回申请已同意，本单位不再协办该建议，无需再办理。"), "已同意退回", "不再协办")
			gone.Page = ConsoleUnitInbox
			out = append(out, gone)
			lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
			if err != nil {
				return nil, err
			}
			if len(lead) > 0 {
				out = append(out, toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff}, KindProgress, "协办单位已调整",
					"建议"+subj+"的协办单位"+as.UnitName+"经同意退回，不再协办，无需等待其协办意见。", "已调整", as.UnitName+"不再协办"))
			}
			out = append(out, toDeputies(KindAssigned, "协办单位已调整", "您的建议"+subj+"的协办单位"+as.UnitName+"不再参与办理。",
				"已调整", "不再协办："+as.UnitName, pageSuggestion(sid)))
			break
		}
		newUnit, newAsg := p.int("new_unit_id"), p.int("new_assignment_id")
		if p.str("decision") != "reassigned" || newUnit <= 0 {
			// Kept: the unit must still sign for the case, whose page it keeps seeing.
			out = append(out, toStaff(asking, KindReturnDecided, "退回申请未同意",
				withReason("贵单位关于建议"+subj+"的退回申请未同意，仍由本单位办理，请及时签收办理。"), "仍需办理", "仍由本单位办理"))
			break
		}
		// Re-routed: the new unit hears it as a first assignment in the same role (the new
		// assignment keeps the old one's role and due date), and the deputies learn where
		// their case went.
		var as AssignmentFacts
		if id := max(newAsg, p.int("assignment_id")); id > 0 {
			if as, err = lk.Assignment(ctx, ev.TenantID, id); err != nil {
				return nil, err
			}
		}
		uname, role := as.UnitName, suggestion.AssignmentRole(as.Role)
		if newAsg <= 0 || as.UnitID != newUnit {
			names, err := lk.UnitNames(ctx, ev.TenantID, []int64{newUnit})
			if err != nil {
				return nil, err
			}
			uname = strings.Join(names, "、")
		}
		// The unit that asked is off the case: its console page of the case is gone for it,
		// so the notice links its list of assignments.
		moved := toStaff(asking, KindReturnDecided, "退回申请已同意",
			withReason("贵单位关于建议"+subj+"的退回申请已同意，已改派给"+uname+"，本单位无需再办理。"), "已改派", "已改派给"+uname)
		moved.Page = ConsoleUnitInbox
		out = append(out, moved)
		if role == suggestion.RoleCo {
			// The deputies care who works on it, not the co-unit's own deadline, which is
			// not the reply's.
			out = append(out, toDeputies(KindAssigned, "协办单位已调整", "您的建议"+subj+"的协办单位调整为"+uname+"。", "已调整", "协办单位："+uname, pageSuggestion(sid)))
		} else {
			out = append(out, toDeputies(KindAssigned, "建议已改交办", "您的建议"+subj+"已改由"+uname+"主办"+dueClause(role, as.DueAt)+"。", "已改办", uname, pageSuggestion(sid)))
		}
		out = append(out, newAssignment(toStaff, []int64{newUnit}, role, "建议"+subj+"已改派贵单位", as.DueAt))
	case suggestion.EvContactRecorded:
		stage := suggestion.ContactStage(p.str("stage")).Label()
		out = append(out, toDeputies(KindContactRecorded, "请确认沟通记录", "承办单位记录了关于建议"+subj+"的"+stage+"，请确认。", "待确认", stage, pageContact(sid, p.int("contact_id"))))
	case suggestion.EvContactDisputed:
		asID := p.int("assignment_id")
		var unit int64
		if asID > 0 {
			as, err := lk.Assignment(ctx, ev.TenantID, asID)
			if err != nil {
				return nil, err
			}
			unit = as.UnitID
		}
		out = append(out, toStaff(Audience{UnitIDs: []int64{unit}, UnitRoles: unitStaff, Roles: []string{RoleReviewer}}, KindDisputed, "代表对沟通记录有异议", withReason("代表对建议"+subj+"的沟通记录提出异议。"), "有异议", clipOr(reason, "请核实沟通情况")))
	case suggestion.EvProgress:
		if !p.boolOr("private", false) {
			out = append(out, toDeputies(KindProgress, "建议办理有新进展", "您的建议"+subj+"有新的办理进展。", "有进展", "点击查看办理进展", pageSuggestion(sid)))
		}
		if !p.boolOr("by_unit", true) { // events queued before by_unit existed were the units' own
			// Supervision: the unit handling the case hears what the leader or the
			// committee asked for.
			lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
			if err != nil {
				return nil, err
			}
			if len(lead) > 0 {
				out = append(out, toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff}, KindSupervised, "督办意见",
					"建议"+subj+"有新的督办意见，请查看并抓紧办理。", "督办", "请查看督办意见"))
			}
		}
	case suggestion.EvCoOpinion:
		lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
		if err != nil {
			return nil, err
		}
		out = append(out, toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff}, KindProgress, "协办意见已提交", "协办单位已提交建议"+subj+"的协办意见。", "已提交", "协办意见已提交"))
	case suggestion.EvReplied:
		out = append(out, toDeputies(KindReplied, "建议已答复，请评价", "承办单位已答复您的建议"+subj+"，请查看并评价。", "待评价", "请查看答复并评价", pageRate(sid)))
	case suggestion.EvRated, suggestion.EvUnsatisfied:
		if ev.Event == suggestion.EvRated && p.str("rating") != string(suggestion.Unsatisfied) {
			return nil, nil
		}
		lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
		if err != nil {
			return nil, err
		}
		out = append(out, toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff, Roles: []string{RoleReviewer}, KeyLeader: true}, KindUnsatisfied, "代表评价不满意", withReason("代表对建议"+subj+"的答复不满意。"), "不满意", clipOr(reason, "请研究重新办理")))
	case suggestion.EvImplRated:
		// 落实不满意: the case stays on the tracking list and the unit must hear it, like an
		// unsatisfied reply rating.
		if p.str("rating") != string(suggestion.Unsatisfied) {
			return nil, nil
		}
		lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
		if err != nil {
			return nil, err
		}
		out = append(out, toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff, Roles: []string{RoleReviewer}, KeyLeader: true}, KindUnsatisfied, "代表评价落实不满意", withReason("代表对建议"+subj+"的承诺事项落实情况不满意。"), "落实不满意", clipOr(reason, "请继续抓好落实")))
	case suggestion.EvReopenRequested:
		// The author says the work was not done: the reviewers decide on 回头看, and the
		// unit that handled it hears it too.
		lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
		if err != nil {
			return nil, err
		}
		out = append(out, toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff, Roles: []string{RoleReviewer}}, KindReopenRequested,
			"代表申请回头看", withReason("代表认为建议"+subj+"的办理没有落实到位，申请回头看。"), "申请回头看", clipOr(reason, "请研究是否重新办理")))
	case suggestion.EvRehandling, suggestion.EvReopened:
		kind, title, phrase := KindRehandling, "建议重新办理", "重新办理"
		if ev.Event == suggestion.EvReopened {
			kind, title, phrase = KindReopened, "建议重新启动办理", "重新办理"
		}
		lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
		if err != nil {
			return nil, err
		}
		due := p.time("due_at")
		dueText := ""
		if !due.IsZero() {
			dueText = "，期限" + fmtDate(due)
		}
		out = append(out,
			toDeputies(kind, title, withReason("您的建议"+subj+"已启动重新办理"+dueText+"。"), phrase, "承办单位将重新办理", pageSuggestion(sid)),
			toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff}, kind, title, withReason("建议"+subj+"需重新办理"+dueText+"。"), phrase, "请重新办理并答复"))
	case suggestion.EvEscalated:
		lead, err := lk.LeadUnits(ctx, ev.TenantID, sid)
		if err != nil {
			return nil, err
		}
		out = append(out,
			toDeputies(KindRehandling, "建议转入领导督办", "您的建议"+subj+"两次评价不满意，已转入面商和领导督办。", "领导督办", "将安排面对面协商", pageSuggestion(sid)),
			toStaff(Audience{UnitIDs: lead, UnitRoles: unitStaff, Roles: []string{RoleReviewer, RoleLeader}, KeyLeader: true}, KindEscalated, "建议升级督办", "建议"+subj+"两次评价不满意，请组织面商并加强督办。", "升级督办", "请组织面商"))
	case suggestion.EvTracking:
		out = append(out, toDeputies(KindProgress, "建议列入跟踪督办", "您的建议"+subj+"的答复承诺事项将跟踪督办直至落实。", "跟踪督办", "承诺事项跟踪落实中", pageSuggestion(sid)))
	case suggestion.EvCommitmentDone:
		if p.int("open_commitments") == 0 {
			return nil, nil // implementation_due follows in the same transaction
		}
		out = append(out, toDeputies(KindProgress, "承诺事项有进展", "您的建议"+subj+"有一项承诺事项已完成。", "有进展", "一项承诺事项已完成", pageSuggestion(sid)))
	case suggestion.EvImplementationDue:
		out = append(out, toDeputies(KindCommitmentDone, "承诺事项已完成，请评价落实情况", "您的建议"+subj+"的承诺事项已全部完成，请评价落实情况。", "待评价", "请评价落实情况", pageImplRate(sid)))
	case suggestion.EvClosed:
		out = append(out, toDeputies(KindClosed, "建议已办结", "您的建议"+subj+"已办结，感谢您的履职。", "已办结", "感谢您的履职", pageSuggestion(sid)))
	case suggestion.EvMerged:
		out = append(out, NoticeSpec{Audience: Audience{DeputyIDs: p.ints("deputy_ids")}, Kind: KindMerged, Title: "建议已合并办理",
			Body: withReason("您的建议" + subj + "已与同类建议合并办理，您将同样收到答复并参与评价。"), Page: pageSuggestion(p.int("into_id")),
			Fields: fields(sg.Title, "合并办理", "将同样收到答复", at)})
	case suggestion.EvCosignInvited:
		// The invited deputy decides knowing who asks: the lead deputy, by name.
		who := "有代表"
		if name := strings.TrimSpace(sg.LeadDeputyName); name != "" {
			who = name + "代表"
		}
		out = append(out, NoticeSpec{Audience: Audience{DeputyIDs: p.ints("deputy_ids")}, Kind: KindCosignInvited, Title: "联名邀请",
			Body: who + "邀请您联名提出建议" + subj + "，请确认。", Page: pageSuggestion(sid),
			Fields: fields(sg.Title, "待确认", who+"邀请您联名", at)})
	case EvNudged:
		out = append(out, toStaff(Audience{UnitIDs: p.ints("unit_ids"), UnitRoles: unitStaff}, KindNudged, "代表催办",
			"代表催促办理建议"+subj+"，请抓紧办理并及时反馈。", "代表催办", "请抓紧办理并反馈"))
	case suggestion.EvExtensionRequested:
		as, err := lk.Assignment(ctx, ev.TenantID, p.int("assignment_id"))
		if err != nil {
			return nil, err
		}
		out = append(out, toStaff(Audience{Roles: []string{RoleReviewer}}, KindExtension, "延期申请待审批", withReason(as.UnitName+"申请延长建议"+subj+"的办理期限。"), "待审批", as.UnitName))
	case suggestion.EvExtensionDecided:
		as, err := lk.Assignment(ctx, ev.TenantID, p.int("assignment_id"))
		if err != nil {
			return nil, err
		}
		// The unit reads until when it must reply: the new deadline (the decision's due_at,
		// else its assignment's, which the approval moved) or the one that stands.
		res, due, text, note := "未获批准", as.DueAt, "，答复期限仍为", "延期申请未获批准"
		if p.str("decision") == "approved" {
			res, text = "已获批准", "，答复期限延长至"
			if d := p.time("due_at"); !d.IsZero() {
				due = d
			}
			note = "答复期限延至" + fmtDate(due)
		}
		if due.IsZero() {
			text = ""
		} else {
			text += fmtDate(due)
		}
		out = append(out, toStaff(Audience{UnitIDs: []int64{as.UnitID}, UnitRoles: unitStaff}, KindReturnDecided, "延期申请"+res, withReason("贵单位关于建议"+subj+"的延期申请"+res+text+"。"), "已处理", note))
	}
	return out, nil
}

// dueClause is "，答复期限<date>" for the lead unit and "，协办意见期限<date>" for a co-unit
// (its opinion to the lead unit is due before the reply); "" without a date.
func dueClause(role suggestion.AssignmentRole, due time.Time) string {
	if due.IsZero() {
		return ""
	}
	if role == suggestion.RoleCo {
		return "，协办意见期限" + fmtDate(due)
	}
	return "，答复期限" + fmtDate(due)
}

// newAssignment is the 新交办 notice to the staff of units taking the case in role. what names
// the case and how it came ("建议《…》已交办贵单位", "…已改派贵单位"); the text adds 主办 or
// 协办, the units' own deadline and what they are to do.
func newAssignment(toStaff func(Audience, string, string, string, string, string) NoticeSpec, units []int64,
	role suggestion.AssignmentRole, what string, due time.Time) NoticeSpec {
	a := Audience{UnitIDs: units, UnitRoles: unitStaff}
	if role == suggestion.RoleCo {
		return toStaff(a, KindNewAssignment, "新交办建议（协办）", what+"协办"+dueClause(role, due)+"，请及时签收并向主办单位提出协办意见。",
			"待签收", "协办：请签收并提出协办意见")
	}
	return toStaff(a, KindNewAssignment, "新交办建议（主办）", what+"主办"+dueClause(role, due)+"，请及时签收办理。", "待签收", "主办：请及时签收办理")
}

func clipOr(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// payload reads JSON-decoded outbox payloads.
type payload map[string]any

func (p payload) str(k string) string {
	if s, ok := p[k].(string); ok {
		return strings.TrimSpace(s)
	}
	return ""
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) {
			return int64(x)
		}
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}

func (p payload) int(k string) int64 { return toInt(p[k]) }

// boolOr reads a flag, def when the payload lacks it.
func (p payload) boolOr(k string, def bool) bool {
	if b, ok := p[k].(bool); ok {
		return b
	}
	return def
}

func (p payload) ints(k string) []int64 {
	arr, _ := p[k].([]any)
	out := make([]int64, 0, len(arr))
	for _, v := range arr {
		if n := toInt(v); n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func (p payload) time(k string) time.Time {
	s, _ := p[k].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
