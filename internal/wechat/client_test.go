package wechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
)

func TestMain(m *testing.M) {
	wechattest.Start().Install()
	os.Exit(m.Run())
}

type bundle struct {
	app   *wechattest.App
	cache *wechattest.MemoryCache
	c     *wechat.Client
}

func setup(t *testing.T) bundle {
	t.Helper()
	app := wechattest.Start().NewApp(t)
	cache := wechattest.NewMemoryCache()
	c, err := wechat.New(app.Config(), cache, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return bundle{app, cache, c}
}

func TestCode2Session(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.AddLogin("c1", "o-1", "u-1")
	s, err := b.c.Code2Session(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if s.OpenID != "o-1" || s.UnionID != "u-1" || s.SessionKey == "" {
		t.Fatalf("session = %+v", s)
	}
	// Codes are single-use, like WeChat's.
	_, err = b.c.Code2Session(t.Context(), "c1")
	if wechat.ErrCode(err) != 40163 || !errors.Is(err, wechat.ErrInvalidCode) {
		t.Fatalf("reused code: err = %v", err)
	}
}

func TestCode2SessionInvalidCode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.c.Code2Session(t.Context(), "nope")
	if got := wechat.ErrCode(err); got != 40029 {
		t.Fatalf("ErrCode = %d (%v), want 40029", got, err)
	}
	if !errors.Is(err, wechat.ErrInvalidCode) {
		t.Fatalf("err = %v, want ErrInvalidCode", err)
	}
	if strings.Contains(err.Error(), "nope") || strings.Contains(err.Error(), b.app.MiniSecret) {
		t.Fatalf("error leaks the request: %v", err)
	}
}

func TestPhoneNumber(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.AddPhone("p1", "13912345678")
	got, err := b.c.PhoneNumber(t.Context(), "p1")
	if err != nil || got != "13912345678" {
		t.Fatalf("PhoneNumber = %q, %v", got, err)
	}
}

func validSubscribe(to string) wechat.SubscribeMessage {
	return wechat.SubscribeMessage{
		ToUser:     to,
		TemplateID: "tpl-1",
		Page:       "pages/suggestion/detail?id=1",
		Data:       map[string]string{"thing1": "关于老旧小区加装电梯的建议", "phrase2": "已办结", "time3": "2026年11月26日 10:00"},
	}
}

func TestTokenErrorRetriedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	if err := b.c.SendSubscribe(ctx, validSubscribe("o-1")); err != nil {
		t.Fatal(err)
	}
	if n := b.app.Count(wechattest.APIStableToken); n != 1 {
		t.Fatalf("stable_token calls = %d, want 1", n)
	}
	b.app.FailNext(wechattest.APISubscribeSend, 40001, 1)
	if err := b.c.SendSubscribe(ctx, validSubscribe("o-1")); err != nil {
		t.Fatalf("after one 40001: %v", err)
	}
	if n := b.app.Count(wechattest.APISubscribeSend); n != 3 {
		t.Fatalf("subscribe sends = %d, want 3 (one retry)", n)
	}
	if n := b.app.Count(wechattest.APIStableToken); n != 2 {
		t.Fatalf("stable_token calls = %d, want 2 (token refetched)", n)
	}
	if d := b.cache.Deletes(); len(d) != 1 || !strings.Contains(d[0], "stable_access_token_"+b.app.MiniAppID) {
		t.Fatalf("deleted keys = %v", d)
	}
	if n := b.app.Count(wechattest.APIToken); n != 0 {
		t.Fatalf("cgi-bin/token calls = %d, want 0", n)
	}
}

func TestTokenExpiredTwiceFails(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.FailNext(wechattest.APIMsgSecCheck, 42001, 2)
	_, _, err := b.c.MsgCheck(t.Context(), "o-1", "hello", wechat.SceneForum)
	if wechat.ErrCode(err) != 42001 {
		t.Fatalf("err = %v, want errcode 42001", err)
	}
	if n := b.app.Count(wechattest.APIMsgSecCheck); n != 2 {
		t.Fatalf("msg_sec_check calls = %d, want 2 (exactly one retry)", n)
	}
}

func TestExpiredTokenRefreshed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	if _, _, err := b.c.MsgCheck(ctx, "o-1", "hi", wechat.SceneForum); err != nil {
		t.Fatal(err)
	}
	b.app.ExpireTokens()
	if _, _, err := b.c.MsgCheck(ctx, "o-1", "hi", wechat.SceneForum); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	calls := b.app.Calls(wechattest.APIMsgSecCheck)
	if len(calls) != 3 || calls[1].Query.Get("access_token") == calls[2].Query.Get("access_token") {
		t.Fatalf("want 3 calls with a new token on the last, got %d", len(calls))
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetUnreachable(true)
	start := time.Now()
	_, err := b.c.Code2Session(t.Context(), "LOGIN-CODE-X")
	if !errors.Is(err, wechat.ErrUnavailable) || wechat.ErrCode(err) != -1 {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d >= wechattest.ClientTimeout {
		t.Fatalf("took %v, want under the client timeout", d)
	}
	if strings.Contains(err.Error(), b.app.MiniSecret) || strings.Contains(err.Error(), "LOGIN-CODE-X") {
		t.Fatalf("error leaks the request: %v", err)
	}
	if err := b.c.SendSubscribe(t.Context(), validSubscribe("o-1")); !errors.Is(err, wechat.ErrUnavailable) {
		t.Fatalf("subscribe: err = %v, want ErrUnavailable", err)
	}
	if n := b.app.Count(wechattest.APICode2Session) + b.app.TokenRequests(); n != 0 {
		t.Fatalf("fake received %d requests, want 0", n)
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.AddLogin("c1", "o-1", "")
	b.app.SetFaults(0, 1, 1) // every call hangs
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := b.c.Code2Session(ctx, "c1")
	if !errors.Is(err, wechat.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrUnavailable wrapping DeadlineExceeded", err)
	}
}

func TestHTTP5xxIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetFaults(1, 0, 1)
	_, err := b.c.Code2Session(t.Context(), "c1")
	if !errors.Is(err, wechat.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), b.app.MiniSecret) {
		t.Fatalf("error leaks the secret: %v", err)
	}
}

func TestSendSubscribeFieldLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	m := validSubscribe("o-1")
	m.Data["thing1"] = strings.Repeat("长", 21)
	err := b.c.SendSubscribe(t.Context(), m)
	var fe *wechat.FieldLimitError
	if !errors.Is(err, wechat.ErrFieldLimit) || !errors.As(err, &fe) || fe.Key != "thing1" {
		t.Fatalf("err = %v, want ErrFieldLimit on thing1", err)
	}
	if wechat.ErrCode(err) != 47003 {
		t.Fatalf("ErrCode = %d, want 47003", wechat.ErrCode(err))
	}
	if n := b.app.Count(wechattest.APISubscribeSend) + b.app.TokenRequests(); n != 0 {
		t.Fatalf("fake called %d times, want 0", n)
	}
	m.Data["thing1"] = strings.Repeat("长", 20)
	if err := b.c.SendSubscribe(t.Context(), m); err != nil {
		t.Fatalf("20 characters: %v", err)
	}
}

func TestSendSubscribeNoCredit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetNoCredit("o-1", "tpl-1")
	err := b.c.SendSubscribe(t.Context(), validSubscribe("o-1"))
	if !errors.Is(err, wechat.ErrNoCredit) || wechat.ErrCode(err) != 43101 {
		t.Fatalf("err = %v, want ErrNoCredit", err)
	}
	if n := b.app.Count(wechattest.APISubscribeSend); n != 1 {
		t.Fatalf("sends = %d, want 1 (no retry)", n)
	}
	if err := b.c.SendSubscribe(t.Context(), validSubscribe("o-2")); err != nil {
		t.Fatalf("other user: %v", err)
	}
}

func TestSendTemplate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id, err := b.c.SendTemplate(t.Context(), wechat.TemplateMessage{
		ToUser: "oa-1", TemplateID: "t1", Data: map[string]string{"first": "您的建议已办结"},
		MiniAppID: b.app.MiniAppID, PagePath: "pages/index",
	})
	if err != nil || id == 0 {
		t.Fatalf("SendTemplate = %d, %v", id, err)
	}
	calls := b.app.Calls(wechattest.APITemplateSend)
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"pagepath":"pages/index"`) {
		t.Fatalf("calls = %d, body %s", len(calls), calls[0].Body)
	}
	b.app.SetNotFollowing("oa-2")
	_, err = b.c.SendTemplate(t.Context(), wechat.TemplateMessage{ToUser: "oa-2", TemplateID: "t1", Data: map[string]string{"first": "x"}})
	if !errors.Is(err, wechat.ErrNotFollowing) || wechat.ErrCode(err) != 43004 {
		t.Fatalf("err = %v, want ErrNotFollowing", err)
	}
	if calls := b.app.Calls(wechattest.APITemplateSend); len(calls) != 2 || strings.Contains(string(calls[1].Body), "miniprogram") {
		t.Fatalf("a template without mini-program must not send an empty miniprogram object")
	}
}

func TestSendCustomText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if err := b.c.SendCustomText(t.Context(), "oa-1", "收到"); err != nil {
		t.Fatal(err)
	}
	b.app.SetOutOfWindow("oa-2")
	if err := b.c.SendCustomText(t.Context(), "oa-2", "收到"); !errors.Is(err, wechat.ErrOutOfWindow) {
		t.Fatalf("err = %v, want ErrOutOfWindow", err)
	}
	b.app.FailNext(wechattest.APICustomSend, 45047, 1)
	if err := b.c.SendCustomText(t.Context(), "oa-1", "收到"); !errors.Is(err, wechat.ErrQuota) {
		t.Fatalf("err = %v, want ErrQuota", err)
	}
}

func TestGetMedia(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.AddMedia("m1", "image/jpeg", []byte("\xff\xd8\xffjpeg"))
	rc, ct, err := b.c.GetMedia(t.Context(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	if ct != "image/jpeg" || string(data) != "\xff\xd8\xffjpeg" {
		t.Fatalf("GetMedia = %q, %q", ct, data)
	}
	if _, _, err := b.c.GetMedia(t.Context(), "missing"); wechat.ErrCode(err) != 40007 {
		t.Fatalf("missing media: err = %v", err)
	}
}

func TestMsgCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetMsgCheck("违规", wechat.SuggestRisky)
	b.app.SetMsgCheck("可疑", wechat.SuggestReview)
	for content, want := range map[string]string{"这是违规内容": "risky", "有点可疑": "review", "建议修路": "pass"} {
		got, label, err := b.c.MsgCheck(t.Context(), "o-1", content, wechat.SceneForum)
		if err != nil || got != want || (want == "pass") != (label == 100) {
			t.Errorf("MsgCheck(%q) = %q, %d, %v; want %q", content, got, label, err, want)
		}
	}
}

// A suggestion's body may hold 10,000 characters, and msgSecCheck reads at most 2,500 a
// call: a long text is checked piece by piece (a phrase cut by a piece's end is read whole
// in the next), the gravest verdict stands, and a risky piece ends the check. Before, the
// whole text went in one call, WeChat refused it, and a long suggestion could never be
// submitted.
func TestMsgCheckLongText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.app.SetMsgCheck("违规", wechat.SuggestRisky)
	b.app.SetMsgCheck("可疑", wechat.SuggestReview)
	filler := func(n int) string { return strings.Repeat("路", n) }
	seen := 0
	pieces := func() []string { // the texts of the calls since the last look
		calls := b.app.Calls(wechattest.APIMsgSecCheck)
		var out []string
		for _, c := range calls[seen:] {
			var req struct{ Content string }
			if err := json.Unmarshal(c.Body, &req); err != nil {
				t.Fatal(err)
			}
			out = append(out, req.Content)
		}
		seen = len(calls)
		return out
	}
	cases := []struct {
		name    string
		text    string
		want    string
		label   int
		calls   int
		covered bool // the pieces together hold the whole text
	}{
		{"6,000 plain characters", filler(6000), "pass", 100, 3, true},
		{"10,000 characters", filler(10000), "pass", 100, 5, true},
		{"a risky phrase across the first piece's end", filler(2499) + "违规" + filler(3000), "risky", 20001, 2, false},
		{"review early, risky late", "可疑" + filler(5000) + "违规", "risky", 20001, 3, true},
		{"review in the last piece", filler(5000) + "可疑", "review", 20001, 3, true},
	}
	for _, c := range cases {
		got, label, err := b.c.MsgCheck(t.Context(), "o-1", c.text, wechat.SceneForum)
		if err != nil || got != c.want || label != c.label {
			t.Errorf("%s: MsgCheck = %q, %d, %v; want %q, %d", c.name, got, label, err, c.want, c.label)
		}
		sent := pieces()
		if len(sent) != c.calls {
			t.Errorf("%s: %d calls, want %d", c.name, len(sent), c.calls)
		}
		var joined []rune
		for i, p := range sent {
			n := utf8.RuneCountInString(p)
			if n > wechattest.MaxMsgCheckRunes {
				t.Errorf("%s: piece %d holds %d characters", c.name, i, n)
			}
			r := []rune(p)
			if i > 0 {
				r = r[min(100, len(r)):] // the overlap with the piece before
			}
			joined = append(joined, r...)
		}
		if c.covered && string(joined) != c.text {
			t.Errorf("%s: the pieces hold %d of the text's %d characters", c.name, len(joined), utf8.RuneCountInString(c.text))
		}
	}
}

func TestMediaCheckAsync(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id, err := b.c.MediaCheckAsync(t.Context(), "https://objects.example/p.jpg?X-Amz-Signature=1", "o-1", wechat.SceneForum)
	if err != nil || id == "" {
		t.Fatalf("MediaCheckAsync = %q, %v", id, err)
	}
	calls := b.app.Calls(wechattest.APIMediaCheckAsync)
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"media_type":2`) || !strings.Contains(string(calls[0].Body), `"version":2`) {
		t.Fatalf("calls: %d", len(calls))
	}
}

func TestTwoClientsColdCacheUseStableToken(t *testing.T) {
	t.Parallel()
	app := wechattest.Start().NewApp(t)
	cache := wechattest.NewMemoryCache() // shared, like Redis
	var clients []*wechat.Client
	for range 2 {
		c, err := wechat.New(app.Config(), cache, nil)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, c := range clients {
		wg.Go(func() { errs <- c.SendSubscribe(t.Context(), validSubscribe("o-1")) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := app.Count(wechattest.APIToken); n != 0 {
		t.Fatalf("cgi-bin/token calls = %d, want 0", n)
	}
	if n := app.Count(wechattest.APIStableToken); n < 1 || n > 2 {
		t.Fatalf("stable_token calls = %d", n)
	}
	calls := app.Calls(wechattest.APISubscribeSend)
	if len(calls) != 2 || calls[0].Query.Get("access_token") != calls[1].Query.Get("access_token") {
		t.Fatalf("both instances must use the same stable token")
	}
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	const n = 8
	for i := range n {
		b.app.AddLogin("c"+string(rune('a'+i)), "o", "")
		b.app.AddPhone("p"+string(rune('a'+i)), "13800000000")
	}
	b.app.AddMedia("m", "image/png", []byte("png"))
	var wg sync.WaitGroup
	errs := make(chan error, 7*n)
	for i := range n {
		suffix := string(rune('a' + i))
		wg.Go(func() { _, err := b.c.Code2Session(ctx, "c"+suffix); errs <- err })
		wg.Go(func() { _, err := b.c.PhoneNumber(ctx, "p"+suffix); errs <- err })
		wg.Go(func() { errs <- b.c.SendSubscribe(ctx, validSubscribe("o")) })
		wg.Go(func() {
			_, err := b.c.SendTemplate(ctx, wechat.TemplateMessage{ToUser: "o", TemplateID: "t", Data: map[string]string{"k": "v"}})
			errs <- err
		})
		wg.Go(func() { errs <- b.c.SendCustomText(ctx, "o", "hi") })
		wg.Go(func() { _, _, err := b.c.MsgCheck(ctx, "o", "hi", wechat.SceneComment); errs <- err })
		wg.Go(func() {
			rc, _, err := b.c.GetMedia(ctx, "m")
			if err == nil {
				_, _ = io.Copy(io.Discard, rc)
				rc.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := b.app.TokenRequests(); n != 2 {
		t.Errorf("token requests = %d, want 2 (one per app)", n)
	}
}

func TestFakeRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	resp, err := wechattest.Start().HTTPClient().Get("https://example.com/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("request to example.com succeeded")
	}
	if http.DefaultClient == wechattest.Start().HTTPClient() {
		t.Fatal("http.DefaultClient mutated")
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := wechat.New(wechat.Config{}, wechattest.NewMemoryCache(), nil); err == nil {
		t.Fatal("empty config accepted")
	}
	app := wechattest.Start().NewApp(t)
	cfg := app.Config()
	cfg.OAAppID = ""
	c, err := wechat.New(cfg, wechattest.NewMemoryCache(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendCustomText(t.Context(), "o", "x"); !errors.Is(err, wechat.ErrNotConfigured) {
		t.Fatalf("err = %v, want ErrNotConfigured", err)
	}
}
