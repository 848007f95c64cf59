package console

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jianyi/internal/notify"
)

type noticesData struct {
	Rows []notify.Notice
	Next string
}

// inbox lists the staff user's in-app notices (internal/notify, recipient user:<id>).
func (s *server) inbox(c *gin.Context) {
	if s.cfg.Inbox == nil {
		s.notFound(c)
		return
	}
	a := actor(c)
	rows, next, err := s.cfg.Inbox.List(c.Request.Context(), a.TenantID, notify.RecipientUser, a.ID, queryID(c, "before"), 30)
	if err != nil {
		s.failErr(c, err)
		return
	}
	d := noticesData{Rows: rows}
	if next != 0 {
		d.Next = "/inbox?before=" + strconv.FormatInt(next, 10)
	}
	s.render(c, http.StatusOK, "inbox", "消息", d)
}

func (s *server) inboxRead(c *gin.Context) {
	if s.cfg.Inbox == nil {
		s.notFound(c)
		return
	}
	a := actor(c)
	// No id marks every notice read (the page's one button); an id that is not one must
	// not fall through to "all".
	f := readForm(c)
	ids := f.ids("id", "消息编号")
	if f.err != nil {
		s.back(c, "/inbox", f.err)
		return
	}
	if err := s.cfg.Inbox.MarkRead(c.Request.Context(), a.TenantID, notify.RecipientUser, a.ID, ids); err != nil {
		s.back(c, "/inbox", err)
		return
	}
	s.done(c, "/inbox", "已标记为已读")
}
