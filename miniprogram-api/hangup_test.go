package mpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	mpapi "jianyi/miniprogram-api"
)

// hangupIdempotency holds a request's answer back until the phone has hung up: Reserve
// remembers the request's own context, and Complete waits for it to end before storing.
type hangupIdempotency struct {
	mpapi.Idempotency
	mu       sync.Mutex
	requests map[string]context.Context
	reached  chan struct{} // closed when the first answer is about to be stored
	once     sync.Once
}

func (h *hangupIdempotency) Reserve(ctx context.Context, tenantID int64, actor, key, hash string) (string, int, []byte, error) {
	h.mu.Lock()
	if _, seen := h.requests[key]; !seen {
		h.requests[key] = ctx
	}
	h.mu.Unlock()
	return h.Idempotency.Reserve(ctx, tenantID, actor, key, hash)
}

func (h *hangupIdempotency) Complete(ctx context.Context, tenantID int64, actor, key string, status int, body []byte) error {
	h.mu.Lock()
	req := h.requests[key]
	h.mu.Unlock()
	h.once.Do(func() {
		close(h.reached)
		select {
		case <-req.Done():
		case <-time.After(10 * time.Second):
		}
	})
	return h.Idempotency.Complete(ctx, tenantID, actor, key, status, body)
}

// A deputy on a weak network sends a 随手拍; it is saved, but the phone loses the connection
// before the answer arrives and sends it again with the same key. The retry gets the first
// answer, and there is still one snap.
func TestSnapRetriedAfterHangUpIsSavedOnce(t *testing.T) {
	t.Parallel()
	hang := &hangupIdempotency{requests: map[string]context.Context{}, reached: make(chan struct{})}
	b := setup(t, setupOpts{idempotency: func(i mpapi.Idempotency) mpapi.Idempotency {
		hang.Idempotency = i
		return hang
	}})
	tok := b.deputy("openid-hangup", "jyg", "13800000001")
	body := `{"note":"路灯不亮，夜间出行不便","location":{"lat":39.77,"lng":98.29,"address":"雄关区新华路"}}`

	hangUpOnce(t, hang.reached, func(ctx context.Context) *http.Request {
		req, err := http.NewRequestWithContext(ctx, "POST", b.srv.URL+"/api/v1/snaps", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", "snap-hangup-1")
		return req
	})
	again := b.retryAfterHangUp("/api/v1/snaps", tok, body, "snap-hangup-1")
	b.want(again, http.StatusCreated, "the retry after hanging up")
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry was not answered from the first request: %s", again.Body)
	}
	if n := b.count(`SELECT count(*) FROM snaps WHERE tenant_id = 1`); n != 1 {
		t.Fatalf("%d snaps saved, want 1", n)
	}
}

// retryAfterHangUp is the phone sending a hung-up POST again with its Idempotency-Key. While
// the first request is still finishing on the server the key answers 409; the phone retries
// until it is answered (a few seconds at most).
func (b *bundle) retryAfterHangUp(path, tok, body, key string) resp {
	b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := b.do("POST", path, tok, body, "Idempotency-Key", key)
		if r.Status != http.StatusConflict || time.Now().After(deadline) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
}
