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
	// A refused value comes back in the category's row as typed, with why (422).
	save := func(months string, want int) (int, string) {
		t.Helper()
		status, loc, page := admin.post("/admin/categories", url.Values{"csrf": {tok}, "id": {"1"}, "name": {"城乡建设"}, "reply_months": {months}})
		if status == http.StatusSeeOther && loc == "/admin/catalog" {
			_, page = admin.get("/admin/catalog")
		}
		if status != want {
			t.Fatalf("save %q: %d %s, want %d", months, status, loc, want)
		}
		return status, page
	}
	_, page := save("13", http.StatusUnprocessableEntity)
	contains(t, page, "类别答复期限（月）应为1至12")
	contains(t, page, `name="reply_months" value="13"`)
	_, page = save("abc", http.StatusUnprocessableEntity)
	contains(t, page, "类别答复期限（月）请填写整数")
	contains(t, page, `name="reply_months" value="abc"`)
	_, page = save("1", http.StatusSeeOther)
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

	_, page = save("", http.StatusSeeOther)
	contains(t, page, "<td>城乡建设</td><td><span class=\"muted\">按统一时限</span></td>")
}
