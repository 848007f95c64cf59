package mpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/internal/account"
)

// hangupBinding holds a binding back once it is stored, until the phone has hung up.
type hangupBinding struct {
	account.Store
	reached chan struct{}
	once    sync.Once
}

func (h *hangupBinding) RedeemInviteAndBind(ctx context.Context, tenantID int64, codeHash string, id account.Identity, now time.Time) (int64, error) {
	deputyID, err := h.Store.RedeemInviteAndBind(ctx, tenantID, codeHash, id, now)
	h.once.Do(func() {
		close(h.reached)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	})
	return deputyID, err
}

// A deputy binds with the invite code staff gave them; the binding is stored, but the phone
// loses the connection before the answer arrives. The code is spent by then, so the session
// must be bound all the same: the deputy goes on into the mini-program instead of being sent
// back to a binding page whose code now reads as invalid.
func TestInviteBoundBeforeHangUpLeavesTheSessionBound(t *testing.T) {
	t.Parallel()
	hang := &hangupBinding{reached: make(chan struct{})}
	b := setup(t, setupOpts{accounts: func(inner account.Store) account.Store { hang.Store = inner; return hang }})
	code, _, err := account.NewService(postgresAccountStore(b), nil).IssueInvite(context.Background(), reviewer, 11)
	if err != nil {
		t.Fatal(err)
	}
	tok, r := b.login("openid-invite-hangup", "jyg")
	b.want(r, 200, "login unbound")

	hangUpOnce(t, hang.reached, func(ctx context.Context) *http.Request {
		req, err := http.NewRequestWithContext(ctx, "POST", b.srv.URL+"/api/v1/auth/bind/invite", strings.NewReader(`{"code":"`+code+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		return req
	})

	var me struct {
		Bound  bool
		Deputy *struct{ ID int64 }
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r = b.do("GET", "/api/v1/me", tok, nil)
		b.want(r, 200, "me after hanging up")
		r.json(t, &me)
		if me.Bound || time.Now().After(deadline) {
			break // unbound only while the binding request is still finishing on the server
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !me.Bound || me.Deputy == nil || me.Deputy.ID != 11 {
		t.Fatalf("the session is not bound to deputy 11 after the binding was stored: %s", r.Body)
	}
	b.want(b.do("GET", "/api/v1/suggestions", tok, nil), 200, "my suggestions after the binding")
}
