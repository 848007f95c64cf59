package console

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"jianyi/internal/directory"
	"jianyi/internal/export"
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
	f := export.Filter{MeetingID: queryID(c, "meeting")}
	s.sendXLSX(c, "代表意见清单", func(b *bytes.Buffer) error {
		return s.cfg.Export.DeputyOpinions(c.Request.Context(), actor(c), f, b)
	})
}

func (s *server) exportUnitAssignments(c *gin.Context) {
	f := export.Filter{MeetingID: queryID(c, "meeting"), UnitID: queryID(c, "unit")}
	s.sendXLSX(c, "部门交办清单", func(b *bytes.Buffer) error {
		return s.cfg.Export.UnitAssignments(c.Request.Context(), actor(c), f, b)
	})
}
