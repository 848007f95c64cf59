package mpapi

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"jianyi/internal/media"
)

// errBadTarget refuses an upload policy asked for nothing photos can go to.
var errBadTarget = apiErr(http.StatusUnprocessableEntity, "bad_target",
	"请指明照片属于哪件建议或随手拍：target.kind 为 suggestion（建议）或 snap（随手拍），target.id 为其编号")

// checkUploadTarget runs before uploadPolicy: a request without a target, or with one of a
// kind photos never go to or without an id, is refused as 422 bad_target. The photo intake
// answers every target it cannot use as not found, which is right for a suggestion that is
// gone or someone else's but told a phone sending {} that something was missing instead of
// that its request was wrong. The body is decoded as uploadPolicy does (the same refusals
// for bad JSON) and handed on unchanged.
func (a *API) checkUploadTarget(c *gin.Context) {
	var in policyRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	if t := in.Target; (t.Kind != media.KindSuggestion && t.Kind != media.KindSnap) || t.ID <= 0 {
		a.fail(c, errBadTarget)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	c.Request.ContentLength = int64(len(raw))
	c.Next()
}
