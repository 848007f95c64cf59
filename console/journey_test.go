package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// artifacts is where screenshots go: $JIANYI_ARTIFACTS or console/testdata/artifacts.
func artifacts(t *testing.T) string {
	dir := os.Getenv("JIANYI_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("JIANYI_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("chromium not installed (apt-get install -y chromium)")
	return ""
}

// browser starts a fresh headless Chromium at 1366×900.
func browser(t *testing.T) (context.Context, context.CancelFunc) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil { // start the browser on a context without a deadline
		cancelC()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, func() { cancelC(); cancelA() }
}

// into runs a, stores its value in dst and returns no value, so it fits in Steps.
func into[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// step is one browser action of a test.
type step = chromedp.Action[chromedp.Void]

// browserSteps returns shot, a step that saves a full-page screenshot as dir/name.png, and
// run, which runs steps within a minute and, when one fails, saves a screenshot and fails t
// with the start of the page.
func browserSteps(t *testing.T, ctx context.Context, dir string) (shot func(name string) step, run func(name string, steps ...step)) {
	shot = func(name string) step {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, t)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
		})
	}
	run = func(name string, steps ...step) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			html, _ := chromedp.Run(hctx, chromedp.OuterHTML(chromedp.CSS("body")))
			_ = chromedp.Do(hctx, shot("failed-"+name))
			t.Fatalf("%s: %v\n%.3000s", name, err, html)
		}
	}
	return shot, run
}

// TestDeskJourney drives the whole desk side in a real browser: the reviewer registers and
// assigns, the unit accepts, records the "before" contact and replies with a signed PDF, and
// the reviewer sees the dashboard change.
func TestDeskJourney(t *testing.T) {
	b := setup(t)
	ctx, cancel := browser(t)
	defer cancel()
	dir := artifacts(t)
	base := b.srv.URL
	sid := b.sid
	// An earlier, similar submission: the review queue shows each beside the other.
	b.submit(1, 2, "关于加强老旧小区物业管理工作的建议", "老旧小区物业管理薄弱，建议明确街道和住建部门的监管职责。")

	shot, run := browserSteps(t, ctx, dir)
	login := func(user string) step {
		return chromedp.Steps(
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SetValue(chromedp.ID("tenant"), "jyg"),
			chromedp.SetValue(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), testPassword),
			chromedp.Click(chromedp.ID("login-btn")),
			chromedp.WaitVisible(chromedp.CSS("nav.side")),
		)
	}
	logout := chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("username")),
	)

	// Reviewer: the dashboard before, then the review queue with similar suggestions.
	var before, flash string
	run("reviewer-login", login("shencha"), into(chromedp.Text(chromedp.ID("kpi-reply")), &before), shot("01-dashboard-before"))
	run("review-queue",
		chromedp.Navigate(base+"/review"),
		chromedp.WaitVisible(chromedp.ID("review")),
		// The similar column loads after the page (bounded by a timeout on a loaded machine).
		chromedp.WaitVisible(chromedp.Search(`//td[@class="similar"][.//li or contains(., "超时") or contains(., "无相似")]`)),
		shot("02-review-queue"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#review a.btn[href="/suggestions/%d"]`, sid))),
		chromedp.WaitVisible(chromedp.ID("register-form")),
		shot("03-review-detail"),
	)
	var due string
	run("register",
		chromedp.SetValue(chromedp.ID("register-category"), "1"),
		chromedp.Click(chromedp.ID("register-btn")),
		chromedp.WaitVisible(chromedp.ID("assign-form")),
		into(chromedp.Text(chromedp.CSS(".flash.ok")), &flash),
		into(chromedp.Value(chromedp.ID("due-reply")), &due),
	)
	if !strings.Contains(flash, "第0001号") {
		t.Fatalf("register flash %q", flash)
	}
	if _, err := time.Parse("2006-01-02", due); err != nil {
		t.Fatalf("assign form has no prefilled reply due date: %q", due)
	}
	run("assign",
		chromedp.SetValue(chromedp.ID("lead-unit"), "1"),
		chromedp.Click(chromedp.CSS(`input[name="co_units"][value="2"]`)),
		shot("04-assign-form"),
		chromedp.Click(chromedp.ID("assign-btn")),
		chromedp.WaitVisible(chromedp.Search(`//section[h2="承办单位"]//td[contains(., "市住房和城乡建设局")]`)),
		logout,
	)

	// Unit: accept, record the before contact, reply with a PDF.
	pdf := filepath.Join(t.TempDir(), "reply.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	replyText := "经研究，我局已将老旧小区物业管理纳入年度重点工作，已完成收费标准公示和监督检查机制建设。"
	contactAt := time.Now().Add(-time.Hour).In(shanghaiTZ()).Format("2006-01-02T15:04")
	run("unit-inbox", login("zhujian"),
		chromedp.Navigate(base+"/unit"),
		chromedp.WaitVisible(chromedp.ID("inbox")),
		shot("05-unit-inbox"),
		chromedp.Click(chromedp.CSS("#inbox a.btn")),
		chromedp.WaitVisible(chromedp.ID("accept-form")),
	)
	run("accept",
		chromedp.SetValue(chromedp.ID("handler-name"), "刘经办"),
		chromedp.SetValue(chromedp.ID("handler-phone"), "0937-6200000"),
		chromedp.Click(chromedp.ID("accept-btn")),
		chromedp.WaitVisible(chromedp.ID("contact-form")),
	)
	run("contact",
		chromedp.SetValue(chromedp.ID("contact-stage"), "before"),
		chromedp.SetValue(chromedp.ID("contact-time"), contactAt),
		chromedp.SetValue(chromedp.ID("contact-method"), "当面座谈"),
		chromedp.SetValue(chromedp.ID("contact-people"), "张建国代表、刘经办"),
		chromedp.SetValue(chromedp.ID("contact-summary"), "向代表了解小区物业问题的具体情况和诉求，商定办理思路。"),
		chromedp.Click(chromedp.ID("contact-btn")),
		chromedp.WaitVisible(chromedp.Search(`//section[h2="三见面沟通记录"]//li[contains(., "办前沟通")]`)),
	)
	run("reply",
		chromedp.SetValue(chromedp.ID("reply-class"), "A"),
		chromedp.SetValue(chromedp.ID("reply-body"), replyText),
		chromedp.SetUploadFiles(chromedp.ID("reply-doc"), []string{pdf}),
		chromedp.Click(chromedp.ID("reply-btn")),
		chromedp.WaitVisible(chromedp.CSS(`div.reply`)),
		into(chromedp.Text(chromedp.CSS(".flash")), &flash),
		shot("06-unit-replied"),
	)
	if !strings.Contains(flash, "已提交答复") {
		t.Fatalf("reply flash %q", flash)
	}
	var timeline string
	run("timeline", into(chromedp.Text(chromedp.CSS("main")), &timeline), logout)
	for _, want := range []string{replyText, "当面座谈", "张建国代表、刘经办", "查看答复函PDF", "承办单位签收", "答复"} {
		if !strings.Contains(timeline, want) {
			t.Fatalf("timeline lacks %q", want)
		}
	}

	// Reviewer: the dashboard has changed.
	var after, replied string
	run("dashboard-after", login("shencha"),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("kpis")),
		into(chromedp.Text(chromedp.ID("kpi-reply")), &after),
		into(chromedp.Text(chromedp.ID("c-replied")), &replied),
		shot("07-dashboard-after"),
	)
	if before != "—" || after != "100.0%" || replied != "1" {
		t.Fatalf("dashboard 答复率 before %q after %q, replied %q", before, after, replied)
	}
	// The reviewer opens the suggestion and the signed PDF.
	run("detail", chromedp.Navigate(fmt.Sprintf("%s/suggestions/%d", base, sid)), chromedp.WaitVisible(chromedp.CSS("div.reply")), shot("08-detail-timeline"))
	var key string
	if err := b.pool.QueryRow(context.Background(), `SELECT document_key FROM replies WHERE suggestion_id = $1`, sid).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, fmt.Sprintf("tenant/1/suggestions/%d/replies/", sid)) {
		t.Fatalf("document key %q", key)
	}
}
