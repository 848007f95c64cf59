package postgres_test

import (
	"context"
	"testing"

	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// The key store's answers, for both ways of using it: reserve and complete, or only look up.
func TestIdempotencyKeyStates(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	st := postgres.NewMPIdempotency(pool)
	want := func(what, gotState string, gotStatus int, gotBody []byte, err error, state string, status int, body string) {
		t.Helper()
		if err != nil || gotState != state || gotStatus != status || string(gotBody) != body {
			t.Fatalf("%s: %s %d %q %v, want %s %d %q", what, gotState, gotStatus, gotBody, err, state, status, body)
		}
	}
	s, c, b, err := st.Reserve(ctx, tn.ID, "deputy:1", "k", "h1")
	want("first reserve", s, c, b, err, postgres.IdemNew, 0, "")
	s, c, b, err = st.Reserve(ctx, tn.ID, "deputy:1", "k", "h1")
	want("while it runs", s, c, b, err, postgres.IdemInProgress, 0, "")
	s, c, b, err = st.Lookup(ctx, tn.ID, "deputy:1", "k", "h1")
	want("lookup while it runs", s, c, b, err, postgres.IdemInProgress, 0, "")
	if err := st.Complete(ctx, tn.ID, "deputy:1", "k", 201, []byte(`{"id": 7}`)); err != nil {
		t.Fatal(err)
	}
	s, c, b, err = st.Reserve(ctx, tn.ID, "deputy:1", "k", "h1")
	want("retry", s, c, b, err, postgres.IdemReplay, 201, `{"id": 7}`)
	s, c, b, err = st.Lookup(ctx, tn.ID, "deputy:1", "k", "h1")
	want("lookup of the answer", s, c, b, err, postgres.IdemReplay, 201, `{"id": 7}`)
	s, c, b, err = st.Lookup(ctx, tn.ID, "deputy:1", "k", "h2")
	want("same key, other request", s, c, b, err, postgres.IdemMismatch, 0, "")
	s, c, b, err = st.Lookup(ctx, tn.ID, "deputy:2", "k", "h1")
	want("another deputy's key", s, c, b, err, postgres.IdemNew, 0, "")

	// A reservation whose request never finished is taken over once it is stale: by one
	// Reserve, or dropped by Lookup.
	for i, key := range []string{"crashed-1", "crashed-2"} {
		if s, _, _, err := st.Reserve(ctx, tn.ID, "deputy:1", key, "h"); err != nil || s != postgres.IdemNew {
			t.Fatalf("reserve %s: %s %v", key, s, err)
		}
		pgtest.MustExec(t, pool, `UPDATE idempotency_keys SET created_at = now() - interval '1 hour' WHERE tenant_id = $1 AND key = $2`, tn.ID, key)
		if i == 0 {
			s, c, b, err = st.Reserve(ctx, tn.ID, "deputy:1", key, "h")
			want("stale reservation", s, c, b, err, postgres.IdemNew, 0, "")
			s, c, b, err = st.Reserve(ctx, tn.ID, "deputy:1", key, "h")
			want("after the take-over", s, c, b, err, postgres.IdemInProgress, 0, "")
		} else {
			s, c, b, err = st.Lookup(ctx, tn.ID, "deputy:1", key, "h")
			want("lookup of a stale reservation", s, c, b, err, postgres.IdemNew, 0, "")
			s, c, b, err = st.Reserve(ctx, tn.ID, "deputy:1", key, "h")
			want("reserve after it was dropped", s, c, b, err, postgres.IdemNew, 0, "")
		}
	}
}
