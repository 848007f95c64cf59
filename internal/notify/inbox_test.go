package notify_test

import (
	"context"
	"errors"
	"testing"

	"jianyi/internal/notify"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

func TestInboxAndCredits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	pgtest.MustExec(t, pool, `INSERT INTO tenants (id, code, name) VALUES (1, 't1', '测试'), (2, 't2', '其他')`)
	for i := 1; i <= 5; i++ {
		pgtest.MustExec(t, pool, `INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, delivery_key)
			VALUES (1, 'deputy', 7, 'registered', '已立案', '正文', 'k'||$1::int)`, i)
	}
	pgtest.MustExec(t, pool, `INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, delivery_key)
		VALUES (2, 'deputy', 7, 'registered', '别的', '正文', 'x')`)
	store := postgres.NewNotifyStore(pool)
	inbox := notify.NewInbox(store, nil)

	page, next, err := inbox.List(ctx, 1, notify.RecipientDeputy, 7, 0, 3)
	if err != nil || len(page) != 3 || next == 0 || page[0].ID < page[1].ID {
		t.Fatalf("first page = %d notices next %d err %v", len(page), next, err)
	}
	rest, next2, err := inbox.List(ctx, 1, notify.RecipientDeputy, 7, next, 3)
	if err != nil || len(rest) != 2 || next2 != 0 {
		t.Fatalf("second page = %d next %d err %v", len(rest), next2, err)
	}
	if n, _ := inbox.UnreadCount(ctx, 1, notify.RecipientDeputy, 7); n != 5 {
		t.Fatalf("unread = %d, want 5", n)
	}
	// Another tenant's notice id is ignored.
	var foreign int64
	_ = pool.QueryRow(ctx, `SELECT id FROM notices WHERE tenant_id = 2`).Scan(&foreign)
	if err := inbox.MarkRead(ctx, 1, notify.RecipientDeputy, 7, []int64{page[0].ID, foreign}); err != nil {
		t.Fatal(err)
	}
	if n, _ := inbox.UnreadCount(ctx, 1, notify.RecipientDeputy, 7); n != 4 {
		t.Fatalf("unread after one = %d, want 4", n)
	}
	if n, _ := inbox.UnreadCount(ctx, 2, notify.RecipientDeputy, 7); n != 1 {
		t.Fatalf("other tenant unread = %d, want 1", n)
	}
	if err := inbox.MarkRead(ctx, 1, notify.RecipientDeputy, 7, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := inbox.UnreadCount(ctx, 1, notify.RecipientDeputy, 7); n != 0 {
		t.Fatalf("unread after all = %d", n)
	}
	if _, _, err := inbox.List(ctx, 1, "robot", 7, 0, 3); !errors.Is(err, notify.ErrInvalid) {
		t.Fatalf("bad kind: %v", err)
	}

	credits := notify.NewCredits(store)
	for _, c := range []struct {
		long, ok bool
	}{{false, true}, {false, true}, {false, false}, {true, true}} {
		if err := credits.Record(ctx, 1, 7, "TPL1", c.long, c.ok); err != nil {
			t.Fatal(err)
		}
	}
	var one int
	var long bool
	if err := pool.QueryRow(ctx, `SELECT one_time, long_term FROM notify_credits WHERE tenant_id = 1 AND deputy_id = 7 AND template_id = 'TPL1'`).Scan(&one, &long); err != nil {
		t.Fatal(err)
	}
	if one != 2 || !long {
		t.Fatalf("credits = %d %v, want 2 true", one, long)
	}
	if err := credits.Record(ctx, 1, 7, "", false, true); !errors.Is(err, notify.ErrInvalid) {
		t.Fatalf("empty template: %v", err)
	}

	tpls := notify.NewTemplates(store)
	if err := tpls.Set(ctx, 1, notify.TemplateID{Kind: notify.KindAny, Channel: notify.ChannelMPSubscribe, TemplateID: "ANY"}); err != nil {
		t.Fatal(err)
	}
	if err := tpls.Set(ctx, 1, notify.TemplateID{Kind: notify.KindReplied, Channel: notify.ChannelMPSubscribe, TemplateID: "REP"}); err != nil {
		t.Fatal(err)
	}
	set, err := tpls.Get(ctx, 1)
	if err != nil || set.For(notify.KindReplied, notify.ChannelMPSubscribe) != "REP" ||
		set.For(notify.KindClosed, notify.ChannelMPSubscribe) != "ANY" || set.For(notify.KindClosed, notify.ChannelOATemplate) != "" {
		t.Fatalf("templates = %+v err %v", set, err)
	}
	if err := tpls.Set(ctx, 1, notify.TemplateID{Kind: "nope", Channel: notify.ChannelMPSubscribe, TemplateID: "x"}); !errors.Is(err, notify.ErrInvalid) {
		t.Fatalf("bad kind: %v", err)
	}
}
