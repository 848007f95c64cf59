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
		a.refusePush(c)
		return
	}
	c.String(http.StatusOK, echo)
}

// refusePush answers a push whose signature does not hold with 403, counting it against the
// sender's IP: guessing signatures costs the guesser its IP's budget (then 429), while
// WeChat's own pushes, verified, are never limited.
func (a *API) refusePush(c *gin.Context) {
	if a.allow(c, 0, "ip:"+c.ClientIP(), a.Limits.PerIP) {
		c.String(http.StatusForbidden, "forbidden")
	}
}

// pushAppID is the mini-program whose pushes this API accepts: the AppID the push verifier
// was built with (cmd/jianyi sets it to WECHAT_MP_APPID). "" when unknown, which refuses
// every image-check result rather than trusting one for an app we cannot name.
func (a *API) pushAppID() string {
	if p, ok := a.Push.(*wechat.MPPush); ok {
		return p.AppID
	}
	return ""
}

// pushSafeMode reports whether the push is configured for safe mode (消息加密, an
// EncodingAESKey set). Then WeChat sends every push encrypted, with encrypt_type=aes and a
// msg_signature over the ciphertext; the query's signature covers only the timestamp and
// nonce, never the body. A plain-text push is refused (403): taken as it comes, anyone who
// saw one push's URL (a proxy's access log keeps it) could send a body of their own with it
// while its timestamp is fresh, such as "pass" for a photo the check found risky.
func (a *API) pushSafeMode() bool {
	p, ok := a.Push.(*wechat.MPPush)
	return ok && p.AESKey != ""
}

// pushReceive applies wxa_media_check results to the photos and answers "success" (other
// events are acknowledged and ignored). A failure to record answers 500 so WeChat retries.
//
// A result is applied only when it is one: a push naming another mini-program's appid (a
// push URL and token shared by mistake) is refused with 403 and changes nothing, and a push
// whose errcode is not 0 says WeChat could not check the image, so it is logged (codes and
// trace id only) and acknowledged, and the photo goes back to "unchecked" for the worker's
// Recheck to submit again.
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
	q := c.Request.URL.Query()
	if a.pushSafeMode() && q.Get("encrypt_type") != "aes" {
		a.refusePush(c)
		return
	}
	ev, err := a.Push.Parse(q, body)
	if errors.Is(err, wechat.ErrPushSignature) {
		a.refusePush(c)
		return
	}
	if err != nil {
		if a.allow(c, 0, "ip:"+c.ClientIP(), a.Limits.PerIP) {
			c.String(http.StatusBadRequest, "bad request")
		}
		return
	}
	ctx := c.Request.Context()
	// The signed query of one push with another body (its URL captured while fresh): refused.
	// The same body again is WeChat's retry and is applied again, to the same effect.
	if err := a.Push.NotReplayed(ctx, q, body); errors.Is(err, wechat.ErrPushReplay) {
		a.log.WarnContext(ctx, "push query replayed with another body refused")
		a.refusePush(c)
		return
	} else if err != nil {
		a.log.WarnContext(ctx, "push replay check unavailable; the freshness window alone applies", "error", err)
	}
	if want := a.pushAppID(); (ev.AppID != "" || ev.Event == "wxa_media_check") && ev.AppID != want {
		a.log.WarnContext(ctx, "push for another mini-program refused", "event", ev.Event, "push_appid", ev.AppID)
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	if ev.Event == "wxa_media_check" && ev.ErrCode != 0 {
		a.log.WarnContext(ctx, "image check failed at WeChat; photo queued for another check", "errcode", ev.ErrCode, "trace_id", ev.TraceID)
		if err := a.Media.CheckFailed(ctx, ev.TraceID); err != nil {
			a.log.ErrorContext(ctx, "queue image check again failed", "error", err)
			c.String(http.StatusInternalServerError, "retry")
			return
		}
		c.String(http.StatusOK, "success")
		return
	}
	if ev.Event == "wxa_media_check" && ev.TraceID != "" && ev.Suggest != "" {
		if err := a.Media.ApplyCheck(ctx, ev.TraceID, ev.Suggest, ev.Label); err != nil {
			a.log.ErrorContext(ctx, "apply image check failed", "error", err)
			c.String(http.StatusInternalServerError, "retry")
			return
		}
	}
	c.String(http.StatusOK, "success")
}
