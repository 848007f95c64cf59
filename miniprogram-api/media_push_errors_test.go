package mpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

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
