package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/directory"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
)

const pageSize = 50

type listData struct {
	Rows       []suggestion.Summary
	Categories []directory.Category
	Units      []directory.Unit
	Meetings   []directory.Meeting
	Statuses   []suggestion.Status
	Q          url.Values
	Next       string
	Heading    string
	Action     string
	// Merged says, for each merged row by id, what it was merged into (mergedRows).
	Merged map[int64]*mergedRef
}

func (s *server) listFilter(c *gin.Context) suggestion.ListFilter {
	f := suggestion.ListFilter{CategoryID: queryID(c, "category"), UnitID: queryID(c, "unit"), MeetingID: queryID(c, "meeting"),
		Query: strings.TrimSpace(c.Query("q")), KeyOnly: c.Query("key") == "1", Overdue: c.Query("overdue") == "1",
		Before: queryID(c, "before"), Limit: pageSize + 1}
	if st := c.Query("status"); st != "" {
		f.Statuses = []suggestion.Status{suggestion.Status(st)}
	}
	return f
}

func (s *server) renderList(c *gin.Context, f suggestion.ListFilter, name, title, heading, action string) {
	ctx, a := c.Request.Context(), actor(c)
	rows, err := s.cfg.Suggestions.List(ctx, a, f)
	if err != nil {
		s.failErr(c, err)
		return
	}
	d := listData{Statuses: suggestion.Statuses, Q: c.Request.URL.Query(), Heading: heading, Action: action}
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		q := c.Request.URL.Query()
		q.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		d.Next = c.Request.URL.Path + "?" + q.Encode()
	}
	d.Rows = rows
	if d.Merged, err = s.mergedRows(c, rows); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Categories, err = s.cfg.Directory.Categories(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Units, err = s.cfg.Directory.Units(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Meetings, err = s.cfg.Directory.Meetings(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, http.StatusOK, name, title, d)
}

func (s *server) suggestionList(c *gin.Context) {
	s.renderList(c, s.listFilter(c), "list", "建议列表", "全部建议", "/suggestions")
}

func (s *server) assignQueue(c *gin.Context) {
	f := s.listFilter(c)
	f.Statuses = []suggestion.Status{suggestion.StatusRegistered}
	s.renderList(c, f, "list", "待交办", "已立案待交办的建议", "/assign")
}

// dueDates are the clocks' due dates shown in the assign form, computed for "now".
type dueDates struct {
	Reply, FastTrack, CoOpinion, ReturnWindow, Complex time.Time
}

type detailData struct {
	D           *suggestion.Detail
	Similar     similarData
	Categories  []directory.Category
	Units       []directory.Unit
	Leaders     []directory.User
	Due         dueDates
	Labels      map[string]string
	Modes       []suggestion.Mode
	MyAsg       *suggestion.Assignment // the actor's unit's active assignment
	Asg         *suggestion.Assignment // the assignment page's assignment
	Now         time.Time
	CanReturn   bool
	HasBefore   bool           // an undisputed 办前沟通 is recorded for Asg
	Meetings    []meetingStage // Asg's 三见面
	IsLead      bool
	UnitNames   map[int64]string
	ActorNames  map[int64]string
	ReplyByID   map[int64]suggestion.Reply
	OpenStatus  bool
	ReplyStates bool
	PublicURL   string // the tenant's public page of published replies (reviewers publish)
	// Form is a refused form of the page, shown again as typed with why.
	Form typedForm
	// The reviewer's 督办 moves the case allows now (supervisionMoves), and why the others
	// are not offered.
	CanTrack, CanClose bool
	CanReopen          bool // 回头看: a closed case, or a tracked one (e.g. after 落实不满意)
	SuperviseHold      string
	// The lead unit's 申请延期 (assignment page): offered only while it may be asked for.
	CanExtend  bool
	ExtendNote string
	// Merged is what a merged suggestion was merged into (mergedInto).
	Merged *mergedRef
}

func (s *server) loadDetail(c *gin.Context, id int64) (*detailData, error) {
	ctx, a := c.Request.Context(), actor(c)
	d, err := s.cfg.Suggestions.Detail(ctx, a, id)
	if err != nil {
		return nil, err
	}
	dd := &detailData{D: d, Now: s.now(), Modes: []suggestion.Mode{suggestion.ModeNormal, suggestion.ModeLeaderLed, suggestion.ModeFastTrack, suggestion.ModeJoint},
		UnitNames: map[int64]string{}, ReplyByID: map[int64]suggestion.Reply{}, OpenStatus: d.Suggestion.Status.Open()}
	for i := range d.Assignments {
		as := &d.Assignments[i]
		dd.UnitNames[as.UnitID] = as.UnitName
		if a.IsUnit() && as.UnitID == a.UnitID && as.Active {
			dd.MyAsg = as
		}
	}
	for _, r := range d.Replies {
		dd.ReplyByID[r.ID] = r
	}
	if dd.Merged, err = s.mergedInto(c, &d.Suggestion); err != nil {
		return nil, err
	}
	cfg, err := s.cfg.Directory.Config(ctx, a)
	if err != nil {
		return nil, err
	}
	if a.Has(auth.RoleReviewer) && len(d.Replies) > 0 {
		t, err := s.cfg.Directory.Tenant(ctx, a)
		if err != nil {
			return nil, err
		}
		dd.PublicURL = publicRepliesURL(t.Code)
	}
	dd.Labels = map[string]string{}
	for k, v := range suggestion.DefaultClassLabels {
		dd.Labels[string(k)] = v
		if l := cfg.ReplyLabels[string(k)]; l != "" {
			dd.Labels[string(k)] = l
		}
	}
	if a.Has(auth.RoleReviewer) {
		s.supervisionMoves(dd)
	}
	if a.Has(auth.RoleReviewer, auth.RoleCoordinator) {
		st := d.Suggestion.Status
		if st == suggestion.StatusSubmitted || st == suggestion.StatusRegistered {
			dd.Similar = s.similar(c, a, &d.Suggestion, 5)
			if dd.Categories, err = s.cfg.Directory.Categories(ctx, a); err != nil {
				return nil, err
			}
		}
		if st == suggestion.StatusRegistered || st == suggestion.StatusSubmitted {
			if dd.Units, err = s.cfg.Directory.Units(ctx, a); err != nil {
				return nil, err
			}
			if dd.Leaders, err = s.cfg.Directory.UsersWithRole(ctx, a, auth.RoleLeader); err != nil {
				return nil, err
			}
			cal, err := s.cfg.Directory.Calendar(ctx, a)
			if err != nil {
				return nil, err
			}
			now := s.now()
			settings := cfg.Settings
			for _, cat := range dd.Categories {
				if cat.ID == d.Suggestion.CategoryID && cat.ReplyMonths > 0 {
					settings.ReplyMonths = cat.ReplyMonths // the category's own reply clock
				}
			}
			due := func(cl deadline.Clock) time.Time {
				t, _ := cal.Due(cl, now, settings)
				return t
			}
			dd.Due = dueDates{Reply: due(deadline.ClockReply), FastTrack: due(deadline.ClockFastTrackReply),
				CoOpinion: due(deadline.ClockCoOpinion), ReturnWindow: due(deadline.ClockReturnWindow), Complex: due(deadline.ClockReplyComplex)}
		}
	}
	return dd, nil
}

// supervisionMoves decides which of 列入跟踪督办 and 办结 the case allows now, by the rules
// Track and Close apply: the transition table; a reply still inside the deputies' rating
// window (the suggestion's RatingDueAt) is theirs to rate first; a tracking case closes once
// the last reply's commitments are all done and the lead deputy rated the implementation, or
// the implementation rating window (from the last commitment's due date, Detail.ImplRatingDue)
// has passed.
func (s *server) supervisionMoves(dd *detailData) {
	sg, now := &dd.D.Suggestion, s.now()
	dd.CanTrack = slices.Contains(suggestion.Rules[suggestion.ActTrack].From, sg.Status)
	dd.CanClose = slices.Contains(suggestion.Rules[suggestion.ActClose].From, sg.Status)
	dd.CanReopen = slices.Contains(suggestion.Rules[suggestion.ActReopen].From, sg.Status)
	if sg.Status == suggestion.StatusReplied && sg.RatingDueAt != nil && now.Before(*sg.RatingDueAt) {
		dd.CanTrack, dd.CanClose = false, false
		dd.SuperviseHold = "代表评价期限未到（" + sg.RatingDueAt.In(shanghai).Format("2006-01-02 15:04") +
			" 截止）：请等待代表评价；期满仍未评价的（计为未反馈），可列入跟踪督办或办结。"
		return
	}
	if sg.Status != suggestion.StatusTracking || len(dd.D.Replies) == 0 {
		return
	}
	last := dd.D.LatestReply()
	if len(last.Commitments) == 0 {
		return
	}
	open := 0
	for _, cm := range last.Commitments {
		if cm.DoneAt == nil {
			open++
		}
	}
	if open > 0 {
		dd.CanClose = false
		dd.SuperviseHold = fmt.Sprintf("承诺事项尚未全部完成（%d项未完成）：承办单位登记完成、代表评价落实情况后方可办结。", open)
		return
	}
	for _, e := range dd.D.Evaluations {
		if e.DeputyID == sg.LeadDeputyID && e.Kind == suggestion.EvalImplementation && e.Round == sg.Round {
			return // rated: the case may close
		}
	}
	if due := dd.D.ImplRatingDue; due != nil && now.Before(*due) {
		dd.CanClose = false
		dd.SuperviseHold = "承诺事项已全部完成，领衔代表尚未评价落实情况（评价期限至 " + due.In(shanghai).Format("2006-01-02") +
			"）：代表评价后或期满后方可办结。"
	}
}

func (s *server) suggestionDetail(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	dd, err := s.loadDetail(c, id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	title := dd.D.Suggestion.Title
	s.render(c, http.StatusOK, "detail", title, dd)
}

// replyDocument streams the signed reply PDF to anyone who may see the suggestion.
func (s *server) replyDocument(c *gin.Context) {
	id, ok1 := paramID(c, "id")
	rid, ok2 := paramID(c, "reply")
	if !ok1 || !ok2 || s.cfg.Documents == nil {
		s.notFound(c)
		return
	}
	d, err := s.cfg.Suggestions.Detail(c.Request.Context(), actor(c), id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	for _, r := range d.Replies {
		if r.ID != rid || r.DocumentKey == "" {
			continue
		}
		rc, size, err := s.cfg.Documents.Get(c.Request.Context(), r.DocumentKey)
		if err != nil {
			s.notFound(c)
			return
		}
		defer rc.Close()
		c.Header("Content-Type", "application/pdf")
		c.Header("Content-Disposition", "inline; filename=\"reply-"+strconv.FormatInt(rid, 10)+".pdf\"")
		if size > 0 {
			c.Header("Content-Length", strconv.FormatInt(size, 10))
		}
		c.Status(http.StatusOK)
		_, _ = io.Copy(c.Writer, rc)
		return
	}
	s.notFound(c)
}

func (s *server) addProgress(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	// back is where the form was (the suggestion or an assignment page): a path of this
	// site only, checked like the sign-in redirect.
	back := suggestionURL(id)
	if b := c.PostForm("back"); b != "" && safeNext(b) == b {
		back = b
	}
	f := readForm(c)
	private := f.flag("private", "内部备注")
	if f.err != nil {
		s.refusedProgress(c, id, back, f.err)
		return
	}
	a := actor(c)
	if _, err := s.cfg.Suggestions.AddProgress(c.Request.Context(), a, id, c.PostForm("body"), private); err != nil {
		s.refusedProgress(c, id, back, err)
		return
	}
	// A note by staff other than the handling unit's (a leader, a reviewer) is a 督办意见,
	// and the unit is told of it (suggestion.Service.AddProgress).
	if !a.IsUnit() {
		s.done(c, back, "已记录督办意见")
		return
	}
	s.done(c, back, "已记录办理进展")
}

// ---- reviewer ---------------------------------------------------------------------------

type reviewRow struct {
	S suggestion.Summary
}

type reviewData struct {
	Rows    []reviewRow
	Flagged bool
	Next    string
}

// reviewPage is the review queue's page size: each row looks up its similar suggestions.
const reviewPage = 20

func (s *server) reviewQueue(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	rows, err := s.cfg.Suggestions.List(ctx, a, suggestion.ListFilter{Statuses: []suggestion.Status{suggestion.StatusSubmitted},
		Before: queryID(c, "before"), Limit: reviewPage + 1})
	if err != nil {
		s.failErr(c, err)
		return
	}
	d := reviewData{}
	if len(rows) > reviewPage {
		rows = rows[:reviewPage]
		d.Next = "/review?before=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, reviewRow{S: r})
	}
	s.render(c, http.StatusOK, "review", "审核立案", d)
}

// similarTimeout bounds the similar-suggestion lookup so a slow search never holds a page.
const similarTimeout = 2 * time.Second

type similarData struct {
	Rows    []suggestion.Summary
	TimeOut bool
}

// similar finds earlier suggestions like one submission; a lookup that runs out of time
// is reported as such instead of failing the page.
func (s *server) similar(c *gin.Context, a auth.Actor, sg *suggestion.Suggestion, limit int) similarData {
	ctx, cancel := context.WithTimeout(c.Request.Context(), similarTimeout)
	defer cancel()
	rows, err := s.cfg.Suggestions.Similar(ctx, a, sg.Title, sg.ID, limit)
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Log.Error("console: similar suggestions", "err", err)
		}
		return similarData{TimeOut: true}
	}
	return similarData{Rows: rows}
}

// reviewSimilar is the fragment the review queue loads beside each submission.
func (s *server) reviewSimilar(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	a := actor(c)
	sg, err := s.cfg.Suggestions.Get(c.Request.Context(), a, id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.fragment(c, "fragment_similar", s.similar(c, a, sg, 3))
}

// staffMove runs one reviewer or coordinator action on a suggestion; fn reads its fields
// from f and returns f.err, before calling the service, when any of them is malformed. A
// refusal shows the page again with the form name as typed (refusedSuggestion).
func (s *server) staffMove(c *gin.Context, name string, fn func(id int64, f *form) error, ok string) {
	id, valid := paramID(c, "id")
	if !valid {
		s.notFound(c)
		return
	}
	if err := fn(id, readForm(c)); err != nil {
		s.refusedSuggestion(c, id, name, err)
		return
	}
	s.done(c, suggestionURL(id), ok)
}

func (s *server) returnSuggestion(c *gin.Context) {
	s.staffMove(c, "return", func(id int64, f *form) error {
		v := f.version()
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.Return(c.Request.Context(), actor(c), id, v, c.PostForm("reason"))
		return err
	}, "已退回代表修改")
}

func (s *server) notRegister(c *gin.Context) {
	s.staffMove(c, "not-register", func(id int64, f *form) error {
		v := f.version()
		if f.err != nil {
			return f.err
		}
		units := f.ids("forward_units", "转交单位")
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.NotRegisterForward(c.Request.Context(), actor(c), id, v, c.PostForm("reason"), units)
		return err
	}, "已不予立案，转为意见函处理")
}

func (s *server) register(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	f := readForm(c)
	v, category := f.version(), f.id("category", "建议类别")
	if f.err != nil {
		s.refusedSuggestion(c, id, "register", f.err)
		return
	}
	sg, err := s.cfg.Suggestions.Register(c.Request.Context(), actor(c), id, v, category)
	if err != nil {
		s.refusedSuggestion(c, id, "register", err)
		return
	}
	s.done(c, suggestionURL(id), "已立案："+sg.NumberLabel()+"，请继续交办")
}

func (s *server) merge(c *gin.Context) {
	s.staffMove(c, "merge", func(id int64, f *form) error {
		v := f.version()
		into := f.requiredID("into", "并入的建议编号（系统ID）", "请填写并入的建议编号（系统ID）")
		if f.err != nil {
			return f.err
		}
		// The page's version: a merge decided on a page that no longer holds (another
		// reviewer registered, returned or merged the case meanwhile) is a conflict.
		_, err := s.cfg.Suggestions.Merge(c.Request.Context(), actor(c), id, into, v, c.PostForm("reason"))
		// The suggestion merged into is named in the form: not finding it is the form's
		// error; the suggestion of the page not being visible is still the 404 page.
		return targetMissing(err, "merge_target_not_found", "要并入的建议不存在，请核对系统ID")

	}, "已并案，原提出代表仍会收到答复并可评价")
}

func (s *server) track(c *gin.Context) {
	s.staffMove(c, "track", func(id int64, f *form) error {
		v := f.version()
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.Track(c.Request.Context(), actor(c), id, v, c.PostForm("reason"))
		return err
	}, "已列入跟踪督办")
}

// publishReply makes one reply public (答复公开) on the tenant's public page.
func (s *server) publishReply(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	rid, ok := paramID(c, "reply")
	if !ok {
		s.back(c, suggestionURL(id), invalidInput("reply_not_found", "答复不存在"))
		return
	}
	if err := s.cfg.Suggestions.PublishReply(c.Request.Context(), actor(c), id, rid); err != nil {
		// Shown again next to that reply's 公开 button.
		s.refusedOn(c, suggestionURL(id), "publish", rid, err, func(status int, f typedForm) { s.detailPage(c, id, status, f) })
		return
	}
	s.done(c, suggestionURL(id), "答复已公开")
}

func (s *server) closeSuggestion(c *gin.Context) {
	s.staffMove(c, "close", func(id int64, f *form) error {
		v := f.version()
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.Close(c.Request.Context(), actor(c), id, v, c.PostForm("reason"))
		return err
	}, "已办结")
}

func (s *server) reopen(c *gin.Context) {
	s.staffMove(c, "reopen", func(id int64, f *form) error {
		v := f.version()
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.Reopen(c.Request.Context(), actor(c), id, v, c.PostForm("reason"))
		return err
	}, "回头看：已重新交付办理")
}

// modeValues are the 办理方式 the assign form offers ("" is the domain's default, 一般交办).
func modeValues() []string {
	return []string{"", string(suggestion.ModeNormal), string(suggestion.ModeLeaderLed), string(suggestion.ModeFastTrack), string(suggestion.ModeJoint)}
}

func (s *server) assign(c *gin.Context) {
	id, valid := paramID(c, "id")
	if !valid {
		s.notFound(c)
		return
	}
	// A refused assignment shows the form again with the units, mode, chain and plan as typed.
	err := func(f *form) error {
		v := f.version()
		in := suggestion.AssignInput{LeadUnitID: f.id("lead_unit", "主办单位"), CoUnitIDs: f.ids("co_units", "协办单位"),
			Mode:  suggestion.Mode(f.oneOf("mode", "办理方式不正确", modeValues()...)),
			IsKey: f.flag("is_key", "重点建议"), LeaderUserID: f.id("leader", "领衔督办领导"),
			Chain: suggestion.Chain{Principal: strings.TrimSpace(c.PostForm("chain_principal")),
				InCharge: strings.TrimSpace(c.PostForm("chain_in_charge")), Handler: strings.TrimSpace(c.PostForm("chain_handler")),
				Plan: c.PostForm("plan")}}
		if f.err != nil {
			return f.err
		}
		_, err := s.cfg.Suggestions.Assign(c.Request.Context(), actor(c), id, v, in)
		return err
	}(readForm(c))
	if err != nil {
		s.refusedSuggestion(c, id, "assign", err)
		return
	}
	s.done(c, suggestionURL(id), "已交办，承办单位将收到通知")
}

// ---- decisions ------------------------------------------------------------------------

// decisionsPage is the reviewer's page of open return and extension requests. A return
// request answers with 改派 or 维持原交办; a co-unit's also with 同意退回 and no unit in its
// place (WithdrawCoUnit), which a lead unit's never allows.
type decisionsPage struct {
	Rows  []supervise.Decision
	Units []directory.Unit
	// Roles is the role of each return request's assignment, by assignment id; Withdrawable
	// the assignments whose request may be granted with no unit in their place.
	Roles        map[int64]suggestion.AssignmentRole
	Withdrawable map[int64]bool
	// Form is a refused decision as typed: Form.ID is the return request ("decide-return")
	// or extension request ("decide-extension") it was for; FormShown says that request is
	// still open, so its form is on the page (one decided meanwhile has none).
	Form      typedForm
	FormShown bool
}

func (s *server) decisionsData(c *gin.Context) (*decisionsPage, error) {
	ctx, a := c.Request.Context(), actor(c)
	ds, err := s.cfg.Supervise.Decisions(ctx, a)
	if err != nil {
		return nil, err
	}
	units, err := s.cfg.Directory.Units(ctx, a)
	if err != nil {
		return nil, err
	}
	p := &decisionsPage{Rows: ds, Units: units, Roles: map[int64]suggestion.AssignmentRole{}, Withdrawable: map[int64]bool{}}
	for _, d := range ds {
		if d.Kind != "return" {
			continue
		}
		as, err := s.cfg.Suggestions.Assignment(ctx, a, d.ID)
		if err != nil {
			return nil, err
		}
		p.Roles[d.ID], p.Withdrawable[d.ID] = as.Role, as.Withdrawable()
	}
	return p, nil
}

func (s *server) decisions(c *gin.Context) {
	p, err := s.decisionsData(c)
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, http.StatusOK, "decisions", "退回与延期申请", p)
}

// refusedDecision shows the decisions page again with the refused decision (form
// "decide-return" or "decide-extension" of request id) as typed.
func (s *server) refusedDecision(c *gin.Context, form string, id int64, err error) {
	s.refusedOn(c, "/decisions", form, id, err, func(status int, f typedForm) {
		p, rerr := s.decisionsData(c)
		if rerr != nil {
			s.failErr(c, rerr)
			return
		}
		p.Form = f
		kind := map[string]string{"decide-return": "return", "decide-extension": "extension"}[form]
		for _, d := range p.Rows { // a request decided meanwhile has no form to show again
			p.FormShown = p.FormShown || (d.Kind == kind && d.ID == id)
		}
		s.render(c, status, "decisions", "退回与延期申请", p)
	})
}

func (s *server) decideReturn(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	// The service reads unit 0 as "keep": a 改派 without a unit must be refused here, or it
	// would silently keep the assignment.
	f := readForm(c)
	newUnit := f.id("new_unit", "改派单位")
	if f.err != nil {
		s.refusedDecision(c, "decide-return", id, f.err)
		return
	}
	ctx, a, reason := c.Request.Context(), actor(c), c.PostForm("reason")
	switch c.PostForm("decision") {
	case "keep":
		newUnit = 0
	case "reassign":
		if newUnit <= 0 {
			s.refusedDecision(c, "decide-return", id, invalidInput("reassign_unit_required", "请选择改派单位"))
			return
		}
	case "withdraw":
		// No unit takes the co-unit's place, and the withdrawal cannot be undone: a unit
		// chosen in the form says the reviewer meant 改派, so nothing is guessed.
		if newUnit > 0 {
			s.refusedDecision(c, "decide-return", id, invalidInput("withdraw_with_unit", "已选择改派单位：改派请点“改派”；同意退回且不再安排协办单位时请不要选择改派单位"))
			return
		}
		if _, err := s.cfg.Suggestions.WithdrawCoUnit(ctx, a, id, reason); err != nil {
			s.refusedDecision(c, "decide-return", id, err)
			return
		}
		s.done(c, "/decisions", "已同意退回，该单位不再协办，原交办记录保留在时间线中")
		return
	default:
		s.refusedDecision(c, "decide-return", id, invalidInput("decision_required", "请选择改派、维持原交办或同意退回"))
		return
	}
	if _, err := s.cfg.Suggestions.DecideReturn(ctx, a, id, newUnit, reason); err != nil {
		s.refusedDecision(c, "decide-return", id, err)
		return
	}
	if newUnit == 0 {
		s.done(c, "/decisions", "已维持原交办")
		return
	}
	s.done(c, "/decisions", "已改派，原交办记录保留在时间线中")
}

func (s *server) decideExtension(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	// The two buttons of the form; anything else is refused, never read as 不同意.
	var approve bool
	switch c.PostForm("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		s.refusedDecision(c, "decide-extension", id, invalidInput("decision_required", "请选择同意延期或不同意"))
		return
	}
	if _, err := s.cfg.Suggestions.DecideExtension(c.Request.Context(), actor(c), id, approve, c.PostForm("reason")); err != nil {
		s.refusedDecision(c, "decide-extension", id, err)
		return
	}
	if approve {
		s.done(c, "/decisions", "已同意延期，答复期限已按复杂件调整")
		return
	}
	s.done(c, "/decisions", "已不同意延期")
}
