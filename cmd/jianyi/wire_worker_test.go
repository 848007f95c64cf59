package main

import (
	"context"
	"strings"
	"testing"

	"jianyi/internal/config"
	"jianyi/internal/notify"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// TestWorkerSenderLinksStaffToConsole: the worker's sender carries JIANYI_CONSOLE_URL, so a
// staff template message opens the case's console page.
func TestWorkerSenderLinksStaffToConsole(t *testing.T) {
	app := wechattest.Start().NewApp(t)
	wx, err := wechat.New(app.Config(), jredis.NewTokenCache(redistest.New(t), jredis.GlobalKey("wxtoken", app.MiniAppID)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadFrom(map[string]string{"JIANYI_CONSOLE_URL": "https://jianyi.example.gov.cn/", "WECHAT_MP_APPID": app.MiniAppID})
	if err != nil {
		t.Fatal(err)
	}
	s := newSender(&deps{cfg: cfg, wechat: wx})
	if _, err := s.Send(context.Background(), notify.Message{Channel: notify.ChannelOAStaff, OpenID: "oa-staff", TemplateID: "TPL_oa_staff",
		Page: "/suggestions/12?nid=34", Title: "新建议待审查", Body: "请审查。",
		Fields: map[string]string{notify.FieldThing: "关于民政路的建议", notify.FieldPhrase: "待审查", notify.FieldTime: "2026-03-23 10:00"}}); err != nil {
		t.Fatal(err)
	}
	calls := app.Calls(wechattest.APITemplateSend)
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"url":"https://jianyi.example.gov.cn/suggestions/12?nid=34"`) {
		t.Fatalf("staff template message without the console link: %d calls %s", len(calls), calls)
	}
}
