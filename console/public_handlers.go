package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// publicRepliesURL is the path of a tenant's public page of published replies.
func publicRepliesURL(tenantCode string) string {
	return "/public/" + url.PathEscape(tenantCode) + "/replies"
}

type publicRepliesData struct {
	Rows   []suggestion.PublishedReply
	Labels map[string]string
	Next   string
}

// publicPage is how many published replies one page of the public list shows.
const publicPage = 20

// publicReplies is the tenant's public page of replies (答复公开), readable without signing
// in: only replies a reviewer published, with phone and identity numbers masked and no
// deputy named. An unknown tenant shows an empty page, as a tenant without replies does.
func (s *server) publicReplies(c *gin.Context) {
	code := c.Param("tenant")
	var before int64
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			s.fail(c, http.StatusBadRequest, "翻页参数不正确")
			return
		}
		before = n
	}
	rows, err := s.cfg.Suggestions.PublishedReplies(c.Request.Context(), code, before, publicPage)
	if err != nil {
		s.failErr(c, err)
		return
	}
	d := publicRepliesData{Rows: rows, Labels: map[string]string{}}
	for k, v := range suggestion.DefaultClassLabels {
		d.Labels[string(k)] = v
	}
	// The tenant's own class labels, when it has any rows to show.
	if len(rows) > 0 {
		cfg, err := s.cfg.Directory.Config(c.Request.Context(), auth.System(rows[0].TenantID))
		if err != nil {
			s.failErr(c, err)
			return
		}
		for k, v := range cfg.ReplyLabels {
			if v != "" {
				d.Labels[k] = v
			}
		}
	}
	if len(rows) == publicPage {
		d.Next = publicRepliesURL(code) + "?before=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	s.render(c, http.StatusOK, "public_replies", "代表建议答复公开", d)
}
