package redis_test

import (
	"context"
	"errors"
	"testing"

	"jianyi/internal/account"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// RevokeDeputy ends every bound session of that deputy and nothing else: not the deputy of
// the same id in another tenant, not another deputy, not a login that was never bound.
func TestMPSessionsRevokeDeputy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := jredis.NewMPSessions(redistest.New(t))
	sessions := account.NewSessions(store, nil)
	t1, t2 := tenant(), tenant()
	create := func(tn, deputy int64) string {
		tok, _, err := sessions.Create(ctx, account.Session{TenantID: tn, DeputyID: deputy, OpenID: "o"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a1, a2 := create(t1, 5), create(t1, 5)
	otherDeputy, otherTenant, unbound := create(t1, 6), create(t2, 5), create(t1, 0)
	// A login bound after it started (Update) is listed too.
	late := create(t1, 0)
	s, err := store.Get(ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	s.DeputyID = 5
	if err := sessions.Update(ctx, late, s); err != nil {
		t.Fatal(err)
	}

	if err := store.RevokeDeputy(ctx, t1, 5); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"first": a1, "second": a2, "bound later": late} {
		if _, err := store.Get(ctx, tok); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("%s login of the stopped deputy: %v, want not found", name, err)
		}
	}
	for name, tok := range map[string]string{"other deputy": otherDeputy, "other tenant": otherTenant, "unbound": unbound} {
		if _, err := store.Get(ctx, tok); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Nothing left to end is not an error; a new login after it is listed afresh.
	if err := store.RevokeDeputy(ctx, t1, 5); err != nil {
		t.Fatal(err)
	}
	again := create(t1, 5)
	if err := store.RevokeDeputy(ctx, t1, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, again); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("login after the first stop survived the second: %v", err)
	}
}
