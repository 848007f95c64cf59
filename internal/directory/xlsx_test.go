package directory

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func book(t *testing.T, rows [][]string) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			_ = f.SetCellValue("Sheet1", cell, v)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestParseDeputiesXLSX(t *testing.T) {
	rows, err := ParseDeputiesXLSX(book(t, [][]string{
		{"代表小组", " 姓名 ", "联系电话", "代表团", "备注"},
		{"第一小组", "周一", "13911112222", "长城区代表团", "x"},
		{"", "", "", "", ""},
		{"", "吴二"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []DeputyRow{{Line: 2, Name: "周一", Phone: "13911112222", Delegation: "长城区代表团", Group: "第一小组"}, {Line: 4, Name: "吴二"}}
	if len(rows) != len(want) || rows[0] != want[0] || rows[1] != want[1] {
		t.Fatalf("rows %+v", rows)
	}
	for _, tc := range []struct {
		name string
		in   *bytes.Buffer
		code string
	}{
		{"not xlsx", bytes.NewBufferString("姓名,手机号\n"), "bad_xlsx"},
		{"no name column", book(t, [][]string{{"手机号"}, {"13911112222"}}), "missing_header"},
	} {
		_, err := ParseDeputiesXLSX(tc.in)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if strings.TrimSpace(e.Message) == "" {
			t.Fatalf("%s: no Chinese message", tc.name)
		}
	}
}
