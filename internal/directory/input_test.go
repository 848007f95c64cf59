package directory_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/directory"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// Text that cannot be stored, text too long, dates no committee could mean and kinds the
// console does not offer are refused by the service itself with a Chinese message and a
// stable code, whoever calls it; nothing is written.
func TestBadInputIsRefusedByTheService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	mine := pgtest.NewTenant(t, pool)
	svc := directory.NewService(postgres.NewDirectoryStore(pool))
	admin := auth.Actor{TenantID: mine.ID, Kind: auth.KindStaff, ID: mine.Admin, Roles: []auth.Role{auth.RoleAdmin}}
	var delegation int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM delegations WHERE tenant_id = $1`, mine.ID).Scan(&delegation); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var s string
		if err := pool.QueryRow(ctx, `SELECT concat_ws(',', (SELECT count(*) FROM units), (SELECT count(*) FROM categories),
			(SELECT count(*) FROM delegations), (SELECT count(*) FROM deputy_groups), (SELECT count(*) FROM deputies),
			(SELECT count(*) FROM users), (SELECT count(*) FROM meetings), (SELECT count(*) FROM holiday_overrides),
			(SELECT settings::text || reply_labels::text FROM tenants WHERE id = $1))`, mine.ID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := func(name string, err error, code string) {
		t.Helper()
		var e *directory.Error
		if !errors.Is(err, directory.ErrInvalid) || !errors.As(err, &e) || e.Code != code || e.Message == "" {
			t.Errorf("%s: got %v, want invalid %s", name, err, code)
		}
	}
	before := snapshot()
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, deadline.Shanghai)
		return d
	}
	// A name shows alone in menus, lists and exports: a line break or a character that cannot
	// be seen (a zero-width space makes two equal-looking units differ; a right-to-left
	// override shows it backwards) is refused like a control character.
	for _, bad := range []string{"名称\x00", "\x07名称", "名\xff称", "名称\x7f", "名\n称", "名\u200b称", "\u202e名称"} {
		want("unit "+bad, svc.SaveUnit(ctx, admin, &directory.Unit{Name: bad, Active: true}), "bad_text")
		want("category "+bad, svc.SaveCategory(ctx, admin, &directory.Category{Name: bad}), "bad_text")
		want("delegation "+bad, svc.SaveDelegation(ctx, admin, &directory.Delegation{Name: bad}), "bad_text")
		want("group "+bad, svc.SaveGroup(ctx, admin, &directory.Group{Name: bad, DelegationID: delegation}), "bad_text")
		want("deputy "+bad, svc.SaveDeputy(ctx, admin, &directory.Deputy{Name: bad, Active: true}), "bad_text")
		want("user "+bad, svc.SaveUser(ctx, admin, &directory.User{Username: "xinren", DisplayName: bad, Roles: []auth.Role{auth.RoleReviewer}, Active: true}, "desk-pass-2026"), "bad_text")
		want("user phone "+bad, svc.SaveUser(ctx, admin, &directory.User{Username: "xinren", DisplayName: "新人", Phone: bad, Roles: []auth.Role{auth.RoleReviewer}, Active: true}, "desk-pass-2026"), "bad_text")
		want("meeting "+bad, svc.SaveMeeting(ctx, admin, &directory.Meeting{Name: bad, Year: 2027, StartsOn: day("2027-01-10"), EndsOn: day("2027-01-13")}), "bad_text")
		want("holiday "+bad, svc.SaveHoliday(ctx, admin, deadline.Override{Date: "2026-06-01", Name: bad}), "bad_text")
		want("label "+bad, svc.SaveReplyLabels(ctx, admin, map[string]string{"A": bad}), "bad_text")
		res, err := svc.ImportDeputies(ctx, admin, []directory.DeputyRow{{Line: 2, Name: "周一", Delegation: bad}})
		if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "无法识别") {
			t.Errorf("import %q: %+v %v", bad, res, err)
		}
	}
	want("unit kind", svc.SaveUnit(ctx, admin, &directory.Unit{Name: "市教育局", Kind: "bogus", Active: true}), "bad_unit_kind")
	want("holiday name length", svc.SaveHoliday(ctx, admin, deadline.Override{Date: "2026-06-01", Name: strings.Repeat("节", 100000)}), "name_too_long")
	want("holiday year 1", svc.SaveHoliday(ctx, admin, deadline.Override{Date: "0001-01-01"}), "date_out_of_range")
	want("meeting far from its year", svc.SaveMeeting(ctx, admin, &directory.Meeting{Name: "会议", Year: 2026, StartsOn: day("9999-01-01"), EndsOn: day("9999-01-02")}), "dates_out_of_year")
	want("meeting without dates", svc.SaveMeeting(ctx, admin, &directory.Meeting{Name: "会议", Year: 2026}), "bad_dates")
	want("delete holiday abc", svc.DeleteHoliday(ctx, admin, "abc"), "bad_date")
	res, err := svc.ImportDeputies(ctx, admin, []directory.DeputyRow{{Line: 2, Name: "周一", Delegation: strings.Repeat("团", 41)}})
	if err != nil || len(res.Errors) != 1 {
		t.Errorf("import long delegation: %+v %v", res, err)
	}
	st := deadline.DefaultSettings()
	st.ReplyMonths = 0
	err = svc.SaveSettings(ctx, admin, st)
	want("settings", err, "bad_settings")
	if e := (*directory.Error)(nil); errors.As(err, &e) && (e.Message != "时限设置超出允许范围：答复期限（月）应为1至12，当前填写的是0" || strings.ContainsAny(e.Message, "abcdefghijklmnopqrstuvwxyz")) {
		t.Errorf("settings message %q", e.Message)
	}
	if after := snapshot(); after != before {
		t.Fatalf("refused saves wrote:\n%s\n%s", before, after)
	}

	// What is not there is not found.
	if err := svc.DeleteHoliday(ctx, admin, "2026-06-02"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("delete missing holiday: %v", err)
	}
	if err := svc.Unlock(ctx, admin, 9223372036854775807); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("unlock missing user: %v", err)
	}
	// A kind typed before the kinds were fixed may stay on its unit.
	if _, err := pool.Exec(ctx, `UPDATE units SET kind = '事业单位' WHERE tenant_id = $1 AND id = $2`, mine.ID, mine.Units[0]); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveUnit(ctx, admin, &directory.Unit{ID: mine.Units[0], Name: "改名后的单位", Kind: "事业单位", Active: true}); err != nil {
		t.Errorf("keeping a legacy kind: %v", err)
	}
	want("a new unit with the legacy kind", svc.SaveUnit(ctx, admin, &directory.Unit{Name: "新单位", Kind: "事业单位", Active: true}), "bad_unit_kind")
}
