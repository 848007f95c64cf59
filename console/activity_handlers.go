package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/activity"
	"jianyi/internal/appraisal"
	"jianyi/internal/auth"
	"jianyi/internal/directory"
)

// Option adds an optional part to the console at Mount.
type Option func(*options)

type options struct {
	activities *activity.Service
	appraisals *appraisal.Service
}

// WithActivities mounts 代表参与活动 (/activities and the card on a suggestion's page) over
// the activity service. Without it those pages do not exist.
func WithActivities(svc *activity.Service) Option {
	return func(o *options) { o.activities = svc }
}

// activityPages are the pages of 代表参与活动; the route guard lets only organising staff
// (reviewer, coordinator, leader, admin) in, and the service checks again.
type activityPages struct {
	*server
	svc *activity.Service
}

func activityURL(id int64) string { return "/activities/" + strconv.FormatInt(id, 10) }

type activitiesData struct {
	Organiser  bool // may organise (else a unit's staff reading theirs)
	Rows       []activity.Activity
	Kinds      []activity.Kind
	Kind       string
	Suggestion int64
}

// list is /activities: upcoming first, filtered by kind (?kind=) or linked suggestion
// (?suggestion=).
func (p *activityPages) list(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	d := activitiesData{Organiser: activity.CanOrganise(a), Kinds: activity.Kinds, Kind: strings.TrimSpace(c.Query("kind"))}
	if v := strings.TrimSpace(c.Query("suggestion")); v != "" {
		id, ok := positiveID(v)
		if !ok {
			p.failErr(c, invalidInput("bad_suggestion", "关联建议不正确，请填写建议的系统ID"))
			return
		}
		// A unit's staff see of an activity only the linked suggestions they may see: a
		// filter by any other would tell them which activity it is linked to, so it is that
		// suggestion's 404.
		if !d.Organiser {
			if _, err := p.cfg.Suggestions.Get(ctx, a, id); err != nil {
				p.failErr(c, err)
				return
			}
		}
		d.Suggestion = id
	}
	list, err := p.svc.List(ctx, a, activity.Filter{Kind: activity.Kind(d.Kind), SuggestionID: d.Suggestion})
	if err != nil {
		p.failErr(c, err)
		return
	}
	d.Rows = list
	p.render(c, http.StatusOK, "activities", "代表参与活动", d)
}

// suggestionCard is the fragment the suggestion's page loads into its 代表参与活动 card: the
// activities linked to it. A suggestion the reader may not see is a 404.
func (p *activityPages) suggestionCard(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	if _, err := p.cfg.Suggestions.Get(ctx, a, id); err != nil {
		p.failErr(c, err)
		return
	}
	list, err := p.svc.List(ctx, a, activity.Filter{SuggestionID: id})
	if err != nil {
		p.failErr(c, err)
		return
	}
	p.fragment(c, "fragment_activities", struct {
		Suggestion int64
		Rows       []activity.Activity
	}{id, list})
}

// activityFormData is the create and edit form, with what was typed when it was refused.
type activityFormData struct {
	ID          int64 // 0: a new activity
	Version     int
	Kinds       []activity.Kind
	Kind        string
	Title       string
	StartsAt    string // datetime-local, Shanghai
	Place       string
	Description string
	Suggestions string // system ids, comma separated
	UnitIDs     []int64
	DeputyIDs   []int64
	Units       []directory.Unit
	Deputies    []activity.Deputy
	Error       string
}

func (p *activityPages) formOptions(c *gin.Context, d *activityFormData) error {
	ctx, a := c.Request.Context(), actor(c)
	d.Kinds = activity.Kinds
	var err error
	if d.Units, err = p.cfg.Directory.Units(ctx, a); err != nil {
		return err
	}
	if d.ID == 0 {
		d.Deputies, err = p.svc.Deputies(ctx, a)
	}
	return err
}

func localInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02T15:04")
}

func joinIDs(ids []int64) string {
	s := make([]string, 0, len(ids))
	for _, id := range ids {
		s = append(s, strconv.FormatInt(id, 10))
	}
	return strings.Join(s, ", ")
}

// newForm is /activities/new; ?suggestion= fills in the suggestion it is organised around.
func (p *activityPages) newForm(c *gin.Context) {
	d := activityFormData{Kind: string(activity.KindResearch)}
	if id := queryID(c, "suggestion"); id > 0 {
		d.Suggestions = strconv.FormatInt(id, 10)
	}
	if err := p.formOptions(c, &d); err != nil {
		p.failErr(c, err)
		return
	}
	p.render(c, http.StatusOK, "activity_form", "组织代表活动", d)
}

// readActivity reads the create or edit form strictly: a malformed id list, time or kind is
// refused before the service is called.
func readActivity(c *gin.Context, withDeputies bool) (*form, activity.Input, activityFormData) {
	f := readForm(c)
	kinds := make([]string, 0, len(activity.Kinds))
	for _, k := range activity.Kinds {
		kinds = append(kinds, string(k))
	}
	in := activity.Input{
		Kind:          activity.Kind(f.oneOf("kind", "请选择活动类型（调研、视察、走访、座谈、交办会、协调会、培训或述职）", kinds...)),
		Title:         c.PostForm("title"),
		StartsAt:      f.local("starts_at", "活动时间"),
		Place:         c.PostForm("place"),
		Description:   c.PostForm("description"),
		SuggestionIDs: idList(f, "suggestions", "关联建议的系统ID"),
		UnitIDs:       f.ids("units", "关联单位"),
	}
	if withDeputies {
		in.DeputyIDs = f.ids("deputies", "邀请的代表")
	}
	d := activityFormData{Kind: f.value("kind"), Title: c.PostForm("title"), StartsAt: f.value("starts_at"), Place: c.PostForm("place"),
		Description: c.PostForm("description"), Suggestions: f.value("suggestions"), UnitIDs: in.UnitIDs, DeputyIDs: in.DeputyIDs}
	return f, in, d
}

// idList reads a text field of record ids separated by commas, 、 or spaces.
func idList(f *form, name, what string) []int64 {
	fields := strings.FieldsFunc(f.value(name), func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000'
	})
	out := make([]int64, 0, len(fields))
	for _, v := range fields {
		id, ok := positiveID(v)
		if !ok {
			f.refuse("bad_"+name, what+"不正确：请填写数字，多个用逗号分隔")
			return nil
		}
		out = append(out, id)
	}
	return out
}

// refused shows the form again with what was typed and why it was refused; errors other than
// bad input go the usual way (404 page, 409 flash, 5xx page).
func (p *activityPages) refused(c *gin.Context, back string, d activityFormData, err error) {
	status, msg := p.errorMessage(err)
	if status != http.StatusBadRequest {
		p.back(c, back, err)
		return
	}
	d.Error = msg
	if ferr := p.formOptions(c, &d); ferr != nil {
		p.failErr(c, ferr)
		return
	}
	title := "组织代表活动"
	if d.ID != 0 {
		title = "修改代表活动"
	}
	p.render(c, http.StatusBadRequest, "activity_form", title, d)
}

func (p *activityPages) create(c *gin.Context) {
	f, in, d := readActivity(c, true)
	if f.err != nil {
		p.refused(c, "/activities/new", d, f.err)
		return
	}
	act, err := p.svc.Create(c.Request.Context(), actor(c), in)
	if err != nil {
		p.refused(c, "/activities/new", d, err)
		return
	}
	msg := "已创建活动"
	if n := len(in.DeputyIDs); n > 0 {
		msg += "，已通知" + strconv.Itoa(n) + "位受邀代表"
	}
	p.done(c, activityURL(act.ID), msg)
}

// activityData is the detail page.
type activityData struct {
	A          *activity.Activity
	Phase      activity.Phase
	Organiser  bool // may organise (else a unit's staff: read only, no deputies' notes)
	CanEdit    bool // upcoming: edit, invite, cancel
	CanSummary bool // held, and the reader is its organiser or an admin
	Uninvited  []activity.Deputy
}

func (p *activityPages) detail(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	act, err := p.svc.Get(ctx, a, id)
	if err != nil {
		p.failErr(c, err)
		return
	}
	d := activityData{A: act, Phase: act.Phase, Organiser: activity.CanOrganise(a)}
	d.CanEdit = d.Organiser && d.Phase == activity.PhaseUpcoming
	d.CanSummary = d.Organiser && d.Phase == activity.PhaseHeld && (act.OrganizerID == a.ID || a.Has(auth.RoleAdmin))
	if d.CanEdit {
		all, err := p.svc.Deputies(ctx, a)
		if err != nil {
			p.failErr(c, err)
			return
		}
		for _, dep := range all {
			if act.Invitation(dep.ID) == nil {
				d.Uninvited = append(d.Uninvited, dep)
			}
		}
	}
	p.render(c, http.StatusOK, "activity", act.Title, d)
}

func (p *activityPages) editForm(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	act, err := p.svc.Get(c.Request.Context(), actor(c), id)
	if err != nil {
		p.failErr(c, err)
		return
	}
	if act.Phase != activity.PhaseUpcoming {
		setFlash(c, false, "活动已开始或已取消，不能再修改")
		c.Redirect(http.StatusSeeOther, activityURL(id))
		return
	}
	d := activityFormData{ID: act.ID, Version: act.Version, Kind: string(act.Kind), Title: act.Title, StartsAt: localInput(act.StartsAt),
		Place: act.Place, Description: act.Description, Suggestions: joinIDs(act.SuggestionIDs()), UnitIDs: act.UnitIDs()}
	if err := p.formOptions(c, &d); err != nil {
		p.failErr(c, err)
		return
	}
	p.render(c, http.StatusOK, "activity_form", "修改代表活动", d)
}

func (p *activityPages) update(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	f, in, d := readActivity(c, false)
	d.ID, d.Version = id, f.version()
	if f.err != nil {
		p.refused(c, activityURL(id)+"/edit", d, f.err)
		return
	}
	if _, err := p.svc.Update(c.Request.Context(), actor(c), id, d.Version, in); err != nil {
		p.refused(c, activityURL(id)+"/edit", d, err)
		return
	}
	p.done(c, activityURL(id), "已保存修改；活动名称、时间或地点有变化的，已通知受邀代表")
}

func (p *activityPages) invite(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	f := readForm(c)
	deputies := f.ids("deputies", "邀请的代表")
	if f.err != nil {
		p.back(c, activityURL(id), f.err)
		return
	}
	n, err := p.svc.Invite(c.Request.Context(), actor(c), id, deputies)
	if err != nil {
		p.back(c, activityURL(id), err)
		return
	}
	p.done(c, activityURL(id), "已邀请"+strconv.Itoa(n)+"位代表，并已通知他们")
}

func (p *activityPages) cancel(c *gin.Context) {
	p.versioned(c, "活动已取消，已通知受邀代表", func(id int64, version int) error {
		_, err := p.svc.Cancel(c.Request.Context(), actor(c), id, version, c.PostForm("reason"))
		return err
	})
}

func (p *activityPages) summary(c *gin.Context) {
	p.versioned(c, "已保存活动纪要", func(id int64, version int) error {
		_, err := p.svc.RecordSummary(c.Request.Context(), actor(c), id, version, c.PostForm("summary"))
		return err
	})
}

// versioned runs a version-checked action on the activity of the path and goes back to its
// page with ok, or with the refusal.
func (p *activityPages) versioned(c *gin.Context, ok string, call func(id int64, version int) error) {
	id, found := paramID(c, "id")
	if !found {
		p.notFound(c)
		return
	}
	f := readForm(c)
	version := f.version()
	if f.err != nil {
		p.back(c, activityURL(id), f.err)
		return
	}
	if err := call(id, version); err != nil {
		p.back(c, activityURL(id), err)
		return
	}
	p.done(c, activityURL(id), ok)
}
