package directory_test

import (
	"context"
	"errors"
	"testing"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// closingStore cancels the request right after a deputy is saved, as an administrator
// closing the page at that moment does.
type closingStore struct {
	directory.Store
	closePage context.CancelFunc
}

func (s *closingStore) SaveDeputy(ctx context.Context, tenantID int64, d *directory.Deputy) error {
	err := s.Store.SaveDeputy(ctx, tenantID, d)
	s.closePage()
	return err
}

// An administrator stops a deputy and closes the page just as the stop is saved. The
// deputy's mini-program logins still end at once: a stopped deputy does not go on
// submitting and rating until the session expires.
func TestStoppedDeputyIsLoggedOutWhenThePageCloses(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	mps := jredis.NewMPSessions(redistest.New(t))
	deputy := tn.Deputies[0]
	tok, _, err := account.NewSessions(mps, nil).Create(context.Background(), account.Session{TenantID: tn.ID, DeputyID: deputy, OpenID: "o-stopped"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, closePage := context.WithCancel(context.Background())
	defer closePage()
	svc := directory.NewService(&closingStore{Store: postgres.NewDirectoryStore(pool), closePage: closePage}).EndingSessions(mps)
	admin := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Admin, Roles: []auth.Role{auth.RoleAdmin}}
	all, err := svc.Deputies(context.Background(), admin, "", 300)
	if err != nil {
		t.Fatal(err)
	}
	var d *directory.Deputy
	for i := range all {
		if all[i].ID == deputy {
			d = &all[i]
		}
	}
	if d == nil || !d.Active {
		t.Fatalf("deputy %d not found active: %+v", deputy, all)
	}

	d.Active = false
	if err := svc.SaveDeputy(ctx, admin, d); err != nil {
		t.Fatalf("stop the deputy: %v", err)
	}
	if _, err := mps.Get(context.Background(), tok); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("the stopped deputy's login still works (%v)", err)
	}
}
