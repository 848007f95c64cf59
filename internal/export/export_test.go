package export_test

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"jianyi/internal/appraisal"
	"jianyi/internal/auth"
	"jianyi/internal/export"
	"jianyi/internal/stats"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// opinionsFixture is a tenant whose 第0007号 took in a duplicate (并案): 王志强's suggestion,
// co-signed by 赵丽华, merged into 张建国's 0007 co-signed by 李秀英. 0007 was replied class A,
// which the tenant calls 问题已解决; 陈明's 0008 was replied class B (the default label).
func opinionsFixture(t *testing.T) (*pgxpool.Pool, *pgtest.Tenant) {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	ex := func(sql string, args ...any) { t.Helper(); pgtest.MustExec(t, pool, sql, args...) }
	ex(`UPDATE tenants SET reply_labels = '{"A": "问题已解决"}' WHERE id = $1`, tn.ID)
	suggest := func(number any, lead int, title, status string) int64 {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number, category_id, submitted_at)
			VALUES ($1, $2, $3, $4, '正文', $5, $6, $7, now()) RETURNING id`, tn.ID, tn.MeetingID, tn.Deputies[lead], title, status, number, tn.Categories[0]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	reply := func(sid, unit int64, class string) {
		t.Helper()
		var asg int64
		if err := pool.QueryRow(ctx, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at)
			VALUES ($1, $2, $3, 'lead', 'replied', now() + interval '90 days', now()) RETURNING id`, tn.ID, sid, unit).Scan(&asg); err != nil {
			t.Fatal(err)
		}
		ex(`INSERT INTO replies (tenant_id, suggestion_id, assignment_id, unit_id, round, class, body, created_by, on_time)
			VALUES ($1, $2, $3, $4, 1, $5, '答复', 0, true)`, tn.ID, sid, asg, unit, class)
	}
	s7 := suggest(7, 0, "关于优化公交线路的建议", "replied")
	dup := suggest(nil, 2, "关于公交线路优化调整的建议", "merged")
	s8 := suggest(8, 4, "关于提升基层医疗服务能力的建议", "replied")
	ex(`UPDATE suggestions SET merged_into = $2 WHERE tenant_id = $1 AND id = $3`, tn.ID, s7, dup)
	ex(`INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES
		($1, $2, $3, 'accepted'), ($1, $2, $4, 'merged'), ($1, $2, $5, 'merged'), ($1, $6, $5, 'accepted')`,
		tn.ID, s7, tn.Deputies[1], tn.Deputies[2], tn.Deputies[3], dup)
	reply(s7, tn.Units[2], "A")
	reply(s8, tn.Units[1], "B")
	return pool, tn
}

// 代表意见清单 lists the authors of a merged duplicate under the case that answers them,
// marked 联名（并案） as the suggestion's page marks them (not as deputies who co-signed it),
// and the reply class with the tenant's label of it, as the page shows it.
func TestDeputyOpinionsShowMergedAuthorsAndClassLabels(t *testing.T) {
	t.Parallel()
	pool, tn := opinionsFixture(t)
	svc := export.NewService(postgres.NewExportStore(pool), nil)
	rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	var buf bytes.Buffer
	if err := svc.DeputyOpinions(context.Background(), rev, export.Filter{}, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("代表意见清单")
	if err != nil {
		t.Fatal(err)
	}
	// 序号, 代表姓名, 领衔/联名, 建议编号, 答复类别 of each line.
	var got []string
	for _, r := range rows[1:] {
		for len(r) < 12 {
			r = append(r, "")
		}
		got = append(got, strings.Join([]string{r[0], r[1], r[3], r[4], r[11]}, " | "))
	}
	want := []string{
		"1 | 张建国 | 领衔 | 第0007号 | A类 问题已解决",
		"2 | 王志强 | 联名（并案） | 第0007号 | A类 问题已解决",
		"3 | 陈明 | 领衔 | 第0008号 | B类 正在解决或列入计划逐步解决",
		"4 | 李秀英 | 联名 | 第0007号 | A类 问题已解决",
		"5 | 赵丽华 | 联名（并案） | 第0007号 | A类 问题已解决",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("代表意见清单:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// percentCell reads a rate cell: its number, its number format and how a spreadsheet shows it.
func percentCell(t *testing.T, f *excelize.File, sheet, cell string) (v float64, format, shown string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("%s!%s is %q of type %v, not a number", sheet, cell, raw, typ)
	}
	if v, err = strconv.ParseFloat(raw, 64); err != nil {
		t.Fatalf("%s!%s = %q, not a number", sheet, cell, raw)
	}
	style, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(style)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		format = *st.CustomNumFmt
	}
	if shown, err = f.GetCellValue(sheet, cell); err != nil {
		t.Fatal(err)
	}
	return v, format, shown
}

// 办理情况统计表 writes every rate as a number with a percent format, so that a spreadsheet
// can compute with it and still shows "66.7%"; an undefined rate stays "—". The statistics
// are counted by the real service over PostgreSQL.
func TestStatisticsRatesAreNumbers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, tn := opinionsFixture(t)
	// A third case of 交通局 (unit 2) still to be replied: 答复率 2/3.
	pgtest.MustExec(t, pool, `WITH s AS (INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status, number, category_id, submitted_at)
		VALUES ($1, $2, $3, '关于增设公交站亭的建议', '正文', 'assigned', 9, $4, now()) RETURNING id)
		INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, state, due_at, return_due_at)
		SELECT $1, s.id, $5, 'lead', 'pending', now() + interval '90 days', now() FROM s`, tn.ID, tn.MeetingID, tn.Deputies[5], tn.Categories[0], tn.Units[2])
	pgtest.MustExec(t, pool, `UPDATE suggestions SET assigned_at = now() - interval '1 day', registered_at = now() - interval '2 days',
		replied_at = CASE WHEN status = 'replied' THEN now() END WHERE tenant_id = $1 AND number IS NOT NULL`, tn.ID)
	rev := auth.Actor{TenantID: tn.ID, Kind: auth.KindStaff, ID: tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
	d, err := stats.NewService(postgres.NewStatsStore(pool), nil).Dashboard(ctx, rev, stats.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Rates.ReplyRate != (stats.Ratio{Num: 2, Den: 3}) {
		t.Fatalf("the fixture counts 答复率 %+v, want 2/3", d.Rates.ReplyRate)
	}
	var buf bytes.Buffer
	if err := export.Statistics(d, "全部", &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	total, err := f.GetRows("总体情况")
	if err != nil {
		t.Fatal(err)
	}
	row := map[string]int{}
	for i, r := range total {
		if len(r) > 0 {
			row[r[0]] = i + 1
		}
	}
	cell := func(col string, r int) string { return col + strconv.Itoa(r) }
	if v, format, shown := percentCell(t, f, "总体情况", cell("B", row["答复率"])); math.Abs(v-2.0/3) > 1e-9 || format != "0.0%" || shown != "66.7%" {
		t.Errorf("总体情况 答复率: %v %q shown %q, want 2/3 as 0.0%% (66.7%%)", v, format, shown)
	}
	if shown, _ := f.GetCellValue("总体情况", cell("B", row["落实率"])); shown != "—" {
		t.Errorf("总体情况 落实率 with nothing rated: %q, want —", shown)
	}

	units, err := f.GetRows("承办单位")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range units[1:] {
		if len(r) < 2 || r[1] != "市交通运输局" {
			continue
		}
		// 答复率 (F), 按期答复率 (G), 解决率 (I): 1 of 2 assigned replied, on time, class A.
		for _, col := range []string{"F", "G"} {
			if v, format, shown := percentCell(t, f, "承办单位", cell(col, i+2)); v != 0.5 || format != "0.0%" || shown != "50.0%" {
				t.Errorf("承办单位 市交通运输局 %s: %v %q shown %q, want 0.5 as 50.0%%", col, v, format, shown)
			}
		}
		if v, _, shown := percentCell(t, f, "承办单位", cell("I", i+2)); v != 1 || shown != "100.0%" {
			t.Errorf("承办单位 市交通运输局 解决率: %v shown %q", v, shown)
		}
		// A formula over the rates computes: what the text "50.0%" never allowed.
		if err := f.SetCellFormula("承办单位", "Z1", "F"+strconv.Itoa(i+2)+"+G"+strconv.Itoa(i+2)); err != nil {
			t.Fatal(err)
		}
		if got, err := f.CalcCellValue("承办单位", "Z1"); err != nil || got != "1" {
			t.Errorf("F+G of 市交通运输局 computes %q (%v), want 1", got, err)
		}
		return
	}
	t.Fatalf("no 市交通运输局 row in %v", units)
}

// 年度反馈市政府 writes its rates (满意率, 落实率) as numbers with a percent format too.
func TestFeedbackRatesAreNumbers(t *testing.T) {
	t.Parallel()
	r := &appraisal.Report{
		Meeting:  appraisal.Meeting{Name: "市十届人大五次会议"},
		Hearings: []appraisal.Hearing{{UnitName: "市交通运输局", Session: "第二十次会议", HeldOn: time.Now(), Vote: &appraisal.Vote{Satisfied: 28, Basic: 9, Unsatisfied: 2}}},
		Ratings: &stats.Dashboard{
			Units: []stats.UnitRow{{UnitName: "市交通运输局", Rates: stats.Ratios{SatisfactionRate: stats.Ratio{Num: 2, Den: 3}}}},
			Rates: stats.Ratios{SatisfactionRate: stats.Ratio{Num: 4, Den: 5}, ImplRate: stats.Ratio{Num: 1, Den: 2}},
		},
		AsOf: time.Now(),
	}
	var buf bytes.Buffer
	if err := export.Feedback(r, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		sheet, cell string
		want        float64
		shown       string
	}{
		{"专题工作报告测评", "I2", 37.0 / 39, "94.9%"},
		{"双测评结果", "J2", 2.0 / 3, "66.7%"},
		{"双测评结果", "J3", 0.8, "80.0%"},
		{"双测评结果", "O3", 0.5, "50.0%"},
	} {
		if v, format, shown := percentCell(t, f, c.sheet, c.cell); math.Abs(v-c.want) > 1e-9 || format != "0.0%" || shown != c.shown {
			t.Errorf("%s!%s: %v %q shown %q, want %v shown %s", c.sheet, c.cell, v, format, shown, c.want, c.shown)
		}
	}
	if shown, _ := f.GetCellValue("双测评结果", "O2"); shown != "—" {
		t.Errorf("an undefined 落实率: %q, want —", shown)
	}
}
