package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/internal/wechat"
)

// SnapQueue queues the photo task of a 随手拍 for the worker (storage/redis.Queue). The
// task id is derived from tenant and snap, so queueing a snap twice is a no-op.
type SnapQueue interface {
	EnqueueSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, mediaIDs []string) error
}

// SnapAnswers keeps the answer to a snap's photos single however often its task runs
// (storage/postgres.MediaStore, a mark on the snap).
type SnapAnswers interface {
	// ClaimSnapAnswer sets the mark and returns the deputy's official-account openid, read
	// from the database now ("" when no longer linked); claimed=false when it was set already.
	ClaimSnapAnswer(ctx context.Context, tenantID, snapID int64) (openid string, claimed bool, err error)
	// ReleaseSnapAnswer clears the mark after a send that failed and will be tried again.
	ReleaseSnapAnswer(ctx context.Context, tenantID, snapID int64) error
}

// SnapPhotosDeps are the collaborators of SnapPhotos.
type SnapPhotosDeps struct {
	WeChat  WeChat
	Photos  Photos
	Answers SnapAnswers
	Log     *slog.Logger
}

// SnapPhotos is the slow half of a 随手拍 sent to the official account: it fetches the
// photos from WeChat, stores them for the snap through the photo intake and tells the deputy
// by customer-service message how many were stored. The worker runs it from the queue
// (internal/worker), where a run may be repeated: a photo already stored from the same
// WeChat media id is neither fetched nor stored again, and the answer goes out once.
type SnapPhotos struct {
	wx      WeChat
	photos  Photos
	answers SnapAnswers
	log     *slog.Logger
}

// NewSnapPhotos builds the job.
func NewSnapPhotos(d SnapPhotosDeps) (*SnapPhotos, error) {
	if d.WeChat == nil || d.Photos == nil || d.Answers == nil {
		return nil, errors.New("bot: snap photos need wechat, photos and answers")
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SnapPhotos{wx: d.WeChat, photos: d.Photos, answers: d.Answers, log: log.With("component", "bot_snap_photos")}, nil
}

// FetchSnapPhotos runs the task of one snap (worker.SnapPhotos). A photo WeChat or the
// store could not give or take this time makes it return an error, after the other photos
// were stored, so that the worker retries with its backoff; a media id WeChat no longer has,
// or a file the intake refuses, is skipped for good. On the last attempt it settles for what
// it has and answers.
func (j *SnapPhotos) FetchSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, mediaIDs []string, lastAttempt bool) error {
	return j.run(ctx, j.answers, tenantID, snapID, deputyID, mediaIDs, lastAttempt)
}

func (j *SnapPhotos) run(ctx context.Context, answers SnapAnswers, tenantID, snapID, deputyID int64, mediaIDs []string, lastAttempt bool) error {
	target := media.Target{Kind: media.KindSnap, ID: snapID}
	stored, err := j.photos.SourceMediaIDs(ctx, tenantID, target)
	if err != nil {
		return fmt.Errorf("snap %d photos: %w", snapID, err)
	}
	saved, pending := 0, 0
	var retry error
	seen := map[string]bool{}
	for _, id := range mediaIDs {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if stored[id] {
			saved++
			continue
		}
		err := j.savePhoto(ctx, tenantID, snapID, deputyID, id)
		switch {
		case err == nil:
			saved++
		case !transient(err):
			j.log.Warn("snap photo skipped", "tenant_id", tenantID, "snap_id", snapID, "err", err)
		default:
			pending++
			retry = err
		}
	}
	if retry != nil {
		if !lastAttempt {
			return fmt.Errorf("snap %d photos: %d not stored yet: %w", snapID, pending, retry)
		}
		j.log.Error("snap photos given up", "tenant_id", tenantID, "snap_id", snapID, "count", pending, "err", retry)
	}
	return j.answer(ctx, answers, tenantID, snapID, saved, lastAttempt)
}

// savePhoto fetches a media from WeChat and hands it to the media intake for the snap
// (stored under tenant/<tenant>/snaps/<snap>/<uuid>.jpg with a thumbnail, with its media
// id). The official account's openid is not a mini-program openid, so no WeChat image check
// is submitted here (the attachment stays "pending" for the console's review).
func (j *SnapPhotos) savePhoto(ctx context.Context, tenantID, snapID, deputyID int64, mediaID string) error {
	body, _, err := j.wx.GetMedia(ctx, mediaID)
	if err != nil {
		return fmt.Errorf("fetch media: %w", err)
	}
	defer body.Close()
	if _, err := j.photos.UploadSourced(ctx, auth.Deputy(tenantID, deputyID), "", media.Target{Kind: media.KindSnap, ID: snapID}, mediaID, body); err != nil {
		return fmt.Errorf("photo intake: %w", err)
	}
	return nil
}

// answer tells the deputy how many photos were stored, once: the mark is set before the
// send and taken back only when the send failed in a way worth retrying.
func (j *SnapPhotos) answer(ctx context.Context, answers SnapAnswers, tenantID, snapID int64, saved int, lastAttempt bool) error {
	openid, claimed, err := answers.ClaimSnapAnswer(ctx, tenantID, snapID)
	if err != nil {
		return fmt.Errorf("snap %d answer: %w", snapID, err)
	}
	if !claimed {
		return nil // answered by an earlier run
	}
	if openid == "" {
		j.log.Info("snap answer not sent: deputy no longer linked", "tenant_id", tenantID, "snap_id", snapID)
		return nil
	}
	text := fmt.Sprintf(textSnapDone, saved)
	if saved == 0 {
		text = textSnapFailed
	}
	err = j.wx.SendCustomText(ctx, openid, text)
	if err == nil {
		return nil
	}
	if transient(err) && !lastAttempt {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := answers.ReleaseSnapAnswer(rctx, tenantID, snapID); rerr != nil {
			// The mark stays: the answer is lost rather than risked twice.
			j.log.Warn("snap answer not sent", "tenant_id", tenantID, "snap_id", snapID, "err", errors.Join(err, rerr))
			return nil
		}
		return fmt.Errorf("snap %d answer: %w", snapID, err)
	}
	// Out of the 48-hour window, unfollowed, or the last attempt: no retry helps.
	j.log.Warn("snap answer not sent", "tenant_id", tenantID, "snap_id", snapID, "err", err)
	return nil
}

// transient reports whether a failure of a photo or of the answer may pass if tried again
// later: WeChat or the object store unreachable, a download cut short, a quota or token
// hiccup, a timeout, a database error. A media id WeChat no longer has (40007: temporary
// media live 3 days), another refusal by WeChat (the deputy unfollowed, the 48-hour window
// closed) and a refusal of the photo intake (not a photo, too large, the snap gone or already
// a draft) are not.
func transient(err error) bool {
	var re *apperr.Error
	if errors.As(err, &re) {
		return errors.Is(err, media.ErrUnavailable) || errors.Is(err, media.ErrIncomplete)
	}
	var we *wechat.Error
	if errors.As(err, &we) {
		return errors.Is(err, wechat.ErrUnavailable) || errors.Is(err, wechat.ErrQuota) || wechat.IsTokenError(we.Code) ||
			errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
	}
	return true
}

// knownOpenID answers the sender of the message to the in-process job, which runs once.
type knownOpenID string

func (k knownOpenID) ClaimSnapAnswer(context.Context, int64, int64) (string, bool, error) {
	return string(k), true, nil
}

func (knownOpenID) ReleaseSnapAnswer(context.Context, int64, int64) error { return nil }
