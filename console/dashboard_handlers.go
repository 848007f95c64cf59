package console

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"jianyi/internal/directory"
	"jianyi/internal/stats"
	"jianyi/internal/supervise"
)

type dashboardData struct {
	D           *stats.Dashboard
	Meetings    []directory.Meeting
	Units       []directory.Unit
	Categories  []directory.Category
	Delegations []directory.Delegation
	From, To    string
	MaxTrend    int
	// CanSupervise: the overdue count links to the supervision list only for those who may open it.
	CanSupervise bool
	ExportURL    template.URL // the statistics export with the same filters
}

func (s *server) dashboard(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	d, err := s.cfg.Stats.Dashboard(ctx, a, dashboardFilter(c))
	if err != nil {
		s.failErr(c, err)
		return
	}
	data := dashboardData{D: d, From: c.Query("from"), To: c.Query("to"), CanSupervise: supervise.CanReadLists(a), ExportURL: statisticsExportURL(c)}
	if data.Meetings, err = s.cfg.Directory.Meetings(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if data.Units, err = s.cfg.Directory.Units(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if data.Categories, err = s.cfg.Directory.Categories(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	if d.Scoped && !a.IsUnit() {
		// A committee's numbers are its categories': offer only those to filter by.
		data.Categories = slices.DeleteFunc(data.Categories, func(x directory.Category) bool { return !slices.Contains(a.CategoryIDs, x.ID) })
	}
	if data.Delegations, err = s.cfg.Directory.Delegations(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	for _, p := range d.Trend {
		data.MaxTrend = max(data.MaxTrend, p.Submitted, p.Replied, p.Closed)
	}
	s.render(c, http.StatusOK, "dashboard", "统计概览", data)
}

// dashboardFilter reads the dashboard's filters (meeting, unit, category, delegation, and the
// submission period from–to, both days included).
func dashboardFilter(c *gin.Context) stats.Filter {
	f := stats.Filter{MeetingID: queryID(c, "meeting"), UnitID: queryID(c, "unit"), CategoryID: queryID(c, "category"),
		DelegationID: queryID(c, "delegation"), From: parseDay(c.Query("from"))}
	if to := parseDay(c.Query("to")); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	return f
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
