package mpapi_test

import (
	"net/http"
	"testing"
)

// The completion of one presigned upload, called again while the first call still works on
// it, must not make the posted photo twice: the second call is told the first is under way
// (409), and a later retry gets the one photo the first call made.
func TestCompletionRetriedMeanwhileIsOnePhoto(t *testing.T) {
	t.Parallel()
	for _, withKey := range []bool{false, true} {
		name := "without Idempotency-Key"
		if withKey {
			name = "with a new Idempotency-Key each time"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := &photoAttempts{}
			b := setup(t, setupOpts{photos: p.wrap})
			tok := b.deputy("openid-complete-twice", "jyg", "13800000001")
			id := b.draft(tok, "路灯不亮")
			url, fields, key := b.policyFor(tok, id)
			postToBucket(t, url, fields, "image/png", pngBytes(40, 30))
			const complete = "/api/v1/uploads/complete"
			n := 0
			call := func() resp {
				n++
				if withKey {
					return b.do("POST", complete, tok, map[string]string{"key": key}, "Idempotency-Key", "complete-"+string(rune('a'+n)))
				}
				return b.do("POST", complete, tok, map[string]string{"key": key})
			}
			var second resp
			p.before = func() { second = call() } // a phone retrying while the first call decodes
			first := call()
			b.want(first, http.StatusCreated, "first completion")
			b.wantRefusal(second, http.StatusConflict, "idempotency_in_progress", "completion called again while the first runs")
			if got := b.count(`SELECT count(*) FROM attachments WHERE suggestion_id = $1`, id); got != 1 {
				t.Fatalf("one posted photo made %d photos", got)
			}
			var a, c struct{ ID int64 }
			first.json(t, &a)
			later := call()
			b.want(later, http.StatusCreated, "completion retried afterwards")
			later.json(t, &c)
			if a.ID != c.ID {
				t.Fatalf("retry answered photo %d, the first call made %d", c.ID, a.ID)
			}
		})
	}
}
