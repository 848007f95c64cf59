// Package export writes the two lists (两清单) the committee works with as .xlsx files:
// 代表意见清单 (what each deputy asked, and how it went) and 部门交办清单 (what each unit owes).
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"jianyi/internal/auth"
)

// ErrForbidden: the actor may not export.
var ErrForbidden = errors.New("export: forbidden")

// MaxRows bounds one export.
const MaxRows = 100000

// Filter narrows an export.
type Filter struct {
	MeetingID int64
	UnitID    int64
	// ByCategory keeps only suggestions whose category is in CategoryIDs (none when it is
	// empty). A committee (专工委) always exports its bound categories only.
	ByCategory  bool
	CategoryIDs []int64
}

// DeputyOpinionRow is one line of 代表意见清单: a suggestion seen from the deputy who raised
// or co-signed it.
type DeputyOpinionRow struct {
	DeputyName  string
	Delegation  string
	Role        string // 领衔 / 联名 / 联名（并案） (an author of a duplicate merged into it)
	Number      int
	Title       string
	Category    string
	SubmittedAt *time.Time
	Status      string // label
	LeadUnit    string
	CoUnits     string
	ReplyClass  string // "B类 正在解决或列入计划逐步解决": the class and the tenant's label of it
	RepliedAt   *time.Time
	ReplyRating string // label, or 未评价 / 未反馈
	ImplRating  string
}

// UnitAssignmentRow is one line of 部门交办清单.
type UnitAssignmentRow struct {
	UnitName   string
	Role       string // 主办 / 协办
	Number     int
	Title      string
	LeadDeputy string
	Mode       string
	AssignedAt time.Time
	DueAt      time.Time
	State      string
	RepliedAt  *time.Time
	OnTime     string // 是 / 否 / ""
	Overdue    bool
}

// Store reads the rows; storage/postgres implements it.
type Store interface {
	DeputyOpinions(ctx context.Context, tenantID int64, f Filter, limit int) ([]DeputyOpinionRow, error)
	UnitAssignments(ctx context.Context, tenantID int64, f Filter, now time.Time, limit int) ([]UnitAssignmentRow, error)
}

// Service checks who may export and writes the workbook.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// DeputyOpinionHeaders are the columns of 代表意见清单.
var DeputyOpinionHeaders = []string{"序号", "代表姓名", "代表团", "领衔/联名", "建议编号", "建议标题", "类别", "提出时间",
	"办理状态", "主办单位", "协办单位", "答复类别", "答复时间", "答复满意度", "落实满意度"}

// UnitAssignmentHeaders are the columns of 部门交办清单.
var UnitAssignmentHeaders = []string{"序号", "承办单位", "主办/协办", "建议编号", "建议标题", "领衔代表", "办理方式",
	"交办时间", "答复期限", "办理状态", "答复时间", "是否按期答复", "是否逾期"}

// DeputyOpinions writes 代表意见清单 to w. Reviewers, coordinators, leaders and admins may
// export it whole; a committee gets the suggestions of its bound categories.
func (s *Service) DeputyOpinions(ctx context.Context, a auth.Actor, f Filter, w io.Writer) error {
	switch {
	case a.Kind != auth.KindStaff:
		return ErrForbidden
	case a.SeesWholeTenant():
	case a.Has(auth.RoleCommittee):
		// The same suggestions the committee may open, and no others.
		f.ByCategory, f.CategoryIDs = true, append([]int64{}, a.CategoryIDs...)
	default:
		return ErrForbidden
	}
	rows, err := s.store.DeputyOpinions(ctx, a.TenantID, f, MaxRows)
	if err != nil {
		return fmt.Errorf("export deputy opinions: %w", err)
	}
	x := newBook("代表意见清单", DeputyOpinionHeaders, []float64{6, 10, 14, 12, 11, 40, 12, 12, 14, 20, 24, 26, 12, 12, 12})
	for i, r := range rows {
		x.row(i+1, r.DeputyName, r.Delegation, r.Role, number(r.Number), r.Title, r.Category, date(r.SubmittedAt),
			r.Status, r.LeadUnit, r.CoUnits, r.ReplyClass, date(r.RepliedAt), r.ReplyRating, r.ImplRating)
	}
	return x.write(w)
}

// UnitAssignments writes 部门交办清单 to w. A unit's staff get their own unit only.
func (s *Service) UnitAssignments(ctx context.Context, a auth.Actor, f Filter, w io.Writer) error {
	switch {
	case a.Kind != auth.KindStaff:
		return ErrForbidden
	case a.SeesWholeTenant():
	case a.IsUnit():
		f.UnitID = a.UnitID
	default:
		return ErrForbidden
	}
	rows, err := s.store.UnitAssignments(ctx, a.TenantID, f, s.now(), MaxRows)
	if err != nil {
		return fmt.Errorf("export unit assignments: %w", err)
	}
	x := newBook("部门交办清单", UnitAssignmentHeaders, []float64{6, 20, 9, 11, 40, 10, 12, 12, 12, 14, 12, 12, 9})
	for i, r := range rows {
		overdue := ""
		if r.Overdue {
			overdue = "逾期"
		}
		x.row(i+1, r.UnitName, r.Role, number(r.Number), r.Title, r.LeadDeputy, r.Mode, day(r.AssignedAt), day(r.DueAt),
			r.State, date(r.RepliedAt), r.OnTime, overdue)
	}
	return x.write(w)
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02")
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return day(*t)
}

func number(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("第%04d号", n)
}

type book struct {
	f       *excelize.File
	sheet   string
	err     error
	percent int // the style of a rate cell, once made (book.ratio)
}

func newBook(sheet string, headers []string, widths []float64) *book {
	f := excelize.NewFile()
	b := &book{f: f, sheet: sheet}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		b.err = err
		return b
	}
	style, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	for i, h := range headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		b.set(cell, h)
		if i < len(widths) {
			col, _ := excelize.ColumnNumberToName(i + 1)
			_ = f.SetColWidth(sheet, col, col, widths[i])
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), 1)
	_ = f.SetCellStyle(sheet, "A1", last, style)
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, Split: false, XSplit: 0, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	return b
}

func (b *book) set(cell string, v any) {
	if b.err == nil {
		b.err = b.f.SetCellValue(b.sheet, cell, v)
	}
}

func (b *book) row(seq int, vals ...string) {
	r := seq + 1
	cell, _ := excelize.CoordinatesToCellName(1, r)
	b.set(cell, seq)
	for i, v := range vals {
		cell, _ := excelize.CoordinatesToCellName(i+2, r)
		b.set(cell, v)
	}
}

func (b *book) write(w io.Writer) error {
	defer b.f.Close()
	if b.err != nil {
		return fmt.Errorf("build workbook: %w", b.err)
	}
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
