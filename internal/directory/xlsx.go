package directory

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Deputy import columns, matched by header text in the first row.
var importHeaders = map[string][]string{
	"name":       {"姓名", "代表姓名"},
	"phone":      {"手机号", "手机", "联系电话"},
	"delegation": {"代表团"},
	"group":      {"代表小组", "小组"},
}

// MaxImportRows bounds an import file.
const MaxImportRows = 5000

// ParseDeputiesXLSX reads the first sheet of an .xlsx: a header row naming 姓名, 手机号,
// 代表团, 代表小组 (any order; only 姓名 is required), then one deputy a row.
func ParseDeputiesXLSX(r io.Reader) ([]DeputyRow, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, invalid("bad_xlsx", "无法读取Excel文件，请上传 .xlsx 格式")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, invalid("bad_xlsx", "Excel文件中没有工作表")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, invalid("bad_xlsx", "无法读取Excel工作表")
	}
	if len(rows) == 0 {
		return nil, invalid("empty_xlsx", "Excel文件为空")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		for key, names := range importHeaders {
			for _, n := range names {
				if h == n {
					col[key] = i
				}
			}
		}
	}
	if _, ok := col["name"]; !ok {
		return nil, invalid("missing_header", "第一行需要包含“姓名”列")
	}
	if len(rows)-1 > MaxImportRows {
		return nil, invalid("too_many_rows", fmt.Sprintf("一次最多导入%d行", MaxImportRows))
	}
	cell := func(row []string, key string) string {
		i, ok := col[key]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	var out []DeputyRow
	for i, row := range rows[1:] {
		r := DeputyRow{Line: i + 2, Name: cell(row, "name"), Phone: cell(row, "phone"),
			Delegation: cell(row, "delegation"), Group: cell(row, "group")}
		if r.Name == "" && r.Phone == "" && r.Delegation == "" && r.Group == "" {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}
