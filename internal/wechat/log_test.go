package wechat_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"jianyi/internal/logtest"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
)

type syncBuf = logtest.Buffer

// failingDeletes is a token cache whose Delete fails, to exercise that log line too.
type failingDeletes struct{ *wechattest.MemoryCache }

func (f failingDeletes) Delete(context.Context, string) error { return errors.New("cache down") }

func TestNoPersonalDataInLogs(t *testing.T) {
	t.Parallel()
	app := wechattest.Start().NewApp(t)
	var buf syncBuf
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cache := wechattest.NewMemoryCache()
	c, err := wechat.New(app.Config(), failingDeletes{cache}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	app.AddLogin("LOGINCODE", "OPENID-SECRET", "UNIONID-SECRET")
	app.FailNext(wechattest.APICode2Session, 40001, 1)
	app.FailNext(wechattest.APIMsgSecCheck, 42001, 2)
	app.FailNext(wechattest.APISubscribeSend, 40014, 1)
	_, _ = c.Code2Session(ctx, "LOGINCODE")
	_, _, _ = c.MsgCheck(ctx, "OPENID-SECRET", "BODY-SECRET", wechat.SceneForum)
	_ = c.SendSubscribe(ctx, wechat.SubscribeMessage{ToUser: "OPENID-SECRET", TemplateID: "t", Data: map[string]string{"thing1": "BODY"}})
	_ = c.SendCustomText(ctx, "OPENID-SECRET", "BODY-SECRET")
	app.SetUnreachable(true)
	_, _ = c.PhoneNumber(ctx, "PHONECODE")
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	_, _ = c.MediaCheckAsync(short, "https://x/p.jpg", "OPENID-SECRET", wechat.SceneForum)

	out := buf.String()
	if !strings.Contains(out, "retrying") {
		t.Fatalf("expected retry logs, got %q", out)
	}
	leaks := []string{"LOGINCODE", "OPENID-SECRET", "UNIONID-SECRET", "BODY", "PHONECODE", app.MiniSecret, app.OASecret, "FAKE_"}
	for _, s := range leaks {
		if strings.Contains(out, s) {
			t.Errorf("log contains %q:\n%s", s, out)
		}
	}
}
