package postgres_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"jianyi/internal/auth"
	"jianyi/internal/export"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// reroundCase takes one suggestion through the real workflow on a clock it moves by hand: it is
// replied in a month, rated 不满意 and replied again the next month (round 2), rated 满意 and so
// closed; then reopened in 回头看 the month after, replied (round 3) and closed again.
type reroundCase struct {
	t     *testing.T
	pool  *pgxpool.Pool
	tn    *pgtest.Tenant
	svc   *suggestion.Service
	clock time.Time
	id    int64
	asg   int64
}

// trendMonth is the first day (Shanghai) of the month m months from the current one.
func trendMonth(m int) time.Time {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	l := time.Now().In(sh)
	return time.Date(l.Year(), l.Month()+time.Month(m), 1, 0, 0, 0, 0, sh)
}

func newReroundCase(t *testing.T, pool *pgxpool.Pool) *reroundCase {
	c := &reroundCase{t: t, pool: pool, tn: pgtest.NewTenant(t, pool)}
	c.svc = suggestion.NewService(postgres.NewSuggestionStore(pool), func() time.Time { return c.clock })
	return c
}

func (c *reroundCase) must(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *reroundCase) reviewer() auth.Actor {
	return auth.Actor{TenantID: c.tn.ID, Kind: auth.KindStaff, ID: c.tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
}

func (c *reroundCase) unit() auth.Actor {
	return auth.Actor{TenantID: c.tn.ID, Kind: auth.KindStaff, ID: c.tn.Handlers[0], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: c.tn.Units[0]}
}

func (c *reroundCase) deputy() auth.Actor { return auth.Deputy(c.tn.ID, c.tn.Deputies[0]) }

// at moves the clock to day d (1-based) of month m (relative to now).
func (c *reroundCase) at(m, d int) { c.clock = trendMonth(m).AddDate(0, 0, d-1).Add(10 * time.Hour) }

// repliedIn: submitted, registered, assigned, accepted, contacted and replied in month m.
func (c *reroundCase) repliedIn(m int) {
	c.t.Helper()
	ctx := context.Background()
	c.at(m, 2)
	d, err := c.svc.CreateDraft(ctx, c.deputy(), suggestion.DraftInput{Title: "关于老旧小区加装电梯的建议", Body: "老旧小区老年住户上下楼困难，建议统筹推进加装电梯。"})
	c.must(err)
	s, err := c.svc.Submit(ctx, c.deputy(), d.ID, d.Version)
	c.must(err)
	s, err = c.svc.Register(ctx, c.reviewer(), s.ID, s.Version, c.tn.Categories[0])
	c.must(err)
	_, err = c.svc.Assign(ctx, c.reviewer(), s.ID, s.Version, suggestion.AssignInput{LeadUnitID: c.tn.Units[0]})
	c.must(err)
	c.id = s.ID
	det, err := c.svc.Detail(ctx, c.reviewer(), s.ID)
	c.must(err)
	c.asg = det.Assignments[0].ID
	c.at(m, 3)
	_, err = c.svc.Accept(ctx, c.unit(), c.asg, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"})
	c.must(err)
	_, err = c.svc.RecordContact(ctx, c.unit(), c.asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: c.clock.Add(-time.Hour),
		Method: "电话", People: "领衔代表", Summary: "办前沟通，了解代表意图"})
	c.must(err)
	c.at(m, 15)
	c.reply()
}

func (c *reroundCase) reply() {
	c.t.Helper()
	_, err := c.svc.Reply(context.Background(), c.unit(), c.asg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经研究，该问题已解决，具体情况答复如下。"})
	c.must(err)
}

func (c *reroundCase) rate(r suggestion.Rating) {
	c.t.Helper()
	reason := ""
	if r == suggestion.Unsatisfied {
		reason = "问题没有实质性解决"
	}
	_, err := c.svc.RateReply(context.Background(), c.deputy(), c.id, r, reason)
	c.must(err)
}

// rerepliedIn: rated 不满意 in the month of the first reply, replied again in month m.
func (c *reroundCase) rerepliedIn(m int) {
	c.t.Helper()
	c.clock = c.clock.Add(48 * time.Hour)
	c.rate(suggestion.Unsatisfied)
	c.at(m, 10)
	c.reply()
}

// closedIn: the latest reply rated 满意 in month m, which closes the case (class A).
func (c *reroundCase) closedIn(m int) {
	c.t.Helper()
	c.at(m, 12)
	c.rate(suggestion.Satisfied)
}

// reopenedAndClosedIn: reopened (回头看), replied and closed again, all in month m.
func (c *reroundCase) reopenedAndClosedIn(m int) {
	c.t.Helper()
	ctx := context.Background()
	c.at(m, 5)
	s, err := c.svc.Get(ctx, c.reviewer(), c.id)
	c.must(err)
	_, err = c.svc.Reopen(ctx, c.reviewer(), c.id, s.Version, "回头看：群众反映电梯仍未开工")
	c.must(err)
	c.at(m, 8)
	c.reply()
	c.closedIn(m)
	if s, err = c.svc.Get(ctx, c.reviewer(), c.id); err != nil || s.Status != suggestion.StatusClosed {
		c.t.Fatalf("after the second closing: %v %v", s, err)
	}
}

// months returns the trend's figures for the months m (relative to now) of the dashboard the
// reviewer reads, as [replied, closed] each, and the dashboard.
func (c *reroundCase) months(ms ...int) ([][2]int, *stats.Dashboard) {
	c.t.Helper()
	st := postgres.NewStatsStore(c.pool)
	d, err := stats.NewService(st, nil).Dashboard(context.Background(), c.reviewer(), stats.Filter{})
	c.must(err)
	out := make([][2]int, len(ms))
	for i, m := range ms {
		key := trendMonth(m).Format("2006-01")
		found := false
		for _, p := range d.Trend {
			if p.Month == key {
				out[i], found = [2]int{p.Replied, p.Closed}, true
			}
		}
		if !found {
			c.t.Fatalf("month %s not in the trend %+v", key, d.Trend)
		}
	}
	return out, d
}

// verify checks the rollup against the workflow tables (members == source, rollup == members)
// and the dashboard's trend against the recount.
func (c *reroundCase) verify(step string) {
	c.t.Helper()
	st := postgres.NewStatsStore(c.pool)
	ctx := context.Background()
	if err := st.VerifyRollup(ctx, c.tn.ID); err != nil {
		c.t.Fatalf("%s: %v", step, err)
	}
	now := time.Now()
	_, _, got, err := st.CountsAndTrend(ctx, c.tn.ID, stats.Filter{}, nil, false, 12, now)
	c.must(err)
	want, err := st.RecountTrend(ctx, c.tn.ID, stats.Filter{}, 12, now)
	c.must(err)
	for i := range got {
		if got[i] != want[i] {
			c.t.Fatalf("%s: trend %+v, recount %+v", step, got, want)
		}
	}
}

// trendSheet reads the 月度趋势 sheet of the statistics workbook written from d.
func trendSheet(t *testing.T, d *stats.Dashboard) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := export.Statistics(d, "全部", &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("月度趋势")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The audit's case: replied in July, re-replied in August. July's 答复 must not drop after the
// fact: the trend counts a case in the month of its first reply (as 答复率 counts it once), on
// the dashboard and in statistics.xlsx. Likewise 办结: a case closed in August, reopened in
// 回头看 and closed again in September stays in August.
func TestTrendCountsTheFirstReplyAndClosing(t *testing.T) {
	t.Parallel()
	c := newReroundCase(t, pgtest.New(t))
	const july, aug, sep = -3, -2, -1

	c.repliedIn(july)
	c.verify("replied")
	before, _ := c.months(july, aug)
	if before[0] != [2]int{1, 0} || before[1] != [2]int{0, 0} {
		t.Fatalf("after the first reply: July %v, August %v", before[0], before[1])
	}

	c.rerepliedIn(aug)
	c.verify("replied again")
	got, d := c.months(july, aug)
	if got[0] != [2]int{1, 0} || got[1] != [2]int{0, 0} {
		t.Fatalf("re-replied in August: July %v, August %v; July's 答复 must stay 1", got[0], got[1])
	}
	if d.Counts.Replied != 1 || d.Rates.ReplyRate.Num != 1 {
		t.Fatalf("counts %+v: the case is replied once", d.Counts)
	}
	// statistics.xlsx: the same figure in July's row, under a header that says what it counts.
	rows := trendSheet(t, d)
	if len(rows) == 0 || len(rows[0]) < 4 || rows[0][2] != "首次答复" || rows[0][3] != "首次办结" {
		t.Fatalf("trend sheet header %v", rows)
	}
	cells := map[string][]string{}
	for _, r := range rows[1:] {
		cells[r[0]] = r
	}
	if r := cells[trendMonth(july).Format("2006-01")]; len(r) < 3 || r[2] != "1" {
		t.Fatalf("July's row in statistics.xlsx: %v, want 首次答复 1", r)
	}
	if r := cells[trendMonth(aug).Format("2006-01")]; len(r) < 3 || r[2] != "0" {
		t.Fatalf("August's row in statistics.xlsx: %v, want 首次答复 0", r)
	}

	c.closedIn(aug)
	c.verify("closed")
	if got, _ := c.months(july, aug, sep); got[0] != [2]int{1, 0} || got[1] != [2]int{0, 1} || got[2] != [2]int{0, 0} {
		t.Fatalf("closed in August: %v", got)
	}
	c.reopenedAndClosedIn(sep)
	c.verify("reopened and closed again")
	got, d = c.months(july, aug, sep)
	if got[0] != [2]int{1, 0} || got[1] != [2]int{0, 1} || got[2] != [2]int{0, 0} {
		t.Fatalf("reopened and closed again in September: July %v, August %v, September %v; August's 办结 must stay 1", got[0], got[1], got[2])
	}
	if d.Counts.Closed != 1 || d.Counts.Replied != 1 {
		t.Fatalf("counts %+v", d.Counts)
	}
}

// Migration 00073 rewrites the members of cases already re-replied and reopened when it goes
// up, and gives back the old months when it goes down; the rollup equals the members and the
// workflow tables both ways.
func TestFirstReplyMigrationUpDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, dsn := pgtest.At(t, 72)
	c := newReroundCase(t, pool)
	const july, aug, sep = -3, -2, -1
	c.repliedIn(july)
	c.rerepliedIn(aug)
	c.closedIn(aug)
	c.reopenedAndClosedIn(sep)
	st := postgres.NewStatsStore(pool)
	old := func(step string) {
		t.Helper()
		if err := st.VerifyRollup(ctx, c.tn.ID); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		// 00023's months: the latest reply (round 3, September) and the latest closing.
		if got, _ := c.months(july, aug, sep); got[0] != [2]int{0, 0} || got[1] != [2]int{0, 0} || got[2] != [2]int{1, 1} {
			t.Fatalf("%s: %v", step, got)
		}
	}
	old("before 00073")

	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	c.verify("up")
	if got, _ := c.months(july, aug, sep); got[0] != [2]int{1, 0} || got[1] != [2]int{0, 1} || got[2] != [2]int{0, 0} {
		t.Fatalf("after 00073: %v", got)
	}

	if err := postgres.MigrateTo(ctx, dsn, 72); err != nil {
		t.Fatal(err)
	}
	pool.Reset()
	old("after 00073 down")
}
