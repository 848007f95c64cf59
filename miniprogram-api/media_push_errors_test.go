package mpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"jianyi/internal/media"
	"jianyi/internal/wechat/wechattest"
)

// checkPushBody is a wxa_media_check push as WeChat sends it, with the fields the tests vary.
func checkPushBody(appid, traceID string, errcode int, suggest string, label int) []byte {
	m := map[string]any{"ToUserName": "gh_x", "FromUserName": "openid-push-sender", "CreateTime": time.Now().Unix(),
		"MsgType": "event", "Event": "wxa_media_check", "trace_id": traceID, "version": 2, "errcode": errcode,
		"errmsg": "ok", "result": map[string]any{"suggest": suggest, "label": label}}
	if appid != "" {
		m["appid"] = appid
	}
	if errcode != 0 {
		m["errmsg"] = "system error"
	}
	body, _ := json.Marshal(m)
	return body
}

// pendingPhoto uploads one photo to a new draft and returns its id and trace id.
func (b *bundle) pendingPhoto(tok, title string) (int64, string) {
	b.t.Helper()
	id := b.draft(tok, title)
	b.want(b.upload(fmt.Sprintf("/api/v1/suggestions/%d/photos", id), tok, "p.png", "image/png", pngBytes(48, 32)), 201, "upload")
	var att int64
	var trace string
	if err := b.pool.QueryRow(context.Background(), `SELECT id, check_trace_id FROM attachments WHERE suggestion_id = $1`, id).
		Scan(&att, &trace); err != nil {
		b.t.Fatal(err)
	}
	if trace == "" {
		b.t.Fatal("the upload did not submit an image check")
	}
	return att, trace
}

// A push whose errcode is not 0 is WeChat saying it could not check the image: it is
// acknowledged (so WeChat does not retry it), logged with the code but no personal data, its
// result (if it carries one) is not applied, and the photo goes back to "unchecked", so the
// worker's Recheck submits it again; that check's result is applied.
func TestMediaCheckPushWithErrcodeQueuesAnotherCheck(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	b := setup(t, setupOpts{logs: &logs})
	const openid = "openid-errcode-owner"
	tok := b.deputy(openid, "jyg", "13800000001")
	var failed []int64
	for _, c := range []struct {
		errcode int
		suggest string
	}{{-1, "risky"}, {61010, "review"}, {40001, "pass"}, {-1, ""}} {
		att, trace := b.pendingPhoto(tok, fmt.Sprintf("检测失败的图片 %d %s", c.errcode, c.suggest))
		failed = append(failed, att)
		q, body := wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, trace, c.errcode, c.suggest, 20002), false, "", "")
		if status, out := b.postPush(q, body); status != 200 || out != "success" {
			t.Fatalf("errcode %d: %d %q", c.errcode, status, out)
		}
		if got := b.photoCheck(att); got != (photoCheckRow{Status: "unchecked"}) {
			t.Fatalf("errcode %d %q: photo after the failed check %+v, want unchecked and nothing applied", c.errcode, c.suggest, got)
		}
		// A late result for the abandoned check changes nothing.
		q, body = wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, trace, 0, "risky", 20002), false, "", "")
		if status, out := b.postPush(q, body); status != 200 || out != "success" {
			t.Fatalf("late result: %d %q", status, out)
		}
		if got := b.photoCheck(att); got != (photoCheckRow{Status: "unchecked"}) {
			t.Fatalf("a result for the abandoned check was applied: %+v", got)
		}
	}
	out := logs.String()
	if !strings.Contains(out, `"errcode":61010`) {
		t.Fatalf("the failed check is not logged with its errcode:\n%s", out)
	}
	for _, secret := range []string{openid, "openid-push-sender", "13800000001", tok} {
		if strings.Contains(out, secret) {
			t.Fatalf("logs carry %q:\n%s", secret, out)
		}
	}

	// The worker submits the photos again; the new check's result is applied.
	if n, err := b.media.Recheck(context.Background(), 100); err != nil || n < len(failed) {
		t.Fatalf("recheck submitted %d photos (%v), want the %d whose check failed", n, err, len(failed))
	}
	att := failed[0]
	var status, trace string
	if err := b.pool.QueryRow(context.Background(), `SELECT check_status, check_trace_id
		FROM attachments WHERE id = $1`, att).Scan(&status, &trace); err != nil || status != "pending" || trace == "" {
		t.Fatalf("photo after recheck: %q trace %q (%v), want pending with a new check", status, trace, err)
	}
	q, body := wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, trace, 0, "risky", 20002), false, "", "")
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		t.Fatalf("result: %d %q", status, out)
	}
	if got := b.photoCheck(att); got != (photoCheckRow{Status: "risky", Label: 20002, Hidden: true, Flagged: true, Checked: true}) {
		t.Fatalf("after the result: %+v", got)
	}
}

// A push for another mini-program (its appid, or none) is refused with 403 and changes
// nothing, even though it is signed with our token; the same result naming our appid is
// applied.
func TestMediaCheckPushForAnotherAppRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-appid-owner", "jyg", "13800000001")
	att, trace := b.pendingPhoto(tok, "别的小程序的推送")
	pending := photoCheckRow{Status: "pending"}

	for _, appid := range []string{"wx0000000000000000", b.app.MiniAppID + "x", strings.ToUpper(b.app.MiniAppID), ""} {
		if appid == b.app.MiniAppID {
			continue // an all-uppercase appid of the fake
		}
		q, body := wechattest.SignQuery(pushToken, checkPushBody(appid, trace, 0, "risky", 20002), false, "", "")
		if status, out := b.postPush(q, body); status != 403 || out != "forbidden" {
			t.Fatalf("appid %q: %d %q", appid, status, out)
		}
		if got := b.photoCheck(att); got != pending {
			t.Fatalf("appid %q changed the photo: %+v", appid, got)
		}
	}

	q, body := wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, trace, 0, "review", 21000), false, "", "")
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		t.Fatalf("our appid: %d %q", status, out)
	}
	if got := b.photoCheck(att); got != (photoCheckRow{Status: "review", Label: 21000, Flagged: true, Checked: true}) {
		t.Fatalf("after our push: %+v", got)
	}
}

func (b *bundle) attSuggestion(att int64) int64 {
	b.t.Helper()
	var id int64
	if err := b.pool.QueryRow(context.Background(), `SELECT suggestion_id FROM attachments WHERE id = $1`, att).Scan(&id); err != nil {
		b.t.Fatal(err)
	}
	return id
}

// A check whose result never arrives (WeChat's push lost while the service was down) is
// submitted again once it has waited media.CheckWait, up to media.CheckAttempts submissions
// in all, and the new check's result is applied; a result for the replaced check changes
// nothing. Before, such a photo stayed "pending" for ever.
func TestLostCheckResultIsSubmittedAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tok := b.deputy("openid-lost-result", "jyg", "13800000001")
	att, first := b.pendingPhoto(tok, "结果丢失的图片")
	trace := func() (string, int) {
		var tr string
		var n int
		if err := b.pool.QueryRow(ctx, `SELECT check_trace_id, check_attempts FROM attachments WHERE id = $1`, att).Scan(&tr, &n); err != nil {
			t.Fatal(err)
		}
		return tr, n
	}
	waited := func() { // the check was submitted longer ago than CheckWait
		b.exec(`UPDATE attachments SET check_sent_at = check_sent_at - $2::interval WHERE id = $1`,
			att, (media.CheckWait + time.Minute).String())
	}
	sent := func() int { return len(b.app.Calls(wechattest.APIMediaCheckAsync)) }

	before := sent()
	if _, err := b.media.Recheck(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if tr, n := trace(); tr != first || n != 1 || sent() != before {
		t.Fatalf("a check still within its wait was submitted again: trace %q (was %q), %d submissions", tr, first, n)
	}
	for i := 2; i <= media.CheckAttempts; i++ {
		waited()
		if _, err := b.media.Recheck(ctx, 100); err != nil {
			t.Fatal(err)
		}
		tr, n := trace()
		if tr == first || tr == "" || n != i || b.photoCheck(att) != (photoCheckRow{Status: "pending"}) {
			t.Fatalf("submission %d: trace %q (first %q), %d submissions, %+v", i, tr, first, n, b.photoCheck(att))
		}
	}
	// The last submission waited too: the check is not sent for ever.
	waited()
	before = sent()
	if _, err := b.media.Recheck(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if _, n := trace(); n != media.CheckAttempts || sent() != before {
		t.Fatalf("submitted again past %d attempts: %d", media.CheckAttempts, n)
	}

	// A late result of the first check is not the photo's any more; the latest one is.
	q, body := wechattest.SignQuery(pushToken, checkPushBody(b.app.MiniAppID, first, 0, "risky", 20002), false, "", "")
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		t.Fatalf("late result: %d %q", status, out)
	}
	if got := b.photoCheck(att); got != (photoCheckRow{Status: "pending"}) {
		t.Fatalf("the replaced check's result was applied: %+v", got)
	}
	latest, _ := trace()
	b.pushCheck(latest, "pass", 100)
	if got := b.photoCheck(att); got.Status != "pass" || got.Hidden {
		t.Fatalf("after the latest check's result: %+v", got)
	}
}
