package console

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
)

type inboxData struct {
	Rows []supervise.InboxRow
	All  bool
	Mine bool // only the assignments the reader accepted (我经办的)
	// Workload is the unit's open work per handler (经办人).
	Workload []supervise.HandlerLoad
	// Problems is the unit's 问题清单 line (supervise_handlers.go).
	Problems *supervise.ProblemSummary
	// Forwarded are the opinion letters (不予立案 submissions) forwarded to the unit.
	Forwarded []suggestion.ForwardedOpinion
}

// Link is the inbox with the given all/mine switches.
func (d inboxData) Link(all, mine bool) string {
	q := url.Values{}
	if all {
		q.Set("all", "1")
	}
	if mine {
		q.Set("mine", "1")
	}
	if len(q) == 0 {
		return "/unit"
	}
	return "/unit?" + q.Encode()
}

func (s *server) unitInbox(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	d := inboxData{All: c.Query("all") == "1", Mine: c.Query("mine") == "1", Problems: s.unitProblems(c)}
	f := supervise.InboxFilter{All: d.All}
	if d.Mine {
		f.HandlerID = a.ID
	}
	var err error
	if d.Rows, err = s.cfg.Supervise.Inbox(ctx, a, f); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Workload, err = s.cfg.Supervise.Workload(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Forwarded, err = s.cfg.Suggestions.ForwardedOpinions(ctx, a, 20); err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, http.StatusOK, "unit", "本单位办理", d)
}

// myAssignment loads the suggestion behind an assignment of the actor's unit; another unit's
// (or another tenant's) assignment is not found.
func (s *server) myAssignment(c *gin.Context) (*detailData, bool) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return nil, false
	}
	return s.myAssignmentID(c, id)
}

// myAssignmentID is myAssignment for assignment id (a form posted elsewhere, e.g. 办理进展 or
// 承诺事项完成, shows the assignment page again).
func (s *server) myAssignmentID(c *gin.Context, id int64) (*detailData, bool) {
	a := actor(c)
	sid, err := s.assignmentSuggestion(c, id)
	if err != nil {
		s.failErr(c, err)
		return nil, false
	}
	dd, err := s.loadDetail(c, sid)
	if err != nil {
		s.failErr(c, err)
		return nil, false
	}
	for i := range dd.D.Assignments {
		as := &dd.D.Assignments[i]
		if as.ID == id && as.UnitID == a.UnitID && as.Active {
			dd.Asg = as
		}
	}
	if dd.Asg == nil {
		s.notFound(c)
		return nil, false
	}
	dd.IsLead = dd.Asg.Role == suggestion.RoleLead
	dd.CanReturn = dd.Asg.State == suggestion.AsgPending && s.now().Before(dd.Asg.ReturnDueAt)
	dd.Meetings = meetings(dd.D.Contacts, id)
	dd.HasBefore = dd.Meetings[0].Held
	s.extensionOffer(dd)
	return dd, true
}

// meetingStage is how one of the 三见面 stands for an assignment: held (recorded, and not
// disputed by the deputy), disputed, or not recorded yet.
type meetingStage struct {
	Label, State string
	Held         bool
}

// meetings is the 三见面 of assignment id, in order (办前, 办中, 办后), from its contacts. A
// stage counts as held once a contact of it stands undisputed; one the deputy disputed shows
// as such until another is recorded.
func meetings(contacts []suggestion.Contact, id int64) []meetingStage {
	// How a stage stands, worst to best: no contact, only disputed ones, one not yet
	// answered by the deputy, one the deputy confirmed.
	states := []meetingStage{{State: "未登记"}, {State: "代表有异议，请重新沟通"}, {State: "已登记", Held: true}, {State: "代表已确认", Held: true}}
	rank := map[string]int{"disputed": 1, "pending": 2, "confirmed": 3}
	stages := []suggestion.ContactStage{suggestion.ContactBefore, suggestion.ContactDuring, suggestion.ContactAfter}
	out := make([]meetingStage, len(stages))
	for i, st := range stages {
		best := 0
		for _, ct := range contacts {
			if r := rank[ct.Confirmation]; ct.AssignmentID == id && ct.Stage == st && r > best {
				best = r
			}
		}
		out[i] = states[best]
		out[i].Label = st.Label()
	}
	return out
}

// extensionOffer decides whether the lead unit is offered 申请延期, by the rule
// RequestExtension applies: the lead unit's assignment still owes the reply, and the case is
// not already complex. A request still waiting for the reviewer is said instead of a second.
func (s *server) extensionOffer(dd *detailData) {
	as, sg := dd.Asg, &dd.D.Suggestion
	if as.Role != suggestion.RoleLead || (as.State != suggestion.AsgAccepted && as.State != suggestion.AsgPending) {
		return
	}
	if sg.Complex {
		dd.ExtendNote = "本建议已按复杂建议延长办理期限"
		if sg.ReplyDueAt != nil {
			dd.ExtendNote += "，答复期限为 " + sg.ReplyDueAt.In(shanghai).Format("2006-01-02")
		}
		dd.ExtendNote += "，不能再申请延期。"
		return
	}
	for _, e := range dd.D.Extensions {
		if e.AssignmentID == as.ID && e.State == "pending" {
			dd.ExtendNote = "已于 " + e.RequestedAt.In(shanghai).Format("2006-01-02") + " 申请按复杂件延期，等待代表工委决定。"
			return
		}
	}
	dd.CanExtend = true
}

// assignmentSuggestion finds the suggestion of one of the actor's unit's assignments.
func (s *server) assignmentSuggestion(c *gin.Context, assignmentID int64) (int64, error) {
	return s.cfg.Supervise.UnitAssignment(c.Request.Context(), actor(c), assignmentID)
}

func (s *server) assignmentPage(c *gin.Context) {
	dd, ok := s.myAssignment(c)
	if !ok {
		return
	}
	s.render(c, http.StatusOK, "assignment", dd.D.Suggestion.Title, dd)
}

// unitForm runs one of the assignment page's forms; a refusal shows the page again with
// what was typed (refusedAssignment).
func (s *server) unitForm(c *gin.Context, form string, fn func(id int64) error, ok string) {
	id, valid := paramID(c, "id")
	if !valid {
		s.notFound(c)
		return
	}
	if err := fn(id); err != nil {
		s.refusedAssignment(c, id, form, err, "")
		return
	}
	s.done(c, assignmentURL(id), ok)
}

func (s *server) accept(c *gin.Context) {
	s.unitForm(c, "accept", func(id int64) error {
		in := suggestion.AcceptInput{HandlerName: strings.TrimSpace(c.PostForm("handler_name")), HandlerPhone: strings.TrimSpace(c.PostForm("handler_phone"))}
		if p, h, m := strings.TrimSpace(c.PostForm("chain_principal")), strings.TrimSpace(c.PostForm("chain_in_charge")), strings.TrimSpace(c.PostForm("chain_handler")); p != "" || h != "" || m != "" {
			in.Chain = &suggestion.Chain{Principal: p, InCharge: h, Handler: m}
		}
		_, err := s.cfg.Suggestions.Accept(c.Request.Context(), actor(c), id, in)
		return err
	}, "已签收，请在时限内与代表办前沟通")
}

func (s *server) requestReturn(c *gin.Context) {
	s.unitForm(c, "request-return", func(id int64) error {
		_, err := s.cfg.Suggestions.RequestReturn(c.Request.Context(), actor(c), id, c.PostForm("reason"))
		return err
	}, "已申请退回，等待代表工委决定")
}

func (s *server) recordContact(c *gin.Context) {
	s.unitForm(c, "contact", func(id int64) error {
		f := readForm(c)
		in := suggestion.ContactInput{Stage: suggestion.ContactStage(c.PostForm("stage")), HappenedAt: f.local("happened_at", "沟通时间"),
			Method: c.PostForm("method"), People: c.PostForm("people"), Summary: c.PostForm("summary")}
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.RecordContact(c.Request.Context(), actor(c), id, in)
		return err
	}, "已登记沟通记录，代表将收到确认通知")
}

func (s *server) coOpinion(c *gin.Context) {
	s.unitForm(c, "co-opinion", func(id int64) error {
		_, err := s.cfg.Suggestions.SubmitCoOpinion(c.Request.Context(), actor(c), id, c.PostForm("body"))
		return err
	}, "已向主办单位提交协办意见")
}

func (s *server) requestExtension(c *gin.Context) {
	s.unitForm(c, "extension", func(id int64) error {
		_, err := s.cfg.Suggestions.RequestExtension(c.Request.Context(), actor(c), id, c.PostForm("reason"))
		return err
	}, "已申请按复杂件延期，等待代表工委决定")
}

func (s *server) commitmentDone(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	// back is the assignment page the form is on, or the unit desk.
	back := c.PostForm("back")
	asg, onPage := positiveID(strings.TrimPrefix(back, "/assignments/"))
	if !strings.HasPrefix(back, "/assignments/") || safeNext(back) != back {
		back, onPage = "/unit", false
	}
	if err := s.cfg.Suggestions.CompleteCommitment(c.Request.Context(), actor(c), id, c.PostForm("note")); err != nil {
		if onPage { // the page shows its row again with the note as typed
			s.refusedAssignmentRow(c, asg, "commitment", id, err, "")
			return
		}
		s.back(c, back, err)
		return
	}
	s.done(c, back, "已登记承诺事项完成，代表将被请求评价落实情况")
}

// replyInput reads the reply form and checks, before the signed PDF is stored, what the
// console can see without writing: the form's fields, and that the unit may reply now (the
// lead unit's accepted assignment, with the "before" contact when the tenant requires it).
// The service checks all of it again when the reply is recorded.
func (s *server) replyInput(c *gin.Context, sid, assignmentID int64) (suggestion.ReplyInput, error) {
	f := readForm(c)
	class := f.oneOf("class", "请选择答复类别（A/B/C/D）", string(suggestion.ClassA), string(suggestion.ClassB), string(suggestion.ClassC), string(suggestion.ClassD))
	in := suggestion.ReplyInput{Class: suggestion.ReplyClass(class), Body: c.PostForm("body")}
	whats, dues := c.PostFormArray("commit_what"), c.PostFormArray("commit_due")
	if len(dues) > len(whats) {
		whats = append(whats, make([]string, len(dues)-len(whats))...)
	}
	for i, w := range whats {
		w = strings.TrimSpace(w)
		due := ""
		if i < len(dues) {
			due = strings.TrimSpace(dues[i])
		}
		if w == "" && due == "" {
			continue
		}
		var on time.Time
		if due != "" {
			t, err := time.ParseInLocation(time.DateOnly, due, shanghai)
			if err != nil {
				f.refuse("bad_commit_due", "承诺事项的完成时限不是有效日期，请按 2026-06-01 的格式填写")
			}
			on = t
		}
		in.Commitments = append(in.Commitments, suggestion.CommitmentInput{What: w, DueOn: on})
	}
	if f.err != nil {
		return in, f.err
	}
	if strings.TrimSpace(in.Body) == "" {
		return in, invalidInput("reply_body_required", "请填写答复内容")
	}
	ctx, a := c.Request.Context(), actor(c)
	d, err := s.cfg.Suggestions.Detail(ctx, a, sid)
	if err != nil {
		return in, err
	}
	var asg *suggestion.Assignment
	for i := range d.Assignments {
		if as := &d.Assignments[i]; as.ID == assignmentID && as.UnitID == a.UnitID && as.Active {
			asg = as
		}
	}
	switch {
	case asg == nil:
		return in, &suggestion.Error{Kind: suggestion.ErrNotFound, Code: "not_found", Message: "交办记录不存在"}
	case asg.Role != suggestion.RoleLead:
		return in, invalidInput("not_lead_unit", "只有主办单位可以答复，协办单位请提交协办意见")
	case asg.State != suggestion.AsgAccepted:
		return in, &suggestion.Error{Kind: suggestion.ErrInvalidTransition, Code: "assignment_not_accepted", Message: "请先签收交办"}
	}
	cfg, err := s.cfg.Directory.Config(ctx, a)
	if err != nil {
		return in, err
	}
	if cfg.Settings.RequireBeforeContact {
		if !meetings(d.Contacts, assignmentID)[0].Held {
			return in, invalidInput("before_contact_required", "答复前须先与代表办前沟通并登记沟通记录（代表提出异议的沟通记录不计，请重新沟通并登记）")
		}
	}
	return in, nil
}

// documentRemover is a Documents that can also delete (the object store adapter does).
type documentRemover interface {
	Delete(ctx context.Context, key string) error
}

// removeDocument deletes a stored reply PDF whose reply was refused after the upload (a
// race the checks before it cannot see), so no orphan file is left behind.
func (s *server) removeDocument(ctx context.Context, key string) {
	rm, ok := s.cfg.Documents.(documentRemover)
	if !ok {
		s.cfg.Log.Warn("console: refused reply left its document; Documents cannot delete", "key", key)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := rm.Delete(ctx, key); err != nil {
		s.cfg.Log.Error("console: remove refused reply document", "key", key, "err", err)
	}
}

func invalidInput(code, msg string) error {
	return &suggestion.Error{Kind: suggestion.ErrInvalid, Code: code, Message: msg}
}

// reply takes the answer with its signed PDF: the upload must start with %PDF- and stay
// under the size limit; it goes to tenant/<id>/suggestions/<id>/replies/ in object storage.
func (s *server) reply(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	sid, err := s.assignmentSuggestion(c, id)
	if err != nil {
		s.back(c, assignmentURL(id), err)
		return
	}
	// The body was bounded before it was read (limitBody: the PDF's limit and the form).
	// A refused reply comes back with what was typed; a chosen file cannot be kept.
	refused := func(err error) {
		note := ""
		if fh, ferr := c.FormFile("document"); ferr == nil && fh.Filename != "" {
			note = "（已填写的内容已保留；上传的答复函PDF无法保留，请重新选择附件）"
		}
		s.refusedAssignment(c, id, "reply", err, note)
	}
	// The cheap checks come before the upload, so that a refusal stores no file.
	in, err := s.replyInput(c, sid, id)
	if err != nil {
		refused(err)
		return
	}
	fh, err := c.FormFile("document")
	if err != nil {
		refused(invalidInput("document_required", "请上传加盖公章的答复函PDF"))
		return
	}
	if fh.Size > s.maxP {
		refused(invalidInput("document_too_large", fmt.Sprintf("答复函PDF不能超过%dMB", s.maxP>>20)))
		return
	}
	f, err := fh.Open()
	if err != nil {
		refused(invalidInput("document_unreadable", "无法读取上传的文件"))
		return
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(5)
	if !bytes.Equal(head, []byte("%PDF-")) {
		refused(invalidInput("document_not_pdf", "答复函必须是PDF文件"))
		return
	}
	if s.cfg.Documents == nil {
		s.fail(c, http.StatusServiceUnavailable, "文件存储未配置，暂不能上传答复函")
		return
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	key := fmt.Sprintf("tenant/%d/suggestions/%d/replies/%s.pdf", a.TenantID, sid, hex.EncodeToString(b))
	if err := s.cfg.Documents.Put(ctx, key, io.LimitReader(br, s.maxP), fh.Size, "application/pdf"); err != nil {
		s.cfg.Log.Error("console: store reply document", "err", err)
		s.fail(c, http.StatusServiceUnavailable, "答复函上传失败，请稍后重试")
		return
	}
	in.DocumentKey = key
	if _, err := s.cfg.Suggestions.Reply(ctx, a, id, in); err != nil {
		s.removeDocument(ctx, key)
		refused(err)
		return
	}
	s.done(c, assignmentURL(id), "已提交答复，代表将收到评价通知")
}

// pageCommitment is an open 承诺事项 as the assignment page lists it under 承诺事项完成登记.
type pageCommitment struct {
	suggestion.Commitment
	Round int // the round of the reply that made it
	// Completable: the unit may report it done here (CompleteCommitment's rule). Otherwise
	// ReplacedBy is the round of the later reply that replaced it, or 0 when it is the
	// latest reply's but the case does not take completions now (Status says why).
	Completable bool
	ReplacedBy  int
}

// OpenCommitments are the open 承诺事项 of the unit's replies, for the lead unit's assignment
// page. Only the latest reply's may be reported done, by the lead unit that made it, while the
// case is replied, evaluated or tracked (CompleteCommitment); an earlier round's commitments
// were replaced by the later reply and are listed, not offered.
func (d *detailData) OpenCommitments() []pageCommitment {
	if d.Asg == nil || !d.IsLead {
		return nil
	}
	last := d.D.LatestReply()
	if last == nil {
		return nil
	}
	st := d.D.Suggestion.Status
	takes := d.Asg.Active && last.UnitID == d.Asg.UnitID &&
		(st == suggestion.StatusReplied || st == suggestion.StatusEvaluated || st == suggestion.StatusTracking)
	var out []pageCommitment
	for _, r := range d.D.Replies {
		if r.UnitID != d.Asg.UnitID {
			continue
		}
		for _, cm := range r.Commitments {
			if cm.DoneAt != nil {
				continue
			}
			pc := pageCommitment{Commitment: cm, Round: r.Round}
			if r.ID == last.ID {
				pc.Completable = takes
			} else {
				pc.ReplacedBy = last.Round
			}
			out = append(out, pc)
		}
	}
	return out
}
