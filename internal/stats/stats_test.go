package stats

import "testing"

func TestRatesDefinitions(t *testing.T) {
	c := Counts{Registered: 10, Assigned: 8, Replied: 6, RepliedOnTime: 5, Closed: 4, ClassA: 2, ClassB: 4,
		Rated: 5, Satisfied: 1, BasicallySatisfied: 2, Unsatisfied: 2, NoFeedback: 1, ImplRated: 2, ImplSatisfied: 1, ImplBasicallySatisfied: 1}
	r := Rates(c)
	for _, tc := range []struct {
		name     string
		got      Ratio
		num, den int
		pct      string
	}{
		{"答复率", r.ReplyRate, 6, 8, "75.0%"},
		{"按期答复率", r.OnTimeReplyRate, 5, 8, "62.5%"},
		{"办结率", r.CloseRate, 4, 10, "40.0%"},
		{"满意率 (未反馈 not in it)", r.SatisfactionRate, 3, 5, "60.0%"},
		{"解决率 (class A, not satisfied)", r.SolvedRate, 2, 6, "33.3%"},
		{"落实率", r.ImplRate, 2, 2, "100.0%"},
	} {
		if tc.got.Num != tc.num || tc.got.Den != tc.den || tc.got.Percent() != tc.pct {
			t.Errorf("%s: %d/%d %s, want %d/%d %s", tc.name, tc.got.Num, tc.got.Den, tc.got.Percent(), tc.num, tc.den, tc.pct)
		}
	}
	if p := (Ratio{}).Percent(); p != "—" {
		t.Errorf("undefined ratio %q", p)
	}
}

func TestSortRanking(t *testing.T) {
	rows := []UnitRow{
		{UnitName: "无任务", Counts: Counts{}},
		{UnitName: "慢", Counts: Counts{Assigned: 4, RepliedOnTime: 1}},
		{UnitName: "快乙", Counts: Counts{Assigned: 2, RepliedOnTime: 2, Rated: 2, Satisfied: 1}},
		{UnitName: "快甲", Counts: Counts{Assigned: 2, RepliedOnTime: 2, Rated: 2, Satisfied: 2}},
	}
	for i := range rows {
		rows[i].Rates = Rates(rows[i].Counts)
	}
	SortRanking(rows)
	want := []string{"快甲", "快乙", "慢", "无任务"}
	for i, w := range want {
		if rows[i].UnitName != w {
			t.Fatalf("rank %d = %s, want %s", i+1, rows[i].UnitName, w)
		}
	}
}
