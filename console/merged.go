package console

import (
	"errors"
	"strconv"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// mergedRef names the suggestion a merged (已并案) one was merged into, as the console says
// it: 已并入第0018号, linked when the reader may open that suggestion.
type mergedRef struct {
	ID    int64
	Label string // 第0018号; 未编号建议（系统ID 18） while it has no number
	Link  bool
}

// mergedInto is the suggestion sg was merged into; nil when sg was not merged. Its number
// is said to every reader of sg (a number tells nothing of the case); the link is offered
// only to a reader who may see it, as the mini-program does (mergedInto there).
func (s *server) mergedInto(c *gin.Context, sg *suggestion.Suggestion) (*mergedRef, error) {
	if sg.Status != suggestion.StatusMerged || sg.MergedInto == 0 {
		return nil, nil
	}
	ctx, a := c.Request.Context(), actor(c)
	into, err := s.cfg.Suggestions.Get(ctx, a, sg.MergedInto)
	link := err == nil
	if errors.Is(err, suggestion.ErrNotFound) {
		into, err = s.cfg.Suggestions.Get(ctx, auth.System(a.TenantID), sg.MergedInto)
	}
	if errors.Is(err, suggestion.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ref := &mergedRef{ID: into.ID, Label: into.NumberLabel(), Link: link}
	if ref.Label == "" {
		ref.Label = "未编号建议（系统ID " + strconv.FormatInt(into.ID, 10) + "）"
	}
	return ref, nil
}

// mergedRows is mergedInto for the merged rows of a list, by row id. A list row does not
// carry what it was merged into, so each merged row is read; the other rows cost nothing.
func (s *server) mergedRows(c *gin.Context, rows []suggestion.Summary) (map[int64]*mergedRef, error) {
	out := map[int64]*mergedRef{}
	for _, r := range rows {
		if r.Status != suggestion.StatusMerged {
			continue
		}
		sg, err := s.cfg.Suggestions.Get(c.Request.Context(), actor(c), r.ID)
		if err != nil {
			return nil, err
		}
		if out[r.ID], err = s.mergedInto(c, sg); err != nil {
			return nil, err
		}
	}
	return out, nil
}
