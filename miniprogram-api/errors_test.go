package mpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/account"
	"jianyi/internal/wechat/wechattest"
	mpapi "jianyi/miniprogram-api"
	"jianyi/storage/postgres"
)

func TestTokensExpiredAndForged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-tok", "jyg", "13800000001")
	b.want(b.do("GET", "/api/v1/me", tok, nil), 200, "valid token")
	b.want(b.do("GET", "/api/v1/me", "", nil), 401, "no token")
	for _, forged := range []string{
		"garbage",
		"1." + strings.Repeat("A", 43),
		"2" + tok[1:], // another tenant's prefix on a real secret
		tok[:len(tok)-1] + "x",
	} {
		r := b.do("GET", "/api/v1/me", forged, nil)
		b.want(r, 401, "forged token "+forged[:5])
		if r.code() != "unauthorized" {
			t.Fatalf("code %s", r.code())
		}
	}
	b.clock.Add(account.SessionTTL + time.Minute)
	b.want(b.do("GET", "/api/v1/me", tok, nil), 401, "expired token")
	// Login with an unknown tenant, a used code, a bad body.
	b.app.AddLogin("once", "openid-once", "")
	b.want(b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": "once", "tenant": "nowhere"}), 404, "unknown tenant")
	b.want(b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": "once", "tenant": "jyg"}), 200, "login once")
	b.want(b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": "once", "tenant": "jyg"}), 422, "code reused")
	b.want(b.do("POST", "/api/v1/auth/login", "", `{"code": 5}`), 400, "wrong type")
	b.want(b.do("POST", "/api/v1/auth/login", "", `{"code": "x", "tenant": "jyg"`), 400, "broken JSON")
	r := b.do("POST", "/api/v1/auth/login", "", "code=x", "Content-Type", "application/x-www-form-urlencoded")
	b.want(r, 415, "form body")
}

func TestOtherDeputyAndOtherTenantSee404(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-a", "jyg", "13800000001")
	li := b.deputy("openid-b", "jyg", "13800000002")
	wang := b.deputy("openid-c", "other", "13800000003")
	id := b.draft(zhang, "张三的草稿")
	for name, tok := range map[string]string{"other deputy": li, "other tenant": wang} {
		for _, rq := range []struct {
			method, path string
			body         any
		}{
			{"GET", fmt.Sprintf("/api/v1/suggestions/%d", id), nil},
			{"PATCH", fmt.Sprintf("/api/v1/suggestions/%d", id), map[string]any{"version": 1, "title": "改"}},
			{"POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), nil},
			{"POST", fmt.Sprintf("/api/v1/suggestions/%d/ratings", id), map[string]any{"kind": "reply", "rating": "satisfied"}},
		} {
			r := b.do(rq.method, rq.path, tok, rq.body, "Idempotency-Key", fmt.Sprintf("k-%d-%d", len(name), len(rq.path)+len(rq.method)))
			b.want(r, 404, name+" "+rq.method+" "+rq.path)
		}
		b.want(b.upload(fmt.Sprintf("/api/v1/suggestions/%d/photos", id), tok, "a.png", "image/png", pngBytes(4, 4)), 404, name+" photo")
		r := b.do("GET", "/api/v1/suggestions", tok, nil)
		b.want(r, 200, name+" list")
		if strings.Contains(string(r.Body), "张三的草稿") {
			t.Fatalf("%s sees the draft in the list", name)
		}
	}
	// Binding the same roster phone from another WeChat account is refused.
	tok, _ := b.login("openid-intruder", "jyg")
	b.app.AddPhone("p-x", "13800000001")
	b.want(b.do("POST", "/api/v1/auth/bind/phone", tok, map[string]string{"code": "p-x"}), 409, "phone already bound")
	b.app.AddPhone("p-y", "13999999999")
	b.want(b.do("POST", "/api/v1/auth/bind/phone", tok, map[string]string{"code": "p-y"}), 404, "phone not on roster")
}

func TestBodyLimitsAndMediaTypes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-size", "jyg", "13800000001")
	big := `{"title": "大", "body": "` + strings.Repeat("长", 40000) + `"}`
	r := b.do("POST", "/api/v1/suggestions", tok, big)
	b.want(r, 413, "oversize JSON")
	if r.code() != "body_too_large" {
		t.Fatalf("code %s", r.code())
	}
	id := b.draft(tok, "限额测试")
	path := fmt.Sprintf("/api/v1/suggestions/%d/photos", id)
	// A photo over 10 MB (declared length over the cap: refused before reading).
	huge := make([]byte, 11<<20)
	copy(huge, pngBytes(4, 4))
	b.want(b.upload(path, tok, "big.png", "image/png", huge), 413, "oversize photo")
	// Over 10 MB but under the request cap: refused by the spool limit.
	r = b.upload(path, tok, "big2.png", "image/png", huge[:10<<20+1000])
	b.want(r, 413, "photo just over 10 MB")
	// Not an image, whatever its name says.
	r = b.upload(path, tok, "photo.jpg", "image/jpeg", []byte("GIF89a this is not a jpeg at all"))
	b.want(r, 415, "gif named jpg")
	if r.code() != "unsupported_image_type" {
		t.Fatalf("code %s", r.code())
	}
	// JSON where multipart is expected.
	b.want(b.do("POST", path, tok, `{}`), 415, "json to the photo endpoint")
	if n := b.count(`SELECT count(*) FROM attachments`); n != 0 {
		t.Fatalf("%d attachments after refusals", n)
	}
}

func TestImageHeaderRefusedBeforeDecoding(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-bomb", "jyg", "13800000001")
	id := b.draft(tok, "像素测试")
	r := b.upload(fmt.Sprintf("/api/v1/suggestions/%d/photos", id), tok, "bomb.png", "image/png", hugePNGHeader(20000, 20000))
	b.want(r, 422, "20000x20000 header")
	if r.code() != "image_dimensions" {
		t.Fatalf("code %s: %s", r.code(), r.Body)
	}
	if n := b.count(`SELECT count(*) FROM attachments`); n != 0 {
		t.Fatalf("%d attachments", n)
	}
}

func TestTruncatedUpload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-cut", "jyg", "13800000001")
	id := b.draft(tok, "截断测试")
	path := fmt.Sprintf("/api/v1/suggestions/%d/photos", id)

	// The multipart body stops in the middle of the file (connection cut).
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="a.png"`)
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(pngBytes(200, 200))
	_ = mw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	req, _ := http.NewRequest("POST", b.srv.URL+path, bytes.NewReader(cut))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	r := b.send(req)
	b.want(r, 400, "truncated multipart")
	if r.code() != "upload_incomplete" {
		t.Fatalf("code %s", r.code())
	}
	// A complete request carrying half an image.
	img := jpegWithGPS(39.8, 98.3)
	r = b.upload(path, tok, "half.jpg", "image/jpeg", img[:len(img)/2])
	b.want(r, 422, "half a JPEG")
	if n := b.count(`SELECT count(*) FROM attachments`); n != 0 {
		t.Fatalf("%d attachments", n)
	}
}

func TestWeChatTokenRejectedOnceThenOK(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-40001", "jyg", "13800000001")
	id := b.draft(tok, "令牌重试")
	b.app.FailNext(wechattest.APIMsgSecCheck, 40001, 1)
	r := b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), tok, nil, "Idempotency-Key", "s-40001")
	b.want(r, 200, "submit after one 40001")
	if n := b.app.Count(wechattest.APIMsgSecCheck); n != 2 {
		t.Fatalf("%d text checks, want 2 (one retry)", n)
	}
}

func TestWeChatUnreachable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-down", "jyg", "13800000001")
	id := b.draft(tok, "微信不可用")
	b.app.SetUnreachable(true)
	r := b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), tok, nil, "Idempotency-Key", "s-down")
	b.want(r, 503, "submit with WeChat down")
	if r.code() != "wechat_unavailable" || !strings.Contains(string(r.Body), "微信") {
		t.Fatalf("answer: %s", r.Body)
	}
	if n := b.count(`SELECT count(*) FROM suggestions WHERE status <> 'draft'`); n != 0 {
		t.Fatal("suggestion changed while WeChat was down")
	}
	if n := b.count(`SELECT count(*) FROM idempotency_keys`); n != 0 {
		t.Fatal("idempotency key kept after a 503")
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE action <> 'create_draft'`); n != 0 {
		t.Fatal("audit written while WeChat was down")
	}
	b.app.AddLogin("down-code", "openid-new", "")
	r = b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": "down-code", "tenant": "jyg"})
	b.want(r, 503, "login with WeChat down")
	b.app.SetUnreachable(false)
	// Back up: the same key now goes through.
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), tok, nil, "Idempotency-Key", "s-down"), 200, "retry after recovery")
}

func TestContentCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-check", "jyg", "13800000001")
	b.app.SetMsgCheck("违禁词", "risky")
	b.app.SetMsgCheck("待复核", "review")
	risky := b.draft(tok, "含违禁词的建议")
	r := b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", risky), tok, nil, "Idempotency-Key", "r1")
	b.want(r, 422, "risky text")
	if r.code() != "content_risky" || !strings.Contains(string(r.Body), "色情") && !strings.Contains(string(r.Body), "时政") {
		t.Fatalf("answer: %s", r.Body)
	}
	review := b.draft(tok, "待复核的建议")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", review), tok, nil, "Idempotency-Key", "r2"), 200, "review text")
	if n := b.count(`SELECT count(*) FROM suggestions WHERE id = $1 AND status = 'submitted' AND content_flag = 'review'`, review); n != 1 {
		t.Fatal("review text not flagged for staff")
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE suggestion_id = $1 AND action = 'submit' AND data->>'content_flag' = 'review'`, review); n != 1 {
		t.Fatal("the submit's audit event does not say the text awaits review")
	}
	if n := b.count(`SELECT count(*) FROM suggestions WHERE id = $1 AND status = 'draft'`, risky); n != 1 {
		t.Fatal("risky text changed the suggestion")
	}

	// A long suggestion (the body may hold 10,000 characters; WeChat reads 2,500 a call) is
	// checked whole: submitted when clean, refused when its last lines are risky.
	long := func(tail string) int64 {
		body := string([]rune(strings.Repeat("道路两侧排水不畅，雨天积水严重，请有关部门尽快研究解决。", 400))[:9000]) + tail
		r := b.do("POST", "/api/v1/suggestions", tok, map[string]any{"title": "关于改善排水的建议", "body": body})
		b.want(r, 201, "create a long draft")
		var s struct{ ID int64 }
		r.json(t, &s)
		return s.ID
	}
	clean, bad := long(""), long("违禁词")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", clean), tok, nil, "Idempotency-Key", "long1"), 200, "long clean text")
	r = b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", bad), tok, nil, "Idempotency-Key", "long2")
	b.want(r, 422, "long text with a risky end")
	if r.code() != "content_risky" {
		t.Fatalf("long risky text: %s", r.Body)
	}
}

// prefixLimiter isolates this test's rate-limit keys from other tests sharing Redis.
type prefixLimiter struct {
	mpapi.Limiter
	prefix string
}

func (p prefixLimiter) Allow(ctx context.Context, tenantID int64, subject string, limit int, window time.Duration) (bool, time.Duration, error) {
	return p.Limiter.Allow(ctx, tenantID, p.prefix+subject, limit, window)
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{limiterPrefix: fmt.Sprintf("t%d:", time.Now().UnixNano()),
		limits: mpapi.Limits{Window: time.Minute, PerIP: 1000, PerUser: 4, LoginPerIP: 3, JSONBody: 64 << 10}})
	tok := b.deputy("openid-rl", "jyg", "13800000001") // login + bind: 2 login-limited hits, 1 user hit
	var last resp
	for range 5 {
		last = b.do("GET", "/api/v1/me", tok, nil)
	}
	b.want(last, 429, "per-user limit")
	if last.Header.Get("Retry-After") == "" || last.code() != "rate_limited" {
		t.Fatalf("429 without Retry-After: %v %s", last.Header, last.Body)
	}
	b.app.AddLogin("rl-2", "openid-rl2", "")
	b.want(b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": "rl-2", "tenant": "jyg"}), 200, "third login attempt")
	b.app.AddLogin("rl-3", "openid-rl3", "")
	b.want(b.do("POST", "/api/v1/auth/login", "", map[string]string{"code": "rl-3", "tenant": "jyg"}), 429, "fourth login attempt")
}

func TestInviteBindSnapsAndCosign(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	acc := account.NewService(postgresAccountStore(b), nil)
	code, _, err := acc.IssueInvite(ctx, reviewer, 11)
	if err != nil {
		t.Fatal(err)
	}
	li, _ := b.login("openid-li", "jyg")
	b.want(b.do("POST", "/api/v1/auth/bind/invite", li, map[string]string{"code": "WRONG123"}), 422, "bad invite")
	b.want(b.do("POST", "/api/v1/auth/bind/invite", li, map[string]string{"code": code}), 200, "invite")
	zhang := b.deputy("openid-zs", "jyg", "13800000001")

	// 随手拍 with a photo, turned into a draft that keeps place and photo.
	lat, lng := 39.8, 98.29
	r := b.do("POST", "/api/v1/snaps", zhang, map[string]any{"note": "人行道井盖缺失，夜间很危险",
		"location": map[string]any{"lat": lat, "lng": lng, "address": "新华路"}}, "Idempotency-Key", "snap-1")
	b.want(r, 201, "snap")
	var sn struct{ ID int64 }
	r.json(t, &sn)
	b.want(b.do("POST", "/api/v1/snaps", zhang, map[string]any{"location": map[string]any{"lat": 100}}), 422, "bad snap location")
	b.want(b.upload(fmt.Sprintf("/api/v1/snaps/%d/photos", sn.ID), zhang, "s.jpg", "image/jpeg", jpegWithGPS(lat, lng)), 201, "snap photo")
	b.want(b.do("GET", "/api/v1/snaps", zhang, nil), 200, "snaps")
	b.want(b.do("GET", fmt.Sprintf("/api/v1/snaps/%d", sn.ID), li, nil), 404, "someone else's snap")
	r = b.do("POST", fmt.Sprintf("/api/v1/snaps/%d/draft", sn.ID), zhang, map[string]any{})
	b.want(r, 201, "snap to draft")
	var sd struct {
		SuggestionID int64 `json:"suggestion_id"`
	}
	r.json(t, &sd)
	b.want(b.do("POST", fmt.Sprintf("/api/v1/snaps/%d/draft", sn.ID), zhang, map[string]any{}), 409, "snap used twice")
	r = b.do("GET", fmt.Sprintf("/api/v1/snaps/%d", sn.ID), zhang, nil)
	b.want(r, 200, "snap detail")
	var detail struct {
		Photos   []any
		Location struct{ Address string }
	}
	r = b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", sd.SuggestionID), zhang, nil)
	b.want(r, 200, "draft from snap")
	r.json(t, &detail)
	if len(detail.Photos) != 1 || detail.Location.Address != "新华路" {
		t.Fatalf("draft from snap: %s", r.Body)
	}

	// Co-signing: invite 李四, who accepts and then sees it in the co-signed list.
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosigners", sd.SuggestionID), zhang, map[string]any{"deputy_ids": []int64{11}}), 204, "invite cosigner")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosign", sd.SuggestionID), li, map[string]any{"accept": true}), 204, "accept cosign")
	r = b.do("GET", "/api/v1/suggestions?role=cosigned", li, nil)
	b.want(r, 200, "cosigned list")
	if !strings.Contains(string(r.Body), fmt.Sprintf(`"id":%d`, sd.SuggestionID)) {
		t.Fatalf("cosigned list: %s", r.Body)
	}
	// Updating a draft needs the version; a stale one conflicts.
	b.want(b.do("PATCH", fmt.Sprintf("/api/v1/suggestions/%d", sd.SuggestionID), zhang, map[string]any{"title": "新标题"}), 422, "no version")
	b.want(b.do("PATCH", fmt.Sprintf("/api/v1/suggestions/%d", sd.SuggestionID), zhang, map[string]any{"title": "新标题", "version": 99}), 409, "stale version")
}

func TestSpecAndDocsServed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.do("GET", "/api/v1/openapi.yaml", "", nil)
	b.want(r, 200, "spec")
	if !bytes.Equal(r.Body, mpapi.Spec) {
		t.Fatal("served spec differs")
	}
	r = b.do("GET", "/api/v1/docs", "", nil)
	b.want(r, 200, "docs")
	if !strings.Contains(string(r.Body), "/api/v1/suggestions/{id}/submit") || strings.Contains(string(r.Body), "<script") {
		t.Fatal("docs page incomplete or scripted")
	}
	// Push URL check.
	q, _ := wechattest.SignQuery(pushToken, nil, false, "", "")
	q.Set("echostr", "abc123")
	r = b.do("GET", "/api/v1/wechat/push?"+q.Encode(), "", nil)
	b.want(r, 200, "echostr")
	if string(r.Body) != "abc123" {
		t.Fatalf("echo %q", r.Body)
	}
	q.Set("signature", "bad")
	b.want(b.do("GET", "/api/v1/wechat/push?"+q.Encode(), "", nil), 403, "bad echo signature")
}

// A phone on a weak network can send its submit again before the first answer arrives.
// However the duplicates interleave, the draft is submitted once and every copy gets the
// same answer.
func TestConcurrentDuplicateSubmits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-dup", "jyg", "13800000001")
	id := b.draft(tok, "并发重复提交")
	path := fmt.Sprintf("/api/v1/suggestions/%d/submit", id)
	const copies = 6
	answers := make([]resp, copies)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = b.do("POST", path, tok, nil, "Idempotency-Key", "dup-1")
		}()
	}
	wg.Wait()
	var first map[string]any
	answers[0].json(t, &first)
	// The stored answer is sent back byte for byte.
	same := func(r resp) bool { return string(r.Body) == string(answers[0].Body) }
	replayed := 0
	for i, r := range answers {
		b.want(r, 200, fmt.Sprintf("copy %d", i))
		if !same(r) || first["status"] != "submitted" {
			t.Fatalf("copies answered differently:\n%s\n%s", answers[0].Body, r.Body)
		}
		if r.Header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	if replayed != copies-1 {
		t.Errorf("%d copies replayed, want %d", replayed, copies-1)
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE suggestion_id = $1 AND action = 'submit'`, id); n != 1 {
		t.Fatalf("%d submit events, want 1", n)
	}
	if n := b.count(`SELECT count(*) FROM outbox WHERE suggestion_id = $1 AND event = 'suggestion.submitted'`, id); n != 1 {
		t.Fatalf("%d submitted notifications queued, want 1", n)
	}
	// The answer is the one stored with the key, and a later retry still gets it.
	r := b.do("POST", path, tok, nil, "Idempotency-Key", "dup-1")
	if r.Header.Get("Idempotent-Replayed") != "true" || !same(r) {
		t.Fatalf("later retry: %s %s", r.Header.Get("Idempotent-Replayed"), r.Body)
	}
}

// A database that does not answer is a 503 service_unavailable, as Redis, object storage and
// WeChat being down are: the phone says "try again later" instead of "something broke".
func TestDatabaseUnreachableIs503(t *testing.T) {
	t.Parallel()
	dead, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/jianyi?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dead.Close)
	b := setup(t, setupOpts{suggestions: postgres.NewSuggestionStore(dead)})
	tok := b.deputy("openid-pgdown", "jyg", "13800000001")
	for _, r := range []resp{
		b.do("GET", "/api/v1/suggestions", tok, nil),
		b.do("POST", "/api/v1/suggestions", tok, map[string]any{"title": "数据库不可用", "body": "关于数据库不可用时的建议正文，请尽快研究解决。"}),
	} {
		b.want(r, 503, "with the database unreachable")
		if r.code() != "service_unavailable" || !strings.Contains(string(r.Body), "暂时不可用") {
			t.Fatalf("answer: %s", r.Body)
		}
	}
}
