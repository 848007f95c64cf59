package mpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/media"
)

type snapRequest struct {
	Note     string       `json:"note"`
	Location locationJSON `json:"location"`
}

type snapJSON struct {
	ID           int64        `json:"id"`
	Note         string       `json:"note"`
	Location     locationJSON `json:"location"`
	SuggestionID *int64       `json:"suggestion_id,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	Photos       []photoJSON  `json:"photos,omitempty"`
}

func toSnap(s *media.Snap) snapJSON {
	out := snapJSON{ID: s.ID, Note: s.Note, Location: locationJSON{Lat: s.Lat, Lng: s.Lng, Address: s.Address}, CreatedAt: apiTime(s.CreatedAt)}
	if s.SuggestionID != 0 {
		id := s.SuggestionID
		out.SuggestionID = &id
	}
	return out
}

type snapListJSON struct {
	Items      []snapJSON `json:"items"`
	NextBefore *int64     `json:"next_before"`
}

func (a *API) createSnap(c *gin.Context) {
	var in snapRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	a.idempotent(c, false, raw, func() (int, any, error) {
		s, err := a.Snaps.Create(c.Request.Context(), actor(c), media.SnapInput{Note: in.Note, Lat: in.Location.Lat,
			Lng: in.Location.Lng, Address: in.Location.Address})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, toSnap(s), nil
	})
}

func (a *API) listSnaps(c *gin.Context) {
	q := c.Request.URL.Query()
	if err := onlyParams(q, "before", "limit"); err != nil {
		a.fail(c, err)
		return
	}
	before, limit, err := cursorPage(q)
	if err != nil {
		a.fail(c, err)
		return
	}
	if limit == 0 {
		limit = 20
	}
	xs, err := a.Snaps.List(c.Request.Context(), actor(c), before, int(limit))
	if err != nil {
		a.fail(c, err)
		return
	}
	out := snapListJSON{Items: make([]snapJSON, 0, len(xs))}
	for i := range xs {
		out.Items = append(out.Items, toSnap(&xs[i]))
	}
	if len(xs) == int(limit) {
		last := xs[len(xs)-1].ID
		out.NextBefore = &last
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) snapDetail(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	ctx := c.Request.Context()
	s, err := a.Snaps.Get(ctx, actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	photos, err := a.Media.Photos(ctx, s.TenantID, media.Target{Kind: media.KindSnap, ID: id})
	if err != nil {
		a.fail(c, err)
		return
	}
	out := toSnap(s)
	out.Photos = toPhotos(photos)
	c.JSON(http.StatusOK, out)
}

type snapDraftRequest struct {
	Title string `json:"title"`
}

type snapDraftResponse struct {
	SuggestionID int64 `json:"suggestion_id"`
}

// snapToDraft turns a 随手拍 into a draft suggestion with its place and photos.
func (a *API) snapToDraft(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in snapDraftRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	a.idempotent(c, false, raw, func() (int, any, error) {
		sid, err := a.Snaps.ToDraft(c.Request.Context(), actor(c), id, in.Title)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, snapDraftResponse{SuggestionID: sid}, nil
	})
}
