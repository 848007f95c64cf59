package main

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"jianyi/bot"
	"jianyi/internal/account"
	"jianyi/internal/activity"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/nudge"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/storage/objects"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// mountBot adds the official-account message server (bot/) to r at bot.Path. Without an
// official account (WECHAT_OA_APPID unset, and no dev fake) there is nothing to mount.
func mountBot(r *gin.Engine, d *deps) error {
	wcfg := wechat.Config{OAAppID: d.cfg.WechatOAAppID, OAToken: d.cfg.WechatOAToken, OAAESKey: d.cfg.WechatOAAESKey}
	if d.wechatFake != nil && d.wechatFake.DevApp() != nil {
		wcfg = d.wechatFake.DevApp().Config()
	}
	if wcfg.OAAppID == "" || d.wechat == nil {
		d.log.Info("official-account bot not mounted: no official account configured")
		return nil
	}
	srv, err := wechat.NewOAServer(wcfg, d.log)
	if err != nil {
		return err
	}
	// A signed callback URL may be reused only with its own body (WeChat's retry).
	srv.SetReplayStore(jredis.NewOAReplay(d.rdb))
	accounts := account.NewService(postgres.NewAccountStore(d.pool), nil)
	mediaStore := postgres.NewMediaStore(d.pool)
	// A 随手拍's photos are fetched and stored by the worker (wire_worker.go), from the queue.
	queue := jredis.NewQueue(d.rdb)
	// 参加/不参加 in the chat: the organiser is told as from the mini-program.
	activities := activity.NewService(postgres.NewActivityStore(d.pool), nil).
		WithNotices(notify.NewPublisher(postgres.NewNotifyStore(d.pool), queue, nil, d.log), d.log)
	b, err := bot.New(bot.Deps{
		Accounts:    accounts,
		Suggestions: suggestion.NewService(postgres.NewSuggestionStore(d.pool), nil),
		Nudges:      nudge.NewService(postgres.NewNudgeStore(d.pool), nil),
		Store:       postgres.NewBotStore(d.pool),
		State:       jredis.NewBotState(d.rdb),
		WeChat:      d.wechat,
		Photos:      d.withDecoding(media.NewService(mediaStore, objects.MediaAdapter{S: d.objects}, nil, nil, d.log)),
		Queue:       queue,
		Answers:     mediaStore,                                            // one photo answer per snap
		Deliveries:  notify.NewDeliveries(postgres.NewNotifyStore(d.pool)), // TEMPLATESENDJOBFINISH reports
		UnionIDs:    d.wechat,                                              // user/info: links followers whose unionid the mini-program knows
		Activities:  activities,
		Log:         d.log,
	})
	if err != nil {
		_ = queue.Close()
		return fmt.Errorf("bot: %w", err)
	}
	// In-process jobs (the photo fetch when the queue refused it) are bounded by their own
	// timeout; Close cancels and waits for them at shutdown, before the pools close.
	d.onStop = append(d.onStop, func() { _ = queue.Close() }, b.Close)
	bot.Mount(r, b, srv, accounts)
	d.log.Info("official-account bot mounted", "path", bot.Path)
	return nil
}
