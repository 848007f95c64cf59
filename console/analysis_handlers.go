package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/analysis"
)

// 建议集中分析 (/analysis) and 调研报告 (/analysis/reports): the source case's 成果转化闭环.
// The route guard lets only staff who see the whole tenant read them and only reviewers,
// leaders and admins record reports; the service checks again.

const reportsURL = "/analysis/reports"

// analysisOff answers the pages when the console was built without the analysis service.
func (s *server) analysisOff(c *gin.Context) bool {
	if s.cfg.Analysis != nil {
		return false
	}
	s.fail(c, http.StatusServiceUnavailable, "建议集中分析未启用")
	return true
}

type analysisData struct {
	*analysis.Overview
	CanRecord bool
	// Max is analysis.MaxSuggestions, which the page names when the meeting has more.
	Max int
}

// analysisPage is /analysis?meeting=: the meeting's registered suggestions grouped into
// topics, most deputies first.
func (s *server) analysisPage(c *gin.Context) {
	if s.analysisOff(c) {
		return
	}
	a := actor(c)
	var meeting int64
	if v := c.Query("meeting"); v != "" {
		id, ok := positiveID(v)
		if !ok {
			s.failErr(c, &analysis.Error{Kind: analysis.ErrInvalid, Code: "bad_meeting", Message: "会议参数不正确，请从会议下拉框中选择"})
			return
		}
		meeting = id
	}
	o, err := s.cfg.Analysis.Overview(c.Request.Context(), a, meeting)
	if err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, http.StatusOK, "analysis", "建议集中分析", analysisData{Overview: o, CanRecord: analysis.CanRecord(a), Max: analysis.MaxSuggestions})
}

// reportRow is a report with its linked ids as the edit form shows them.
type reportRow struct {
	analysis.Report
	IDs string
}

type reportsData struct {
	Rows      []reportRow
	Counts    analysis.Counts
	CanRecord bool
	Today     string
	// Covers prefills the new report's suggestions (a topic's "据此记录调研报告" link).
	Covers string
	// Capped says the list stopped at analysis.MaxReportsShow, the newest, of more.
	Capped bool
	// Form is a refused form as typed: "report" (new), "edit" or "delete" of report Form.ID.
	Form typedForm
}

func (s *server) reportsPage(c *gin.Context) { s.showReports(c, http.StatusOK, typedForm{}) }

// showReports shows 调研报告 with status and the refused form f.
func (s *server) showReports(c *gin.Context, status int, f typedForm) {
	if s.analysisOff(c) {
		return
	}
	a := actor(c)
	rs, counts, err := s.cfg.Analysis.Reports(c.Request.Context(), a)
	if err != nil {
		s.failErr(c, err)
		return
	}
	d := reportsData{Counts: counts, CanRecord: analysis.CanRecord(a), Today: s.now().In(shanghai).Format("2006-01-02"),
		Covers: coversQuery(c.Query("covers")), Form: f, Capped: counts.Reports > len(rs)}
	for _, r := range rs {
		ids := make([]string, len(r.Suggestions))
		for i, l := range r.Suggestions {
			ids[i] = strconv.FormatInt(l.ID, 10)
		}
		d.Rows = append(d.Rows, reportRow{Report: r, IDs: strings.Join(ids, ", ")})
	}
	s.render(c, status, "analysis_reports", "调研报告", d)
}

// coversQuery keeps a prefill of ids only when it is ids: "12,15,18".
func coversQuery(v string) string {
	if v == "" || len(v) > 4000 {
		return ""
	}
	parts := strings.Split(v, ",")
	for _, p := range parts {
		if _, ok := positiveID(p); !ok {
			return ""
		}
	}
	return strings.Join(parts, ", ")
}

// refusedReport shows 调研报告 again with the refused form (name, of report id) as typed.
func (s *server) refusedReport(c *gin.Context, name string, id int64, err error) {
	s.refusedOn(c, reportsURL, name, id, err, func(status int, f typedForm) { s.showReports(c, status, f) })
}

// maxLinkedField bounds the 关联建议 field: MaxLinked ids of up to 19 digits with separators.
const maxLinkedField = analysis.MaxLinked * 24

// reportInput reads the report form.
func reportInput(c *gin.Context, f *form) analysis.ReportInput {
	in := analysis.ReportInput{Title: c.PostForm("title"), ReportOn: f.day("report_on", "报告日期"),
		Summary: c.PostForm("summary"), Outcome: c.PostForm("outcome"), Adopted: f.flag("adopted", "是否转化为市委市政府举措")}
	raw := c.PostForm("suggestions")
	if len(raw) > maxLinkedField {
		// Far more than MaxLinked ids could take: refused before parsing, and not typed back.
		if f.err == nil {
			f.err = analysis.ErrTooManyLinked
		}
		c.Request.PostForm.Set("suggestions", "")
		return in
	}
	for _, p := range strings.FieldsFunc(raw, func(r rune) bool {
		return strings.ContainsRune(",，、;； \t\r\n", r)
	}) {
		id, ok := positiveID(p)
		if !ok {
			f.refuse("bad_suggestions", "关联建议应填写系统ID（数字），多个用逗号分隔")
			break
		}
		in.SuggestionIDs = append(in.SuggestionIDs, id)
	}
	return in
}

func (s *server) createReport(c *gin.Context) {
	if s.analysisOff(c) {
		return
	}
	f := readForm(c)
	in := reportInput(c, f)
	if f.err != nil {
		s.refusedReport(c, "report", 0, f.err)
		return
	}
	if _, err := s.cfg.Analysis.RecordReport(c.Request.Context(), actor(c), in); err != nil {
		s.refusedReport(c, "report", 0, err)
		return
	}
	s.done(c, reportsURL, "已记录调研报告")
}

func (s *server) editReport(c *gin.Context) {
	if s.analysisOff(c) {
		return
	}
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	f := readForm(c)
	version := f.version()
	in := reportInput(c, f)
	if f.err != nil {
		s.refusedReport(c, "edit", id, f.err)
		return
	}
	if err := s.cfg.Analysis.EditReport(c.Request.Context(), actor(c), id, version, in); err != nil {
		s.refusedReport(c, "edit", id, err)
		return
	}
	s.done(c, reportsURL, "已修改调研报告")
}

func (s *server) deleteReport(c *gin.Context) {
	if s.analysisOff(c) {
		return
	}
	id, ok := paramID(c, "id")
	if !ok {
		s.notFound(c)
		return
	}
	f := readForm(c)
	version := f.version()
	if f.err != nil {
		s.refusedReport(c, "delete", id, f.err)
		return
	}
	if err := s.cfg.Analysis.DeleteReport(c.Request.Context(), actor(c), id, version); err != nil {
		s.refusedReport(c, "delete", id, err)
		return
	}
	s.done(c, reportsURL, "已删除调研报告")
}
