package export

import (
	"io"
	"time"

	"jianyi/internal/appraisal"
	"jianyi/internal/suggestion"
)

// HearingHeaders are the columns of the hearings sheet of 年度反馈市政府.
var HearingHeaders = []string{"序号", "承办单位", "常委会会议", "会议日期", "满意", "基本满意", "不满意", "合计", "满意率"}

// RatingHeaders are the columns of the 双测评 sheet: the statistics' counts per lead unit.
var RatingHeaders = []string{"序号", "承办单位", "交办", "答复", "答复已评价", "满意", "基本满意", "不满意", "未反馈", "满意率",
	"落实已评价", "落实满意", "落实基本满意", "落实不满意", "落实率"}

// CaseHeaders are the columns of the sheet of suggestions rated 不满意.
var CaseHeaders = []string{"序号", "建议编号", "建议标题", "领衔代表", "主办单位", "答复满意度", "落实满意度", "办理状态", "回头看"}

// Feedback writes 年度反馈市政府 for a meeting: the 审议意见 and whether and when it was sent
// (审议意见), the hearings with their votes (专题工作报告测评), the 双测评 results per lead unit
// with the meeting's totals, counted as the statistics count them (双测评结果), and the
// suggestions rated 不满意 to take up again (不满意建议).
func Feedback(r *appraisal.Report, w io.Writer) error {
	b := newBook("审议意见", []string{"项目", "内容"}, []float64{18, 90})
	f := r.Feedback
	sent, changed := "未反馈", ""
	if f.Sent() {
		sent = date(f.SentOn) + "（" + f.SentByName + "）"
		if f.ChangedAfterSend() {
			changed = "审议意见在反馈后于" + date(f.OpinionAt) + "修改，与已反馈的文本不同"
		}
	}
	for i, kv := range [][]any{
		{"会议", r.Meeting.Name}, {"常委会审议意见", f.Opinion}, {"反馈市政府", sent}, {"说明", changed},
		{"测评不满意建议", len(r.Cases)}, {"导出时间", r.AsOf.In(shanghai).Format("2006-01-02 15:04")},
	} {
		b.values(i+2, kv...)
	}

	b.sheet = "专题工作报告测评"
	if _, err := b.f.NewSheet(b.sheet); err != nil && b.err == nil {
		b.err = err
	}
	b.header(HearingHeaders, []float64{6, 26, 30, 12, 8, 10, 8, 8, 10})
	for i, h := range r.Hearings {
		vals := []any{i + 1, h.UnitName, h.Session, h.HeldOn.Format(time.DateOnly)}
		if h.Vote != nil {
			vals = append(vals, h.Vote.Satisfied, h.Vote.Basic, h.Vote.Unsatisfied, h.Vote.Total(), h.Vote.Rate())
		} else {
			vals = append(vals, "", "", "", "", "未测评")
		}
		b.values(i+2, vals...)
	}

	b.sheet = "双测评结果"
	if _, err := b.f.NewSheet(b.sheet); err != nil && b.err == nil {
		b.err = err
	}
	b.header(RatingHeaders, []float64{6, 26, 8, 8, 10, 8, 10, 8, 8, 10, 10, 10, 12, 10, 10})
	row := 2
	if d := r.Ratings; d != nil {
		for i, u := range d.Units {
			c, x := u.Counts, u.Rates
			b.values(row, i+1, u.UnitName, c.Assigned, c.Replied, c.Rated, c.Satisfied, c.BasicallySatisfied, c.Unsatisfied, c.NoFeedback,
				x.SatisfactionRate, c.ImplRated, c.ImplSatisfied, c.ImplBasicallySatisfied, c.ImplUnsatisfied, x.ImplRate)
			row++
		}
		c, x := d.Counts, d.Rates
		b.values(row, "", "合计", c.Assigned, c.Replied, c.Rated, c.Satisfied, c.BasicallySatisfied, c.Unsatisfied, c.NoFeedback,
			x.SatisfactionRate, c.ImplRated, c.ImplSatisfied, c.ImplBasicallySatisfied, c.ImplUnsatisfied, x.ImplRate)
		b.values(row+2, "口径", "满意率 =（满意 + 基本满意）÷ 答复已评价，未反馈不计入；落实率 =（落实满意 + 落实基本满意）÷ 落实已评价；按主办单位统计，每件建议以领衔代表最近一次评价计")
	}

	b.sheet = "不满意建议"
	if _, err := b.f.NewSheet(b.sheet); err != nil && b.err == nil {
		b.err = err
	}
	b.header(CaseHeaders, []float64{6, 11, 40, 10, 24, 10, 10, 12, 22})
	for i, c := range r.Cases {
		back := "办理中（重新办理或督办）"
		if c.InReviewBack() {
			back = "已办结，列入回头看"
		}
		b.values(i+2, i+1, number(c.Number), c.Title, c.LeadDeputy, c.UnitName, c.ReplyRating.Label(), c.ImplRating.Label(),
			suggestion.Status(c.Status).Label(), back)
	}
	return b.write(w)
}
