package console

import (
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jianyi/internal/media"
	"jianyi/internal/supervise"
)

// The content-safety queue (/review/flagged): photos WeChat's image check judged "review" or
// "risky", which a reviewer passes or hides, above the suggestions whose text the check
// flagged, which the reviewer handles in the ordinary review.

type flaggedPhotoRow struct {
	P      media.FlaggedPhoto
	Result string // the check's verdict in words
	Label  string // WeChat's label in words ("" when unknown)
	Risky  bool
}

type flaggedData struct {
	PhotosOn  bool // photo review is wired (Config.Photos)
	Photos    []flaggedPhotoRow
	NextPhoto string
	Cases     []supervise.Case
}

func (s *server) flaggedQueue(c *gin.Context) {
	ctx, a := c.Request.Context(), actor(c)
	d := flaggedData{PhotosOn: s.cfg.Photos != nil}
	if d.PhotosOn {
		rows, err := s.cfg.Photos.FlaggedPhotos(ctx, a, queryID(c, "after"), media.FlaggedPageSize+1)
		if err != nil {
			s.failErr(c, err)
			return
		}
		if len(rows) > media.FlaggedPageSize {
			rows = rows[:media.FlaggedPageSize]
			d.NextPhoto = "/review/flagged?after=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
		}
		for _, p := range rows {
			r := flaggedPhotoRow{P: p, Label: media.CheckLabelText(p.CheckLabel), Risky: p.CheckStatus == "risky", Result: "需人工复核"}
			if r.Risky {
				r.Result = "疑似违规（已自动隐藏）"
			}
			d.Photos = append(d.Photos, r)
		}
	}
	var err error
	if d.Cases, err = s.cfg.Supervise.Cases(ctx, a, supervise.ListFlagged, 0); err != nil {
		s.failErr(c, err)
		return
	}
	s.render(c, http.StatusOK, "flagged", "内容安全复核", d)
}

// flaggedThumb streams the thumbnail of a photo in the queue. The console's CSP allows images
// from 'self' only, and the bucket is private: the reviewer's browser gets the bytes here,
// never a bucket URL.
func (s *server) flaggedThumb(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok || s.cfg.Photos == nil {
		s.notFound(c)
		return
	}
	rc, size, err := s.cfg.Photos.FlaggedThumb(c.Request.Context(), actor(c), id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	defer rc.Close()
	c.Header("Content-Type", media.TypeJPEG)
	c.Header("Content-Disposition", "inline")
	if size > 0 {
		c.Header("Content-Length", strconv.FormatInt(size, 10))
	}
	c.Status(http.StatusOK)
	_, _ = io.Copy(c.Writer, rc)
}

// decidePhoto is the reviewer's 通过 (decision=pass) or 隐藏 (decision=hide).
func (s *server) decidePhoto(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok || s.cfg.Photos == nil {
		s.notFound(c)
		return
	}
	back := "/review/flagged"
	verdict := c.PostForm("decision")
	if _, err := s.cfg.Photos.DecidePhoto(c.Request.Context(), actor(c), id, verdict); err != nil {
		s.back(c, back, err)
		return
	}
	if verdict == media.VerdictHide {
		s.done(c, back, "已隐藏该图片：代表和各处页面均不再显示")
		return
	}
	s.done(c, back, "已通过，图片恢复显示")
}
