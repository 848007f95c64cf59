package appraisal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/appraisal"
	"jianyi/internal/appraisal/appraisaltest"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// bundle is one test's world: two tenants on a real database, the service with the real
// statistics and notices on a real queue.
type bundle struct {
	t     *testing.T
	pool  *pgxpool.Pool
	tn    *pgtest.Tenant
	other *pgtest.Tenant
	svc   *appraisal.Service
	sugg  *suggestion.Service
}

func setup(t *testing.T) *bundle {
	t.Helper()
	pool := pgtest.New(t)
	b := &bundle{t: t, pool: pool, tn: pgtest.NewTenant(t, pool), other: pgtest.NewTenant(t, pool)}
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	pub := notify.NewPublisher(postgres.NewNotifyStore(pool), queue, nil, nil)
	b.svc = appraisal.NewService(postgres.NewAppraisalStore(pool), stats.NewService(postgres.NewStatsStore(pool), nil), nil).WithNotices(pub, nil)
	b.sugg = suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	return b
}

func staff(tn *pgtest.Tenant, id int64, roles ...auth.Role) auth.Actor {
	return auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: id, Name: "工作人员", Roles: roles}
}

func (b *bundle) reviewer() auth.Actor { return staff(b.tn, b.tn.Reviewer, auth.RoleReviewer) }

func (b *bundle) unitStaff(i int, r auth.Role) auth.Actor {
	id := b.tn.Handlers[i]
	if r == auth.RoleUnitLeader {
		id = b.tn.UnitLeaders[i]
	}
	a := staff(b.tn, id, r)
	a.UnitID = b.tn.Units[i]
	return a
}

func (b *bundle) exec(sql string, args ...any) {
	b.t.Helper()
	pgtest.MustExec(b.t, b.pool, sql, args...)
}

// walk takes a suggestion of tn led by unit lead (co-unit co, -1 for none) to o.
func (b *bundle) walk(title string, lead, co int, o appraisaltest.Outcome) int64 {
	b.t.Helper()
	c := appraisaltest.Case{TenantID: b.tn.ID, ReviewerID: b.tn.Reviewer, DeputyID: b.tn.Deputies[0], CategoryID: b.tn.Categories[0],
		LeadUnit: b.tn.Units[lead], LeadHandler: b.tn.Handlers[lead], Title: title}
	if co >= 0 {
		c.CoUnit = b.tn.Units[co]
	}
	return appraisaltest.Walk(b.t, b.sugg, c, o)
}

// world is the seeded meeting: which suggestion is which.
type world struct {
	other        int64 // the second meeting of tn
	s3, s7, s4   int64 // rated 不满意 in the first meeting: s3 and s7 reply (units 0), s4 implementation (unit 1)
	otherMeeting int64 // a suggestion of the other meeting rated 不满意 (unit 2)
}

// seed takes suggestions of tn's meeting through the workflow; unit 1 (市教育局) becomes a
// court so that it is no government department:
//
//	unit 0 leads s1 满意, s2 基本满意, s3 不满意, s7 不满意 and co-handles s6: 5 suggestions
//	unit 1 co-handles s1 and leads s4 (满意, 落实不满意) and s5 (基本满意, 落实满意): 3
//	unit 2 leads s6 (assigned only): 1, and in the other meeting leads one rated 不满意
//
// Per lead unit, 满意率: unit 0 2/4 = 50.0%, unit 1 2/2 = 100.0%; 落实率: unit 1 1/2 = 50.0%;
// in all 4/6 = 66.7% and 1/2 = 50.0%.
func (b *bundle) seed() world {
	b.t.Helper()
	var w world
	ok := func(r suggestion.Rating) appraisaltest.Outcome { return appraisaltest.Outcome{Reply: r} }
	b.exec(`UPDATE units SET kind = 'court' WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Units[1])
	b.walk("关于老旧小区加装电梯的建议", 0, 1, ok(suggestion.Satisfied))
	b.walk("关于规范物业收费的建议", 0, -1, ok(suggestion.BasicallySatisfied))
	w.s3 = b.walk("关于雨污分流改造的建议", 0, -1, ok(suggestion.Unsatisfied))
	w.s7 = b.walk("关于楼道照明整改的建议", 0, -1, ok(suggestion.Unsatisfied))
	w.s4 = b.walk("关于校园周边交通安全的建议", 1, -1, appraisaltest.Outcome{Reply: suggestion.Satisfied, Commit: true, Impl: suggestion.Unsatisfied})
	b.walk("关于增加学位供给的建议", 1, -1, appraisaltest.Outcome{Reply: suggestion.BasicallySatisfied, Commit: true, Impl: suggestion.Satisfied})
	b.walk("关于优化公交线路的建议", 2, 0, appraisaltest.Outcome{})
	// The other meeting (current while its suggestion is submitted): never counted in the first.
	b.exec(`UPDATE meetings SET is_current = false WHERE tenant_id = $1`, b.tn.ID)
	if err := b.pool.QueryRow(context.Background(), `INSERT INTO meetings (tenant_id, name, year, starts_on, ends_on, is_current)
		VALUES ($1, '第十届人民代表大会第七次会议', 2027, '2027-01-10', '2027-12-31', true) RETURNING id`, b.tn.ID).Scan(&w.other); err != nil {
		b.t.Fatal(err)
	}
	w.otherMeeting = b.walk("关于下一年度道路改造的建议", 2, 1, ok(suggestion.Unsatisfied))
	b.exec(`UPDATE meetings SET is_current = false WHERE tenant_id = $1`, b.tn.ID)
	b.exec(`UPDATE meetings SET is_current = true WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.MeetingID)
	return w
}

// tables is everything the service writes, so a refusal can be seen to write nothing.
func (b *bundle) tables() string {
	b.t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(), `SELECT concat_ws('|',
		(SELECT string_agg(concat_ws('/', id, meeting_id, unit_id, session, held_on, satisfied, basic, unsatisfied, voted_at, version), ';' ORDER BY id) FROM appraisal_hearings),
		(SELECT string_agg(concat_ws('/', meeting_id, opinion, sent_on, sent_by, version), ';' ORDER BY 1) FROM appraisal_feedbacks),
		(SELECT count(*) FROM appraisal_events), (SELECT count(*) FROM notices), (SELECT count(*) FROM deliveries))`).Scan(&s)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// told lists the recipients of notices of kind, as "user:<id>", in id order.
func (b *bundle) told(kind string) []string {
	b.t.Helper()
	return pgtest.Told(b.t, b.pool, b.tn.ID, kind)
}

func users(ids ...int64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, "user:"+itoa(id))
	}
	return out
}

func wantCode(t *testing.T, what string, err error, kind error, code string) {
	t.Helper()
	var e *appraisal.Error
	if !errors.Is(err, kind) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
		t.Errorf("%s: got %v, want %v %s", what, err, kind, code)
	}
}

// daysAgo is a Shanghai calendar date n days before today.
func daysAgo(n int) time.Time {
	y, m, d := time.Now().In(deadline.Shanghai).AddDate(0, 0, -n).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, deadline.Shanghai)
}
