package activity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// bundle is one test's world: two tenants on a real database, the service with notices on
// a real queue, and a clock the test moves.
type bundle struct {
	t     *testing.T
	pool  *pgxpool.Pool
	tn    *pgtest.Tenant
	other *pgtest.Tenant
	svc   *activity.Service
	sugg  *suggestion.Service

	mu  sync.Mutex
	now time.Time
}

func setup(t *testing.T) *bundle {
	t.Helper()
	pool := pgtest.New(t)
	b := &bundle{t: t, pool: pool, tn: pgtest.NewTenant(t, pool), other: pgtest.NewTenant(t, pool),
		now: time.Date(2026, 6, 1, 9, 0, 0, 0, deadline.Shanghai)}
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	pub := notify.NewPublisher(postgres.NewNotifyStore(pool), queue, notify.ClockFunc(b.clock), nil)
	b.svc = activity.NewService(postgres.NewActivityStore(pool), b.clock).WithNotices(pub, nil)
	b.sugg = suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	return b
}

func (b *bundle) clock() time.Time { b.mu.Lock(); defer b.mu.Unlock(); return b.now }

func (b *bundle) set(t time.Time) { b.mu.Lock(); b.now = t; b.mu.Unlock() }

func staff(tn *pgtest.Tenant, id int64, roles ...auth.Role) auth.Actor {
	return auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: id, Name: "工作人员", Roles: roles}
}

func (b *bundle) reviewer() auth.Actor { return staff(b.tn, b.tn.Reviewer, auth.RoleReviewer) }

func (b *bundle) deputy(i int) auth.Actor { return auth.Deputy(b.tn.ID, b.tn.Deputies[i]) }

// suggestion makes a suggestion of tn led by its first deputy, registered (numbered) unless
// draft: only registered suggestions may be linked to an activity.
func (b *bundle) suggestion(tn *pgtest.Tenant, title string, draft bool) int64 {
	b.t.Helper()
	ctx := context.Background()
	dep := auth.Deputy(tn.ID, tn.Deputies[0])
	sg, err := b.sugg.CreateDraft(ctx, dep, suggestion.DraftInput{Title: title, Body: title + "的具体情况和建议，请有关部门研究解决。"})
	if err != nil {
		b.t.Fatal(err)
	}
	if !draft {
		s, err := b.sugg.Submit(ctx, dep, sg.ID, sg.Version)
		if err != nil {
			b.t.Fatal(err)
		}
		rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
		if _, err := b.sugg.Register(ctx, rev, s.ID, s.Version, tn.Categories[0]); err != nil {
			b.t.Fatal(err)
		}
	}
	return sg.ID
}

// input is a valid activity three days ahead inviting the first two deputies.
func (b *bundle) input() activity.Input {
	return activity.Input{Kind: activity.KindInspection, Title: "视察老旧小区改造", StartsAt: b.clock().Add(72 * time.Hour),
		Place: "雄关区胜利路社区", Description: "实地查看改造进度，听取居民意见。",
		UnitIDs: []int64{b.tn.Units[0]}, DeputyIDs: []int64{b.tn.Deputies[0], b.tn.Deputies[1]}}
}

func (b *bundle) create(in activity.Input) *activity.Activity {
	b.t.Helper()
	act, err := b.svc.Create(context.Background(), b.reviewer(), in)
	if err != nil {
		b.t.Fatal(err)
	}
	return act
}

// tables is everything the service writes, so a refusal can be seen to write nothing.
func (b *bundle) tables() string {
	b.t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT string_agg(concat_ws('/', id, kind, title, starts_at, place, description, status, cancel_reason, summary, version), ';' ORDER BY id) FROM activities),
		(SELECT string_agg(concat_ws('/', activity_id, suggestion_id), ';' ORDER BY 1) FROM activity_suggestions),
		(SELECT string_agg(concat_ws('/', activity_id, unit_id), ';' ORDER BY 1) FROM activity_units),
		(SELECT string_agg(concat_ws('/', activity_id, deputy_id, answer, note, answered_at), ';' ORDER BY 1) FROM activity_invitations),
		(SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// told lists the recipients of notices of kind, as "deputy:<id>" or "user:<id>", in id order.
func (b *bundle) told(kind string) []string {
	b.t.Helper()
	return pgtest.Told(b.t, b.pool, b.tn.ID, kind)
}

func wantCode(t *testing.T, what string, err error, kind error, code string) {
	t.Helper()
	var e *activity.Error
	if !errors.Is(err, kind) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
		t.Errorf("%s: got %v, want %v %s", what, err, kind, code)
	}
}
