package console

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
)

// Mount adds the console to r at "/" (sign-in at /login). /api/v1/ and /wechat/ stay free
// for the other front doors. opts add optional parts (WithActivities, WithAppraisals).
func Mount(r *gin.Engine, cfg Config, opts ...Option) error {
	s, err := newServer(cfg)
	if err != nil {
		return err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	static, _ := fs.Sub(staticFS, "static")
	reviewer := s.require(auth.RoleReviewer)
	assigner := s.require(auth.RoleReviewer, auth.RoleCoordinator)
	admin := s.require(auth.RoleAdmin)
	adminOrReviewer := s.require(auth.RoleAdmin, auth.RoleReviewer)
	supervisor := s.require(auth.RoleReviewer, auth.RoleCoordinator, auth.RoleLeader, auth.RoleAdmin)
	// 调研报告 are recorded by 代表工委, the standing committee's leaders and admins.
	recorder := s.require(auth.RoleReviewer, auth.RoleLeader, auth.RoleAdmin)
	// a unit's staff read the activities that concern their unit (the service decides which)
	supervisorOrUnit := s.require(auth.RoleReviewer, auth.RoleCoordinator, auth.RoleLeader, auth.RoleAdmin,
		auth.RoleUnitHandler, auth.RoleUnitLeader)

	r.StaticFS("/static", http.FS(static))
	pub := r.Group("/", headers, s.limitBody)
	pub.GET("/login", s.loginPage)
	pub.GET("/public/:tenant/replies", s.publicReplies)
	pub.POST("/login", s.login)

	g := r.Group("/", headers, s.signedIn, s.limitBody, s.csrf, s.cleanInput)
	g.POST("/logout", s.logout)
	g.GET("/", s.dashboard)

	g.GET("/suggestions", s.suggestionList)
	g.GET("/suggestions/:id", s.suggestionDetail)
	g.GET("/suggestions/:id/replies/:reply/document", s.replyDocument)
	g.POST("/suggestions/:id/progress", s.addProgress)

	g.GET("/review", reviewer, s.reviewQueue)
	g.GET("/review/flagged", reviewer, s.flaggedQueue)
	g.GET("/review/flagged/photos/:id/thumb", reviewer, s.flaggedThumb)
	g.POST("/review/flagged/photos/:id", reviewer, s.decidePhoto)
	g.GET("/review/similar/:id", reviewer, s.reviewSimilar)
	g.POST("/suggestions/:id/return", reviewer, s.returnSuggestion)
	g.POST("/suggestions/:id/not-register", reviewer, s.notRegister)
	g.POST("/suggestions/:id/register", reviewer, s.register)
	g.POST("/suggestions/:id/merge", reviewer, s.merge)
	g.POST("/suggestions/:id/track", reviewer, s.track)
	g.POST("/suggestions/:id/replies/:reply/publish", reviewer, s.publishReply)
	g.POST("/suggestions/:id/close", reviewer, s.closeSuggestion)
	g.POST("/suggestions/:id/reopen", reviewer, s.reopen)

	g.GET("/assign", assigner, s.assignQueue)
	g.POST("/suggestions/:id/assign", assigner, s.assign)
	// Return and extension requests are the reviewer's (代表工委) to decide (PRODUCT.md).
	g.GET("/decisions", reviewer, s.decisions)
	g.POST("/assignments/:id/decide-return", reviewer, s.decideReturn)
	g.POST("/extensions/:id/decide", reviewer, s.decideExtension)

	g.GET("/unit", s.unitOnly, s.unitInbox)
	g.GET("/assignments/:id", s.unitOnly, s.assignmentPage)
	g.POST("/assignments/:id/accept", s.unitOnly, s.accept)
	g.POST("/assignments/:id/request-return", s.unitOnly, s.requestReturn)
	g.POST("/assignments/:id/contacts", s.unitOnly, s.recordContact)
	g.POST("/assignments/:id/co-opinion", s.unitOnly, s.coOpinion)
	g.POST("/assignments/:id/reply", s.unitOnly, s.reply)
	g.POST("/assignments/:id/extension", s.unitOnly, s.requestExtension)
	g.POST("/commitments/:id/done", s.unitOnly, s.commitmentDone)

	g.GET("/supervise/:list", s.superviseList)
	g.GET("/problems", s.problems)
	g.POST("/problems", supervisor, s.createProblem)
	g.POST("/problems/:id/rectify", s.rectify)
	g.GET("/interviews", s.interviews)
	g.POST("/interviews", supervisor, s.recordInterview)

	g.GET("/analysis", supervisor, s.analysisPage)
	g.GET("/analysis/reports", supervisor, s.reportsPage)
	g.POST("/analysis/reports", recorder, s.createReport)
	g.POST("/analysis/reports/:id/edit", recorder, s.editReport)
	g.POST("/analysis/reports/:id/delete", recorder, s.deleteReport)

	if o.activities != nil {
		act := &activityPages{server: s, svc: o.activities}
		g.GET("/activities", supervisorOrUnit, act.list)
		g.GET("/activities/new", supervisor, act.newForm)
		g.POST("/activities", supervisor, act.create)
		g.GET("/activities/:id", supervisorOrUnit, act.detail)
		g.GET("/activities/:id/edit", supervisor, act.editForm)
		g.POST("/activities/:id/edit", supervisor, act.update)
		g.POST("/activities/:id/invite", supervisor, act.invite)
		g.POST("/activities/:id/cancel", supervisor, act.cancel)
		g.POST("/activities/:id/summary", supervisor, act.summary)
		g.GET("/suggestions/:id/activities", supervisor, act.suggestionCard)
	}

	if o.appraisals != nil {
		ap := &appraisalPages{server: s, svc: o.appraisals}
		g.GET("/appraisal", supervisor, ap.index)
		g.GET("/appraisal/meetings/:id", supervisor, ap.meeting)
		g.POST("/appraisal/meetings/:id/hearings", supervisor, ap.recordHearing)
		g.POST("/appraisal/meetings/:id/hearings/:hearing/edit", supervisor, ap.editHearing)
		g.POST("/appraisal/meetings/:id/hearings/:hearing/vote", supervisor, ap.vote)
		g.GET("/appraisal/meetings/:id/feedback", supervisor, ap.feedback)
		g.GET("/appraisal/meetings/:id/feedback.xlsx", supervisor, ap.exportFeedback)
		g.POST("/appraisal/meetings/:id/opinion", supervisor, ap.opinion)
		g.POST("/appraisal/meetings/:id/send", supervisor, ap.send)
		g.GET("/appraisal/unit", s.unitOnly, ap.unit)
	}

	g.GET("/exports", s.exportsPage)
	g.GET("/exports/deputy-opinions.xlsx", s.exportDeputyOpinions)
	g.GET("/exports/unit-assignments.xlsx", s.exportUnitAssignments)
	g.GET("/exports/statistics.xlsx", s.exportStatistics)

	g.GET("/inbox", s.inbox)
	g.POST("/inbox/read", s.inboxRead)

	g.GET("/admin", adminOrReviewer, s.adminHome)
	g.GET("/admin/units", admin, s.adminUnits)
	g.POST("/admin/units", admin, s.saveUnit)
	g.GET("/admin/deputies", adminOrReviewer, s.adminDeputies)
	g.POST("/admin/deputies", admin, s.saveDeputy)
	g.POST("/admin/deputies/import", admin, s.importDeputies)
	g.POST("/admin/deputies/:id/invite", adminOrReviewer, s.issueInvite)
	g.GET("/admin/users", admin, s.adminUsers)
	g.POST("/admin/users", admin, s.saveUser)
	g.POST("/admin/users/:id/unlock", admin, s.unlockUser)
	g.GET("/admin/catalog", admin, s.adminCatalog)
	g.POST("/admin/categories", admin, s.saveCategory)
	g.POST("/admin/delegations", admin, s.saveDelegation)
	g.POST("/admin/groups", admin, s.saveGroup)
	g.POST("/admin/meetings", admin, s.saveMeeting)
	g.GET("/admin/settings", admin, s.adminSettings)
	g.POST("/admin/settings/clocks", admin, s.saveClocks)
	g.POST("/admin/settings/labels", admin, s.saveLabels)
	g.POST("/admin/settings/templates", admin, s.saveTemplate)
	g.GET("/admin/holidays", admin, s.adminHolidays)
	g.POST("/admin/holidays", admin, s.saveHoliday)
	g.POST("/admin/holidays/delete", admin, s.deleteHoliday)
	return nil
}
