package directory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// TestFindPeers: a deputy looking for co-signers by a part of the name finds the active
// deputies of their own tenant — never themselves, a stopped deputy or another tenant's —
// with the whole name first, then names starting with it; the part is matched literally
// (LIKE's % and _ are ordinary characters) and regardless of case; at most PeerLimit come
// back. Bad queries are refused by the service with stable codes; staff cannot use it.
func TestFindPeers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	mine, other := pgtest.NewTenant(t, pool), pgtest.NewTenant(t, pool)
	svc := directory.NewService(postgres.NewDirectoryStore(pool))
	var del int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM delegations WHERE tenant_id = $1`, mine.ID).Scan(&del); err != nil {
		t.Fatal(err)
	}
	add := func(tenant int64, name string, active bool, delegation any) int64 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO deputies (tenant_id, name, active, delegation_id) VALUES ($1, $2, $3, $4) RETURNING id`,
			tenant, name, active, delegation).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	me := add(mine.ID, "张伟", true, del)
	extended := add(mine.ID, "张伟华", true, nil)
	inner := add(mine.ID, "李张伟", true, del)
	exact := add(mine.ID, "张", true, del)
	latin := add(mine.ID, "Zhang Wei", true, nil)
	add(mine.ID, "张停", false, del)
	add(mine.ID, "100%满意", true, nil)
	add(other.ID, "张外", true, nil)
	deputy := auth.Deputy(mine.ID, me)

	names := func(q string) string {
		t.Helper()
		ps, err := svc.FindPeers(ctx, deputy, q)
		if err != nil {
			t.Fatalf("FindPeers(%q): %v", q, err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%d:%s:%s", p.ID, p.Name, p.Delegation))
		}
		return strings.Join(out, " ")
	}
	var delName string
	if err := pool.QueryRow(ctx, `SELECT name FROM delegations WHERE tenant_id = $1 AND id = $2`, mine.ID, del).Scan(&delName); err != nil {
		t.Fatal(err)
	}
	// The fixture's 张建国 is found too; 张伟 (the caller), 张停 (stopped) and 张外 never.
	got := names(" 张 ")
	if !strings.HasPrefix(got, fmt.Sprintf("%d:张:%s ", exact, delName)) || strings.Contains(got, "张停") ||
		strings.Contains(got, "张外") || strings.Contains(got, fmt.Sprintf("%d:", me)) || !strings.Contains(got, "张建国") {
		t.Errorf("张: %s", got)
	}
	if got, want := names("张伟"), fmt.Sprintf("%d:张伟华: %d:李张伟:%s", extended, inner, delName); got != want {
		t.Errorf("张伟: got %s, want %s", got, want)
	}
	if got, want := names("zhang"), fmt.Sprintf("%d:Zhang Wei:", latin); got != want {
		t.Errorf("zhang: got %s, want %s", got, want)
	}
	if got := names("_"); got != "" {
		t.Errorf("_ is a wildcard: %s", got)
	}
	if got := names("%"); !strings.HasSuffix(got, ":100%满意:") || strings.Contains(got, " ") {
		t.Errorf("%% is a wildcard: %s", got)
	}
	if got := names("何"); got != "" {
		t.Errorf("nobody is called 何: %s", got)
	}
	for i := 0; i < directory.PeerLimit+5; i++ {
		add(mine.ID, fmt.Sprintf("欧阳%02d", i), true, nil)
	}
	if ps, err := svc.FindPeers(ctx, deputy, "欧阳"); err != nil || len(ps) != directory.PeerLimit {
		t.Errorf("欧阳: %d answers (%v), want %d", len(ps), err, directory.PeerLimit)
	}

	for q, code := range map[string]string{"": "query_required", "   ": "query_required", "张\x00": "bad_text",
		"张\n伟": "bad_text", "张\xff": "bad_text", strings.Repeat("张", directory.PeerQueryMax+1): "query_too_long"} {
		_, err := svc.FindPeers(ctx, deputy, q)
		var e *directory.Error
		if !errors.Is(err, directory.ErrInvalid) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
			t.Errorf("FindPeers(%q) = %v, want invalid %s", q, err, code)
		}
	}
	if _, err := svc.FindPeers(ctx, deputy, strings.Repeat("张", directory.PeerQueryMax)); err != nil {
		t.Errorf("a name of %d characters: %v", directory.PeerQueryMax, err)
	}
	staff := auth.Actor{TenantID: mine.ID, Kind: auth.KindStaff, ID: mine.Admin, Roles: []auth.Role{auth.RoleAdmin}}
	if _, err := svc.FindPeers(ctx, staff, "张"); !errors.Is(err, directory.ErrForbidden) {
		t.Errorf("staff: %v, want forbidden", err)
	}
}
