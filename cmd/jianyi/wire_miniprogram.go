package main

import (
	"errors"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/activity"
	"jianyi/internal/directory"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	mpapi "jianyi/miniprogram-api"
	"jianyi/storage/objects"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// mountMiniprogram adds the deputies' mini-program API (miniprogram-api/) to r.
func mountMiniprogram(r *gin.Engine, d *deps) error {
	if d.pool == nil || d.rdb == nil || d.objects == nil {
		return errors.New("mini-program API needs PostgreSQL, Redis and the object store")
	}
	if d.wechat == nil {
		if err := d.openWechat(); err != nil {
			return err
		}
	}
	api, err := newMiniprogramAPI(d)
	if err != nil {
		return err
	}
	if err := api.Mount(r); err != nil {
		return err
	}
	// 代表参与活动: a deputy's answer tells the organiser (in-app at once, the push through
	// the queue).
	q := jredis.NewQueue(d.rdb)
	d.onStop = append(d.onStop, func() { _ = q.Close() })
	pub := notify.NewPublisher(postgres.NewNotifyStore(d.pool), q, nil, d.log)
	api.MountActivities(r, activity.NewService(postgres.NewActivityStore(d.pool), nil).WithNotices(pub, d.log))
	return nil
}

// newMiniprogramAPI builds the API and its services from the shared clients.
func newMiniprogramAPI(d *deps) (*mpapi.API, error) {
	sstore := postgres.NewSuggestionStore(d.pool)
	sugg := suggestion.NewService(sstore, nil)
	mstore := postgres.NewMediaStore(d.pool)
	notifyStore := postgres.NewNotifyStore(d.pool)
	deps := mpapi.Deps{
		Suggestions: sugg,
		Accounts:    account.NewService(postgres.NewAccountStore(d.pool), nil),
		Sessions:    account.NewSessions(jredis.NewMPSessions(d.rdb), nil),
		Media:       d.withDecoding(media.NewService(mstore, objects.MediaAdapter{S: d.objects}, d.wechat, nil, d.log)),
		Snaps:       media.NewSnaps(mstore, mpapi.DraftMaker(sugg), nil),
		WeChat:      d.wechat,
		Idempotency: postgres.NewMPIdempotency(d.pool),
		Limiter:     jredis.NewMPLimiter(d.rdb),
		Inbox:       notify.NewInbox(notifyStore, nil),
		Credits:     notify.NewCredits(notifyStore),
		Documents:   objects.MediaAdapter{S: d.objects}, // the console's signed reply letters
		Deputies:    directory.NewService(postgres.NewDirectoryStore(d.pool)),
		Log:         d.log,
	}
	if tok := d.cfg.WechatMPPushToken; tok != "" {
		appID := d.cfg.WechatMPAppID
		if d.wechatFake != nil && d.wechatFake.DevApp() != nil {
			appID = d.wechatFake.DevApp().MiniAppID
		}
		deps.Push = &wechat.MPPush{Token: tok, AESKey: d.cfg.WechatMPPushAESKey, AppID: appID, Replay: jredis.NewOAReplay(d.rdb)}
	}
	return mpapi.New(deps)
}
