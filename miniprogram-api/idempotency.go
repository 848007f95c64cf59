package mpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"jianyi/internal/suggestion"
)

// HeaderIdempotencyKey is the header a phone sends so that a retried request on a weak
// network never acts twice.
const HeaderIdempotencyKey = "Idempotency-Key"

// result is what an idempotent handler produces.
type result func() (status int, payload any, err error)

// idemKey reads and checks the request's Idempotency-Key and returns it with the actor and
// the request hash the key is stored under. ok is false when the request was answered (a
// bad key, or a missing one when required); key is "" when none was sent.
func (a *API) idemKey(c *gin.Context, required bool, raw []byte) (key, who, hash string, ok bool) {
	key = c.GetHeader(HeaderIdempotencyKey)
	if key == "" {
		if required {
			a.fail(c, errIdemRequired)
			return "", "", "", false
		}
		return "", "", "", true
	}
	if !validKey(key) {
		a.fail(c, errIdemBad)
		return "", "", "", false
	}
	who = "deputy:" + strconv.FormatInt(sess(c).DeputyID, 10)
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
	h.Write(raw)
	return key, who, hex.EncodeToString(h.Sum(nil)), true
}

// answerStored answers the request from what an earlier request with its key left, and
// reports whether it did: the stored response again (header Idempotent-Replayed: true), a
// refusal of the same key with another request, or 409 while the first still runs.
func (a *API) answerStored(c *gin.Context, state string, status int, body []byte) bool {
	switch state {
	case "replay":
		c.Header("Idempotent-Replayed", "true")
		if status == http.StatusNoContent {
			c.Status(status)
		} else {
			c.Data(status, jsonContentType, body)
		}
	case "mismatch":
		a.fail(c, errIdemReused)
	case "in_progress":
		a.fail(c, errIdemInProgress)
	default:
		return false
	}
	return true
}

// idempotent runs fn at most once per (tenant, deputy, key). A retry with the same body gets
// the stored response again; the same key with another body is refused; a concurrent
// duplicate gets 409 while the first runs. Failures worth retrying (5xx, 429) release the
// key; other answers are stored like successes.
func (a *API) idempotent(c *gin.Context, required bool, raw []byte, fn result) {
	key, who, hash, ok := a.idemKey(c, required, raw)
	if !ok {
		return
	}
	if key == "" {
		a.respond(c, fn)
		return
	}
	s := sess(c)
	ctx := c.Request.Context()
	state, status, body, err := a.Idempotency.Reserve(ctx, s.TenantID, who, key, hash)
	if err != nil {
		a.fail(c, err)
		return
	}
	if a.answerStored(c, state, status, body) {
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
	// The key's bookkeeping outlives the request: a phone that hangs up once the work is done
	// (the usual weak-network case, and the one that retries) must find the answer stored,
	// not a key stuck in progress that, once stale, lets the retry act a second time.
	ctx = context.WithoutCancel(ctx)
	if status >= 500 || status == 429 {
		if rerr := a.Idempotency.Release(ctx, s.TenantID, who, key); rerr != nil {
			a.log.WarnContext(ctx, "idempotency release failed", "error", rerr)
		}
	} else if cerr := a.Idempotency.Complete(ctx, s.TenantID, who, key, status, out); cerr != nil {
		a.log.WarnContext(ctx, "idempotency complete failed", "error", cerr)
	}
	if status == http.StatusNoContent {
		c.Status(status)
		return
	}
	c.Data(status, jsonContentType, out)
}

// idempotentChange is idempotent for a workflow call that stores its own answer
// (suggestion.Receipt): a new draft, a submit, a rating. Nothing is read or reserved before
// the call: its answer, status and render(the suggestion it leaves), is written in its own
// transaction under the key, so a request that acts costs no more than the call. A request
// that finds the work done (a retry, or the slower of two concurrent duplicates) is refused
// by the state the first one left or, at the latest, by the key itself; only then is the
// key read, and the first answer sent again. A refusal is not stored: nothing changed, so a
// retry asks again. Without a key (allowed unless required) the call simply runs.
func (a *API) idempotentChange(c *gin.Context, required bool, raw []byte, status int, render func(*suggestion.Suggestion) any,
	fn func(ctx context.Context) (*suggestion.Suggestion, error)) {
	key, who, hash, ok := a.idemKey(c, required, raw)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if key == "" {
		s, err := fn(ctx)
		if err != nil {
			a.fail(c, err)
			return
		}
		c.JSON(status, render(s))
		return
	}
	r := &suggestion.Receipt{Actor: who, Key: key, Hash: hash, Status: status,
		Render: func(s *suggestion.Suggestion) ([]byte, error) { return json.Marshal(render(s)) }}
	_, err := fn(suggestion.WithReceipt(ctx, r))
	if err == nil {
		c.Data(r.Status, jsonContentType, r.Body)
		return
	}
	state, stored, body, lerr := a.Idempotency.Lookup(ctx, sess(c).TenantID, who, key, hash)
	if lerr != nil {
		a.fail(c, lerr)
		return
	}
	if !a.answerStored(c, state, stored, body) {
		a.fail(c, err)
	}
}

// respond writes fn's answer without idempotency.
func (a *API) respond(c *gin.Context, fn result) {
	status, payload, err := fn()
	if err != nil {
		a.fail(c, err)
		return
	}
	if status == http.StatusNoContent || payload == nil {
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
