package export

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"jianyi/internal/stats"
)

// StatisticsHeaders are the columns of the per-unit sheet of 办理情况统计表.
var StatisticsHeaders = []string{"序号", "承办单位", "交办", "答复", "按期答复", "答复率", "按期答复率", "满意率",
	"解决率", "落实率", "办结", "逾期未答复", "不满意", "未反馈"}

// Statistics writes 办理情况统计表: the dashboard the actor sees, with the same filters, as a
// workbook for the annual report — the totals with each rate's numerator and denominator
// (总体情况), the per-unit ranking (承办单位) and the monthly trend (月度趋势). title says
// what it covers (the filters in words).
func Statistics(d *stats.Dashboard, title string, w io.Writer) error {
	b := newBook("总体情况", []string{"指标", "数值", "分子", "分母", "口径"}, []float64{16, 12, 10, 10, 46})
	c, r := d.Counts, d.Rates
	rows := [][]any{
		{"提出建议", c.Submitted}, {"立案", c.Registered}, {"不予立案", c.NotRegistered}, {"交办", c.Assigned},
		{"答复", c.Replied}, {"按期答复", c.RepliedOnTime}, {"办结", c.Closed}, {"跟踪督办", c.Tracking},
		{"逾期未答复", c.Overdue}, {"A类答复", c.ClassA}, {"B类答复", c.ClassB}, {"C类答复", c.ClassC}, {"D类答复", c.ClassD},
		{"满意", c.Satisfied}, {"基本满意", c.BasicallySatisfied}, {"不满意", c.Unsatisfied}, {"未反馈", c.NoFeedback},
		{"落实已评价", c.ImplRated}, {"落实不满意", c.ImplUnsatisfied},
		rate("答复率", r.ReplyRate, "已答复 ÷ 已交办"), rate("按期答复率", r.OnTimeReplyRate, "按期答复 ÷ 已交办"),
		rate("办结率", r.CloseRate, "已办结 ÷ 已立案"), rate("满意率", r.SatisfactionRate, "（满意 + 基本满意）÷ 已评价，未反馈不计入"),
		rate("解决率", r.SolvedRate, "A类答复 ÷ 已答复"), rate("落实率", r.ImplRate, "（落实满意 + 基本满意）÷ 落实已评价"),
	}
	for i, row := range rows {
		b.values(i+2, row...)
	}
	note := len(rows) + 3
	b.set(fmt.Sprintf("A%d", note), "统计范围")
	b.set(fmt.Sprintf("B%d", note), title)
	b.set(fmt.Sprintf("A%d", note+1), "统计时间")
	b.set(fmt.Sprintf("B%d", note+1), d.AsOf.In(shanghai).Format("2006-01-02 15:04"))

	b.sheet = "承办单位"
	if _, err := b.f.NewSheet(b.sheet); err != nil && b.err == nil {
		b.err = err
	}
	b.header(StatisticsHeaders, []float64{6, 28, 8, 8, 10, 10, 12, 10, 10, 10, 8, 12, 8, 8})
	for i, u := range d.Units {
		uc, ur := u.Counts, u.Rates
		b.values(i+2, i+1, u.UnitName, uc.Assigned, uc.Replied, uc.RepliedOnTime, ur.ReplyRate, ur.OnTimeReplyRate,
			ur.SatisfactionRate, ur.SolvedRate, ur.ImplRate, uc.Closed, uc.Overdue, uc.Unsatisfied, uc.NoFeedback)
	}

	b.sheet = "月度趋势"
	if _, err := b.f.NewSheet(b.sheet); err != nil && b.err == nil {
		b.err = err
	}
	// A case counts once, in the month of its first reply and of its first closing.
	b.header([]string{"月份", "提出", "首次答复", "首次办结"}, []float64{12, 10, 10, 10})
	for i, p := range d.Trend {
		b.values(i+2, p.Month, p.Submitted, p.Replied, p.Closed)
	}
	return b.write(w)
}

func rate(name string, r stats.Ratio, def string) []any {
	return []any{name, r, r.Num, r.Den, def}
}

// percentFormat shows a rate as the dashboard does ("56.2%"), over the number itself.
const percentFormat = "0.0%"

// ratio writes a rate into cell as a number (0.562) formatted as a percentage, so that a
// spreadsheet can sum, average or chart it; an undefined rate (nothing to divide by) is "—",
// as on the dashboard.
func (b *book) ratio(cell string, r stats.Ratio) {
	v, ok := r.Value()
	if !ok {
		b.set(cell, "—")
		return
	}
	b.set(cell, v)
	if b.err != nil {
		return
	}
	if b.percent == 0 {
		format := percentFormat
		if b.percent, b.err = b.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); b.err != nil {
			return
		}
	}
	b.err = b.f.SetCellStyle(b.sheet, cell, cell, b.percent)
}

// header writes a styled header row on the current sheet.
func (b *book) header(headers []string, widths []float64) {
	style, _ := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	for i, h := range headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		b.set(cell, h)
		col, _ := excelize.ColumnNumberToName(i + 1)
		if i < len(widths) && b.err == nil {
			b.err = b.f.SetColWidth(b.sheet, col, col, widths[i])
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), 1)
	if b.err == nil {
		b.err = b.f.SetCellStyle(b.sheet, "A1", last, style)
	}
}

// values writes one row of any values on the current sheet; a stats.Ratio is written as a
// rate (book.ratio).
func (b *book) values(row int, vals ...any) {
	for i, v := range vals {
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		if r, ok := v.(stats.Ratio); ok {
			b.ratio(cell, r)
			continue
		}
		b.set(cell, v)
	}
}
