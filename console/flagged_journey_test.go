package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFlaggedPhotoDesk: a reviewer in a real browser sees the flagged photos' thumbnails
// load (through the console, under its CSP), passes one and hides the other after the
// confirmation, and the queue empties.
func TestFlaggedPhotoDesk(t *testing.T) {
	b := setup(t)
	ctx, cancel := browser(t)
	defer cancel()
	dir := artifacts(t)
	base := b.srv.URL
	review := b.flaggedPhoto(1, 1, "关于修缮人行道破损路面的建议", "review", 21000, false)
	risky := b.flaggedPhoto(1, 2, "关于清理河道垃圾的建议", "risky", 20002, false)

	shot, run := browserSteps(t, ctx, dir)
	loaded := func(id int64) string {
		return fmt.Sprintf(`(function(){ var i = document.querySelector('#photo-%d img'); return !!i && i.complete && i.naturalWidth > 0; })()`, id)
	}

	var flash string
	run("queue",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SetValue(chromedp.ID("tenant"), "jyg"),
		chromedp.SetValue(chromedp.ID("username"), "shencha"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-btn")),
		chromedp.WaitVisible(chromedp.CSS("nav.side")),
		chromedp.Navigate(base+"/review/flagged"),
		chromedp.WaitVisible(chromedp.ID("photo-queue")),
		chromedp.Poll[chromedp.Void](loaded(review.att), chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Poll[chromedp.Void](loaded(risky.att), chromedp.WithPollingTimeout(20*time.Second)),
		shot("21-flagged-photos"),
	)
	run("pass",
		chromedp.Click(chromedp.ID(fmt.Sprintf("pass-%d", review.att))),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
		into(chromedp.Text(chromedp.CSS(".flash.ok")), &flash),
		chromedp.WaitNotPresent(chromedp.ID(fmt.Sprintf("photo-%d", review.att))),
	)
	if !strings.Contains(flash, "已通过") {
		t.Fatalf("pass flash %q", flash)
	}
	run("hide",
		// Accept the "确定隐藏？" confirmation the button asks for.
		chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`),
		chromedp.Click(chromedp.ID(fmt.Sprintf("hide-%d", risky.att))),
		chromedp.WaitVisible(chromedp.Search(`//div[contains(@class, "flash") and contains(., "已隐藏")]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="flagged-photos"]//p[contains(., "没有待复核的图片")]`)),
		shot("22-flagged-photos-done"),
	)
	if r := b.photoRow(review.att); r.Flagged || r.Hidden || r.Status != "pass" {
		t.Fatalf("passed photo: %+v", r)
	}
	if r := b.photoRow(risky.att); r.Flagged || !r.Hidden {
		t.Fatalf("hidden photo: %+v", r)
	}
}
