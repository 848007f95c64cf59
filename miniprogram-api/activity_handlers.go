package mpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
)

// Activities is 代表参与活动 as a deputy sees it: the activities they are invited to, and
// their answer (*activity.Service).
type Activities interface {
	List(ctx context.Context, a auth.Actor, f activity.Filter) ([]activity.Activity, error)
	Get(ctx context.Context, a auth.Actor, id int64) (*activity.Activity, error)
	Answer(ctx context.Context, a auth.Actor, id int64, accept bool, note string) (*activity.Activity, error)
}

// activityHandlers serve /activities over the activity service given to MountActivities.
type activityHandlers struct {
	api *API
	svc Activities
}

type activityRefJSON struct {
	ID     int64  `json:"id"`
	Number int    `json:"number,omitempty"`
	Title  string `json:"title,omitempty"`
	Name   string `json:"name,omitempty"`
}

// activitySummaryJSON is one row of "my invitations".
type activitySummaryJSON struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	KindLabel   string    `json:"kind_label"`
	Title       string    `json:"title"`
	StartsAt    time.Time `json:"starts_at"`
	Place       string    `json:"place"`
	Status      string    `json:"status"`
	StatusLabel string    `json:"status_label"`
	MyAnswer    string    `json:"my_answer"`
	AnswerLabel string    `json:"my_answer_label"`
	CanAnswer   bool      `json:"can_answer"`
}

type activityListJSON struct {
	Items []activitySummaryJSON `json:"items"`
}

// activityJSON is the detail: the summary, what it is about, the deputy's own answer and,
// once written, the 纪要.
type activityJSON struct {
	activitySummaryJSON
	Description  string            `json:"description"`
	Organizer    string            `json:"organizer"`
	Suggestions  []activityRefJSON `json:"suggestions"`
	Units        []activityRefJSON `json:"units"`
	MyNote       string            `json:"my_note"`
	AnsweredAt   *time.Time        `json:"answered_at"`
	CancelReason string            `json:"cancel_reason,omitempty"`
	Summary      string            `json:"summary,omitempty"`
}

func (h *activityHandlers) summary(act *activity.Activity, deputyID int64) activitySummaryJSON {
	phase := act.Phase
	out := activitySummaryJSON{ID: act.ID, Kind: string(act.Kind), KindLabel: act.Kind.Label(), Title: act.Title,
		StartsAt: act.StartsAt.In(deadline.Shanghai), Place: act.Place, Status: string(phase), StatusLabel: phase.Label(),
		MyAnswer: string(activity.AnswerInvited), AnswerLabel: activity.AnswerInvited.Label(), CanAnswer: act.CanAnswer()}
	if inv := act.Invitation(deputyID); inv != nil {
		out.MyAnswer, out.AnswerLabel = string(inv.Answer), inv.Answer.Label()
	}
	return out
}

func (h *activityHandlers) detailJSON(act *activity.Activity, deputyID int64) activityJSON {
	out := activityJSON{activitySummaryJSON: h.summary(act, deputyID), Description: act.Description, Organizer: act.OrganizerName,
		Suggestions: []activityRefJSON{}, Units: []activityRefJSON{}, CancelReason: act.CancelReason, Summary: act.Summary}
	for _, s := range act.Suggestions {
		out.Suggestions = append(out.Suggestions, activityRefJSON{ID: s.ID, Number: s.Number, Title: s.Name})
	}
	for _, u := range act.Units {
		out.Units = append(out.Units, activityRefJSON{ID: u.ID, Name: u.Name})
	}
	if inv := act.Invitation(deputyID); inv != nil {
		out.MyNote, out.AnsweredAt = inv.Note, apiTimePtr(inv.AnsweredAt)
	}
	return out
}

// list answers "my invitations": upcoming first, soonest first; ?kind= keeps one kind.
func (h *activityHandlers) list(c *gin.Context) {
	if err := onlyParams(c.Request.URL.Query(), "kind"); err != nil {
		h.api.fail(c, err)
		return
	}
	kind := activity.Kind(strings.TrimSpace(c.Query("kind")))
	if kind != "" && !kind.Valid() {
		h.api.fail(c, errBadFilter)
		return
	}
	a := actor(c)
	list, err := h.svc.List(c.Request.Context(), a, activity.Filter{Kind: kind})
	if err != nil {
		h.api.fail(c, err)
		return
	}
	out := activityListJSON{Items: make([]activitySummaryJSON, 0, len(list))}
	for i := range list {
		out.Items = append(out.Items, h.summary(&list[i], a.ID))
	}
	c.JSON(http.StatusOK, out)
}

func (h *activityHandlers) detail(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		h.api.fail(c, errBadID)
		return
	}
	a := actor(c)
	act, err := h.svc.Get(c.Request.Context(), a, id)
	if err != nil {
		h.api.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.detailJSON(act, a.ID))
}

type answerRequest struct {
	Accept *bool  `json:"accept"`
	Note   string `json:"note"`
}

// answer records whether the deputy will come; answering again changes the answer, until
// the activity starts. The same answer sent again (a retry) changes nothing.
func (h *activityHandlers) answer(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		h.api.fail(c, errBadID)
		return
	}
	var in answerRequest
	if _, ok := h.api.readJSON(c, &in); !ok {
		return
	}
	if in.Accept == nil {
		h.api.fail(c, apiErr(http.StatusBadRequest, "accept_required", "请说明是否参加（accept）"))
		return
	}
	a := actor(c)
	act, err := h.svc.Answer(c.Request.Context(), a, id, *in.Accept, in.Note)
	if err != nil {
		h.api.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.detailJSON(act, a.ID))
}
