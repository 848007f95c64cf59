package wechattest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
)

const textPush = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[oa-user-1]]></FromUserName>` +
	`<CreateTime>1764000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>42</MsgId></xml>`

// serveOA runs the SDK's own message server on a signed push: if it accepts the signature and
// decrypts the body, SignQuery matches WeChat.
func serveOA(t *testing.T, a *App, q string, body []byte) (*httptest.ResponseRecorder, string, error) {
	t.Helper()
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID: a.OAAppID, AppSecret: a.OASecret, Token: a.OAToken, EncodingAESKey: a.OAAESKey, Cache: cache.NewMemory(),
	})
	req := httptest.NewRequest(http.MethodPost, "/wechat/oa?"+q, bytes.NewReader(body))
	rec := httptest.NewRecorder()
	srv := oa.GetServer(req, rec)
	var got string
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		got = string(m.FromUserName) + ":" + m.Content
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText("收到")}
	})
	if err := srv.Serve(); err != nil {
		return rec, got, err
	}
	return rec, got, srv.Send()
}

func TestSignQueryPlain(t *testing.T) {
	t.Parallel()
	a := Start().NewApp(t)
	q, body := SignQuery(a.OAToken, []byte(textPush), false, "", "")
	if q.Get("openid") != "oa-user-1" || q.Get("encrypt_type") != "" {
		t.Fatalf("query = %v", q)
	}
	rec, got, err := serveOA(t, a, q.Encode(), body)
	if err != nil || got != "oa-user-1:你好" || !strings.Contains(rec.Body.String(), "收到") {
		t.Fatalf("served %q, %q, %v", got, rec.Body.String(), err)
	}
	q.Set("signature", strings.Repeat("0", 40))
	if _, _, err := serveOA(t, a, q.Encode(), body); err == nil {
		t.Fatal("bad signature accepted")
	}
}

func TestSignQueryAESAndDecryptReply(t *testing.T) {
	t.Parallel()
	a := Start().NewApp(t)
	q, body := SignQuery(a.OAToken, []byte(textPush), true, a.OAAESKey, a.OAAppID)
	if q.Get("encrypt_type") != "aes" || q.Get("msg_signature") == "" || bytes.Contains(body, []byte("你好")) {
		t.Fatalf("not encrypted: %v %s", q, body)
	}
	rec, got, err := serveOA(t, a, q.Encode(), body)
	if err != nil || got != "oa-user-1:你好" {
		t.Fatalf("served %q, %v", got, err)
	}
	reply, err := DecryptReply(a.OAToken, a.OAAESKey, a.OAAppID, rec.Body.Bytes())
	if err != nil || !strings.Contains(string(reply), "收到") {
		t.Fatalf("DecryptReply = %s, %v", reply, err)
	}
	if _, err := DecryptReply("other-token", a.OAAESKey, a.OAAppID, rec.Body.Bytes()); err == nil {
		t.Fatal("wrong token accepted")
	}
	if _, err := DecryptReply(a.OAToken, a.OAAESKey, a.OAAppID, []byte("success")); err != ErrNotEncrypted {
		t.Fatalf("plain reply: %v", err)
	}
}

func TestSignQueryJSONEnvelope(t *testing.T) {
	t.Parallel()
	a := Start().NewApp(t)
	push := []byte(`{"ToUserName":"gh_mini","FromUserName":"o-1","Event":"wxa_media_check","trace_id":"trace-1"}`)
	_, body := SignQuery(a.OAToken, push, true, a.OAAESKey, a.MiniAppID)
	if !bytes.HasPrefix(body, []byte(`{"`)) || !bytes.Contains(body, []byte(`"Encrypt"`)) {
		t.Fatalf("envelope = %s", body)
	}
}
