package mpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"jianyi/internal/wechat"
)

// pushEcho answers WeChat's GET check of the push URL with echostr.
func (a *API) pushEcho(c *gin.Context) {
	if a.Push == nil {
		a.fail(c, errNotFound)
		return
	}
	echo, err := a.Push.CheckEcho(c.Request.URL.Query())
	if err != nil {
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	c.String(http.StatusOK, echo)
}

// pushReceive applies wxa_media_check results to the photos and answers "success" (other
// events are acknowledged and ignored). A failure to record answers 500 so WeChat retries.
func (a *API) pushReceive(c *gin.Context) {
	if a.Push == nil {
		a.fail(c, errNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, wechat.MaxPushBody+1))
	if err != nil {
		a.fail(c, readErr(err))
		return
	}
	ev, err := a.Push.Parse(c.Request.URL.Query(), body)
	if errors.Is(err, wechat.ErrPushSignature) {
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	if err != nil {
		c.String(http.StatusBadRequest, "bad request")
		return
	}
	if ev.Event == "wxa_media_check" && ev.TraceID != "" && ev.Suggest != "" {
		if err := a.Media.ApplyCheck(c.Request.Context(), ev.TraceID, ev.Suggest, ev.Label); err != nil {
			a.log.ErrorContext(c.Request.Context(), "apply image check failed", "error", err)
			c.String(http.StatusInternalServerError, "retry")
			return
		}
	}
	c.String(http.StatusOK, "success")
}
