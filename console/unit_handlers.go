package console

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
)

type inboxData struct {
	Rows []supervise.InboxRow
	All  bool
}

func (s *server) unitInbox(c *gin.Context) {
	all := c.Query("all") == "1"
	rows, err := s.cfg.Supervise.Inbox(c.Request.Context(), actor(c), all)
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, http.StatusOK, "unit", "本单位办理", inboxData{Rows: rows, All: all})
}

// myAssignment loads the suggestion behind an assignment of the actor's unit; another unit's
// (or another tenant's) assignment is not found.
func (s *server) myAssignment(c *gin.Context) (*detailData, bool) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return nil, false
	}
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
	for _, ct := range dd.D.Contacts {
		if ct.AssignmentID == id && ct.Stage == suggestion.ContactBefore {
			dd.HasBefore = true
		}
	}
	return dd, true
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

func (s *server) unitAct(c *gin.Context, fn func(id int64) error, ok string) {
	id, valid := paramID(c, "id")
	if !valid {
		s.notFound(c)
		return
	}
	if err := fn(id); err != nil {
		s.back(c, assignmentURL(id), err)
		return
	}
	s.done(c, assignmentURL(id), ok)
}

func (s *server) accept(c *gin.Context) {
	s.unitAct(c, func(id int64) error {
		in := suggestion.AcceptInput{HandlerName: strings.TrimSpace(c.PostForm("handler_name")), HandlerPhone: strings.TrimSpace(c.PostForm("handler_phone"))}
		if p, h, m := strings.TrimSpace(c.PostForm("chain_principal")), strings.TrimSpace(c.PostForm("chain_in_charge")), strings.TrimSpace(c.PostForm("chain_handler")); p != "" || h != "" || m != "" {
			in.Chain = &suggestion.Chain{Principal: p, InCharge: h, Handler: m}
		}
		_, err := s.cfg.Suggestions.Accept(c.Request.Context(), actor(c), id, in)
		return err
	}, "已签收，请在时限内与代表办前沟通")
}

func (s *server) requestReturn(c *gin.Context) {
	s.unitAct(c, func(id int64) error {
		_, err := s.cfg.Suggestions.RequestReturn(c.Request.Context(), actor(c), id, c.PostForm("reason"))
		return err
	}, "已申请退回，等待代表工委决定")
}

func (s *server) recordContact(c *gin.Context) {
	s.unitAct(c, func(id int64) error {
		in := suggestion.ContactInput{Stage: suggestion.ContactStage(c.PostForm("stage")), HappenedAt: parseLocal(c.PostForm("happened_at")),
			Method: c.PostForm("method"), People: c.PostForm("people"), Summary: c.PostForm("summary")}
		_, err := s.cfg.Suggestions.RecordContact(c.Request.Context(), actor(c), id, in)
		return err
	}, "已登记沟通记录，代表将收到确认通知")
}

func (s *server) coOpinion(c *gin.Context) {
	s.unitAct(c, func(id int64) error {
		_, err := s.cfg.Suggestions.SubmitCoOpinion(c.Request.Context(), actor(c), id, c.PostForm("body"))
		return err
	}, "已向主办单位提交协办意见")
}

func (s *server) requestExtension(c *gin.Context) {
	s.unitAct(c, func(id int64) error {
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
	back := c.PostForm("back")
	if !strings.HasPrefix(back, "/assignments/") {
		back = "/unit"
	}
	if err := s.cfg.Suggestions.CompleteCommitment(c.Request.Context(), actor(c), id, c.PostForm("note")); err != nil {
		s.back(c, back, err)
		return
	}
	s.done(c, back, "已登记承诺事项完成，代表将被请求评价落实情况")
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
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxP+1<<20)
	in := suggestion.ReplyInput{Class: suggestion.ReplyClass(c.PostForm("class")), Body: c.PostForm("body")}
	whats, dues := c.PostFormArray("commit_what"), c.PostFormArray("commit_due")
	for i, w := range whats {
		w = strings.TrimSpace(w)
		due := ""
		if i < len(dues) {
			due = dues[i]
		}
		if w == "" && strings.TrimSpace(due) == "" {
			continue
		}
		in.Commitments = append(in.Commitments, suggestion.CommitmentInput{What: w, DueOn: parseDay(due)})
	}
	fh, err := c.FormFile("document")
	if err != nil {
		s.back(c, assignmentURL(id), invalidInput("document_required", "请上传加盖公章的答复函PDF"))
		return
	}
	if fh.Size > s.maxP {
		s.back(c, assignmentURL(id), invalidInput("document_too_large", fmt.Sprintf("答复函PDF不能超过%dMB", s.maxP>>20)))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.back(c, assignmentURL(id), invalidInput("document_unreadable", "无法读取上传的文件"))
		return
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(5)
	if !bytes.Equal(head, []byte("%PDF-")) {
		s.back(c, assignmentURL(id), invalidInput("document_not_pdf", "答复函必须是PDF文件"))
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
		s.back(c, assignmentURL(id), err)
		return
	}
	s.done(c, assignmentURL(id), "已提交答复，代表将收到评价通知")
}
