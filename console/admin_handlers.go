package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/directory"
	"jianyi/internal/notify"
)

func (s *server) adminHome(c *gin.Context) {
	s.render(c, http.StatusOK, "admin", "系统管理", nil)
}

// The admin pages show a refused form again as typed (refusedOn): Form is the form "unit",
// "deputy", "user", "meeting", "category", "delegation", "group", "clocks", "labels",
// "template-<kind>-<channel>" or "holiday"; Form.ID the record a row's edit form is for.

type unitsData struct {
	Rows []directory.Unit
	Form typedForm
}

func (s *server) adminUnits(c *gin.Context) { s.adminUnitsPage(c, http.StatusOK, typedForm{}) }

func (s *server) adminUnitsPage(c *gin.Context, status int, f typedForm) {
	units, err := s.cfg.Directory.Units(c.Request.Context(), actor(c))
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, status, "admin_units", "承办单位", unitsData{Rows: units, Form: f})
}

// editedID is the record id a posted edit form names (0: a new record, or an id not read).
func editedID(c *gin.Context) int64 {
	id, _ := positiveID(strings.TrimSpace(c.PostForm("id")))
	return id
}

func (s *server) saveUnit(c *gin.Context) {
	f := readForm(c)
	u := &directory.Unit{ID: f.id("id", "承办单位编号"), Name: c.PostForm("name"), Kind: strings.TrimSpace(c.PostForm("kind")), Active: f.active("active")}
	refused := func(err error) {
		s.refusedOn(c, "/admin/units", "unit", editedID(c), err, func(status int, f typedForm) { s.adminUnitsPage(c, status, f) })
	}
	if f.err != nil {
		refused(f.err)
		return
	}
	if err := s.cfg.Directory.SaveUnit(c.Request.Context(), actor(c), u); err != nil {
		refused(err)
		return
	}
	s.done(c, "/admin/units", "已保存承办单位："+u.Name)
}

type deputiesData struct {
	Rows        []directory.Deputy
	Delegations []directory.Delegation
	Groups      []directory.Group
	Q           string
	Import      *directory.ImportResult
	Invite      string
	CanEdit     bool
	CanInvite   bool
	Form        typedForm
}

func (s *server) adminDeputies(c *gin.Context) { s.adminDeputiesPage(c, http.StatusOK, typedForm{}) }

func (s *server) adminDeputiesPage(c *gin.Context, status int, f typedForm) {
	ctx, a := c.Request.Context(), actor(c)
	q := c.Query("q")
	if f.Name != "" {
		q = f.V("q") // a row's edit form carries the search its list was shown with
	}
	d := deputiesData{Q: q, CanEdit: a.Has(auth.RoleAdmin), CanInvite: s.cfg.Invites != nil}
	var err error
	if d.Rows, err = s.cfg.Directory.Deputies(ctx, a, d.Q, 300); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Delegations, err = s.cfg.Directory.Delegations(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Groups, err = s.cfg.Directory.Groups(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	d.Form = f
	s.render(c, status, "admin_deputies", "代表名册", d)
}

func (s *server) saveDeputy(c *gin.Context) {
	f := readForm(c)
	d := &directory.Deputy{ID: f.id("id", "代表编号"), Name: c.PostForm("name"), Phone: c.PostForm("phone"),
		DelegationID: f.id("delegation", "所选代表团"), GroupID: f.id("group", "所选代表小组"), Active: f.active("active")}
	refused := func(err error) {
		s.refusedOn(c, "/admin/deputies", "deputy", editedID(c), err, func(status int, f typedForm) { s.adminDeputiesPage(c, status, f) })
	}
	if f.err != nil {
		refused(f.err)
		return
	}
	if err := s.cfg.Directory.SaveDeputy(c.Request.Context(), actor(c), d); err != nil {
		refused(err)
		return
	}
	s.done(c, "/admin/deputies", "已保存代表："+d.Name)
}

func (s *server) importDeputies(c *gin.Context) {
	// The body was bounded before it was read (limitBody: the file's 10 MB and the form).
	fh, err := c.FormFile("file")
	if err != nil {
		s.back(c, "/admin/deputies", invalidInput("file_required", "请选择要导入的 .xlsx 文件（不超过10MB）"))
		return
	}
	if fh.Size > importFileLimit {
		s.back(c, "/admin/deputies", invalidInput("file_too_large", "导入文件不能超过10MB，请拆分后分批导入"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.back(c, "/admin/deputies", invalidInput("file_unreadable", "无法读取上传的文件"))
		return
	}
	defer f.Close()
	rows, err := directory.ParseDeputiesXLSX(f)
	if err != nil {
		s.back(c, "/admin/deputies", err)
		return
	}
	res, err := s.cfg.Directory.ImportDeputies(c.Request.Context(), actor(c), rows)
	if err != nil {
		s.back(c, "/admin/deputies", err)
		return
	}
	if len(res.Errors) > 0 {
		var b strings.Builder
		b.WriteString("导入未完成，请修改后重新上传：")
		for i, e := range res.Errors {
			if i == 10 {
				fmt.Fprintf(&b, "……共%d处问题", len(res.Errors))
				break
			}
			if e.Line > 0 {
				fmt.Fprintf(&b, "第%d行%s；", e.Line, e.Message)
			} else {
				b.WriteString(e.Message + "；")
			}
		}
		setFlash(c, false, b.String())
		c.Redirect(http.StatusSeeOther, "/admin/deputies")
		return
	}
	s.done(c, "/admin/deputies", fmt.Sprintf("导入完成：新增%d名代表，更新%d名", res.Created, res.Updated))
}

func (s *server) issueInvite(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok || s.cfg.Invites == nil {
		s.notFound(c)
		return
	}
	code, exp, err := s.cfg.Invites.IssueInvite(c.Request.Context(), actor(c), id)
	if err != nil {
		var ae *account.Error
		if errors.As(err, &ae) {
			setFlash(c, false, ae.Message)
			c.Redirect(http.StatusSeeOther, "/admin/deputies")
			return
		}
		s.back(c, "/admin/deputies", err)
		return
	}
	s.done(c, "/admin/deputies", fmt.Sprintf("邀请码：%s（%s前有效，仅显示一次，请转交代表在小程序中绑定）", code, exp.In(shanghai).Format("2006-01-02 15:04")))
}

type usersData struct {
	Rows       []directory.User
	Units      []directory.Unit
	Categories []directory.Category
	Roles      []auth.Role
	Edit       *directory.User
	Now        any
	Form       typedForm
}

func (s *server) adminUsers(c *gin.Context) { s.adminUsersPage(c, http.StatusOK, typedForm{}) }

func (s *server) adminUsersPage(c *gin.Context, status int, f typedForm) {
	ctx, a := c.Request.Context(), actor(c)
	d := usersData{Roles: auth.Roles[1:], Now: s.now()}
	var err error
	if d.Rows, err = s.cfg.Directory.Users(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Units, err = s.cfg.Directory.Units(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Categories, err = s.cfg.Directory.Categories(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	id := queryID(c, "edit")
	if f.Name != "" {
		id = f.ID // the user the refused form was editing (0: a new user)
	}
	if id != 0 {
		for i := range d.Rows {
			if d.Rows[i].ID == id {
				d.Edit = &d.Rows[i]
			}
		}
	}
	d.Form = f
	s.render(c, status, "admin_users", "工作人员与角色", d)
}

func (s *server) saveUser(c *gin.Context) {
	f := readForm(c)
	u := &directory.User{ID: f.id("id", "用户编号"), Username: c.PostForm("username"), DisplayName: c.PostForm("display_name"),
		Phone: strings.TrimSpace(c.PostForm("phone")), UnitID: f.id("unit", "所属单位"), CategoryIDs: f.ids("categories", "对口类别"),
		Active: f.active("active")}
	// Shown again as typed, except the password, which is never written into a page.
	refused := func(err error) {
		s.refusedOn(c, "/admin/users", "user", editedID(c), err, func(status int, f typedForm) { s.adminUsersPage(c, status, f) })
	}
	if f.err != nil {
		refused(f.err)
		return
	}
	for _, r := range c.PostFormArray("roles") {
		u.Roles = append(u.Roles, auth.Role(r)) // the service refuses any role it does not know
	}
	if err := s.cfg.Directory.SaveUser(c.Request.Context(), actor(c), u, c.PostForm("password")); err != nil {
		refused(err)
		return
	}
	s.done(c, "/admin/users", "已保存用户："+u.Username)
}

func (s *server) unlockUser(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	if err := s.cfg.Directory.Unlock(c.Request.Context(), actor(c), id); err != nil {
		s.back(c, "/admin/users", err)
		return
	}
	s.done(c, "/admin/users", "已解除锁定")
}

type catalogData struct {
	Categories  []directory.Category
	Delegations []directory.Delegation
	Groups      []directory.Group
	Meetings    []directory.Meeting
	Form        typedForm
}

func (s *server) adminCatalog(c *gin.Context) { s.adminCatalogPage(c, http.StatusOK, typedForm{}) }

func (s *server) adminCatalogPage(c *gin.Context, status int, f typedForm) {
	ctx, a := c.Request.Context(), actor(c)
	d := catalogData{Form: f}
	var err error
	if d.Categories, err = s.cfg.Directory.Categories(ctx, a); err == nil {
		if d.Delegations, err = s.cfg.Directory.Delegations(ctx, a); err == nil {
			if d.Groups, err = s.cfg.Directory.Groups(ctx, a); err == nil {
				d.Meetings, err = s.cfg.Directory.Meetings(ctx, a)
			}
		}
	}
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, status, "admin_catalog", "会议、类别与代表团", d)
}

// refusedCatalog shows 会议、类别与代表团 again with the refused form name (of row id) as typed.
func (s *server) refusedCatalog(c *gin.Context, name string, id int64, err error) {
	s.refusedOn(c, "/admin/catalog", name, id, err, func(status int, f typedForm) { s.adminCatalogPage(c, status, f) })
}

func (s *server) saveCategory(c *gin.Context) {
	f := readForm(c)
	v := &directory.Category{ID: f.id("id", "类别编号"), Name: c.PostForm("name"), ReplyMonths: f.number("reply_months", "类别答复期限（月）")}
	if f.err != nil {
		s.refusedCatalog(c, "category", editedID(c), f.err)
		return
	}
	if err := s.cfg.Directory.SaveCategory(c.Request.Context(), actor(c), v); err != nil {
		s.refusedCatalog(c, "category", editedID(c), err)
		return
	}
	s.done(c, "/admin/catalog", "已保存类别："+v.Name)
}

func (s *server) saveDelegation(c *gin.Context) {
	f := readForm(c)
	v := &directory.Delegation{ID: f.id("id", "代表团编号"), Name: c.PostForm("name")}
	if f.err != nil {
		s.refusedCatalog(c, "delegation", 0, f.err)
		return
	}
	if err := s.cfg.Directory.SaveDelegation(c.Request.Context(), actor(c), v); err != nil {
		s.refusedCatalog(c, "delegation", 0, err)
		return
	}
	s.done(c, "/admin/catalog", "已保存代表团："+v.Name)
}

func (s *server) saveGroup(c *gin.Context) {
	f := readForm(c)
	v := &directory.Group{ID: f.id("id", "代表小组编号"), Name: c.PostForm("name"), DelegationID: f.id("delegation", "所选代表团")}
	if f.err != nil {
		s.refusedCatalog(c, "group", 0, f.err)
		return
	}
	if err := s.cfg.Directory.SaveGroup(c.Request.Context(), actor(c), v); err != nil {
		s.refusedCatalog(c, "group", 0, err)
		return
	}
	s.done(c, "/admin/catalog", "已保存代表小组："+v.Name)
}

func (s *server) saveMeeting(c *gin.Context) {
	f := readForm(c)
	m := &directory.Meeting{ID: f.id("id", "会议编号"), Name: c.PostForm("name"), Year: f.number("year", "年份"),
		StartsOn: f.day("starts_on", "开始日期"), EndsOn: f.day("ends_on", "结束日期"), IsCurrent: f.flag("is_current", "设为当前会议")}
	if f.err == nil && (m.StartsOn.IsZero() || m.EndsOn.IsZero()) {
		f.refuse("bad_dates", "请填写会议起止日期")
	}
	if f.err != nil {
		s.refusedCatalog(c, "meeting", 0, f.err)
		return
	}
	if err := s.cfg.Directory.SaveMeeting(c.Request.Context(), actor(c), m); err != nil {
		s.refusedCatalog(c, "meeting", 0, err)
		return
	}
	s.done(c, "/admin/catalog", "已保存会议："+m.Name)
}

type templateRow struct {
	Kind    string
	Label   string
	Current map[string]string
}

type settingsData struct {
	Config    *directory.Config
	Defaults  map[string]string
	Offsets   string
	Templates []templateRow
	Channels  []struct{ Key, Label string }
	HasNotify bool
	Form      typedForm
}

var kindLabels = map[string]string{
	notify.KindAny: "（默认模板）", notify.KindReceived: "建议已收到", notify.KindReturned: "退回修改", notify.KindRegistered: "已立案",
	notify.KindAssigned: "已交办", notify.KindAccepted: "承办单位已签收", notify.KindContactRecorded: "沟通记录待确认",
	notify.KindProgress: "办理进展", notify.KindReplied: "答复待评价", notify.KindRehandling: "重新办理",
	notify.KindCommitmentDone: "承诺事项完成", notify.KindClosed: "已办结", notify.KindReopened: "回头看重新办理",
	notify.KindMerged: "已并案", notify.KindNotRegistered: "不予立案", notify.KindCosignInvited: "联名邀请",
	notify.KindReturnDecided: "退回申请结果", notify.KindNewSubmission: "新提交建议", notify.KindNewAssignment: "新交办",
	notify.KindReturnRequested: "单位申请退回", notify.KindExtension: "单位申请延期", notify.KindUnsatisfied: "代表不满意",
	notify.KindDisputed: "沟通记录有异议", notify.KindEscalated: "当面协商督办", notify.KindReminder: "时限提醒",
	notify.KindOverdue: "逾期督办", notify.KindOverdueDigest: "逾期汇总", notify.KindDigest: "消息汇总",
	notify.KindNudged: "代表催办", notify.KindSupervised: "督办意见", notify.KindReopenRequested: "代表申请回头看", notify.KindOpinionForwarded: "代表意见转交",
	notify.KindProblemRecorded: "列入问题清单", notify.KindInterviewed: "约谈单位", notify.KindRectificationReported: "单位报送整改情况",
	notify.KindActivityInvited: "代表活动邀请", notify.KindActivityChanged: "代表活动调整", notify.KindActivityCancelled: "代表活动取消",
	notify.KindActivityAnswered: "代表答复活动邀请", notify.KindActivityUnit: "代表活动涉及本单位",
	notify.KindHearingChosen: "作专题工作报告", notify.KindHearingVoted: "专题工作报告测评结果", notify.KindReviewBackDue: "测评不满意建议回头看",
}

func (s *server) adminSettings(c *gin.Context) { s.adminSettingsPage(c, http.StatusOK, typedForm{}) }

func (s *server) adminSettingsPage(c *gin.Context, status int, f typedForm) {
	ctx, a := c.Request.Context(), actor(c)
	cfg, err := s.cfg.Directory.Config(ctx, a)
	if err != nil {
		s.failErr(c, err)
		return
	}
	d := settingsData{Config: cfg, Defaults: map[string]string{}, HasNotify: s.cfg.Templates != nil,
		Channels: []struct{ Key, Label string }{{notify.ChannelMPSubscribe, "小程序订阅消息"}, {notify.ChannelOATemplate, "公众号模板消息（代表）"}, {notify.ChannelOAStaff, "公众号模板消息（工作人员）"}}}
	for k, v := range defaultLabels() {
		d.Defaults[k] = v
	}
	var offs []string
	for _, o := range cfg.Settings.ReminderOffsets {
		offs = append(offs, fmt.Sprint(o))
	}
	d.Offsets = strings.Join(offs, ",")
	if s.cfg.Templates != nil {
		set, err := s.cfg.Templates.Get(ctx, a.TenantID)
		if err != nil {
			s.failErr(c, err)
			return
		}
		for _, k := range append([]string{notify.KindAny}, notify.Kinds...) {
			row := templateRow{Kind: k, Label: kindLabels[k], Current: map[string]string{}}
			if row.Label == "" {
				row.Label = k
			}
			for _, t := range set {
				if t.Kind == k {
					row.Current[t.Channel] = t.TemplateID
				}
			}
			d.Templates = append(d.Templates, row)
		}
	}
	d.Form = f
	s.render(c, status, "admin_settings", "时限与通知设置", d)
}

// refusedSettings shows 时限与通知设置 again with the refused form name as typed.
func (s *server) refusedSettings(c *gin.Context, name string, err error) {
	s.refusedOn(c, "/admin/settings", name, 0, err, func(status int, f typedForm) { s.adminSettingsPage(c, status, f) })
}

func defaultLabels() map[string]string {
	out := map[string]string{}
	for k, v := range suggestionDefaultLabels {
		out[k] = v
	}
	return out
}

func (s *server) saveClocks(c *gin.Context) {
	f := readForm(c)
	n := func(name string) int { return f.number(name, directory.ClockLabel(name)) }
	st := deadline.Settings{
		ReplyMonths: n("reply_months"), ComplexReplyMonths: n("complex_reply_months"),
		ReturnWindowWorkdays: n("return_window_workdays"), CoOpinionMonths: n("co_opinion_months"),
		BeforeContactWorkdays: n("before_contact_workdays"), RatingWorkdays: n("rating_workdays"),
		RehandleMonths: n("rehandle_months"), ImplRatingWorkdays: n("impl_rating_workdays"),
		PublishWorkdays: n("publish_workdays"), FastTrackReplyWorkdays: n("fast_track_reply_workdays"),
		RequireBeforeContact: f.flag("require_before_contact", "答复前必须登记办前沟通"),
	}
	if f.err != nil {
		s.refusedSettings(c, "clocks", f.err)
		return
	}
	for _, p := range strings.FieldsFunc(c.PostForm("reminder_offsets"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
		n, err := strconv.Atoi(p)
		if err != nil {
			s.refusedSettings(c, "clocks", invalidInput("bad_offsets", "提醒时间请填写用逗号分隔的工作日数，如 15,7,3,1"))
			return
		}
		st.ReminderOffsets = append(st.ReminderOffsets, n)
	}
	if err := s.cfg.Directory.SaveSettings(c.Request.Context(), actor(c), st); err != nil {
		s.refusedSettings(c, "clocks", err)
		return
	}
	s.done(c, "/admin/settings", "已保存时限设置，新的交办和答复按新时限计算")
}

func (s *server) saveLabels(c *gin.Context) {
	labels := map[string]string{"A": c.PostForm("A"), "B": c.PostForm("B"), "C": c.PostForm("C"), "D": c.PostForm("D")}
	if err := s.cfg.Directory.SaveReplyLabels(c.Request.Context(), actor(c), labels); err != nil {
		s.refusedSettings(c, "labels", err)
		return
	}
	s.done(c, "/admin/settings", "已保存答复类别名称")
}

func (s *server) saveTemplate(c *gin.Context) {
	if s.cfg.Templates == nil {
		s.notFound(c)
		return
	}
	t := notify.TemplateID{Kind: c.PostForm("kind"), Channel: c.PostForm("channel"), TemplateID: c.PostForm("template_id")}
	if err := s.cfg.Templates.Set(c.Request.Context(), actor(c).TenantID, t); err != nil {
		if errors.Is(err, notify.ErrInvalid) {
			err = invalidInput("bad_template", "通知类型、渠道或模板ID不正确")
		}
		// The form is the row of the kind and channel posted (templateForm).
		s.refusedSettings(c, templateForm(t.Kind, t.Channel), err)
		return
	}
	s.done(c, "/admin/settings#templates", "已保存模板ID")
}

// templateForm names the 微信模板ID form of one kind and channel.
func templateForm(kind, channel string) string { return "template-" + kind + "-" + channel }

type holidaysData struct {
	Rows []deadline.Override
	Form typedForm
}

func (s *server) adminHolidays(c *gin.Context) { s.adminHolidaysPage(c, http.StatusOK, typedForm{}) }

func (s *server) adminHolidaysPage(c *gin.Context, status int, f typedForm) {
	hs, err := s.cfg.Directory.Holidays(c.Request.Context(), actor(c))
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, status, "admin_holidays", "节假日调整", holidaysData{Rows: hs, Form: f})
}

func (s *server) saveHoliday(c *gin.Context) {
	f := readForm(c)
	o := deadline.Override{Date: strings.TrimSpace(c.PostForm("date")), Working: f.flag("working", "类型"), Name: c.PostForm("name")}
	refused := func(err error) {
		s.refusedOn(c, "/admin/holidays", "holiday", 0, err, func(status int, f typedForm) { s.adminHolidaysPage(c, status, f) })
	}
	if f.err != nil {
		refused(f.err)
		return
	}
	if err := s.cfg.Directory.SaveHoliday(c.Request.Context(), actor(c), o); err != nil {
		refused(err)
		return
	}
	s.done(c, "/admin/holidays", "已保存："+o.Date)
}

func (s *server) deleteHoliday(c *gin.Context) {
	if err := s.cfg.Directory.DeleteHoliday(c.Request.Context(), actor(c), strings.TrimSpace(c.PostForm("date"))); err != nil {
		if errors.Is(err, directory.ErrNotFound) { // a date with no override: say so on the list
			_, msg := s.errorMessage(err)
			setFlash(c, false, msg)
			c.Redirect(http.StatusSeeOther, "/admin/holidays")
			return
		}
		s.back(c, "/admin/holidays", err)
		return
	}
	s.done(c, "/admin/holidays", "已删除")
}
