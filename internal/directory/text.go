package directory

import (
	"fmt"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/plaintext"
)

// checkText refuses text with characters that cannot be stored; what names the field.
func checkText(what, s string) error {
	if r := plaintext.Refusal(s, false); r != "" {
		return invalid("bad_text", what+r)
	}
	return nil
}

// checkName is checkText for a name or other one-line value shown alone in lists, menus and
// exports (plaintext.UnreadableTitle): line breaks and hidden characters are refused too, so
// two names that look the same are the same and show in the order they were typed.
func checkName(what, s string) error {
	if r := plaintext.Refusal(s, true); r != "" {
		return invalid("bad_text", what+r)
	}
	return nil
}

// Dates a directory record may carry: the calendar and meetings of a working committee.
const (
	MinYear = 2000
	MaxYear = 2100
)

// ParseDay parses a YYYY-MM-DD date in Shanghai within MinYear..MaxYear; what names the
// field in the refusal.
func parseDay(what, s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, deadline.Shanghai)
	if err != nil {
		return time.Time{}, invalid("bad_date", what+"格式应为 2026-06-01")
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return time.Time{}, invalid("date_out_of_range", fmt.Sprintf("%s须在%d年至%d年之间", what, MinYear, MaxYear))
	}
	return t, nil
}

// UnitKind is one kind of handling unit.
type UnitKind struct {
	Key, Label string
}

// UnitKinds are the kinds a unit may be (PRODUCT.md: government bureaus, courts, state
// companies …); "government" is the default.
var UnitKinds = []UnitKind{
	{"government", "政府部门"},
	{"court", "法院"},
	{"procuratorate", "检察院"},
	{"state_company", "国有企业"},
	{"other", "其他单位"},
}

// UnitKindLabel is the Chinese name of a unit kind (the key itself when unknown).
func UnitKindLabel(k string) string {
	for _, u := range UnitKinds {
		if u.Key == k {
			return u.Label
		}
	}
	return k
}

// KnownUnitKind reports whether k is one of UnitKinds.
func KnownUnitKind(k string) bool {
	for _, u := range UnitKinds {
		if u.Key == k {
			return true
		}
	}
	return false
}

// clockFields are the clock settings as the settings page names them, with their ranges.
var clockFields = []struct {
	name, label string
	get         func(deadline.Settings) int
	min, max    int
}{
	{"reply_months", "答复期限（月）", func(s deadline.Settings) int { return s.ReplyMonths }, deadline.MinMonths, deadline.MaxMonths},
	{"complex_reply_months", "复杂件答复期限（月）", func(s deadline.Settings) int { return s.ComplexReplyMonths }, deadline.MinMonths, deadline.MaxMonths},
	{"return_window_workdays", "申请退回期限（工作日）", func(s deadline.Settings) int { return s.ReturnWindowWorkdays }, deadline.MinWorkdays, deadline.MaxWorkdays},
	{"co_opinion_months", "协办意见期限（月）", func(s deadline.Settings) int { return s.CoOpinionMonths }, deadline.MinMonths, deadline.MaxMonths},
	{"before_contact_workdays", "办前沟通期限（工作日）", func(s deadline.Settings) int { return s.BeforeContactWorkdays }, deadline.MinWorkdays, deadline.MaxWorkdays},
	{"rating_workdays", "代表评价期限（工作日）", func(s deadline.Settings) int { return s.RatingWorkdays }, deadline.MinWorkdays, deadline.MaxWorkdays},
	{"rehandle_months", "重新办理期限（月）", func(s deadline.Settings) int { return s.RehandleMonths }, deadline.MinMonths, deadline.MaxRehandleMonths},
	{"impl_rating_workdays", "落实评价期限（工作日）", func(s deadline.Settings) int { return s.ImplRatingWorkdays }, deadline.MinWorkdays, deadline.MaxWorkdays},
	{"publish_workdays", "答复公开期限（工作日）", func(s deadline.Settings) int { return s.PublishWorkdays }, deadline.MinWorkdays, deadline.MaxWorkdays},
	{"fast_track_reply_workdays", "部门快办答复期限（工作日）", func(s deadline.Settings) int { return s.FastTrackReplyWorkdays }, deadline.MinWorkdays, deadline.MaxWorkdays},
}

// ClockLabel is the Chinese name of a clock setting by its field name ("reply_months").
func ClockLabel(name string) string {
	for _, f := range clockFields {
		if f.name == name {
			return f.label
		}
	}
	return "时限"
}

// settingsProblem explains in Chinese the first setting out of range, "" when none is.
func settingsProblem(st deadline.Settings) string {
	for _, f := range clockFields {
		if v := f.get(st); v < f.min || v > f.max {
			return fmt.Sprintf("%s应为%d至%d，当前填写的是%d", f.label, f.min, f.max, v)
		}
	}
	if st.ComplexReplyMonths < st.ReplyMonths {
		return fmt.Sprintf("复杂件答复期限（%d个月）不能短于答复期限（%d个月）", st.ComplexReplyMonths, st.ReplyMonths)
	}
	if len(st.ReminderOffsets) > deadline.MaxReminders {
		return fmt.Sprintf("提前提醒最多填写%d个", deadline.MaxReminders)
	}
	for i, o := range st.ReminderOffsets {
		if o < deadline.MinWorkdays || o > deadline.MaxWorkdays {
			return fmt.Sprintf("提前提醒的工作日数应为%d至%d，当前填写的是%d", deadline.MinWorkdays, deadline.MaxWorkdays, o)
		}
		if i > 0 && o >= st.ReminderOffsets[i-1] {
			return "提前提醒的工作日数须从大到小排列且不重复，如 15,7,3,1"
		}
	}
	return ""
}
