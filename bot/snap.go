package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"jianyi/internal/auth"
	"jianyi/internal/media"
)

// The 随手拍 flow: a photo (or several), then a location, then a few words. The snap row is
// written when the words arrive; the photos are fetched from WeChat, stored and attached after
// the answer, and the deputy is told by customer-service message.

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
	t.clearConv(ctx)
	t.outcome = "snap_created"
	tenantID, deputyID, openid, media := t.tenantID, t.actor.ID, t.m.FromUser, c.Media
	b := t.b
	b.goAsync(func(ctx context.Context) {
		saved := 0
		for _, id := range media {
			if err := b.savePhoto(ctx, tenantID, snapID, deputyID, id); err != nil {
				b.log.Error("snap photo not saved", "tenant_id", tenantID, "snap_id", snapID, "err", err)
				continue
			}
			saved++
		}
		text := fmt.Sprintf(textSnapDone, saved)
		if saved == 0 {
			text = textSnapFailed
		}
		if err := b.d.WeChat.SendCustomText(ctx, openid, text); err != nil {
			b.log.Warn("snap answer not sent", "tenant_id", tenantID, "snap_id", snapID, "err", err)
		}
	})
	return textSnapSaved
}

// savePhoto fetches a media from WeChat and hands it to the media intake for the snap
// (stored under tenant/<tenant>/snaps/<snap>/<uuid>.jpg with a thumbnail). The official
// account's openid is not a mini-program openid, so no WeChat image check is submitted here
// (the attachment stays "pending" for the console's review).
func (b *Bot) savePhoto(ctx context.Context, tenantID, snapID, deputyID int64, mediaID string) error {
	body, _, err := b.d.WeChat.GetMedia(ctx, mediaID)
	if err != nil {
		return fmt.Errorf("fetch media: %w", err)
	}
	defer body.Close()
	if _, err := b.d.Photos.Upload(ctx, auth.Deputy(tenantID, deputyID), "", media.Target{Kind: media.KindSnap, ID: snapID}, body); err != nil {
		return fmt.Errorf("photo intake: %w", err)
	}
	return nil
}
