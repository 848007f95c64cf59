package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/internal/supervise"
)

type casesData struct {
	List    string
	Heading string
	Rows    []supervise.Case
	Leaders []directory.User
	Leader  int64
	Tabs    []navItem
	// Overdue counts the rows shown that are past their reply date; Capped says the list
	// reached supervise.MaxCases rows, so there may be more than it shows.
	Overdue int
	Capped  bool
}

var caseLists = []struct{ key, label, heading string }{
	{"key", "重点建议", "常委会领导领衔督办的重点建议"},
	{"overdue", "逾期未答复", "已超过答复期限仍未答复的建议"},
	{"tracking", "跟踪督办", "代表反馈不满意、或承诺计划解决但需长期推进的建议，跟踪督办直至问题解决"},
	{"unsatisfied", "不满意", "代表对答复不满意、需重新办理或当面协商的建议"},
	{"review_back", "回头看", "已办结但代表不满意或承诺事项未全部完成、需回头看的建议"},
	{"contacts", "三见面", "近六个月答复的部门快办建议中，承办单位办中征求意见或办后回访问效未落实（未登记或代表有异议）的建议"},
}

func (s *server) superviseList(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	list := c.Param("list")
	d := casesData{List: list, Leader: queryID(c, "leader")}
	found := false
	for _, l := range caseLists {
		d.Tabs = append(d.Tabs, navItem{Href: "/supervise/" + l.key, Label: l.label, Active: l.key == list})
		if l.key == list {
			d.Heading, found = l.heading, true
		}
	}
	if !found {
		s.notFound(c)
		return
	}
	if list == "key" && d.Leader == 0 && a.Has(auth.RoleLeader) && !a.Has(auth.RoleReviewer, auth.RoleAdmin) {
		d.Leader = a.ID
	}
	var err error
	if d.Rows, err = s.cfg.Supervise.Cases(ctx, a, supervise.List(list), d.Leader); err != nil {
		s.failErr(c, err)
		return
	}
	for _, r := range d.Rows {
		if r.Overdue {
			d.Overdue++
		}
	}
	d.Capped = len(d.Rows) >= supervise.MaxCases
	if list == "key" && a.SeesWholeTenant() {
		if d.Leaders, err = s.cfg.Directory.UsersWithRole(ctx, a, auth.RoleLeader); err != nil {
			s.failErr(c, err)
			return
		}
	}
	s.render(c, http.StatusOK, "cases", "督办", d)
}

type problemsData struct {
	Rows       []supervise.ProblemItem
	Interviews []supervise.Interview
	Units      []directory.Unit
	State      string
	Unit       int64
	Overdue    bool
	// Form is a refused form of the page as typed: "problem" (新增问题), "interview"
	// (记录约谈) or "rectify" of the problem item Form.ID.
	Form typedForm
}

func (s *server) problems(c *gin.Context) { s.problemsPage(c, http.StatusOK, typedForm{}) }

// problemsPage shows 问题清单与约谈 (filtered by the query) with status and the refused form f.
func (s *server) problemsPage(c *gin.Context, status int, f typedForm) {
	ctx, a := c.Request.Context(), actor(c)
	d := problemsData{State: c.Query("state"), Unit: queryID(c, "unit")}
	switch c.Query("overdue") {
	case "", "0":
	case "1":
		d.Overdue = true
	default:
		s.failErr(c, &supervise.Error{Kind: supervise.ErrInvalid, Code: "bad_overdue", Message: "“只看逾期”筛选条件不正确"})
		return
	}
	var err error
	if d.Rows, err = s.cfg.Supervise.ListProblems(ctx, a, supervise.ProblemQuery{UnitID: d.Unit, State: d.State, Overdue: d.Overdue}); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Interviews, err = s.cfg.Supervise.Interviews(ctx, a, d.Unit, 0); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Units, err = s.cfg.Directory.Units(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	d.Form = f
	s.render(c, status, "problems", "问题清单与约谈", d)
}

// refusedProblems shows 问题清单与约谈 again with the refused form (name, of row id) as typed.
func (s *server) refusedProblems(c *gin.Context, name string, id int64, err error) {
	s.refusedOn(c, "/problems", name, id, err, func(status int, f typedForm) { s.problemsPage(c, status, f) })
}

// unitProblems is the line on the unit's inbox about its items in 问题清单 not yet 已整改;
// nil when it cannot be read (the inbox still shows).
func (s *server) unitProblems(c *gin.Context) *supervise.ProblemSummary {
	sum, err := s.cfg.Supervise.UnitProblems(c.Request.Context(), actor(c))
	if err != nil {
		s.cfg.Log.Error("console: unit problem summary", "err", err)
		return nil
	}
	return &sum
}

func (s *server) interviews(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/problems#interviews") }

func (s *server) createProblem(c *gin.Context) {
	f := readForm(c)
	p := &supervise.ProblemItem{UnitID: f.id("unit", "责任单位"), SuggestionID: f.id("suggestion", "关联建议的系统ID"), Problem: c.PostForm("problem"),
		Responsible: c.PostForm("responsible")}
	if d := f.day("due_on", "整改时限"); !d.IsZero() {
		p.DueOn = &d
	}
	if f.err != nil {
		s.refusedProblems(c, "problem", 0, f.err)
		return
	}
	if err := s.cfg.Supervise.CreateProblemItem(c.Request.Context(), actor(c), p); err != nil {
		s.refusedProblems(c, "problem", 0, err)
		return
	}
	s.done(c, "/problems", "已列入问题清单")
}

func (s *server) rectify(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	if _, err := s.cfg.Supervise.Rectify(c.Request.Context(), actor(c), id, c.PostForm("rectification"), strings.TrimSpace(c.PostForm("state"))); err != nil {
		s.refusedProblems(c, "rectify", id, err)
		return
	}
	s.done(c, "/problems", "已更新整改情况")
}

func (s *server) recordInterview(c *gin.Context) {
	f := readForm(c)
	iv := &supervise.Interview{UnitID: f.id("unit", "约谈单位"), ProblemItemID: f.id("problem", "关联问题"), HeldAt: f.local("held_at", "约谈时间"),
		Leader: c.PostForm("leader"), Summary: c.PostForm("summary"), FollowUp: c.PostForm("follow_up")}
	if f.err != nil {
		s.refusedProblems(c, "interview", 0, f.err)
		return
	}
	if err := s.cfg.Supervise.RecordInterview(c.Request.Context(), actor(c), iv); err != nil {
		if iv.ProblemItemID != 0 { // the problem item named in the form is not there
			err = targetMissing(err, "problem_not_found", "关联问题不存在，请重新选择")
		}
		s.refusedProblems(c, "interview", 0, err)
		return
	}
	s.done(c, "/problems#interviews", "已记录约谈")
}
