package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The 随手拍 flow: a photo (or several), then a location, then a few words. The snap row is
// written when the words arrive; the photos are fetched from WeChat, stored and attached after
// the answer, by a queued task the worker runs (SnapPhotos), and the deputy is told by
// customer-service message.

func (t *turn) onImage(ctx context.Context) string {
	t.command = "snap"
	if t.m.MediaID == "" {
		return textSnapHowTo
	}
	c := t.loadConv(ctx)
	if c == nil || c.Kind != "snap" {
		c = &conv{Kind: "snap", Step: "location"}
	}
	if len(c.Media) >= maxPhotos {
		return fmt.Sprintf("每条随手拍最多%d张照片。", maxPhotos)
	}
	c.Media = append(c.Media, t.m.MediaID)
	if err := t.saveConv(ctx, c); err != nil {
		return t.errText(err)
	}
	if c.Step == "words" {
		return fmt.Sprintf("已收到第%d张照片。请用几句话描述问题（一条消息），回复“取消”可放弃。", len(c.Media))
	}
	return textSnapPhoto
}

func (t *turn) onLocation(ctx context.Context) string {
	t.command = "snap"
	c := t.loadConv(ctx)
	if c == nil || c.Kind != "snap" {
		return textSnapNeedPh
	}
	lat, lng := t.m.LocationX, t.m.LocationY
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return "位置坐标不正确，请重新发送位置。"
	}
	c.Lat, c.Lng = &lat, &lng
	c.Address = short(strings.TrimSpace(t.m.Label), 200)
	c.Step = "words"
	if err := t.saveConv(ctx, c); err != nil {
		return t.errText(err)
	}
	where := ""
	if c.Address != "" {
		where = "（" + c.Address + "）"
	}
	return fmt.Sprintf(textSnapWords, where)
}

func (t *turn) finishSnap(ctx context.Context, c *conv) string {
	t.command = "snap"
	note := strings.TrimSpace(t.m.Content)
	if utf8.RuneCountInString(note) > maxNoteRunes {
		note = string([]rune(note)[:maxNoteRunes])
	}
	if note == "" {
		return fmt.Sprintf(textSnapWords, "")
	}
	snapID, err := t.b.d.Store.CreateSnap(ctx, t.tenantID, t.actor.ID, note, c.Lat, c.Lng, c.Address)
	if err != nil {
		return t.errText(err)
	}
	// The snap is stored: ending the conversation and queueing its photos must not end with
	// the push's context (WeChat gives up after 5 s). A conversation left at "words" would
	// make the deputy's next message a second snap with the same photos.
	after, cancel := context.WithTimeout(context.WithoutCancel(ctx), afterSnapWithin)
	defer cancel()
	t.clearConv(after)
	t.outcome = "snap_created"
	t.b.fetchSnapPhotos(after, t.tenantID, snapID, t.actor.ID, t.m.FromUser, c.Media)
	return textSnapSaved
}

// afterSnapWithin bounds what follows a stored snap (Redis calls) once it no longer
// follows the push's context.
const afterSnapWithin = 2 * time.Second

// fetchSnapPhotos hands the snap's photos to the worker's queue, or, without a queue or
// when queueing fails, to a job in this process after the answer.
func (b *Bot) fetchSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, openid string, mediaIDs []string) {
	if b.d.Queue != nil {
		err := b.d.Queue.EnqueueSnapPhotos(ctx, tenantID, snapID, deputyID, mediaIDs)
		if err == nil {
			return
		}
		b.log.Warn("snap photos not queued, fetching in process", "tenant_id", tenantID, "snap_id", snapID, "err", err)
	}
	var answers SnapAnswers = knownOpenID(openid)
	if b.d.Answers != nil {
		answers = b.d.Answers
	}
	b.goAsync(func(ctx context.Context) {
		// One attempt, no retry: what could not be stored now is counted out of the answer.
		if err := b.snaps.run(ctx, answers, tenantID, snapID, deputyID, mediaIDs, true); err != nil {
			b.log.Error("snap photos not saved", "tenant_id", tenantID, "snap_id", snapID, "err", err)
		}
	})
}
