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

// mergedInto is the suggestion sg was merged into; nil when sg was not merged.
func (s *server) mergedInto(c *gin.Context, sg *suggestion.Suggestion) (*mergedRef, error) {
	if sg.Status != suggestion.StatusMerged {
		return nil, nil
	}
	return s.mergedTarget(c, sg.MergedInto)
}

// mergedTarget names suggestion id as a merged one's target. Its number is said to every
// reader (a number tells nothing of the case); the link is offered only to a reader who may
// see it, as the mini-program does (mergedInto there). nil when id is 0 or gone.
func (s *server) mergedTarget(c *gin.Context, id int64) (*mergedRef, error) {
	if id == 0 {
		return nil, nil
	}
	ctx, a := c.Request.Context(), actor(c)
	into, err := s.cfg.Suggestions.Get(ctx, a, id)
	link := err == nil
	if errors.Is(err, suggestion.ErrNotFound) {
		into, err = s.cfg.Suggestions.Get(ctx, auth.System(a.TenantID), id)
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

// mergedRows is mergedTarget for the merged rows of a list, by row id: each target is read
// once however many rows went into it; rows not merged cost nothing.
func (s *server) mergedRows(c *gin.Context, rows []suggestion.Summary) (map[int64]*mergedRef, error) {
	out := map[int64]*mergedRef{}
	targets := map[int64]*mergedRef{}
	for _, r := range rows {
		if r.Status != suggestion.StatusMerged {
			continue
		}
		ref, seen := targets[r.MergedInto]
		if !seen {
			var err error
			if ref, err = s.mergedTarget(c, r.MergedInto); err != nil {
				return nil, err
			}
			targets[r.MergedInto] = ref
		}
		out[r.ID] = ref
	}
	return out, nil
}
