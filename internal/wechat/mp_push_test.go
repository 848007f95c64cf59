package wechat_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
)

const pushBody = `{"ToUserName":"gh_1","FromUserName":"o1","CreateTime":1700000000,"MsgType":"event","Event":"wxa_media_check","appid":"wxA","trace_id":"trace-9","version":2,"errcode":0,"result":{"suggest":"risky","label":20002}}`

func TestMPPush(t *testing.T) {
	t.Parallel()
	key := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	p := &wechat.MPPush{Token: "tok", AESKey: key, AppID: "wxA"}
	for _, enc := range []bool{false, true} {
		q, body := wechattest.SignQuery("tok", []byte(pushBody), enc, key, "wxA")
		ev, err := p.Parse(q, body)
		if err != nil {
			t.Fatalf("encrypt=%v: %v", enc, err)
		}
		if ev.Event != "wxa_media_check" || ev.TraceID != "trace-9" || ev.Suggest != "risky" || ev.Label != 20002 {
			t.Fatalf("encrypt=%v: %+v", enc, ev)
		}
		sig := q.Get("signature")
		forged := "0" // a different first digit, whatever the real one is
		if sig[0] == '0' {
			forged = "1"
		}
		q.Set("signature", forged+sig[1:])
		if _, err := p.Parse(q, body); !errors.Is(err, wechat.ErrPushSignature) {
			t.Fatalf("forged signature accepted: %v", err)
		}
	}
	// Stale timestamp.
	old := &wechat.MPPush{Token: "tok", Now: func() time.Time { return time.Now().Add(time.Hour) }}
	q, body := wechattest.SignQuery("tok", []byte(pushBody), false, "", "")
	if _, err := old.Parse(q, body); !errors.Is(err, wechat.ErrPushSignature) {
		t.Fatalf("stale push accepted: %v", err)
	}
	// Echo check.
	q, _ = wechattest.SignQuery("tok", nil, false, "", "")
	q.Set("echostr", "hello")
	if echo, err := p.CheckEcho(q); err != nil || echo != "hello" {
		t.Fatalf("echo: %q %v", echo, err)
	}
	q.Set("nonce", "x")
	if _, err := p.CheckEcho(q); err == nil {
		t.Fatal("bad echo accepted")
	}
}

func FuzzMPPushParse(f *testing.F) {
	f.Add([]byte(pushBody), "aes")
	f.Add([]byte(`<xml><Encrypt>abc</Encrypt></xml>`), "")
	f.Add([]byte(`<!DOCTYPE x><xml/>`), "")
	p := &wechat.MPPush{Token: "tok", AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppID: "wxA"}
	f.Fuzz(func(t *testing.T, body []byte, mode string) {
		q, b := wechattest.SignQuery("tok", body, false, "", "")
		if mode != "" {
			q.Set("encrypt_type", mode)
		}
		_, _ = p.Parse(q, b)
		_, _ = p.Parse(url.Values{}, body)
	})
}
