package mpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"jianyi/internal/logtest"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat/wechattest"
)

// TestDeputyJourney is the whole deputy journey over HTTP: log in, bind, write a draft,
// upload three photos (two through the API, one through a presigned POST), submit, submit
// again with the same key (still one suggestion), get it assigned and replied through the
// core, confirm the contact, rate the reply and read the timeline with the reply text.
func TestDeputyJourney(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	b := setup(t, setupOpts{logs: &logs})
	ctx := context.Background()
	defer func() {
		// Personal data never reaches a log line: phone, openid, session token.
		out := logs.String()
		if !strings.Contains(out, "image check not submitted") {
			t.Errorf("expected the failed image check in the logs, got %q", out)
		}
		for _, secret := range []string{"13800000001", "openid-zhang", "phone-1", b.lastToken} {
			if secret != "" && strings.Contains(out, secret) {
				t.Errorf("log output contains personal data %q", secret)
			}
		}
	}()
	// WeChat fails once (and the API logs it) so the check covers a non-empty log.
	b.app.FailNext(wechattest.APIMediaCheckAsync, -1, 1)

	tok, r := b.login("openid-zhang", "jyg")
	b.lastToken = tok
	b.want(r, 200, "login")
	var lr struct {
		Bound bool
	}
	r.json(t, &lr)
	if lr.Bound {
		t.Fatal("a new WeChat user must be unbound")
	}
	b.want(b.do("GET", "/api/v1/suggestions", tok, nil), 403, "unbound user lists suggestions")
	r = b.do("GET", "/api/v1/me", tok, nil)
	b.want(r, 200, "me unbound")

	b.app.AddPhone("phone-1", "13800000001")
	r = b.do("POST", "/api/v1/auth/bind/phone", tok, map[string]string{"code": "phone-1"})
	b.want(r, 200, "bind")
	if !strings.Contains(string(r.Body), "张三") {
		t.Fatalf("bind answer: %s", r.Body)
	}
	if strings.Contains(string(r.Body), "13800000001") {
		t.Fatal("phone number leaked into a response")
	}

	// Similar earlier suggestions while drafting.
	b.want(b.do("GET", "/api/v1/suggestions/similar?q="+urlq("路灯"), tok, nil), 200, "similar")

	lat, lng := 39.7733, 98.2899
	r = b.do("POST", "/api/v1/suggestions", tok, map[string]any{
		"title": "关于修复雄关路路灯的建议", "body": "雄关路东段路灯损坏已久，夜间行人通行不便，存在安全隐患，建议尽快修复。",
		"location": map[string]any{"lat": lat, "lng": lng, "address": "嘉峪关市雄关路"},
	}, "Idempotency-Key", "draft-1")
	b.want(r, 201, "create draft")
	var draft struct {
		ID      int64
		Version int
		Status  string
	}
	r.json(t, &draft)
	// A retried draft save (weak network) does not create a second draft.
	r2 := b.do("POST", "/api/v1/suggestions", tok, map[string]any{
		"title": "关于修复雄关路路灯的建议", "body": "雄关路东段路灯损坏已久，夜间行人通行不便，存在安全隐患，建议尽快修复。",
		"location": map[string]any{"lat": lat, "lng": lng, "address": "嘉峪关市雄关路"},
	}, "Idempotency-Key", "draft-1")
	b.want(r2, 201, "retried draft")
	if r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("retried draft was not replayed")
	}

	// Three photos: a JPEG with GPS EXIF, a PNG named .jpg, and one through the presigned POST.
	photoPath := fmt.Sprintf("/api/v1/suggestions/%d/photos", draft.ID)
	r = b.upload(photoPath, tok, "IMG_0001.jpg", "image/jpeg", jpegWithGPS(lat, lng))
	b.want(r, 201, "upload jpeg")
	r = b.upload(photoPath, tok, "screenshot.jpg", "image/jpeg", pngBytes(40, 30))
	b.want(r, 201, "upload png named jpg")
	var up struct {
		SourceType string `json:"source_type"`
	}
	r.json(t, &up)
	if up.SourceType != "image/png" {
		t.Fatalf("type not sniffed from bytes: %s", r.Body)
	}
	r = b.do("POST", "/api/v1/uploads", tok, map[string]any{"target": map[string]any{"kind": "suggestion", "id": draft.ID}})
	b.want(r, 201, "upload policy")
	var pol struct {
		URL    string
		Fields map[string]string
		Key    string
	}
	r.json(t, &pol)
	postToBucket(t, pol.URL, pol.Fields, "image/jpeg", jpegWithGPS(lat, lng))
	r = b.do("POST", "/api/v1/uploads/complete", tok, map[string]string{"key": pol.Key}, "Idempotency-Key", "complete-1")
	b.want(r, 201, "complete upload")
	r = b.do("POST", "/api/v1/uploads/complete", tok, map[string]string{"key": pol.Key})
	b.want(r, 201, "complete upload again (same key, no Idempotency-Key)")
	if n := b.count(`SELECT count(*) FROM attachments WHERE tenant_id = 1 AND suggestion_id = $1`, draft.ID); n != 3 {
		t.Fatalf("%d attachments, want 3", n)
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE tenant_id = 1 AND suggestion_id = $1 AND exif_lat IS NOT NULL`, draft.ID); n != 2 {
		t.Fatalf("%d attachments with private GPS, want 2", n)
	}
	if _, _, err := b.objects.Get(ctx, pol.Key); err == nil {
		t.Fatal("the original upload (with EXIF) was kept")
	}
	if n := b.app.Count(wechattest.APIMediaCheckAsync); n != 3 {
		t.Fatalf("%d image checks, want 3", n)
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE check_status = 'unchecked'`); n != 1 {
		t.Fatalf("%d unchecked photos after one failed check, want 1", n)
	}
	if n, err := b.media.Recheck(ctx, 10); err != nil || n != 1 {
		t.Fatalf("recheck: %d %v", n, err)
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE check_status = 'pending' AND check_trace_id <> ''`); n != 3 {
		t.Fatalf("%d photos under check after the retry, want 3", n)
	}

	// The served copy is re-encoded: no EXIF left.
	var detail struct {
		Photos []struct {
			ID  int64
			URL string
		}
	}
	r = b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", draft.ID), tok, nil)
	b.want(r, 200, "detail draft")
	r.json(t, &detail)
	if len(detail.Photos) != 3 {
		t.Fatalf("%d photos in detail", len(detail.Photos))
	}
	res, err := http.Get(detail.Photos[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	var shown bytes.Buffer
	_, _ = shown.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || bytes.Contains(shown.Bytes(), []byte("Exif")) {
		t.Fatalf("served photo: status %d, has EXIF %v", res.StatusCode, bytes.Contains(shown.Bytes(), []byte("Exif")))
	}

	// Submit twice with the same key: one suggestion, one submission.
	submit := fmt.Sprintf("/api/v1/suggestions/%d/submit", draft.ID)
	b.want(b.do("POST", submit, tok, map[string]any{"version": draft.Version}), 400, "submit without key")
	r1 := b.do("POST", submit, tok, map[string]any{"version": draft.Version}, "Idempotency-Key", "submit-1")
	b.want(r1, 200, "submit")
	r2 = b.do("POST", submit, tok, map[string]any{"version": draft.Version}, "Idempotency-Key", "submit-1")
	b.want(r2, 200, "submit retried")
	if r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("retry not replayed")
	}
	var s1, s2 map[string]any
	r1.json(t, &s1)
	r2.json(t, &s2)
	if fmt.Sprint(s1) != fmt.Sprint(s2) || s1["status"] != "submitted" {
		t.Fatalf("replay differs:\n%v\n%v", s1, s2)
	}
	r = b.do("POST", submit, tok, map[string]any{"version": draft.Version + 5}, "Idempotency-Key", "submit-1")
	b.want(r, 422, "same key, other body")
	if r.code() != "idempotency_key_reused" {
		t.Fatalf("code %s", r.code())
	}
	if n := b.count(`SELECT count(*) FROM suggestions WHERE tenant_id = 1`); n != 1 {
		t.Fatalf("%d suggestions, want 1", n)
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE tenant_id = 1 AND suggestion_id = $1 AND action = 'submit'`, draft.ID); n != 1 {
		t.Fatalf("%d submit events, want 1", n)
	}
	if n := b.app.Count(wechattest.APIMsgSecCheck); n != 1 {
		t.Fatalf("%d text checks, want 1", n)
	}
	// Photos cannot be added after submitting.
	b.want(b.upload(photoPath, tok, "late.png", "image/png", pngBytes(8, 8)), 409, "photo after submit")

	// The core drives it: register, assign, accept, contact, reply.
	asg := b.accepted(draft.ID)
	contact, err := b.sugg.RecordContact(ctx, handler, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "赵经办、张三", Summary: "沟通了路灯修复方案和时间安排"})
	if err != nil {
		t.Fatal(err)
	}
	const replyText = "经研究，雄关路东段路灯已于本月全部修复，并纳入日常巡检。"
	if _, err := b.sugg.Reply(ctx, handler, asg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: replyText}); err != nil {
		t.Fatal(err)
	}

	// The deputy confirms the contact and rates the reply.
	r = b.do("POST", fmt.Sprintf("/api/v1/contacts/%d/confirmation", contact.ID), tok, map[string]any{"confirm": true})
	b.want(r, 200, "confirm contact")
	ratings := fmt.Sprintf("/api/v1/suggestions/%d/ratings", draft.ID)
	b.want(b.do("POST", ratings, tok, map[string]any{"kind": "reply", "rating": "unsatisfied"}), 422, "unsatisfied without reason")
	b.want(b.do("POST", ratings, tok, map[string]any{"kind": "implementation", "rating": "satisfied"}), 409, "implementation rating not due")
	r = b.do("POST", ratings, tok, map[string]any{"kind": "reply", "rating": "satisfied"}, "Idempotency-Key", "rate-1")
	b.want(r, 200, "rate reply")
	// The same rating sent again (weak network) gets the first answer; a new one is refused.
	r2 = b.do("POST", ratings, tok, map[string]any{"kind": "reply", "rating": "satisfied"}, "Idempotency-Key", "rate-1")
	b.want(r2, 200, "rating retried")
	if r2.Header.Get("Idempotent-Replayed") != "true" || string(r2.Body) != string(r.Body) {
		t.Fatalf("retried rating: replayed %q, %s", r2.Header.Get("Idempotent-Replayed"), r2.Body)
	}
	b.want(b.do("POST", ratings, tok, map[string]any{"kind": "reply", "rating": "satisfied"}), 409, "rate twice")
	if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id = 1 AND suggestion_id = $1`, draft.ID); n != 1 {
		t.Fatalf("%d ratings stored, want 1", n)
	}

	// The timeline carries the reply text, class and every step.
	r = b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", draft.ID), tok, nil)
	b.want(r, 200, "detail")
	var full struct {
		Status   string
		Number   string
		Replies  []struct{ Body, Class string }
		Contacts []struct{ Confirmation string }
		Units    []struct {
			UnitName string `json:"unit_name"`
		}
		Timeline []struct{ Action string }
	}
	r.json(t, &full)
	if len(full.Replies) != 1 || full.Replies[0].Body != replyText || full.Replies[0].Class != "A" {
		t.Fatalf("replies: %+v", full.Replies)
	}
	if full.Number == "" || len(full.Units) != 1 || full.Contacts[0].Confirmation != "confirmed" {
		t.Fatalf("detail: %s", r.Body)
	}
	var actions []string
	for _, e := range full.Timeline {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"submit", "register", "assign", "reply", "rate_reply"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Fatalf("timeline %v lacks %s", actions, want)
		}
	}

	// My list, with a status filter and the cursor.
	r = b.do("GET", "/api/v1/suggestions?role=lead&limit=1", tok, nil)
	b.want(r, 200, "list")
	var list struct {
		Items      []struct{ ID int64 }
		NextBefore *int64 `json:"next_before"`
	}
	r.json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != draft.ID {
		t.Fatalf("list: %s", r.Body)
	}
	b.want(b.do("GET", "/api/v1/suggestions?status=bogus", tok, nil), 400, "bad status filter")

	// A risky image-check result hides the photo and flags it for staff.
	var traceID string
	var photoID int64
	if err := b.pool.QueryRow(ctx, `SELECT id, check_trace_id FROM attachments WHERE tenant_id=1 AND check_trace_id <> '' ORDER BY id LIMIT 1`).Scan(&photoID, &traceID); err != nil || traceID == "" {
		t.Fatalf("trace id: %q %v", traceID, err)
	}
	body, _ := json.Marshal(map[string]any{"ToUserName": "gh_x", "FromUserName": "openid-zhang", "CreateTime": time.Now().Unix(),
		"MsgType": "event", "Event": "wxa_media_check", "appid": b.app.MiniAppID, "trace_id": traceID, "version": 2,
		"errcode": 0, "result": map[string]any{"suggest": "risky", "label": 20002}})
	q, pb := wechattest.SignQuery(pushToken, body, false, "", "")
	res2, err := b.client.Post(b.srv.URL+"/api/v1/wechat/push?"+q.Encode(), "application/json", bytes.NewReader(pb))
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != 200 {
		t.Fatalf("push: %d", res2.StatusCode)
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE tenant_id=1 AND hidden AND flagged_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d hidden photos, want 1", n)
	}
	r = b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", draft.ID), tok, nil)
	r.json(t, &detail)
	if len(detail.Photos) != 2 {
		t.Fatalf("risky photo still shown: %d photos", len(detail.Photos))
	}

	// Inbox and subscribe-message authorizations.
	b.want(b.do("GET", "/api/v1/notices", tok, nil), 200, "notices")
	b.want(b.do("GET", "/api/v1/notices/unread-count", tok, nil), 200, "unread")
	b.want(b.do("POST", "/api/v1/notices/read", tok, map[string]any{"all": true}), 204, "mark read")
	b.want(b.do("POST", "/api/v1/subscriptions", tok, map[string]any{"results": []map[string]any{
		{"template_id": "tpl-reply", "accepted": true}, {"template_id": "tpl-long", "accepted": true, "long_term": true}}}), 204, "subscriptions")

	// Official-account binding code, then logout ends the session.
	b.want(b.do("POST", "/api/v1/me/oa-bind-code", tok, nil), 201, "oa bind code")
	b.want(b.do("POST", "/api/v1/auth/logout", tok, nil), 204, "logout")
	b.want(b.do("GET", "/api/v1/me", tok, nil), 401, "after logout")
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer = logtest.Buffer

func urlq(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", " ", "%20").Replace(s)
}

// postToBucket does what wx.uploadFile does with a presigned POST policy.
func postToBucket(t *testing.T, url string, fields map[string]string, contentType string, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if k == "Content-Type" {
			v = contentType
		}
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	_, _ = fw.Write(data)
	_ = mw.Close()
	res, err := http.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 204 {
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		t.Fatalf("presigned POST: %d %s", res.StatusCode, b.String())
	}
}
