package mpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/media"
)

const (
	ctxSession = "mp.session"
	ctxToken   = "mp.token"
)

// uploadBody bounds a multipart photo upload: the photo plus form overhead.
const uploadBody = media.MaxBytes + 256<<10

// recoverJSON turns a panic into a JSON 500 (gin's default writes an empty body).
func (a *API) recoverJSON(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.log.ErrorContext(c.Request.Context(), "panic in handler", "route", c.FullPath(), "panic", v)
			c.AbortWithStatusJSON(http.StatusInternalServerError, ErrorBody{errInternal.Code, errInternal.Message})
		}
	}()
	c.Next()
}

// noStore keeps personal answers out of shared caches.
func (a *API) noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// limitBody caps every request body: multipart uploads at uploadBody, everything else at
// the JSON limit. A declared Content-Length over the cap is refused before reading.
func (a *API) limitBody(c *gin.Context) {
	limit := a.Limits.JSONBody
	if isMultipart(c.Request) {
		limit = uploadBody
	}
	if c.Request.ContentLength > limit {
		a.fail(c, errTooLarge)
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

func (a *API) allow(c *gin.Context, tenantID int64, subject string, limit int) bool {
	ok, retry, err := a.Limiter.Allow(c.Request.Context(), tenantID, subject, limit, a.Limits.Window)
	if err != nil {
		// Rate limits protect capacity; a Redis hiccup must not lock every deputy out.
		a.log.WarnContext(c.Request.Context(), "rate limiter unavailable", "error", err)
		return true
	}
	if !ok {
		secs := int(retry.Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		c.Header("Retry-After", strconv.Itoa(secs))
		a.fail(c, errRateLimited)
		return false
	}
	return true
}

// ipLimit bounds anonymous requests per client IP.
func (a *API) ipLimit(c *gin.Context) {
	if a.allow(c, 0, "ip:"+c.ClientIP(), a.Limits.PerIP) {
		c.Next()
	}
}

// loginLimit bounds login and binding attempts per client IP (codes are guessable).
func (a *API) loginLimit(c *gin.Context) {
	if a.allow(c, 0, "login:"+c.ClientIP(), a.Limits.LoginPerIP) {
		c.Next()
	}
}

// userLimit bounds requests per session.
func (a *API) userLimit(c *gin.Context) {
	s := sess(c)
	h := sha256.Sum256([]byte(s.OpenID))
	if a.allow(c, s.TenantID, "user:"+hex.EncodeToString(h[:8]), a.Limits.PerUser) {
		c.Next()
	}
}

// session resolves "Authorization: Bearer <token>". A request without a valid session
// counts against its IP's limit (anonymous floods and token guessing), so a valid one costs
// one Redis read plus the per-user count.
func (a *API) session(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		if a.allow(c, 0, "ip:"+c.ClientIP(), a.Limits.PerIP) {
			a.fail(c, errUnauthorized)
		}
		return
	}
	s, err := a.Sessions.Lookup(c.Request.Context(), token)
	if err != nil {
		if errors.Is(err, account.ErrNoSession) {
			if a.allow(c, 0, "ip:"+c.ClientIP(), a.Limits.PerIP) {
				a.fail(c, errUnauthorized)
			}
		} else {
			a.fail(c, errors.Join(errUnavailable, err))
		}
		return
	}
	c.Set(ctxSession, s)
	c.Set(ctxToken, token)
	c.Next()
}

// requireBound lets only sessions bound to a deputy through.
func (a *API) requireBound(c *gin.Context) {
	if !sess(c).Bound() {
		a.fail(c, errNotBound)
		return
	}
	c.Next()
}

func sess(c *gin.Context) account.Session {
	v, _ := c.Get(ctxSession)
	s, _ := v.(account.Session)
	return s
}

func actor(c *gin.Context) auth.Actor {
	s := sess(c)
	return auth.Deputy(s.TenantID, s.DeputyID)
}

// readJSON reads the (size-limited) body and decodes it strictly into v. An empty body
// decodes as {}. It returns the raw bytes for idempotency hashing. A body whose strings hold
// what no one types (NUL and other control characters, invalid UTF-8) is refused here, for
// every endpoint at once, before anything is read, written or reserved: 422 bad_text.
func (a *API) readJSON(c *gin.Context, v any) ([]byte, bool) {
	if c.Request.ContentLength != 0 && c.Request.Body != nil {
		mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
		if mt != "application/json" && c.GetHeader("Content-Type") != "" {
			a.fail(c, errNeedJSON)
			return nil, false
		}
	}
	var raw []byte
	if c.Request.Body != nil {
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				a.fail(c, errTooLarge)
			} else {
				a.fail(c, errBadRequest)
			}
			return nil, false
		}
		raw = b
	}
	if !cleanJSONText(raw) {
		a.fail(c, errBadText)
		return nil, false
	}
	body := raw
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		a.fail(c, errBadRequest)
		return nil, false
	}
	return raw, true
}

func pathID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}
