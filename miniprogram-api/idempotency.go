package mpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/gin-gonic/gin"
)

// HeaderIdempotencyKey is the header a phone sends so that a retried request on a weak
// network never acts twice.
const HeaderIdempotencyKey = "Idempotency-Key"

// result is what an idempotent handler produces.
type result func() (status int, payload any, err error)

// idempotent runs fn at most once per (tenant, deputy, key). A retry with the same body gets
// the stored response again (header Idempotent-Replayed: true); the same key with another
// body is refused; a concurrent duplicate gets 409 while the first runs. Failures worth
// retrying (5xx, 429) release the key; other answers are stored like successes.
func (a *API) idempotent(c *gin.Context, required bool, raw []byte, fn result) {
	key := c.GetHeader(HeaderIdempotencyKey)
	if key == "" {
		if required {
			a.fail(c, errIdemRequired)
			return
		}
		a.respond(c, fn)
		return
	}
	if !validKey(key) {
		a.fail(c, errIdemBad)
		return
	}
	s := sess(c)
	ctx := c.Request.Context()
	who := "deputy:" + strconv.FormatInt(s.DeputyID, 10)
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
	h.Write(raw)
	hash := hex.EncodeToString(h.Sum(nil))

	state, status, body, err := a.Idempotency.Reserve(ctx, s.TenantID, who, key, hash)
	if err != nil {
		a.fail(c, err)
		return
	}
	switch state {
	case "replay":
		c.Header("Idempotent-Replayed", "true")
		if status == 204 {
			c.Status(status)
			return
		}
		c.Data(status, "application/json; charset=utf-8", body)
		return
	case "mismatch":
		a.fail(c, errIdemReused)
		return
	case "in_progress":
		a.fail(c, errIdemInProgress)
		return
	}

	status, payload, err := fn()
	if err != nil {
		status, payload = classify(err)
		if status >= 500 {
			a.log.ErrorContext(ctx, "request failed", "route", c.FullPath(), "status", status, "error", err)
		}
	}
	out := []byte("{}")
	if payload != nil {
		if out, err = json.Marshal(payload); err != nil {
			status, payload = classify(err)
			out, _ = json.Marshal(payload)
		}
	}
	if status >= 500 || status == 429 {
		if rerr := a.Idempotency.Release(ctx, s.TenantID, who, key); rerr != nil {
			a.log.WarnContext(ctx, "idempotency release failed", "error", rerr)
		}
	} else if cerr := a.Idempotency.Complete(ctx, s.TenantID, who, key, status, out); cerr != nil {
		a.log.WarnContext(ctx, "idempotency complete failed", "error", cerr)
	}
	if status == 204 {
		c.Status(status)
		return
	}
	c.Data(status, "application/json; charset=utf-8", out)
}

// respond writes fn's answer without idempotency.
func (a *API) respond(c *gin.Context, fn result) {
	status, payload, err := fn()
	if err != nil {
		a.fail(c, err)
		return
	}
	if status == 204 || payload == nil {
		c.Status(status)
		return
	}
	c.JSON(status, payload)
}

func validKey(k string) bool {
	if len(k) == 0 || len(k) > 128 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
