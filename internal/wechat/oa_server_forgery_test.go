package wechat_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// countingDo serves one request and reports whether the handler ran.
func countingDo(srv *wechat.OAServer, query string, body []byte) (*httptest.ResponseRecorder, bool) {
	var ran atomic.Bool
	req := httptest.NewRequest(http.MethodPost, "/cb?"+query, strings.NewReader(string(body)))
	rec := httptest.NewRecorder()
	srv.Handle(rec, req, func(ctx context.Context, m *wechat.OAMsg) wechat.OAReply {
		ran.Store(true)
		return echoHandler(ctx, m)
	})
	return rec, ran.Load()
}

// With an EncodingAESKey configured (compatible or safe mode) WeChat always sends
// encrypt_type=aes and msg_signature: a plaintext push is a captured signed URL stripped of
// them, carrying a body nobody signed.
func TestOAServerRefusesPlaintextWhenAESConfigured(t *testing.T) {
	srv, app := newOAServer(t)
	forged := textPush("victim-openid", "评价 12 不满意 伪造的理由", 4242)

	// Captured: a genuine safe-mode push; the attacker keeps timestamp, nonce and signature.
	q, _ := wechattest.SignQuery(app.OAToken, textPush("victim-openid", "帮助", 4241), true, app.OAAESKey, app.OAAppID)
	q.Del("msg_signature")
	q.Del("encrypt_type")
	rec, ran := countingDo(srv, q.Encode(), forged)
	if rec.Code != http.StatusForbidden || ran {
		t.Fatalf("downgraded push: %d, handled %v", rec.Code, ran)
	}
	// encrypt_type dropped but msg_signature kept: still refused.
	q, _ = wechattest.SignQuery(app.OAToken, forged, true, app.OAAESKey, app.OAAppID)
	q.Del("encrypt_type")
	if rec, ran := countingDo(srv, q.Encode(), forged); rec.Code != http.StatusForbidden || ran {
		t.Fatalf("encrypt_type dropped: %d, handled %v", rec.Code, ran)
	}
	// Compatible mode as WeChat really sends it (encrypt_type=aes, msg_signature, plain
	// fields beside Encrypt) is answered.
	q, b := wechattest.SignQuery(app.OAToken, forged, true, app.OAAESKey, app.OAAppID)
	compat := strings.Replace(string(b), "<xml>", "<xml><FromUserName><![CDATA[victim-openid]]></FromUserName><MsgType><![CDATA[text]]></MsgType>", 1)
	if rec, ran := countingDo(srv, q.Encode(), []byte(compat)); rec.Code != http.StatusOK || !ran {
		t.Fatalf("compatible mode: %d, handled %v", rec.Code, ran)
	}
}

// A signed query may come again only with its body (WeChat's retry); in plain mode the
// signature does not cover the body, so the replay store is what binds them.
func TestOAServerReplay(t *testing.T) {
	app := wechattest.Start().NewApp(t)
	srv := newPlainOAServer(t, app)
	srv.SetReplayStore(jredis.NewOAReplay(redistest.New(t)))
	body := textPush("openid-1", "帮助", 9001)
	q, b := wechattest.SignQuery(app.OAToken, body, false, "", "")
	for i := range 2 { // the push and WeChat's retry reach the handler (its dedupe answers)
		if rec, ran := countingDo(srv, q.Encode(), b); rec.Code != http.StatusOK || !ran {
			t.Fatalf("attempt %d: %d, handled %v", i, rec.Code, ran)
		}
	}
	forged := textPush("victim-openid", "评价 12 不满意 伪造", 9002)
	if rec, ran := countingDo(srv, q.Encode(), forged); rec.Code != http.StatusForbidden || ran {
		t.Fatalf("replay with another body: %d, handled %v", rec.Code, ran)
	}

	// Safe mode too: the replay key covers msg_signature.
	aesSrv, app2 := newOAServer(t)
	aesSrv.SetReplayStore(jredis.NewOAReplay(redistest.New(t)))
	q, b = wechattest.SignQuery(app2.OAToken, body, true, app2.OAAESKey, app2.OAAppID)
	for range 2 {
		if rec, ran := countingDo(aesSrv, q.Encode(), b); rec.Code != http.StatusOK || !ran {
			t.Fatalf("aes retry: %d, handled %v", rec.Code, ran)
		}
	}
}
