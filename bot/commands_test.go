package bot

import (
	"testing"
	"unicode/utf8"

	"jianyi/internal/suggestion"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Command
	}{
		{"帮助", Command{Kind: CmdHelp}},
		{" 菜单 ", Command{Kind: CmdHelp}},
		{"？", Command{Kind: CmdHelp}},
		{"我的建议", Command{Kind: CmdMine}},
		{"我的建议。", Command{Kind: CmdMine}},
		{"查询 12", Command{Kind: CmdQuery, Number: 12}},
		{"查询0012", Command{Kind: CmdQuery, Number: 12}},
		{"查询 第0012号", Command{Kind: CmdQuery, Number: 12}},
		{"查询：１２", Command{Kind: CmdQuery, Number: 12}},
		{"查询\u300012", Command{Kind: CmdQuery, Number: 12}},
		{"查询", Command{Kind: CmdUsage, Usage: usageQuery}},
		{"查询 0", Command{Kind: CmdSearch, Text: "查询 0"}},
		{"评价 12 满意", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Satisfied}},
		{"评价 0012 基本满意", Command{Kind: CmdRate, Number: 12, Rating: suggestion.BasicallySatisfied}},
		{"评价第12号不满意", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Unsatisfied}},
		{"评价 12 不满意 没有解决问题", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Unsatisfied, Reason: "没有解决问题"}},
		{"评价 12 不满意，没有解决", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Unsatisfied, Reason: "没有解决"}},
		{"评价12满意", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Satisfied}},
		{"评价 12", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 满意", Command{Kind: CmdUsage, Usage: usageRate}},
		// A rating word stands alone or is followed by a separator before the reason.
		{"评价 12 不满意：没有解决", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Unsatisfied, Reason: "没有解决"}},
		{"评价 12 基本满意，还有一段没修", Command{Kind: CmdRate, Number: 12, Rating: suggestion.BasicallySatisfied, Reason: "还有一段没修"}},
		{"评价 12 不满意、没有解决", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Unsatisfied, Reason: "没有解决"}},
		{"评价 12 满意。谢谢", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Satisfied, Reason: "谢谢"}},
		{"评价12不满意,没有解决", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Unsatisfied, Reason: "没有解决"}},
		{"评价 12 非常满意", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Satisfied}},
		{"评价 12 非常满意，谢谢", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Satisfied, Reason: "谢谢"}},
		{"评价 12 满意，", Command{Kind: CmdRate, Number: 12, Rating: suggestion.Satisfied}},
		// Words that merely begin with one are no rating: nothing may be recorded.
		{"评价 18 满意度很低，信号灯根本没装", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价18满意度很低", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 12 满意吗", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 12 满意吗？", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 12 满意度差", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 12 不满意度高吗?", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 12 基本满意度", Command{Kind: CmdUsage, Usage: usageRate}},
		{"评价 12 满意率", Command{Kind: CmdUsage, Usage: usageRate}},
		{"我的活动", Command{Kind: CmdActivities}},
		{"代表活动", Command{Kind: CmdActivities}},
		{"参加", Command{Kind: CmdAttend}},
		{"参加 12", Command{Kind: CmdAttend, Number: 12}},
		{"参加第12号，准时到", Command{Kind: CmdAttend, Number: 12, Reason: "准时到"}},
		{"不参加 12 在外地出差", Command{Kind: CmdDecline, Number: 12, Reason: "在外地出差"}},
		{"不参加，在外地出差", Command{Kind: CmdDecline, Reason: "在外地出差"}},
		{"参加12", Command{Kind: CmdAttend, Number: 12}},
		// Sentences that merely start with the word are no answer.
		{"参加社区座谈会后，群众反映路灯不亮", Command{Kind: CmdSearch, Text: "参加社区座谈会后,群众反映路灯不亮"}},
		{"不参加现场核实就答复了", Command{Kind: CmdSearch, Text: "不参加现场核实就答复了"}},
		{"参加 上周的座谈会以后我发现群众对民政路路灯不亮的问题意见很大请帮忙查一下", Command{Kind: CmdSearch,
			Text: "参加 上周的座谈会以后我发现群众对民政路路灯不亮的问题意见很大请帮忙查一下"}},
		{"催办 7", Command{Kind: CmdNudge, Number: 7}},
		{"催办", Command{Kind: CmdUsage, Usage: usageNudge}},
		{"绑定 123456", Command{Kind: CmdBind, Code: "123456"}},
		{"绑定１２３４５６", Command{Kind: CmdBind, Code: "123456"}},
		{"绑定 12345", Command{Kind: CmdUsage, Usage: usageBind}},
		{"回头看 12 路灯又不亮了", Command{Kind: CmdReview, Number: 12, Reason: "路灯又不亮了"}},
		{"回头看 第0012号，修好一个月又坏了", Command{Kind: CmdReview, Number: 12, Reason: "修好一个月又坏了"}},
		{"回头看：12 还是积水", Command{Kind: CmdReview, Number: 12, Reason: "还是积水"}},
		{"回头看 12", Command{Kind: CmdUsage, Usage: usageReview}},
		{"回头看", Command{Kind: CmdUsage, Usage: usageReview}},
		{"回头看 路灯", Command{Kind: CmdUsage, Usage: usageReview}},
		{"随手拍", Command{Kind: CmdSnap}},
		{"取消", Command{Kind: CmdCancel}},
		{"民政路那个建议怎么样了？", Command{Kind: CmdSearch, Text: "民政路那个建议怎么样了"}},
		{"", Command{Kind: CmdNone}},
	} {
		if got := Parse(tc.in); got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	list := []suggestion.Summary{
		{ID: 1, Title: "关于民政路拓宽改造的建议"},
		{ID: 2, Title: "关于增加学校周边停车位的建议"},
		{ID: 3, Title: "关于新华路路灯维修的建议"},
		{ID: 4, Title: "关于新华路人行道修缮的建议"},
	}
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"民政路那个建议怎么样了", []int64{1}},
		{"停车位进展如何", []int64{2}},
		{"学校停车的建议", []int64{2}},
		{"新华路的建议呢", []int64{3, 4}},
		{"新华路路灯", []int64{3}},
		{"天气不错", nil},
		{"建议", nil},
	} {
		got := Match(tc.q, list)
		var ids []int64
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if len(ids) != len(tc.want) {
			t.Errorf("Match(%q) = %v, want %v", tc.q, ids, tc.want)
			continue
		}
		for i := range ids {
			if ids[i] != tc.want[i] {
				t.Errorf("Match(%q) = %v, want %v", tc.q, ids, tc.want)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"查询 第0012号", "评价12不满意，理由", "绑定 123456", "民政路那个建议怎么样了", "\u3000查询１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Parse(s)
		if c.Number < 0 || c.Number > 999999 {
			t.Fatalf("number %d", c.Number)
		}
		if c.Kind == CmdRate && !c.Rating.Valid() {
			t.Fatalf("rating %q", c.Rating)
		}
		if c.Kind == CmdSearch && (!utf8.ValidString(c.Text) && utf8.ValidString(s)) {
			t.Fatal("search text broke UTF-8")
		}
		_ = Match(s, []suggestion.Summary{{ID: 1, Title: s}})
	})
}
