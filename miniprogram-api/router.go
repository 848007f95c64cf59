package mpapi

import "github.com/gin-gonic/gin"

// routes is the whole route table of the mini-program API, one line per route.
func (a *API) routes(r gin.IRouter) {
	v1 := r.Group("/api/v1", a.recoverJSON, a.noStore, a.limitBody)
	v1.GET("/openapi.yaml", a.ipLimit, a.openAPISpec)
	v1.GET("/docs", a.ipLimit, a.docsPage)
	v1.GET("/wechat/push", a.ipLimit, a.pushEcho)
	v1.POST("/wechat/push", a.ipLimit, a.pushReceive)
	v1.POST("/auth/login", a.ipLimit, a.loginLimit, a.login)

	// Signed-in routes are limited per user; failed sign-ins count against the IP (session).
	s := v1.Group("", a.session, a.userLimit)
	s.POST("/auth/bind/phone", a.loginLimit, a.bindPhone)
	s.POST("/auth/bind/invite", a.loginLimit, a.bindInvite)
	s.POST("/auth/logout", a.logout)
	s.GET("/me", a.me)

	d := s.Group("", a.requireBound)
	d.POST("/me/oa-bind-code", a.oaBindCode)
	d.GET("/suggestions", a.listSuggestions)
	d.POST("/suggestions", a.createDraft)
	d.GET("/suggestions/similar", a.similarSuggestions)
	d.GET("/suggestions/:id", a.suggestionDetail)
	d.PATCH("/suggestions/:id", a.updateDraft)
	d.POST("/suggestions/:id/submit", a.submitSuggestion)
	d.POST("/suggestions/:id/cosigners", a.inviteCosigners)
	d.POST("/suggestions/:id/cosign", a.respondCosign)
	d.POST("/suggestions/:id/ratings", a.rateSuggestion)
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
