package mpapi_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/wechat/wechattest"
)

// mediaCheckBody is a wxa_media_check push for traceID.
func (b *bundle) mediaCheckBody(traceID, suggest string, label int) []byte {
	body, _ := json.Marshal(map[string]any{"ToUserName": "gh_x", "FromUserName": "openid-x", "CreateTime": time.Now().Unix(),
		"MsgType": "event", "Event": "wxa_media_check", "appid": b.app.MiniAppID, "trace_id": traceID, "version": 2,
		"errcode": 0, "result": map[string]any{"suggest": suggest, "label": label}})
	return body
}

// postPush POSTs a push with query q and returns the status and body.
func (b *bundle) postPush(q url.Values, body []byte) (int, string) {
	b.t.Helper()
	res, err := b.client.Post(b.srv.URL+"/api/v1/wechat/push?"+q.Encode(), "application/json", bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// pushCheck sends a correctly signed wxa_media_check result; WeChat must get "success".
func (b *bundle) pushCheck(traceID, suggest string, label int) {
	b.t.Helper()
	q, body := wechattest.SignQuery(pushToken, b.mediaCheckBody(traceID, suggest, label), false, "", "")
	if status, out := b.postPush(q, body); status != 200 || out != "success" {
		b.t.Fatalf("push %s: %d %q", suggest, status, out)
	}
}

// wechatSignature is WeChat's plain-mode signature: sha1 of the sorted token, timestamp, nonce.
func wechatSignature(parts ...string) string {
	s := append([]string{}, parts...)
	sort.Strings(s)
	h := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(h[:])
}

type photoCheckRow struct {
	Status  string
	Label   int
	Hidden  bool
	Flagged bool
	Checked bool
}

func (b *bundle) photoCheck(id int64) photoCheckRow {
	b.t.Helper()
	var r photoCheckRow
	if err := b.pool.QueryRow(context.Background(), `SELECT check_status, coalesce(check_label, 0), hidden,
		flagged_at IS NOT NULL, checked_at IS NOT NULL FROM attachments WHERE id = $1`, id).
		Scan(&r.Status, &r.Label, &r.Hidden, &r.Flagged, &r.Checked); err != nil {
		b.t.Fatal(err)
	}
	return r
}

// WeChat's image-check results over the push URL: review flags the photo for staff and
// leaves it shown as "review"; pass clears the flag; a push not signed with our token, or
// signed too long ago, is refused and changes nothing.
func TestMediaCheckPush(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-push", "jyg", "13800000001")
	id := b.draft(tok, "图片检测")
	path := fmt.Sprintf("/api/v1/suggestions/%d/photos", id)
	for i := range 3 {
		b.want(b.upload(path, tok, fmt.Sprintf("p%d.png", i), "image/png", pngBytes(40+i, 30)), 201, "upload")
	}
	type att struct {
		ID    int64
		Trace string
	}
	var atts []att
	rows, err := b.pool.Query(context.Background(), `SELECT id, check_trace_id FROM attachments WHERE suggestion_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a att
		if err := rows.Scan(&a.ID, &a.Trace); err != nil {
			t.Fatal(err)
		}
		atts = append(atts, a)
	}
	if rows.Err() != nil || len(atts) != 3 {
		t.Fatalf("attachments: %v %v", atts, rows.Err())
	}
	for _, a := range atts {
		if c := b.photoCheck(a.ID); a.Trace == "" || c.Status != "pending" || c.Flagged || c.Hidden {
			t.Fatalf("photo %d before any result: %+v trace %q", a.ID, c, a.Trace)
		}
	}
	reviewed, passed, untouched := atts[0], atts[1], atts[2]
	detail := fmt.Sprintf("/api/v1/suggestions/%d", id)
	shownStatus := func() map[int64]string {
		m := map[int64]string{}
		for _, p := range b.shownPhotos(tok, detail) {
			m[p.ID] = p.CheckStatus
		}
		return m
	}

	// review: flagged for staff, still shown, marked "review".
	b.pushCheck(reviewed.Trace, "review", 21000)
	if c := b.photoCheck(reviewed.ID); c != (photoCheckRow{Status: "review", Label: 21000, Flagged: true, Checked: true}) {
		t.Fatalf("after review: %+v", c)
	}
	// pass: cleared, shown as "pass".
	b.pushCheck(passed.Trace, "pass", 100)
	if c := b.photoCheck(passed.ID); c != (photoCheckRow{Status: "pass", Label: 100, Checked: true}) {
		t.Fatalf("after pass: %+v", c)
	}
	if got := shownStatus(); len(got) != 3 || got[reviewed.ID] != "review" || got[passed.ID] != "pass" || got[untouched.ID] != "pending" {
		t.Fatalf("shown after review and pass: %v", got)
	}
	// A later pass for the reviewed photo clears its flag.
	b.pushCheck(reviewed.Trace, "pass", 100)
	if c := b.photoCheck(reviewed.ID); c != (photoCheckRow{Status: "pass", Label: 100, Checked: true}) {
		t.Fatalf("review then pass: %+v", c)
	}
	if got := shownStatus(); got[reviewed.ID] != "pass" {
		t.Fatalf("shown after review then pass: %v", got)
	}

	// Forged pushes: 403, nothing changes.
	body := b.mediaCheckBody(untouched.Trace, "risky", 20002)
	good, _ := wechattest.SignQuery(pushToken, body, false, "", "")
	stale := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	for _, c := range []struct {
		name string
		edit func(q url.Values)
	}{
		{"bad signature", func(q url.Values) { q.Set("signature", "bad") }},
		{"no signature", func(q url.Values) { q.Del("signature") }},
		{"signed with another token", func(q url.Values) {
			q.Set("signature", wechatSignature("other-token", q.Get("timestamp"), q.Get("nonce")))
		}},
		{"other nonce", func(q url.Values) { q.Set("nonce", q.Get("nonce")+"1") }},
		{"signed 10 minutes ago", func(q url.Values) {
			q.Set("timestamp", stale)
			q.Set("signature", wechatSignature(pushToken, stale, q.Get("nonce")))
		}},
	} {
		q := url.Values{}
		for k, v := range good {
			q[k] = append([]string{}, v...)
		}
		c.edit(q)
		if status, out := b.postPush(q, body); status != 403 || out != "forbidden" {
			t.Fatalf("%s: %d %q", c.name, status, out)
		}
		if got := b.photoCheck(untouched.ID); got != (photoCheckRow{Status: "pending"}) {
			t.Fatalf("%s changed the photo: %+v", c.name, got)
		}
	}
	if got := shownStatus(); len(got) != 3 || got[untouched.ID] != "pending" {
		t.Fatalf("shown after forged pushes: %v", got)
	}
	// The same push, signed, is applied: the refusals were the signature's.
	if status, out := b.postPush(good, body); status != 200 || out != "success" {
		t.Fatalf("signed push: %d %q", status, out)
	}
	if got := b.photoCheck(untouched.ID); got != (photoCheckRow{Status: "risky", Label: 20002, Hidden: true, Flagged: true, Checked: true}) {
		t.Fatalf("after signed risky: %+v", got)
	}
}
