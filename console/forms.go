package console

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/plaintext"
)

func paramID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}

func queryID(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(c.Query(name)), 10, 64)
	return id
}

// positiveID reads a record id: digits only, above zero.
func positiveID(v string) (int64, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0 && !strings.HasPrefix(v, "+")
}

// form reads a POST form strictly: a field that is present but malformed is a refusal (the
// first one is kept in err, with a Chinese message naming the field), never a quiet zero,
// "none" or default. Handlers read every field, then refuse on err before calling a service.
type form struct {
	c   *gin.Context
	err error
}

func readForm(c *gin.Context) *form { return &form{c: c} }

func (f *form) refuse(code, msg string) {
	if f.err == nil {
		f.err = invalidInput(code, msg)
	}
}

func (f *form) value(name string) string { return strings.TrimSpace(f.c.PostForm(name)) }

// id is an optional record id: empty means none (0); anything else must be a positive integer.
func (f *form) id(name, what string) int64 {
	v := f.value(name)
	if v == "" {
		return 0
	}
	id, ok := positiveID(v)
	if !ok {
		f.refuse("bad_"+name, what+"不正确，请重新选择")
		return 0
	}
	return id
}

// requiredID is id that must be there.
func (f *form) requiredID(name, what, missing string) int64 {
	if f.value(name) == "" {
		f.refuse(name+"_required", missing)
		return 0
	}
	return f.id(name, what)
}

// ids is a multi-valued id field (check boxes); empty values are skipped.
func (f *form) ids(name, what string) []int64 {
	var out []int64
	for _, v := range f.c.PostFormArray(name) {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		id, ok := positiveID(v)
		if !ok {
			f.refuse("bad_"+name, what+"不正确，请重新选择")
			return nil
		}
		out = append(out, id)
	}
	return out
}

// flag is a check box or a yes/no select: absent, "" or "0" is false, "1" is true.
func (f *form) flag(name, what string) bool {
	switch f.value(name) {
	case "", "0":
		return false
	case "1":
		return true
	}
	f.refuse("bad_"+name, what+"的选项不正确")
	return false
}

// active is a 启用/停用 select: absent means active (a new record), "1" active, "0" stopped.
func (f *form) active(name string) bool {
	switch f.value(name) {
	case "", "1":
		return true
	case "0":
		return false
	}
	f.refuse("bad_"+name, "状态只能选择启用或停用")
	return true
}

// oneOf is an enumerated field; the value must be one of allowed.
func (f *form) oneOf(name, msg string, allowed ...string) string {
	v := f.value(name)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	f.refuse("bad_"+name, msg)
	return ""
}

// number is a whole number; empty is 0, which the services refuse where it is out of range.
func (f *form) number(name, what string) int {
	v := f.value(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || strings.HasPrefix(v, "+") {
		f.refuse("bad_"+name, what+"请填写整数")
		return 0
	}
	return n
}

// version is the record version a staff action was decided on; it is required, so a stale
// page is always caught.
func (f *form) version() int {
	n, err := strconv.Atoi(f.value("version"))
	if err != nil || n <= 0 {
		f.refuse("bad_version", "页面版本信息缺失或不正确，请刷新页面后重试")
		return 0
	}
	return n
}

// day is an optional date (<input type=date>): empty is the zero time.
func (f *form) day(name, what string) time.Time {
	v := f.value(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation(time.DateOnly, v, shanghai)
	if err != nil {
		f.refuse("bad_"+name, what+"不是有效日期，请按 2026-06-01 的格式填写")
		return time.Time{}
	}
	return t
}

// local is an optional <input type=datetime-local> value in Shanghai: empty is the zero time.
func (f *form) local(name, what string) time.Time {
	v := f.value(name)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, shanghai); err == nil {
			return t
		}
	}
	f.refuse("bad_"+name, what+"不是有效时间，请按 2026-06-01 09:30 的格式填写")
	return time.Time{}
}

func badValues(vs url.Values) bool {
	for k, list := range vs {
		if plaintext.Unreadable(k) {
			return true
		}
		for _, v := range list {
			if plaintext.Unreadable(v) {
				return true
			}
		}
	}
	return false
}

const badTextMessage = "填写的内容含有无法识别的字符（如控制字符或乱码），请删除后重新填写"

func suggestionURL(id int64) string { return "/suggestions/" + strconv.FormatInt(id, 10) }
func assignmentURL(id int64) string { return "/assignments/" + strconv.FormatInt(id, 10) }
