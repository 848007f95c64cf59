package mpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"jianyi/internal/media"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
)

// listSuggestions answers "my suggestions", from the page cache while the deputy's list is
// unchanged (list_cache.go).
func (a *API) listSuggestions(c *gin.Context) {
	f, err := parseListFilter(c.Request.URL.Query())
	if err != nil {
		a.fail(c, err)
		return
	}
	ctx, s := c.Request.Context(), sess(c)
	key, keep := a.lists.key(s, f)
	var stamp int64
	if keep {
		if stamp, err = a.Suggestions.ListStamp(ctx, actor(c)); err != nil {
			a.fail(c, err)
			return
		}
		if body, ok := a.lists.get(key, stamp, time.Now()); ok {
			c.Data(http.StatusOK, jsonContentType, body)
			return
		}
	}
	xs, err := a.Suggestions.List(ctx, actor(c), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	l := toSummaries(xs, s.DeputyID, f.Limit)
	if !keep {
		writeList(c, l)
		return
	}
	body := l.appendJSON(make([]byte, 0, 8<<10)) // kept, so not from the pool
	c.Data(http.StatusOK, jsonContentType, body)
	a.lists.put(key, stamp, body, time.Now())
}

// similarSuggestions offers earlier suggestions like the draft being written: other
// deputies' only once registered, the deputy's own in any state but draft
// (suggestion.Service.Similar for a deputy).
func (a *API) similarSuggestions(c *gin.Context) {
	if err := onlyParams(c.Request.URL.Query(), "q", "exclude"); err != nil {
		a.fail(c, err)
		return
	}
	q := strings.TrimSpace(c.Query("q"))
	// As the list's q: PostgreSQL refuses NUL (a 500) and invalid UTF-8 matches nothing.
	if len(q) > 600 || !utf8.ValidString(q) || strings.ContainsRune(q, 0) {
		a.fail(c, errBadFilter)
		return
	}
	exclude, err := optInt(c.Query("exclude"), 1, 1<<62)
	if err != nil {
		a.fail(c, err)
		return
	}
	xs, err := a.Suggestions.Similar(c.Request.Context(), actor(c), q, exclude, 5)
	if err != nil {
		a.fail(c, err)
		return
	}
	writeList(c, toSummaries(xs, sess(c).DeputyID, 0))
}

// summary is a changed suggestion as the deputy's calls answer it.
func summary(s *suggestion.Suggestion) any { return toSuggestion(s) }

type draftRequest struct {
	Version  int          `json:"version"`
	Title    string       `json:"title"`
	Body     string       `json:"body"`
	Location locationJSON `json:"location"`
}

func (in draftRequest) input() suggestion.DraftInput {
	return suggestion.DraftInput{Title: in.Title, Body: in.Body,
		Location: suggestion.Location{Lat: in.Location.Lat, Lng: in.Location.Lng, Address: in.Location.Address}}
}

// createDraft saves a new draft; an Idempotency-Key makes a retried save harmless.
func (a *API) createDraft(c *gin.Context) {
	var in draftRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	a.idempotentChange(c, false, raw, http.StatusCreated, summary, func(ctx context.Context) (*suggestion.Suggestion, error) {
		return a.Suggestions.CreateDraft(ctx, actor(c), in.input())
	})
}

// draftPatch is the body of PATCH /suggestions/{id}: only the fields sent change. A field
// left out keeps its value; "location": null clears the place; "body": "" clears the text
// (the submit's minimum length then applies). A location sent replaces the whole place.
type draftPatch struct {
	Version  int                      `json:"version"`
	Title    patchField[string]       `json:"title"`
	Body     patchField[string]       `json:"body"`
	Location patchField[locationJSON] `json:"location"`
}

// patchField is one member of a PATCH body: Set when the member was sent, null included
// (which leaves Value zero: a cleared location, an empty title or body).
type patchField[T any] struct {
	Set   bool
	Value T
}

// UnmarshalJSON records that the member was sent and decodes it as strictly as readJSON
// decodes the body (an unknown member of a location is refused).
func (f *patchField[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if string(b) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&f.Value)
}

// onto is the draft sg with the patch applied: what UpdateDraft is to store.
func (p draftPatch) onto(sg *suggestion.Suggestion) suggestion.DraftInput {
	in := suggestion.DraftInput{Title: sg.Title, Body: sg.Body, Location: sg.Location}
	if p.Title.Set {
		in.Title = p.Title.Value // null is "", refused as title_required
	}
	if p.Body.Set {
		in.Body = p.Body.Value
	}
	if p.Location.Set {
		l := p.Location.Value
		in.Location = suggestion.Location{Lat: l.Lat, Lng: l.Lng, Address: l.Address}
	}
	return in
}

// updateDraft changes the fields the PATCH sends and keeps the others. The draft is read to
// fill in what was left out, and the version the phone sends stays the check: UpdateDraft
// refuses it unless it is still the current version, and writes only where it is. So the
// fields filled in are those of the very version the phone edited (a read of another version
// is refused, as is a change made between that read and the write), never an overwrite.
func (a *API) updateDraft(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in draftPatch
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	if in.Version <= 0 {
		a.fail(c, &suggestion.Error{Kind: suggestion.ErrInvalid, Code: "version_required", Message: "请提供建议的版本号"})
		return
	}
	ctx := c.Request.Context()
	cur, err := a.Suggestions.Get(ctx, actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	s, err := a.Suggestions.UpdateDraft(ctx, actor(c), id, in.Version, in.onto(cur))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toSuggestion(s))
}

func (a *API) suggestionDetail(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	ctx := c.Request.Context()
	d, err := a.Suggestions.Detail(ctx, actor(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	var photos []media.Photo
	if d.HasPhotos {
		if photos, err = a.Media.Photos(ctx, sess(c).TenantID, media.Target{Kind: media.KindSuggestion, ID: id}); err != nil {
			a.fail(c, err)
			return
		}
	}
	out := toDetail(d, sess(c).DeputyID, photos, a.replyDocuments(ctx, sess(c).TenantID, d))
	if out.MergedInto, err = a.mergedInto(ctx, c, &d.Suggestion); err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// mergedInto is the case a merged suggestion was merged into, when the reader may see it
// (the workflow's own rule: after the merge its authors co-sign it); nil otherwise.
func (a *API) mergedInto(ctx context.Context, c *gin.Context, sg *suggestion.Suggestion) (*mergedJSON, error) {
	if sg.MergedInto == 0 {
		return nil, nil
	}
	into, err := a.Suggestions.Get(ctx, actor(c), sg.MergedInto)
	if errors.Is(err, suggestion.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read suggestion %d merged into %d: %w", sg.ID, sg.MergedInto, err)
	}
	return &mergedJSON{ID: into.ID, Number: into.NumberLabel(), Title: into.Title}, nil
}

type submitRequest struct {
	Version int `json:"version"`
}

// riskLabels names WeChat's msgSecCheck labels for the deputy.
var riskLabels = map[int]string{
	10001: "广告", 20001: "时政", 20002: "色情", 20003: "辱骂", 20006: "违法犯罪", 20008: "欺诈",
	20012: "低俗", 20013: "版权", 21000: "其他违规",
}

// submitSuggestion sends a draft to the committee. It requires an Idempotency-Key. The text
// goes through WeChat's msgSecCheck first: risky is refused with the reason (nothing
// changes), review is submitted and flagged for staff; WeChat down means 503 and no change.
func (a *API) submitSuggestion(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in submitRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	version := -1
	if in.Version > 0 {
		version = in.Version
	}
	a.idempotentChange(c, true, raw, http.StatusOK, summary, func(ctx context.Context) (*suggestion.Suggestion, error) {
		return a.Suggestions.SubmitChecked(ctx, actor(c), id, version, a.checkText(sess(c).OpenID))
	})
}

// checkText runs WeChat's msgSecCheck on a suggestion about to be submitted: risky text is
// refused with the reason, "review" flags it for staff, and WeChat being down refuses the
// submit with 503 (nothing changes either way).
func (a *API) checkText(openID string) suggestion.ContentCheck {
	return func(ctx context.Context, sg *suggestion.Suggestion) (string, error) {
		suggest, label, err := a.WeChat.MsgCheck(ctx, openID, sg.Title+"\n"+sg.Body, wechat.SceneForum)
		if err != nil {
			if errors.Is(err, wechat.ErrInvalidCode) {
				return "", errWeChatDown
			}
			return "", err
		}
		switch suggest {
		case wechat.SuggestRisky:
			reason := riskLabels[label]
			if reason == "" {
				reason = "违规"
			}
			return "", apiErr(http.StatusUnprocessableEntity, "content_risky",
				fmt.Sprintf("建议内容可能含有%s信息，请修改后再提交", reason))
		case wechat.SuggestReview:
			return "review", nil
		}
		return "", nil
	}
}

type cosignersRequest struct {
	DeputyIDs []int64 `json:"deputy_ids"`
}

func (a *API) inviteCosigners(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in cosignersRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	if err := a.Suggestions.InviteCosigners(c.Request.Context(), actor(c), id, in.DeputyIDs); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type cosignRequest struct {
	Accept *bool `json:"accept"`
}

func (a *API) respondCosign(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in cosignRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	if in.Accept == nil {
		a.fail(c, errBadRequest)
		return
	}
	if err := a.Suggestions.RespondCosign(c.Request.Context(), actor(c), id, *in.Accept); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type ratingRequest struct {
	Kind   string `json:"kind"`
	Rating string `json:"rating"`
	Reason string `json:"reason"`
}

// rateSuggestion records the reply rating or the implementation rating (双测评).
func (a *API) rateSuggestion(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in ratingRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	a.idempotentChange(c, false, raw, http.StatusOK, summary, func(ctx context.Context) (*suggestion.Suggestion, error) {
		r := suggestion.Rating(in.Rating)
		switch in.Kind {
		case "reply":
			return a.Suggestions.RateReply(ctx, actor(c), id, r, in.Reason)
		case "implementation":
			return a.Suggestions.RateImplementation(ctx, actor(c), id, r, in.Reason)
		}
		return nil, &suggestion.Error{Kind: suggestion.ErrInvalid, Code: "bad_rating_kind", Message: "评价类型应为答复（reply）或落实（implementation）"}
	})
}

type confirmRequest struct {
	Confirm *bool  `json:"confirm"`
	Comment string `json:"comment"`
}

// confirmContact is the deputy confirming or disputing a recorded 三见面 contact.
func (a *API) confirmContact(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in confirmRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	if in.Confirm == nil {
		a.fail(c, errBadRequest)
		return
	}
	ct, err := a.Suggestions.ConfirmContact(c.Request.Context(), actor(c), id, *in.Confirm, in.Comment)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toContact(ct))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type reviewRequest struct {
	Reason string `json:"reason"`
}

// requestReview asks for 回头看 on a closed suggestion whose work was not done: the
// reviewers and the unit are told and the case joins the 回头看 list (a reviewer reopens it).
func (a *API) requestReview(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	var in reviewRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	if err := a.Suggestions.RequestReopen(c.Request.Context(), actor(c), id, in.Reason); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
