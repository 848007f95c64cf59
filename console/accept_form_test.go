package console_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// The accept form's 经办人电话 is a telephone field: the browser refuses "abc" before it is
// sent and says what to type; a telephone number passes.
func TestAcceptFormPhoneIsATelephoneField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	page := "/assignments/" + strconv.FormatInt(asg, 10)
	unit := b.desk("zhujian")
	_, body := unit.c.get(page)
	mustContain(t, "accept form", body, `type="tel" name="handler_phone"`, `pattern="`, `title="请填写手机号或带区号的座机号`)

	ctx, cancel := browser(t)
	defer cancel()
	_, run := browserSteps(t, ctx, artifacts(t))
	valid := func(phone string) (ok bool, msg string) {
		t.Helper()
		js, _ := json.Marshal(phone)
		run("phone "+phone,
			into(chromedp.Evaluate[bool](`(function(){var e=document.getElementById("handler-phone"); e.value=`+string(js)+`; return e.checkValidity();})()`), &ok),
			into(chromedp.Evaluate[string](`document.getElementById("handler-phone").validationMessage`), &msg))
		return ok, msg
	}
	run("login",
		chromedp.Navigate(b.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SetValue(chromedp.ID("tenant"), "jyg"),
		chromedp.SetValue(chromedp.ID("username"), "zhujian"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.CSS("nav.side")),
		chromedp.Navigate(b.srv.URL+page),
		chromedp.WaitVisible(chromedp.ID("handler-phone")))
	for _, bad := range []string{"abc", "12", "0937-62000ab"} {
		if ok, msg := valid(bad); ok || msg == "" {
			t.Fatalf("the browser takes %q as a telephone number (%q)", bad, msg)
		}
	}
	for _, good := range []string{"13900000000", "0937-6200000", "0937-6200000转123", "(0937)6200000", ""} {
		if ok, msg := valid(good); !ok {
			t.Fatalf("the browser refuses %q: %s", good, msg)
		}
	}
}
