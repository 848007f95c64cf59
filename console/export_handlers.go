package console

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/directory"
	"jianyi/internal/export"
	"jianyi/internal/stats"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *server) exportsPage(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	if !canExportDeputies(a) && !canExportUnits(a) {
		s.notFound(c)
		return
	}
	ms, err := s.cfg.Directory.Meetings(ctx, a)
	if err != nil {
		s.failErr(c, err)
		return
	}
	var units []directory.Unit
	if a.SeesWholeTenant() {
		if units, err = s.cfg.Directory.Units(ctx, a); err != nil {
			s.failErr(c, err)
			return
		}
	}
	s.render(c, http.StatusOK, "exports", "两清单导出", map[string]any{"Meetings": ms, "Units": units,
		"CanDeputies": canExportDeputies(a), "CanUnits": canExportUnits(a),
		"DeputyHeaders": export.DeputyOpinionHeaders, "UnitHeaders": export.UnitAssignmentHeaders})
}

func (s *server) sendXLSX(c *gin.Context, name string, write func(*bytes.Buffer) error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		s.failErr(c, err)
		return
	}
	file := name + "-" + s.now().In(shanghai).Format("20060102") + ".xlsx"
	c.Header("Content-Disposition", "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+url.PathEscape(file))
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
}

func (s *server) exportDeputyOpinions(c *gin.Context) {
	f, ok := s.listExportFilter(c, false)
	if !ok {
		return
	}
	s.sendXLSX(c, "代表意见清单", func(b *bytes.Buffer) error {
		return s.cfg.Export.DeputyOpinions(c.Request.Context(), actor(c), f, b)
	})
}

func (s *server) exportUnitAssignments(c *gin.Context) {
	f, ok := s.listExportFilter(c, true)
	if !ok {
		return
	}
	s.sendXLSX(c, "部门交办清单", func(b *bytes.Buffer) error {
		return s.cfg.Export.UnitAssignments(c.Request.Context(), actor(c), f, b)
	})
}

// listExportFilter reads the meeting (and, withUnit, the unit) of a list export. A value that
// is not one of the reader's choices (not an id, another tenant's, gone) is refused with a
// 400 page naming it, as the statistics export does: read as "no filter" it would export
// every meeting's or every unit's rows under the name of the one asked for. A unit's staff
// always get their own unit's lines (export.Service), whatever unit they name.
func (s *server) listExportFilter(c *gin.Context, withUnit bool) (export.Filter, bool) {
	ctx, a := c.Request.Context(), actor(c)
	// choice is the id the query names under key, among the ids list returns; 0 when the
	// query names none, false (the page written) when it names another.
	choice := func(key, label string, list func() ([]int64, error)) (int64, bool) {
		v := strings.TrimSpace(c.Query(key))
		if v == "" {
			return 0, true
		}
		ids, err := list()
		if err != nil {
			s.failErr(c, err)
			return 0, false
		}
		if id, ok := positiveID(v); ok && slices.Contains(ids, id) {
			return id, true
		}
		_, msg := s.errorMessage(unknownChoice(key, label, v))
		s.fail(c, http.StatusBadRequest, "未导出清单。"+msg)
		return 0, false
	}
	var f export.Filter
	var ok bool
	if f.MeetingID, ok = choice("meeting", "会议", func() ([]int64, error) {
		ms, err := s.cfg.Directory.Meetings(ctx, a)
		return idsOf(ms, func(m directory.Meeting) int64 { return m.ID }), err
	}); !ok {
		return f, false
	}
	if withUnit {
		if f.UnitID, ok = choice("unit", "承办单位", func() ([]int64, error) {
			us, err := s.cfg.Directory.Units(ctx, a)
			return idsOf(us, func(u directory.Unit) int64 { return u.ID }), err
		}); !ok {
			return f, false
		}
	}
	return f, true
}

// idsOf is the id of each of xs.
func idsOf[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

// unknownChoice refuses filter name whose value v is not one of the choices of what.
func unknownChoice(name, what, v string) error {
	return invalidInput("bad_"+name, "筛选条件有误："+what+"“"+shortValue(v)+"”不存在，请在列表中重新选择"+what+"。")
}

// exportStatistics is 办理情况统计表: the dashboard the actor sees, with its filters, as .xlsx.
// A filter that cannot be applied is refused with the dashboard's message, never exported as
// a workbook of unfiltered numbers.
func (s *server) exportStatistics(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	scoped, err := stats.Scoped(a)
	if err != nil {
		s.failErr(c, err)
		return
	}
	ch, err := s.filterChoices(c, scoped)
	if err != nil {
		s.failErr(c, err)
		return
	}
	f, err := ch.filter(c)
	if err != nil {
		_, msg := s.errorMessage(err)
		s.fail(c, http.StatusBadRequest, "未导出统计表。"+msg)
		return
	}
	d, err := s.cfg.Stats.Dashboard(ctx, a, f)
	if err != nil {
		s.failErr(c, err)
		return
	}
	title := statisticsScope(c, d, ch)
	s.sendXLSX(c, "办理情况统计表", func(b *bytes.Buffer) error { return export.Statistics(d, title, b) })
}

// statisticsScope says in words what a statistics export covers: the filters the numbers
// were counted with (a unit's staff always count their own unit) and, for a committee, its
// categories (the only ones among the choices).
func statisticsScope(c *gin.Context, d *stats.Dashboard, ch *filterChoices) string {
	a := actor(c)
	f := d.Filter
	var parts []string
	for _, m := range ch.Meetings {
		if f.MeetingID > 0 && m.ID == f.MeetingID {
			parts = append(parts, m.Name)
		}
	}
	for _, u := range ch.Units {
		if f.UnitID > 0 && u.ID == f.UnitID {
			parts = append(parts, "承办单位："+u.Name)
		}
	}
	if f.CategoryID > 0 || (d.Scoped && !a.IsUnit()) {
		var names []string
		for _, x := range ch.Categories {
			if x.ID == f.CategoryID || (f.CategoryID == 0 && slices.Contains(a.CategoryIDs, x.ID)) {
				names = append(names, x.Name)
			}
		}
		parts = append(parts, "类别："+strings.Join(names, "、"))
	}
	for _, x := range ch.Delegations {
		if f.DelegationID > 0 && x.ID == f.DelegationID {
			parts = append(parts, "代表团："+x.Name)
		}
	}
	if from, to := c.Query("from"), c.Query("to"); !f.From.IsZero() || !f.To.IsZero() {
		parts = append(parts, "提交时间："+from+" 至 "+to)
	}
	if len(parts) == 0 {
		return "全部建议"
	}
	return strings.Join(parts, "；")
}
