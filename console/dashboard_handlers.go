package console

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/directory"
	"jianyi/internal/stats"
	"jianyi/internal/supervise"
)

type dashboardData struct {
	D           *stats.Dashboard // nil when a filter was refused: nothing was counted
	Meetings    []directory.Meeting
	Units       []directory.Unit
	Categories  []directory.Category
	Delegations []directory.Delegation
	From, To    string
	// Filter is what the filter form shows chosen; Scoped: the reader's numbers are only its
	// unit's or its committee's categories' (stats.Dashboard.Scoped).
	Filter stats.Filter
	Scoped bool
	// FilterError says which filter could not be applied and why. The page then shows no
	// figures rather than numbers counted without the filter the reader asked for.
	FilterError string
	MaxTrend    int
	// CanSupervise: the overdue count links to the supervision list only for those who may open it.
	CanSupervise bool
	ExportURL    template.URL // the statistics export with the same filters
}

func (s *server) dashboard(c *gin.Context) {
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
	data := dashboardData{Meetings: ch.Meetings, Units: ch.Units, Categories: ch.Categories, Delegations: ch.Delegations,
		From: c.Query("from"), To: c.Query("to"), Scoped: scoped, CanSupervise: supervise.CanReadLists(a)}
	f, err := ch.filter(c)
	if err != nil {
		data.Filter = f
		_, data.FilterError = s.errorMessage(err)
		s.render(c, http.StatusBadRequest, "dashboard", "统计概览", data)
		return
	}
	d, err := s.cfg.Stats.Dashboard(ctx, a, f)
	if err != nil {
		s.failErr(c, err)
		return
	}
	data.D, data.Filter, data.Scoped, data.ExportURL = d, d.Filter, d.Scoped, statisticsExportURL(c)
	for _, p := range d.Trend {
		data.MaxTrend = max(data.MaxTrend, p.Submitted, p.Replied, p.Closed)
	}
	s.render(c, http.StatusOK, "dashboard", "统计概览", data)
}

// filterChoices are what the statistics may be filtered by: the tenant's meetings, units,
// categories (a committee's own only) and delegations.
type filterChoices struct {
	Meetings    []directory.Meeting
	Units       []directory.Unit
	Categories  []directory.Category
	Delegations []directory.Delegation
}

func (s *server) filterChoices(c *gin.Context, scoped bool) (*filterChoices, error) {
	ctx, a := c.Request.Context(), actor(c)
	ch := &filterChoices{}
	var err error
	if ch.Meetings, err = s.cfg.Directory.Meetings(ctx, a); err != nil {
		return nil, err
	}
	if ch.Units, err = s.cfg.Directory.Units(ctx, a); err != nil {
		return nil, err
	}
	if ch.Categories, err = s.cfg.Directory.Categories(ctx, a); err != nil {
		return nil, err
	}
	if scoped && !a.IsUnit() {
		// A committee's numbers are its categories': offer only those to filter by.
		ch.Categories = slices.DeleteFunc(ch.Categories, func(x directory.Category) bool { return !slices.Contains(a.CategoryIDs, x.ID) })
	}
	if ch.Delegations, err = s.cfg.Directory.Delegations(ctx, a); err != nil {
		return nil, err
	}
	return ch, nil
}

// filter reads the statistics filters (meeting, unit, category, delegation, and the
// submission period from–to, both days included) of the dashboard and its export. A filter
// that is not one of the choices, a day that is not a date, or a period that ends before it
// starts is refused with a message naming it: the numbers are never counted as if unfiltered
// when the reader asked for a filter.
func (ch *filterChoices) filter(c *gin.Context) (stats.Filter, error) {
	var f stats.Filter
	var bad error
	choice := func(name, what string, ok func(int64) bool) int64 {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return 0
		}
		id, valid := positiveID(v)
		if !valid || !ok(id) {
			if bad == nil {
				bad = unknownChoice(name, what, v)
			}
			return 0
		}
		return id
	}
	f.MeetingID = choice("meeting", "会议", func(id int64) bool {
		return slices.ContainsFunc(ch.Meetings, func(m directory.Meeting) bool { return m.ID == id })
	})
	f.UnitID = choice("unit", "承办单位", func(id int64) bool {
		return slices.ContainsFunc(ch.Units, func(u directory.Unit) bool { return u.ID == id })
	})
	f.CategoryID = choice("category", "类别", func(id int64) bool {
		return slices.ContainsFunc(ch.Categories, func(x directory.Category) bool { return x.ID == id })
	})
	f.DelegationID = choice("delegation", "代表团", func(id int64) bool {
		return slices.ContainsFunc(ch.Delegations, func(x directory.Delegation) bool { return x.ID == id })
	})
	day := func(name, what string) time.Time {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, v, shanghai)
		if err != nil {
			if bad == nil {
				bad = invalidInput("bad_"+name, "筛选条件有误：提出时间的"+what+"“"+shortValue(v)+"”不是有效日期，请按 2026-06-01 的格式填写。")
			}
			return time.Time{}
		}
		return t
	}
	f.From = day("from", "开始日期")
	if to := day("to", "结束日期"); !to.IsZero() {
		if bad == nil && !f.From.IsZero() && to.Before(f.From) {
			bad = invalidInput("bad_period", "筛选条件有误：提出时间的开始日期（"+f.From.Format(time.DateOnly)+"）晚于结束日期（"+
				to.Format(time.DateOnly)+"），请重新选择时间段。")
		}
		f.To = to.AddDate(0, 0, 1)
	}
	return f, bad
}

// shortValue is a typed filter value as a message quotes it: at most 20 characters.
func shortValue(v string) string {
	if r := []rune(v); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return v
}

// statisticsExportURL is the statistics export with the dashboard's filters, rebuilt from the
// known filter names only (their values are query-escaped).
func statisticsExportURL(c *gin.Context) template.URL {
	v := url.Values{}
	for _, k := range []string{"meeting", "unit", "category", "delegation", "from", "to"} {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	u := "/exports/statistics.xlsx"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return template.URL(u)
}
