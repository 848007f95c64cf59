package console_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jianyi/internal/notify"
)

// TestActivityDeskJourney: a reviewer in a real browser organises an inspection from a
// suggestion's page (the form arrives with the suggestion filled in), invites a deputy, and
// the suggestion's 代表参与活动 card (loaded by activities.js under the console's CSP) then
// lists it.
func TestActivityDeskJourney(t *testing.T) {
	b := setupActivities(t)
	ctx, cancel := browser(t)
	defer cancel()
	dir := artifacts(t)
	base := b.srv.URL
	sid := strconv.FormatInt(b.sid, 10)
	shot, run := browserSteps(t, ctx, dir)
	when := time.Now().Add(96 * time.Hour).In(shanghaiTZ()).Format("2006-01-02T15:04")

	var flash, card string
	run("form",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SetValue(chromedp.ID("tenant"), "jyg"),
		chromedp.SetValue(chromedp.ID("username"), "shencha"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.CSS("nav.side")),
		chromedp.Navigate(base+"/suggestions/"+sid),
		chromedp.WaitVisible(chromedp.ID("activities-card")),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="activities-card"]//p[contains(., "还没有围绕本建议的代表活动")]`)),
		chromedp.Click(chromedp.Search(`//section[@id="activities-card"]//a[contains(., "围绕本建议组织活动")]`)),
		chromedp.WaitVisible(chromedp.ID("activity-form")),
		chromedp.SetValue(chromedp.CSS(`select[name="kind"]`), "inspection"),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "视察老旧小区物业服务"),
		chromedp.SetValue(chromedp.CSS(`input[name="starts_at"]`), when),
		chromedp.SendKeys(chromedp.CSS(`input[name="place"]`), "雄关区胜利路社区"),
		chromedp.Click(chromedp.CSS(`input[name="deputies"][value="1"]`)),
		shot("31-activity-form"),
		chromedp.Click(chromedp.ID("save-activity")),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
		into(chromedp.Text(chromedp.CSS(".flash.ok")), &flash),
		chromedp.WaitVisible(chromedp.ID("invitations")),
		shot("32-activity-detail"),
	)
	if !strings.Contains(flash, "已创建活动，已通知1位受邀代表") {
		t.Fatalf("create flash %q", flash)
	}
	wantTold(t, "created in the browser", b.toldDeputies(notify.KindActivityInvited), "deputy:1")
	run("card",
		chromedp.Navigate(base+"/suggestions/"+sid),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="activities-card"]//a[contains(., "视察老旧小区物业服务")]`)),
		into(chromedp.Text(chromedp.ID("activities-card")), &card),
		shot("33-suggestion-activities-card"),
	)
	if !strings.Contains(card, "待举行") || !strings.Contains(card, "邀请1人") {
		t.Fatalf("card %q", card)
	}
}
