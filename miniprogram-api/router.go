package mpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Prefix is the path every route of the API lives under.
const Prefix = "/api/v1"

// routes is the whole route table of the mini-program API, one line per route.
func (a *API) routes(r gin.IRouter) {
	v1 := r.Group(Prefix, a.recoverJSON, a.noStore, a.limitBody)
	v1.GET("/openapi.yaml", a.ipLimit, a.openAPISpec)
	v1.GET("/docs", a.ipLimit, a.docsPage)
	// WeChat sends every push from a few addresses: a verified push is never limited (a
	// result answered 429 is not sent again, and its photo would wait for ever); a refused
	// one counts against its IP (refusePush).
	v1.GET("/wechat/push", a.pushEcho)
	v1.POST("/wechat/push", a.pushReceive)
	v1.POST("/auth/login", a.ipLimit, a.loginLimit, a.login)

	// Signed-in routes are limited per user; failed sign-ins count against the IP (session).
	s := v1.Group("", a.session, a.userLimit)
	s.POST("/auth/bind/phone", a.loginLimit, a.bindPhone)
	s.POST("/auth/bind/invite", a.loginLimit, a.bindInvite)
	s.POST("/auth/logout", a.logout)
	s.GET("/me", a.me)

	d := s.Group("", a.requireBound)
	d.POST("/me/oa-bind-code", a.oaBindCode)
	d.GET("/deputies", a.findDeputies)
	d.GET("/suggestions", a.listSuggestions)
	d.POST("/suggestions", a.createDraft)
	d.GET("/suggestions/similar", a.similarSuggestions)
	d.GET("/suggestions/:id", a.suggestionDetail)
	d.PATCH("/suggestions/:id", a.updateDraft)
	d.POST("/suggestions/:id/submit", a.submitSuggestion)
	d.POST("/suggestions/:id/cosigners", a.inviteCosigners)
	d.POST("/suggestions/:id/cosign", a.respondCosign)
	d.POST("/suggestions/:id/ratings", a.rateSuggestion)
	d.POST("/suggestions/:id/review-request", a.requestReview)
	d.POST("/suggestions/:id/photos", a.uploadSuggestionPhoto)
	d.POST("/contacts/:id/confirmation", a.confirmContact)
	d.GET("/snaps", a.listSnaps)
	d.POST("/snaps", a.createSnap)
	d.GET("/snaps/:id", a.snapDetail)
	d.POST("/snaps/:id/photos", a.uploadSnapPhoto)
	d.POST("/snaps/:id/draft", a.snapToDraft)
	d.POST("/uploads", a.uploadPolicy)
	d.POST("/uploads/complete", a.completeUpload)
	d.GET("/notices", a.listNotices)
	d.GET("/notices/unread-count", a.unreadNotices)
	d.POST("/notices/read", a.markNoticesRead)
	d.POST("/subscriptions", a.recordSubscriptions)
}

// MountActivities adds 代表参与活动 (the deputy's invitations and answers) under Prefix, behind
// the same session, rate limit and binding checks as every deputy route. cmd/jianyi calls it
// after Mount.
func (a *API) MountActivities(r gin.IRouter, svc Activities) {
	h := &activityHandlers{api: a, svc: svc}
	d := r.Group(Prefix, a.recoverJSON, a.noStore, a.limitBody, a.session, a.userLimit, a.requireBound)
	d.GET("/activities", h.list)
	d.GET("/activities/:id", h.detail)
	d.POST("/activities/:id/answer", h.answer)
}

// Answers for requests under Prefix that match no route. The front doors share one gin
// engine and gin has one NoRoute and one NoMethod chain, so these do not take the engine
// over: cmd/jianyi puts them in its chains, and they pass every other path on to the next
// handler (in the end gin's own text answer), leaving the console's and bot's 404s alone.
var (
	errNoRoute  = apiErr(http.StatusNotFound, "not_found", "请求的接口不存在")
	errNoMethod = apiErr(http.StatusMethodNotAllowed, "method_not_allowed", "该接口不支持此请求方法")
)

// NotFound belongs in the engine's NoRoute chain: unknown paths under Prefix get the JSON
// not_found error instead of gin's text/plain "404 page not found".
func NotFound(c *gin.Context) { unmatched(c, errNoRoute) }

// MethodNotAllowed belongs in the engine's NoMethod chain (with HandleMethodNotAllowed):
// a known path under Prefix with the wrong method gets the JSON method_not_allowed error,
// keeping the Allow header gin sets.
func MethodNotAllowed(c *gin.Context) { unmatched(c, errNoMethod) }

func unmatched(c *gin.Context, e *apiError) {
	p := c.Request.URL.Path
	if p != Prefix && !strings.HasPrefix(p, Prefix+"/") {
		return // not ours: the next handler in the chain answers
	}
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(e.Status, ErrorBody{e.Code, e.Message})
}
