package mpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/notify"
)

type noticeJSON struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	Title        string     `json:"title"`
	Body         string     `json:"body"`
	Page         string     `json:"page,omitempty"`
	SuggestionID int64      `json:"suggestion_id,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at,omitempty"`
}

type noticeListJSON struct {
	Items      []noticeJSON `json:"items"`
	NextBefore *int64       `json:"next_before"`
}

func (a *API) listNotices(c *gin.Context) {
	if a.Inbox == nil {
		a.fail(c, errUnavailable)
		return
	}
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
	s := sess(c)
	ns, next, err := a.Inbox.List(c.Request.Context(), s.TenantID, notify.RecipientDeputy, s.DeputyID, before, int(limit))
	if err != nil {
		a.fail(c, err)
		return
	}
	out := noticeListJSON{Items: make([]noticeJSON, 0, len(ns))}
	for _, n := range ns {
		out.Items = append(out.Items, noticeJSON{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, Page: n.Page,
			SuggestionID: n.SuggestionID, CreatedAt: apiTime(n.CreatedAt), ReadAt: apiTimePtr(n.ReadAt)})
	}
	if next > 0 {
		out.NextBefore = &next
	}
	c.JSON(http.StatusOK, out)
}

type unreadJSON struct {
	Count int `json:"count"`
}

func (a *API) unreadNotices(c *gin.Context) {
	if a.Inbox == nil {
		a.fail(c, errUnavailable)
		return
	}
	s := sess(c)
	n, err := a.Inbox.UnreadCount(c.Request.Context(), s.TenantID, notify.RecipientDeputy, s.DeputyID)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, unreadJSON{Count: n})
}

type markReadRequest struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// markNoticesRead marks the given notices read, or all of them with {"all": true}.
func (a *API) markNoticesRead(c *gin.Context) {
	if a.Inbox == nil {
		a.fail(c, errUnavailable)
		return
	}
	var in markReadRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	if (len(in.IDs) == 0) != in.All || len(in.IDs) > 200 {
		a.fail(c, apiErr(http.StatusUnprocessableEntity, "bad_notice_ids", "请选择要标记已读的通知（最多200条），或选择全部已读"))
		return
	}
	// A notice id is positive; an unknown positive one is no one's notice (nothing to mark).
	for _, id := range in.IDs {
		if id <= 0 {
			a.fail(c, apiErr(http.StatusUnprocessableEntity, "bad_notice_ids", "通知编号不正确，请刷新通知列表后重试"))
			return
		}
	}
	s := sess(c)
	if err := a.Inbox.MarkRead(c.Request.Context(), s.TenantID, notify.RecipientDeputy, s.DeputyID, in.IDs); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// subscriptionResult is one template's answer. The phone has wx.requestSubscribeMessage's
// answer per template id ("accept", "reject", "ban" or "filter") and sends accepted true for
// "accept" only; accepted is required, since without it the answer is unknown, and reading
// it as a refusal would switch a long-term subscription off.
type subscriptionResult struct {
	TemplateID string `json:"template_id"`
	Accepted   *bool  `json:"accepted"`
	LongTerm   bool   `json:"long_term"`
}

type subscriptionsRequest struct {
	Results []subscriptionResult `json:"results"`
}

// creditBatch is a Credits that stores one dialog's answers all or none (notify.Credits).
type creditBatch interface {
	RecordAll(ctx context.Context, tenantID, deputyID int64, answers []notify.CreditAnswer) error
}

// recordSubscriptions records what the deputy answered in wx.requestSubscribeMessage
// (one-time credits per accepted template; long-term subscriptions on or off). Each accepted
// one-time template is one more message the deputy may be sent, so a retry on a weak network
// must not count it again: the answers of one request are stored together (all or none) and
// an optional Idempotency-Key answers a retry with the first answer.
func (a *API) recordSubscriptions(c *gin.Context) {
	if a.Credits == nil {
		a.fail(c, errUnavailable)
		return
	}
	var in subscriptionsRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	if len(in.Results) == 0 || len(in.Results) > 10 {
		a.fail(c, apiErr(http.StatusUnprocessableEntity, "bad_subscriptions", "订阅结果应为1至10个模板"))
		return
	}
	answers := make([]notify.CreditAnswer, 0, len(in.Results))
	for _, r := range in.Results {
		if !validKey(r.TemplateID) { // 1 to 128 visible ASCII characters, as WeChat's template ids
			a.fail(c, apiErr(http.StatusUnprocessableEntity, "bad_subscriptions", "订阅消息模板编号不正确"))
			return
		}
		if r.Accepted == nil {
			a.fail(c, apiErr(http.StatusUnprocessableEntity, "bad_subscriptions", "请说明每个订阅消息模板是否同意（accepted）"))
			return
		}
		answers = append(answers, notify.CreditAnswer{TemplateID: r.TemplateID, LongTerm: r.LongTerm, Accepted: *r.Accepted})
	}
	s := sess(c)
	a.idempotent(c, false, raw, func() (int, any, error) {
		ctx := c.Request.Context()
		if cb, ok := a.Credits.(creditBatch); ok {
			if err := cb.RecordAll(ctx, s.TenantID, s.DeputyID, answers); err != nil {
				return 0, nil, err
			}
			return http.StatusNoContent, nil, nil
		}
		for _, r := range answers {
			if err := a.Credits.Record(ctx, s.TenantID, s.DeputyID, r.TemplateID, r.LongTerm, r.Accepted); err != nil {
				return 0, nil, err
			}
		}
		return http.StatusNoContent, nil, nil
	})
}
