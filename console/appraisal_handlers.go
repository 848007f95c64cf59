package console

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jianyi/internal/appraisal"
	"jianyi/internal/export"
)

// WithAppraisals mounts 专题工作报告与满意度测评 and 年度反馈市政府 (/appraisal…) over the
// appraisal service. Without it those pages do not exist.
func WithAppraisals(svc *appraisal.Service) Option {
	return func(o *options) { o.appraisals = svc }
}

// appraisalPages are the pages of the yearly appraisal; the route guard lets only
// supervising staff (reviewer, coordinator, leader, admin) onto the meeting pages and unit
// staff onto their unit's page, and the service checks again.
type appraisalPages struct {
	*server
	svc *appraisal.Service
}

func appraisalURL(meetingID int64) string {
	return "/appraisal/meetings/" + strconv.FormatInt(meetingID, 10)
}

func feedbackURL(meetingID int64) string { return appraisalURL(meetingID) + "/feedback" }

// index is /appraisal: the meetings to appraise, newest first.
func (p *appraisalPages) index(c *gin.Context) {
	ms, err := p.svc.Meetings(c.Request.Context(), actor(c))
	if err != nil {
		p.failErr(c, err)
		return
	}
	p.render(c, http.StatusOK, "appraisal_index", "专题测评与反馈", ms)
}

type appraisalMeetingData struct {
	*appraisal.Overview
	// Choices are the units the hearing form offers, each once: the suggested ones (the two
	// busiest government departments not yet chosen) first and marked, then the tenant's
	// other active units.
	Choices []hearingChoice
	Today   string
}

// hearingChoice is one unit of the hearing form.
type hearingChoice struct {
	UnitID    int64
	Name      string
	Suggested bool
	Total     int // the suggestions it handles, for a suggested unit
}

// meeting is a meeting's page: the units ranked by the suggestions they handle (the two
// busiest government departments marked), the hearings with their votes and the audit.
func (p *appraisalPages) meeting(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	ctx, a := c.Request.Context(), actor(c)
	o, err := p.svc.Overview(ctx, a, id)
	if err != nil {
		p.failErr(c, err)
		return
	}
	all, err := p.cfg.Directory.Units(ctx, a)
	if err != nil {
		p.failErr(c, err)
		return
	}
	d := appraisalMeetingData{Overview: o, Today: p.now().In(shanghai).Format("2006-01-02")}
	listed := map[int64]bool{}
	for _, c := range o.Candidates {
		if c.Suggested && c.HearingID == 0 {
			d.Choices = append(d.Choices, hearingChoice{UnitID: c.UnitID, Name: c.UnitName, Suggested: true, Total: c.Total})
			listed[c.UnitID] = true
		}
	}
	for _, u := range all {
		if u.Active && !listed[u.ID] {
			d.Choices = append(d.Choices, hearingChoice{UnitID: u.ID, Name: u.Name})
		}
	}
	p.render(c, http.StatusOK, "appraisal_meeting", o.Meeting.Name+" · 专题工作报告与满意度测评", d)
}

// recordHearing chooses a unit to report to a standing-committee session.
func (p *appraisalPages) recordHearing(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	f := readForm(c)
	in := appraisal.HearingInput{UnitID: f.requiredID("unit", "作专题工作报告的单位", "请选择作专题工作报告的单位"),
		Session: c.PostForm("session"), HeldOn: f.day("held_on", "会议日期")}
	if f.err != nil {
		p.back(c, appraisalURL(id), f.err)
		return
	}
	h, err := p.svc.RecordHearing(c.Request.Context(), actor(c), id, in)
	if err != nil {
		p.back(c, appraisalURL(id), err)
		return
	}
	p.done(c, appraisalURL(id), "已确定"+h.UnitName+"作专题工作报告，并已通知该单位")
}

// hearingPath reads the meeting and the hearing of the path.
func hearingPath(c *gin.Context) (meetingID, hearingID int64, ok bool) {
	meetingID, ok = paramID(c, "id")
	if !ok {
		return 0, 0, false
	}
	hearingID, ok = paramID(c, "hearing")
	return meetingID, hearingID, ok
}

// editHearing corrects a hearing's session and date.
func (p *appraisalPages) editHearing(c *gin.Context) {
	mid, hid, ok := hearingPath(c)
	if !ok {
		p.notFound(c)
		return
	}
	f := readForm(c)
	version := f.version()
	in := appraisal.HearingInput{Session: c.PostForm("session"), HeldOn: f.day("held_on", "会议日期")}
	if f.err != nil {
		p.back(c, appraisalURL(mid), f.err)
		return
	}
	if _, err := p.svc.EditHearing(c.Request.Context(), actor(c), mid, hid, version, in); err != nil {
		p.back(c, appraisalURL(mid), err)
		return
	}
	p.done(c, appraisalURL(mid), "已保存专题工作报告安排")
}

// vote records or corrects the committee's vote on a hearing.
func (p *appraisalPages) vote(c *gin.Context) {
	mid, hid, ok := hearingPath(c)
	if !ok {
		p.notFound(c)
		return
	}
	f := readForm(c)
	version := f.version()
	v := appraisal.Vote{Satisfied: f.number("satisfied", "满意票数"), Basic: f.number("basic", "基本满意票数"),
		Unsatisfied: f.number("unsatisfied", "不满意票数")}
	if f.err != nil {
		p.back(c, appraisalURL(mid), f.err)
		return
	}
	h, err := p.svc.RecordVote(c.Request.Context(), actor(c), mid, hid, version, v)
	if err != nil {
		p.back(c, appraisalURL(mid), err)
		return
	}
	p.done(c, appraisalURL(mid), "已保存"+h.UnitName+"的测评结果（满意率"+h.Vote.Rate().Percent()+"），并已通知该单位")
}

// report reads the meeting's feedback report for the page or its export; ok is false when
// the request was answered (a bad id, not found, refused).
func (p *appraisalPages) report(c *gin.Context) (*appraisal.Report, bool) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return nil, false
	}
	r, err := p.svc.Report(c.Request.Context(), actor(c), id)
	if err != nil {
		p.failErr(c, err)
		return nil, false
	}
	return r, true
}

// feedback is the page of what goes to the city government for the meeting.
func (p *appraisalPages) feedback(c *gin.Context) {
	r, ok := p.report(c)
	if !ok {
		return
	}
	p.render(c, http.StatusOK, "appraisal_feedback", r.Meeting.Name+" · 年度反馈市政府", struct {
		*appraisal.Report
		Today string
	}{r, p.now().In(shanghai).Format("2006-01-02")})
}

// opinion records or corrects the 审议意见; version 0 is the first one.
func (p *appraisalPages) opinion(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	f := readForm(c)
	if f.value("version") == "" {
		f.refuse("bad_version", "页面版本信息缺失或不正确，请刷新页面后重试")
	}
	version := f.number("version", "页面版本信息")
	if f.err != nil {
		p.back(c, feedbackURL(id), f.err)
		return
	}
	fb, err := p.svc.SetOpinion(c.Request.Context(), actor(c), id, version, c.PostForm("opinion"))
	if err != nil {
		p.back(c, feedbackURL(id), err)
		return
	}
	msg := "已保存审议意见"
	if fb.ChangedAfterSend() {
		msg += "；反馈市政府后修改的，页面将标明"
	}
	p.done(c, feedbackURL(id), msg)
}

// send marks the feedback sent to the city government; the units with suggestions rated
// 不满意 are told once.
func (p *appraisalPages) send(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		p.notFound(c)
		return
	}
	f := readForm(c)
	version := f.version()
	on := f.day("sent_on", "反馈日期")
	if f.err != nil {
		p.back(c, feedbackURL(id), f.err)
		return
	}
	res, err := p.svc.MarkSent(c.Request.Context(), actor(c), id, version, on)
	if err != nil {
		p.back(c, feedbackURL(id), err)
		return
	}
	if !res.Sent {
		p.done(c, feedbackURL(id), "此前已标记反馈市政府，未重复通知承办单位")
		return
	}
	msg := "已标记反馈市政府"
	if res.Units > 0 {
		msg += "，已通知" + strconv.Itoa(res.Units) + "个承办单位对" + strconv.Itoa(res.Cases) + "件测评不满意的建议开展回头看"
	}
	p.done(c, feedbackURL(id), msg)
}

// exportFeedback is the feedback page as .xlsx (年度反馈市政府).
func (p *appraisalPages) exportFeedback(c *gin.Context) {
	r, ok := p.report(c)
	if !ok {
		return
	}
	p.sendXLSX(c, "年度反馈市政府-"+r.Meeting.Name, func(b *bytes.Buffer) error { return export.Feedback(r, b) })
}

// unit is a unit's own page (?meeting=): its hearings, and the suggestions it leads that were
// rated 不满意 and must be taken up again.
func (p *appraisalPages) unit(c *gin.Context) {
	v, err := p.svc.ForUnit(c.Request.Context(), actor(c), queryID(c, "meeting"))
	if err != nil {
		p.failErr(c, err)
		return
	}
	p.render(c, http.StatusOK, "appraisal_unit", "专题测评与回头看", v)
}
