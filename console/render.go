package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/activity"
	"jianyi/internal/appraisal"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/directory"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
)

type server struct {
	cfg  Config
	tpl  map[string]*template.Template
	now  func() time.Time
	maxP int64
}

func newServer(cfg Config) (*server, error) {
	s := &server{cfg: cfg, now: cfg.Now, maxP: cfg.MaxPDFBytes, tpl: map[string]*template.Template{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxP <= 0 {
		s.maxP = 20 << 20
	}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		if strings.HasPrefix(name, "fragment_") {
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, p)
			if err != nil {
				return nil, fmt.Errorf("console template %s: %w", name, err)
			}
			s.tpl[name] = t
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		s.tpl[name] = t
	}
	return s, nil
}

type navItem struct {
	Href, Label string
	Active      bool
}

type flash struct {
	OK  bool   `json:"ok"`
	Msg string `json:"m"`
}

// view is what every page template receives.
type view struct {
	Title  string
	Actor  auth.Actor
	CSRF   string
	Flash  *flash
	Nav    []navItem
	Data   any
	Path   string
	Unread int
}

func (s *server) nav(a auth.Actor, current string) []navItem {
	var items []navItem
	add := func(href, label string) {
		active := href == current || (href != "/" && strings.HasPrefix(current, href))
		items = append(items, navItem{href, label, active})
	}
	add("/", "统计概览")
	if a.SeesWholeTenant() || a.Has(auth.RoleCommittee) {
		add("/suggestions", "建议列表")
	}
	if a.Has(auth.RoleReviewer) {
		add("/review", "审核立案")
	}
	if a.Has(auth.RoleReviewer, auth.RoleCoordinator) {
		add("/assign", "待交办")
	}
	if a.Has(auth.RoleReviewer) {
		add("/decisions", "退回与延期")
	}
	if a.IsUnit() {
		add("/unit", "本单位办理")
	}
	if supervise.CanReadLists(a) {
		add("/supervise/overdue", "督办")
	}
	if canSupervise(a) {
		add("/problems", "问题清单")
	}
	if activity.CanOrganise(a) || a.IsUnit() {
		add("/activities", "代表活动") // a unit's staff: the activities that concern their unit
	}
	if appraisal.CanManage(a) {
		add("/appraisal", "专题测评")
	} else if a.IsUnit() {
		add("/appraisal/unit", "专题测评")
	}
	if canExportDeputies(a) || canExportUnits(a) {
		add("/exports", "两清单导出")
	}
	if a.Has(auth.RoleAdmin) || a.Has(auth.RoleReviewer) {
		add("/admin", "系统管理")
	}
	if s.cfg.Inbox != nil {
		add("/inbox", "消息")
	}
	return items
}

// What the domain lets each role reach; the navigation, the pages' links and the route
// guards all ask these, so nobody is offered what would then be refused.

// canSupervise: 问题清单 (supervisors and unit staff). The supervision lists are
// supervise.CanReadLists: committees read them too, for their categories.
func canSupervise(a auth.Actor) bool { return a.SeesWholeTenant() || a.IsUnit() }

// canExportDeputies: 代表意见清单 (the whole tenant, or a committee's categories).
func canExportDeputies(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && (a.SeesWholeTenant() || a.Has(auth.RoleCommittee))
}

// canExportUnits: 部门交办清单 (the whole tenant, or a unit's own lines).
func canExportUnits(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && (a.SeesWholeTenant() || a.IsUnit())
}

// render writes a full page.
func (s *server) render(c *gin.Context, status int, name, title string, data any) {
	t, ok := s.tpl[name]
	if !ok {
		s.cfg.Log.Error("console: unknown template", "template", name)
		c.String(http.StatusInternalServerError, "页面模板缺失")
		return
	}
	a := actor(c)
	v := view{Title: title, Actor: a, Data: data, Path: c.Request.URL.Path, Flash: takeFlash(c)}
	if sess := session(c); sess != nil {
		v.CSRF = sess.CSRF
		v.Nav = s.nav(a, c.Request.URL.Path)
		if s.cfg.Inbox != nil {
			v.Unread, _ = s.cfg.Inbox.UnreadCount(c.Request.Context(), a.TenantID, "user", a.ID)
		}
	}
	if d, ok := data.(interface{ csrf() string }); ok && v.CSRF == "" {
		v.CSRF = d.csrf()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.cfg.Log.Error("console: render", "template", name, "err", err)
		c.String(http.StatusInternalServerError, "页面渲染失败")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fragment writes a piece of HTML that a page loads into itself.
func (s *server) fragment(c *gin.Context, name string, data any) {
	var buf bytes.Buffer
	if err := s.tpl[name].ExecuteTemplate(&buf, "fragment", data); err != nil {
		s.cfg.Log.Error("console: render fragment", "template", name, "err", err)
		c.String(http.StatusInternalServerError, "加载失败")
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

func setFlash(c *gin.Context, ok bool, msg string) {
	b, _ := json.Marshal(flash{OK: ok, Msg: msg})
	setCookie(c, flashCookie, base64.RawURLEncoding.EncodeToString(b), 60)
}

func takeFlash(c *gin.Context) *flash {
	v, err := c.Cookie(flashCookie)
	if err != nil || v == "" {
		return nil
	}
	setCookie(c, flashCookie, "", -1)
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil || f.Msg == "" {
		return nil
	}
	return &f
}

// done redirects after a successful POST with a message.
func (s *server) done(c *gin.Context, to, msg string) {
	setFlash(c, true, msg)
	c.Redirect(http.StatusSeeOther, to)
}

// back redirects after a refused POST with the reason; not-found errors are a 404 page.
func (s *server) back(c *gin.Context, to string, err error) {
	status, msg := s.errorMessage(err)
	if status == http.StatusNotFound {
		s.notFound(c)
		return
	}
	if status >= 500 {
		s.fail(c, status, msg)
		return
	}
	setFlash(c, false, msg)
	c.Redirect(http.StatusSeeOther, to)
}

func (s *server) notFound(c *gin.Context) {
	s.render(c, http.StatusNotFound, "error", "页面不存在", errorPage{Status: 404, Message: "您要找的内容不存在，或不在您的权限范围内。"})
}

func (s *server) fail(c *gin.Context, status int, msg string) {
	s.render(c, status, "error", "操作未完成", errorPage{Status: status, Message: msg})
}

// failErr renders the page for a read error.
func (s *server) failErr(c *gin.Context, err error) {
	status, msg := s.errorMessage(err)
	if status == http.StatusNotFound {
		s.notFound(c)
		return
	}
	s.fail(c, status, msg)
}

type errorPage struct {
	Status  int
	Message string
}

var shanghai = deadline.Shanghai

var funcs = template.FuncMap{
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(shanghai).Format("2006-01-02")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.In(shanghai).Format("2006-01-02")
		}
		return ""
	},
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(shanghai).Format("2006-01-02 15:04")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.In(shanghai).Format("2006-01-02 15:04")
		}
		return ""
	},
	"number": func(n int) string {
		if n == 0 {
			return "未编号"
		}
		return fmt.Sprintf("第%04d号", n)
	},
	"status":    func(s any) string { return suggestion.Status(fmt.Sprint(s)).Label() },
	"mode":      func(s any) string { return suggestion.Mode(fmt.Sprint(s)).Label() },
	"asgState":  func(s any) string { return suggestion.AssignmentState(fmt.Sprint(s)).Label() },
	"rating":    func(s any) string { return suggestion.Rating(fmt.Sprint(s)).Label() },
	"stage":     func(s any) string { return suggestion.ContactStage(fmt.Sprint(s)).Label() },
	"roleLabel": func(r auth.Role) string { return r.Label() },
	"asgRole": func(s any) string {
		if fmt.Sprint(s) == "lead" {
			return "主办"
		}
		return "协办"
	},
	"confirmation": func(s string) string {
		switch s {
		case "confirmed":
			return "代表已确认"
		case "disputed":
			return "代表有异议"
		}
		return "待代表确认"
	},
	"problemState":  supervise.ProblemStateLabel,
	"unitKind":      directory.UnitKindLabel,
	"unitKinds":     func() []directory.UnitKind { return directory.UnitKinds },
	"knownUnitKind": directory.KnownUnitKind,
	"action":        actionLabel,
	"pct":           func(r stats.Ratio) string { return r.Percent() },
	"pctWidth": func(r stats.Ratio) string {
		v, _ := r.Value()
		return fmt.Sprintf("%.0f", v*100)
	},
	"has": func(a auth.Actor, roles ...string) bool {
		for _, r := range roles {
			if a.Has(auth.Role(r)) {
				return true
			}
		}
		return false
	},
	"inIDs": func(ids []int64, id int64) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	},
	"add": func(a, b int) int { return a + b },
	"hasRole": func(roles []auth.Role, r auth.Role) bool {
		for _, x := range roles {
			if x == r {
				return true
			}
		}
		return false
	},
	"lines": func(s string) []string { return strings.Split(s, "\n") },
	"isoDate": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(shanghai).Format("2006-01-02")
	},
	"nowLocal": func() string { return time.Now().In(shanghai).Format("2006-01-02T15:04") },
}

var actionLabels = map[string]string{
	"create_draft": "创建草稿", "submit": "提交建议", "edit": "修改建议", "return": "退回修改", "not_register": "不予立案", "register": "立案",
	"assign": "交办", "accept": "承办单位签收", "request_return": "承办单位申请退回", "reassign": "改派承办单位",
	"keep_assignment": "维持原交办", "withdraw_co_unit": "同意退回，撤回协办单位", "record_contact": "登记沟通记录", "contact_confirmed": "代表确认沟通记录",
	"contact_disputed": "代表对沟通记录有异议", "progress": "办理进展", "co_opinion": "协办单位提交意见",
	"reply": "答复", "request_extension": "申请延期（复杂件）", "extension_approved": "同意延期", "extension_rejected": "不同意延期",
	"rate_reply": "代表评价答复", "rate_impl": "代表评价落实", "rehandle": "重新办理", "escalate": "当面协商督办",
	"track": "列入跟踪督办", "close": "办结", "reopen": "回头看重新办理", "merge": "并案", "impl_close": "落实后办结",
	"commitment_done": "承诺事项完成", "implementation_due": "提醒评价落实", "invite_cosigners": "邀请联名",
	"cosign_accepted": "代表同意联名", "cosign_declined": "代表拒绝联名", "nudge": "代表催办",
	"photo_passed": "图片复核通过", "photo_hidden": "图片复核隐藏", "publish_reply": "公开答复", "reopen_requested": "代表申请回头看",
}

func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

var suggestionDefaultLabels = func() map[string]string {
	out := map[string]string{}
	for k, v := range suggestion.DefaultClassLabels {
		out[string(k)] = v
	}
	return out
}()
