package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"jianyi/internal/directory"
	"jianyi/internal/stats"
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
}

func (s *server) dashboard(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	f := stats.Filter{MeetingID: queryID(c, "meeting"), UnitID: queryID(c, "unit"), CategoryID: queryID(c, "category"),
		DelegationID: queryID(c, "delegation"), From: parseDay(c.Query("from"))}
	if to := parseDay(c.Query("to")); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	d, err := s.cfg.Stats.Dashboard(ctx, a, f)
	if err != nil {
		s.failErr(c, err)
		return
	}
	data := dashboardData{D: d, From: c.Query("from"), To: c.Query("to"), CanSupervise: canSupervise(a)}
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
	if data.Delegations, err = s.cfg.Directory.Delegations(ctx, a); err != nil {
		s.failErr(c, err)
		return
	}
	for _, p := range d.Trend {
		data.MaxTrend = max(data.MaxTrend, p.Submitted, p.Replied, p.Closed)
	}
	s.render(c, http.StatusOK, "dashboard", "统计概览", data)
}
