package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"jianyi/internal/deadline"
)

// The administrator gives a category its own reply deadline in 会议、类别与代表团; bad values
// are refused with a Chinese message, and the assign form previews the category's deadline.
func TestCategoryReplyClockInTheConsole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.client()
	tok := admin.login("jyg", "admin", testPassword)
	save := func(months string) (int, string) {
		t.Helper()
		status, loc, _ := admin.post("/admin/categories", url.Values{"csrf": {tok}, "id": {"1"}, "name": {"城乡建设"}, "reply_months": {months}})
		_, page := admin.get("/admin/catalog")
		if status != http.StatusSeeOther || loc != "/admin/catalog" {
			t.Fatalf("save %q: %d %s", months, status, loc)
		}
		return status, page
	}
	_, page := save("13")
	contains(t, page, "类别答复期限（月）应为1至12")
	_, page = save("abc")
	contains(t, page, "类别答复期限（月）请填写整数")
	_, page = save("1")
	contains(t, page, "已保存类别：城乡建设")
	contains(t, page, "<td>城乡建设</td><td>1个月</td>")

	// b.sid registered in 城乡建设: the assign form previews one month, not three.
	sg, err := b.sugg.Get(context.Background(), reviewer(1), b.sid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Register(context.Background(), reviewer(1), b.sid, sg.Version, 1); err != nil {
		t.Fatal(err)
	}
	cal, err := deadline.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	st := deadline.DefaultSettings()
	st.ReplyMonths = 1
	want, err := cal.Due(deadline.ClockReply, time.Now(), st)
	if err != nil {
		t.Fatal(err)
	}
	_, page = admin.get("/suggestions/" + strconv.FormatInt(b.sid, 10))
	contains(t, page, `data-normal="`+want.In(shanghaiTZ()).Format("2006-01-02")+`"`)

	_, page = save("")
	contains(t, page, "<td>城乡建设</td><td><span class=\"muted\">按统一时限</span></td>")
}
