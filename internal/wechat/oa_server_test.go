package wechat_test

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
)

func textPush(from, content string, msgID int64) []byte {
	return []byte(`<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[` + from +
		`]]></FromUserName><CreateTime>` + itoa(time.Now().Unix()) + `</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[` +
		content + `]]></Content><MsgId>` + itoa(msgID) + `</MsgId></xml>`)
}

func itoa(n int64) string {
	b, _ := xml.Marshal(n)
	return strings.TrimSuffix(strings.TrimPrefix(string(b), "<int64>"), "</int64>")
}

func newOAServer(t *testing.T) (*wechat.OAServer, *wechattest.App) {
	t.Helper()
	app := wechattest.Start().NewApp(t)
	srv, err := wechat.NewOAServer(app.Config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, app
}

// newPlainOAServer is a server of an account in plain mode (明文): no EncodingAESKey.
func newPlainOAServer(t *testing.T, app *wechattest.App) *wechat.OAServer {
	t.Helper()
	cfg := app.Config()
	cfg.OAAESKey = ""
	srv, err := wechat.NewOAServer(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func echoHandler(_ context.Context, m *wechat.OAMsg) wechat.OAReply {
	if m.Content == "" {
		return wechat.OAReply{}
	}
	return wechat.OAReply{Text: "收到：" + m.Content}
}

func do(srv *wechat.OAServer, method, query string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/cb?"+query, strings.NewReader(string(body)))
	rec := httptest.NewRecorder()
	srv.Handle(rec, req, echoHandler)
	return rec
}

func TestOAServerModes(t *testing.T) {
	srv, app := newOAServer(t)

	q, _ := wechattest.SignQuery(app.OAToken, nil, false, "", "")
	q.Set("echostr", "hello123")
	if rec := do(srv, http.MethodGet, q.Encode(), nil); rec.Code != 200 || rec.Body.String() != "hello123" {
		t.Fatalf("echostr: %d %q", rec.Code, rec.Body.String())
	}

	body := textPush("openid-1", "帮助", 1001)
	plain := newPlainOAServer(t, app)
	q, b := wechattest.SignQuery(app.OAToken, body, false, "", "")
	rec := do(plain, http.MethodPost, q.Encode(), b)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "收到：帮助") {
		t.Fatalf("plain: %d %q", rec.Code, rec.Body.String())
	}

	q, b = wechattest.SignQuery(app.OAToken, body, true, app.OAAESKey, app.OAAppID)
	rec = do(srv, http.MethodPost, q.Encode(), b)
	if rec.Code != 200 {
		t.Fatalf("aes: %d", rec.Code)
	}
	raw, err := wechattest.DecryptReply(app.OAToken, app.OAAESKey, app.OAAppID, rec.Body.Bytes())
	if err != nil || !strings.Contains(string(raw), "收到：帮助") || !strings.Contains(string(raw), "openid-1") {
		t.Fatalf("aes reply: %v %q", err, raw)
	}

	// Compatible mode: the envelope carries the plain fields and Encrypt; reply encrypted.
	q, b = wechattest.SignQuery(app.OAToken, body, true, app.OAAESKey, app.OAAppID)
	compat := strings.Replace(string(b), "<xml>", "<xml><FromUserName><![CDATA[openid-1]]></FromUserName><MsgType><![CDATA[text]]></MsgType>", 1)
	rec = do(srv, http.MethodPost, q.Encode(), []byte(compat))
	if _, err := wechattest.DecryptReply(app.OAToken, app.OAAESKey, app.OAAppID, rec.Body.Bytes()); rec.Code != 200 || err != nil {
		t.Fatalf("compat: %d %v", rec.Code, err)
	}

	// Nothing to say: success, never an encrypted empty body.
	empty := []byte(`<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>`)
	q, b = wechattest.SignQuery(app.OAToken, empty, true, app.OAAESKey, app.OAAppID)
	if rec := do(srv, http.MethodPost, q.Encode(), b); rec.Body.String() != "success" {
		t.Fatalf("success: %q", rec.Body.String())
	}
}

func TestOAServerRefusals(t *testing.T) {
	srv, app := newOAServer(t)
	plain := newPlainOAServer(t, app)
	body := textPush("openid-1", "帮助", 1)

	q, b := wechattest.SignQuery(app.OAToken, body, false, "", "")
	q.Set("signature", strings.Repeat("0", 40))
	if rec := do(plain, http.MethodPost, q.Encode(), b); rec.Code != http.StatusForbidden {
		t.Fatalf("bad signature: %d", rec.Code)
	}

	q, b = wechattest.SignQuery(app.OAToken, body, true, app.OAAESKey, app.OAAppID)
	q.Set("msg_signature", strings.Repeat("0", 40))
	if rec := do(srv, http.MethodPost, q.Encode(), b); rec.Code != http.StatusForbidden {
		t.Fatalf("bad msg_signature: %d", rec.Code)
	}

	q, b = wechattest.SignQuery(app.OAToken, body, false, "", "")
	plain.SetClock(func() time.Time { return time.Now().Add(6 * time.Minute) })
	if rec := do(plain, http.MethodPost, q.Encode(), b); rec.Code != http.StatusForbidden {
		t.Fatalf("old timestamp: %d", rec.Code)
	}
	plain.SetClock(func() time.Time { return time.Now().Add(-2 * time.Minute) })
	if rec := do(plain, http.MethodPost, q.Encode(), b); rec.Code != http.StatusForbidden {
		t.Fatalf("future timestamp: %d", rec.Code)
	}
	plain.SetClock(time.Now)

	for _, evil := range []string{
		`<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><FromUserName>&x;</FromUserName><MsgType>text</MsgType></xml>`,
		`<xml><!ENTITY a "b"><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>`,
	} {
		q, b = wechattest.SignQuery(app.OAToken, []byte(evil), false, "", "")
		if rec := do(plain, http.MethodPost, q.Encode(), b); rec.Code != http.StatusBadRequest {
			t.Fatalf("doctype plain: %d", rec.Code)
		}
		q, b = wechattest.SignQuery(app.OAToken, []byte(evil), true, app.OAAESKey, app.OAAppID)
		if rec := do(srv, http.MethodPost, q.Encode(), b); rec.Code != http.StatusBadRequest {
			t.Fatalf("doctype aes: %d", rec.Code)
		}
	}

	big := textPush("o", strings.Repeat("长", wechat.OAMaxBody/3+10), 2)
	q, b = wechattest.SignQuery(app.OAToken, big, false, "", "")
	if rec := do(plain, http.MethodPost, q.Encode(), b); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: %d", rec.Code)
	}
}

func TestParseOAMessage(t *testing.T) {
	m, err := wechat.ParseOAMessage([]byte(`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[location]]></MsgType><Location_X>39.95</Location_X><Location_Y>116.3</Location_Y><Scale>15</Scale><Label><![CDATA[民政路]]></Label><MsgId>42</MsgId></xml>`))
	if err != nil || m.LocationX != 39.95 || m.LocationY != 116.3 || m.Label != "民政路" || m.MsgID != 42 || m.DedupeKey() != "m:42" {
		t.Fatalf("%+v %v", m, err)
	}
	m, err = wechat.ParseOAMessage([]byte(`<xml><FromUserName>o1</FromUserName><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>200163836</MsgID><Status><![CDATA[failed:user block]]></Status></xml>`))
	if err != nil || m.Event != "TEMPLATESENDJOBFINISH" || m.MsgID != 200163836 || m.Status != "failed:user block" || !strings.HasPrefix(m.DedupeKey(), "e:") {
		t.Fatalf("%+v %v", m, err)
	}
	m, err = wechat.ParseOAMessage([]byte(`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[查询12号建议。]]></Recognition><MsgId>43</MsgId></xml>`))
	if err != nil || m.MsgType != "voice" || m.MediaID != "v1" || m.Recognition != "查询12号建议。" || m.MsgID != 43 {
		t.Fatalf("voice: %+v %v", m, err)
	}
	if _, err := wechat.ParseOAMessage([]byte(`<xml><MsgType>text</MsgType></xml>`)); !errors.Is(err, wechat.ErrOABadXML) {
		t.Fatalf("missing from: %v", err)
	}
}

func TestEventDedupeKeyHasEventKey(t *testing.T) {
	click := func(key string) *wechat.OAMsg {
		m, err := wechat.ParseOAMessage([]byte(`<xml><FromUserName>o1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>` + key + `</EventKey></xml>`))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	mine, help := click("BOT_MINE"), click("BOT_HELP")
	if mine.DedupeKey() == help.DedupeKey() {
		t.Fatal("two menu clicks in one second share a dedupe key")
	}
	if mine.DedupeKey() != click("BOT_MINE").DedupeKey() {
		t.Fatal("a retried click has another dedupe key")
	}
	if strings.Contains(mine.DedupeKey(), "o1") || strings.Contains(mine.DedupeKey(), "BOT_MINE") {
		t.Fatalf("dedupe key holds the sender or the key: %s", mine.DedupeKey())
	}
}

func FuzzParseOAMessage(f *testing.F) {
	f.Add([]byte(`<xml><FromUserName><![CDATA[o]]></FromUserName><MsgType>text</MsgType><Content>查询 12</Content><MsgId>1</MsgId></xml>`))
	f.Add([]byte(`<xml><FromUserName>o</FromUserName><MsgType>location</MsgType><Location_X>1.5</Location_X><Location_Y>x</Location_Y></xml>`))
	f.Add([]byte(`<!DOCTYPE a><xml/>`))
	f.Add([]byte(`<xml><FromUserName>&amp;&lt;</FromUserName><MsgType>event</MsgType><Event>CLICK</Event></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wechat.ParseOAMessage(b)
		if err != nil {
			if m != nil {
				t.Fatal("message with error")
			}
			return
		}
		if m.FromUser == "" || m.MsgType == "" {
			t.Fatal("accepted without sender or type")
		}
		if strings.Contains(strings.ToUpper(string(b)), "<!DOCTYPE") {
			t.Fatal("accepted a DOCTYPE")
		}
		_ = m.DedupeKey()
	})
}

func TestOAServerAnswerWindow(t *testing.T) {
	srv, app := newOAServer(t)
	srv.SetAnswerWithin(50 * time.Millisecond)
	release := make(chan struct{})
	defer close(release)
	body := textPush("openid-1", "我的建议", 77)
	q, b := wechattest.SignQuery(app.OAToken, body, true, app.OAAESKey, app.OAAppID)
	req := httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), strings.NewReader(string(b)))
	rec := httptest.NewRecorder()
	// A handler that ignores its context is abandoned: WeChat gets "success", not a hang.
	srv.Handle(rec, req, func(context.Context, *wechat.OAMsg) wechat.OAReply {
		<-release
		return wechat.OAReply{Text: "too late"}
	})
	if rec.Code != 200 || rec.Body.String() != "success" {
		t.Fatalf("overrun: %d %q", rec.Code, rec.Body.String())
	}
	// A handler that watches its context sees the deadline.
	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), strings.NewReader(string(b)))
	srv.Handle(rec, req, func(ctx context.Context, _ *wechat.OAMsg) wechat.OAReply {
		<-ctx.Done()
		return wechat.OAReply{Text: "系统繁忙"}
	})
	raw, err := wechattest.DecryptReply(app.OAToken, app.OAAESKey, app.OAAppID, rec.Body.Bytes())
	if err != nil || !strings.Contains(string(raw), "系统繁忙") {
		t.Fatalf("deadline: %v %q", err, raw)
	}
}
