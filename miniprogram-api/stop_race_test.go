package mpapi_test

import (
	"context"
	"sync/atomic"
	"testing"

	"jianyi/internal/account"
)

// stoppingStore stops deputy 10 in the database right after a login or a binding has read
// them as active, as an administrator stopping them in the console at that moment would.
type stoppingStore struct {
	account.Store
	b   **bundle
	arm atomic.Bool
}

func (s *stoppingStore) stop(d account.Deputy) {
	if d.ID == 10 && s.arm.CompareAndSwap(true, false) {
		if _, err := (*s.b).pool.Exec(context.Background(), `UPDATE deputies SET active = false WHERE tenant_id = 1 AND id = 10`); err != nil {
			(*s.b).t.Error(err)
		}
	}
}

func (s *stoppingStore) DeputyByMPOpenID(ctx context.Context, tenantID int64, openid string) (account.Deputy, error) {
	d, err := s.Store.DeputyByMPOpenID(ctx, tenantID, openid)
	s.stop(d)
	return d, err
}

func (s *stoppingStore) DeputiesByPhone(ctx context.Context, tenantID int64, phone string) ([]account.Deputy, error) {
	ds, err := s.Store.DeputiesByPhone(ctx, tenantID, phone)
	for _, d := range ds {
		s.stop(d)
	}
	return ds, err
}

// A deputy stopped while their login or binding is under way gets no working session: the
// console's stop ends the sessions stored so far, and a session stored just after it is
// deleted again when the API finds the deputy stopped (403 deputy_inactive).
func TestStopDuringLoginLeavesNoSession(t *testing.T) {
	t.Parallel()
	var b *bundle
	st := &stoppingStore{b: &b}
	b = setup(t, setupOpts{accounts: func(inner account.Store) account.Store { st.Store = inner; return st }})
	sessions := func() int {
		return len(b.redisKeys("jy:{t1}:mp:sess:*"))
	}

	// Binding: the phone matched an active deputy, who is stopped before the session is bound.
	tok, r := b.login("openid-zhang", "jyg")
	b.want(r, 200, "login unbound")
	b.app.AddPhone("phone-zhang", "13800000001")
	st.arm.Store(true)
	r = b.do("POST", "/api/v1/auth/bind/phone", tok, map[string]string{"code": "phone-zhang"})
	b.want(r, 403, "bind while being stopped")
	if r.code() != "deputy_inactive" {
		t.Fatalf("bind refusal: %s", r.Body)
	}
	if code := b.do("GET", "/api/v1/me", tok, nil).Status; code != 401 {
		t.Fatalf("the session survived the stop: /me %d", code)
	}

	// Login: the deputy (bound, back on the roster) is stopped right after login read them.
	b.exec(`UPDATE deputies SET active = true, mp_openid = 'openid-zhang' WHERE tenant_id = 1 AND id = 10`)
	before := sessions()
	st.arm.Store(true)
	tok, r = b.login("openid-zhang", "jyg")
	b.want(r, 403, "login while being stopped")
	if tok != "" || r.code() != "deputy_inactive" {
		t.Fatalf("login refusal: %s", r.Body)
	}
	if n := sessions(); n != before {
		t.Fatalf("%d sessions stored, want %d", n, before)
	}
}
