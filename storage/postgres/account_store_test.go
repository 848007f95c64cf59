package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

func TestAccountBindingFlows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	pgtest.MustExec(t, pool, `INSERT INTO tenants (id, code, name) VALUES (1, 'jyg', '嘉峪关'), (2, 'other', '其他')`)
	pgtest.MustExec(t, pool, `INSERT INTO deputies (tenant_id, id, name, phone) VALUES
		(1, 10, '张三', '13800000001'), (1, 11, '李四', '13800000002'), (1, 12, '王五', '13800000002'),
		(2, 20, '赵六', '13800000001')`)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc := account.NewService(postgres.NewAccountStore(pool), func() time.Time { return now })

	tid, err := svc.Tenant(ctx, "jyg")
	if err != nil || tid != 1 {
		t.Fatalf("tenant: %d %v", tid, err)
	}
	if _, err := svc.Tenant(ctx, "nope"); !errors.Is(err, account.ErrTenantUnknown) {
		t.Fatalf("unknown tenant: %v", err)
	}
	idA := account.Identity{OpenID: "oA", UnionID: "uA"}
	if d, err := svc.Login(ctx, 1, idA); err != nil || d != nil {
		t.Fatalf("unbound login: %v %v", d, err)
	}
	d, err := svc.BindByPhone(ctx, 1, "+86 138-0000-0001", idA)
	if err != nil || d.ID != 10 {
		t.Fatalf("bind by phone: %v %v", d, err)
	}
	if d, err := svc.Login(ctx, 1, idA); err != nil || d == nil || d.ID != 10 {
		t.Fatalf("login after bind: %v %v", d, err)
	}
	if _, err := svc.BindByPhone(ctx, 1, "13800000001", account.Identity{OpenID: "oB"}); !errors.Is(err, account.ErrAlreadyBound) {
		t.Fatalf("second openid on same deputy: %v", err)
	}
	if _, err := svc.BindByPhone(ctx, 1, "13800000002", account.Identity{OpenID: "oB"}); !errors.Is(err, account.ErrPhoneAmbiguous) {
		t.Fatalf("ambiguous phone: %v", err)
	}
	if _, err := svc.BindByPhone(ctx, 1, "13900000000", account.Identity{OpenID: "oB"}); !errors.Is(err, account.ErrNotOnRoster) {
		t.Fatalf("unknown phone: %v", err)
	}

	staff := auth.Actor{TenantID: 1, Kind: auth.KindStaff, ID: 1, Roles: []auth.Role{auth.RoleReviewer}}
	if _, _, err := svc.IssueInvite(ctx, auth.Deputy(1, 10), 11); !errors.Is(err, account.ErrNotAllowed) {
		t.Fatalf("deputy issuing invite: %v", err)
	}
	pgtest.MustExec(t, pool, `INSERT INTO users (tenant_id, id, username, display_name) VALUES (1, 1, 'rev', '审核员')`)
	code, _, err := svc.IssueInvite(ctx, staff, 11)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RedeemInvite(ctx, 2, code, account.Identity{OpenID: "oB"}); !errors.Is(err, account.ErrBadInvite) {
		t.Fatalf("invite in other tenant: %v", err)
	}
	if d, err := svc.RedeemInvite(ctx, 1, code[:4]+"-"+code[4:], account.Identity{OpenID: "oB"}); err != nil || d.ID != 11 {
		t.Fatalf("redeem invite: %v %v", d, err)
	}
	if _, err := svc.RedeemInvite(ctx, 1, code, account.Identity{OpenID: "oC"}); !errors.Is(err, account.ErrBadInvite) {
		t.Fatalf("invite reused: %v", err)
	}

	bc, exp, err := svc.IssueOABindCode(ctx, 1, 10)
	if err != nil || len(bc) != 6 || !exp.After(now) {
		t.Fatalf("bind code: %q %v %v", bc, exp, err)
	}
	if _, err := svc.RedeemOABindCode(ctx, 2, bc, "oaX"); !errors.Is(err, account.ErrBadBindCode) {
		t.Fatalf("bind code other tenant: %v", err)
	}
	if id, err := svc.RedeemOABindCode(ctx, 1, bc, "oaX"); err != nil || id != 10 {
		t.Fatalf("redeem bind code: %d %v", id, err)
	}
	if _, err := svc.RedeemOABindCode(ctx, 1, bc, "oaX"); !errors.Is(err, account.ErrBadBindCode) {
		t.Fatalf("bind code reused: %v", err)
	}
	if d, err := svc.DeputyByOAOpenID(ctx, 1, "oaX"); err != nil || d.ID != 10 {
		t.Fatalf("by oa openid: %v %v", d, err)
	}
	if _, err := svc.DeputyByOAOpenID(ctx, 2, "oaX"); !errors.Is(err, account.ErrDeputyNotFound) {
		t.Fatalf("by oa openid other tenant: %v", err)
	}
	if d, err := svc.DeputyByUnionID(ctx, 1, "uA"); err != nil || d.ID != 10 {
		t.Fatalf("by unionid: %v %v", d, err)
	}
	// Expired bind code.
	bc2, _, _ := svc.IssueOABindCode(ctx, 1, 11)
	now = now.Add(account.OABindCodeTTL + time.Second)
	if _, err := svc.RedeemOABindCode(ctx, 1, bc2, "oaY"); !errors.Is(err, account.ErrBadBindCode) {
		t.Fatalf("expired bind code: %v", err)
	}
	// Unionid login binds the mini-program openid of a deputy known through the official account.
	pgtest.MustExec(t, pool, `UPDATE deputies SET unionid = 'uZ' WHERE tenant_id = 1 AND id = 12`)
	if d, err := svc.Login(ctx, 1, account.Identity{OpenID: "oZ", UnionID: "uZ"}); err != nil || d == nil || d.ID != 12 {
		t.Fatalf("unionid login: %v %v", d, err)
	}
}
