// Package media is photo intake for 随手拍 and suggestions: type sniffed from the bytes,
// size and pixel limits checked before decoding, GPS read from EXIF and kept privately,
// every copy shown re-encoded (which strips EXIF), uploads streamed through a size-limited
// temp file to object storage, and WeChat's asynchronous image check applied when it reports.
package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"jianyi/internal/auth"
)

// Target is what a photo belongs to.
type Target struct {
	Kind string // "suggestion" or "snap"
	ID   int64
}

// Target kinds.
const (
	KindSuggestion = "suggestion"
	KindSnap       = "snap"
)

// Attachment is one stored photo.
type Attachment struct {
	TenantID     int64
	ID           int64
	Target       Target
	OwnerDeputy  int64
	ObjectKey    string // re-encoded full-size copy (no EXIF)
	ThumbKey     string
	ContentType  string
	SourceType   string // sniffed type of what the phone sent
	SizeBytes    int64
	Width        int
	Height       int
	GPS          *GPS // private: never in a response
	CheckTraceID string
	CheckStatus  string // pending, pass, review, risky, unchecked
	Hidden       bool
	CreatedAt    time.Time

	// SourceMediaID is the WeChat media id a photo fetched from the official account came
	// from ("" for uploads): a snap keeps one photo per media id (UploadSourced).
	SourceMediaID string
}

// Photo is an attachment as shown: short-lived URLs of the re-encoded copies.
type Photo struct {
	ID          int64
	URL         string
	ThumbURL    string
	Width       int
	Height      int
	CheckStatus string
}

// Upload is a presigned POST handed to the phone.
type Upload struct {
	TenantID     int64
	Key          string
	DeputyID     int64
	Target       Target
	ExpiresAt    time.Time
	AttachmentID int64
}

// Policy is what wx.uploadFile needs: POST the file to URL with Fields (and the file last,
// in the form field "file"), then call the completion endpoint with Key.
type Policy struct {
	URL       string
	Fields    map[string]string
	Key       string
	ExpiresAt time.Time
	MaxBytes  int64
}

// Store is the persistence media needs.
type Store interface {
	// TargetOwner returns the deputy who owns the target and whether photos may be added.
	// ErrNotFound when it does not exist in the tenant.
	TargetOwner(ctx context.Context, tenantID int64, t Target) (owner int64, editable bool, err error)
	CountAttachments(ctx context.Context, tenantID int64, t Target) (int, error)
	// InsertAttachment records a photo if its target still takes it, deciding that
	// atomically with the insert (whatever was read before, the photo may have been decoded
	// while the deputy submitted the suggestion or other uploads filled it): ErrNotFound when
	// the target is gone, ErrTargetClosed when it is no longer editable, ErrTargetFull when
	// it holds MaxPhotos photos, ErrSourceStored when it has a photo from a.SourceMediaID
	// already. Of concurrent inserts on one target, each sees the ones before it.
	InsertAttachment(ctx context.Context, a *Attachment) error
	// SetCheck records the image check's state; a "pending" one was submitted at at (one
	// more submission of the photo's check).
	SetCheck(ctx context.Context, tenantID, id int64, traceID, status string, at time.Time) error
	// RetryCheck puts the photo still waiting for the check traceID back to "unchecked"
	// (any tenant: the push carries none), for Recheck to submit again.
	RetryCheck(ctx context.Context, traceID string) (found bool, err error)
	// ApplyCheck records a check result by trace id (any tenant: the push carries none);
	// risky hides the photo, risky and review flag it for staff, and pass clears both (the
	// latest result decides). found=false for an unknown trace.
	ApplyCheck(ctx context.Context, traceID, suggest string, label int, at time.Time) (found bool, err error)
	Attachments(ctx context.Context, tenantID int64, t Target) ([]Attachment, error)
	// Unchecked lists photos whose image check was never submitted (WeChat was down), and
	// those still pending whose check was last submitted before sentBefore and fewer than
	// attempts times (a result that never arrived), with the owner's mini-program openid,
	// oldest first.
	Unchecked(ctx context.Context, limit int, sentBefore time.Time, attempts int) ([]Unchecked, error)
	InsertUpload(ctx context.Context, u Upload) error
	Upload(ctx context.Context, tenantID int64, key string) (Upload, error) // ErrNotFound
	CompleteUpload(ctx context.Context, tenantID int64, key string, attachmentID int64) error
	// FlaggedPhotos lists the tenant's photos flagged by the image check that staff may see
	// (on a suggestion past its draft), by id after the cursor.
	FlaggedPhotos(ctx context.Context, tenantID, after int64, limit int) ([]FlaggedPhoto, error)
	// FlaggedPhoto reads one of them; ErrNotFound when it is not (or no longer) among them.
	FlaggedPhoto(ctx context.Context, tenantID, id int64) (*FlaggedPhoto, error)
	// DecidePhoto records a reviewer's decision on a flagged photo and its timeline line, in
	// one transaction: the flag is cleared, hidden set by the decision, and the check's trace
	// id retired so that no later push undoes it. ErrNotFound when staff may not see the
	// photo; ErrConflict when it is no longer flagged (decided by someone else).
	DecidePhoto(ctx context.Context, d PhotoDecision) (*FlaggedPhoto, error)
}

// ObjectStore is the private bucket (storage/objects implements it through an adapter).
type ObjectStore interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error) // ErrObjectMissing
	Stat(ctx context.Context, key string) (size int64, err error)      // ErrObjectMissing
	Remove(ctx context.Context, key string) error
	PresignedGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	PresignedPost(ctx context.Context, key string, maxBytes int64, contentTypePrefix string, ttl time.Duration) (string, map[string]string, error)
}

// Checker submits a photo to WeChat's asynchronous image check and returns the trace id.
type Checker interface {
	MediaCheckAsync(ctx context.Context, mediaURL, openid string, scene int) (string, error)
}

// Sizes of the copies shown.
const (
	DisplaySide = 2048
	ThumbSide   = 480
	MaxPhotos   = 9
	PolicyTTL   = 15 * time.Minute
	// CheckURLTTL: WeChat fetches the image later; it needs more than 30 minutes.
	CheckURLTTL = 2 * time.Hour
	// CheckWait is how long a submitted image check waits for its result (WeChat pushes it
	// within 30 minutes) before Recheck submits it again, at most CheckAttempts times in all:
	// a push lost while this service was down must not leave the photo pending for ever, and
	// a check that never answers must not be sent for ever.
	CheckWait     = time.Hour
	CheckAttempts = 3
	ViewURLTTL    = 15 * time.Minute
	checkScene    = 4 // social log
	// IncomingPrefix is where presigned uploads land, for every tenant under one prefix: the
	// bucket's lifecycle rule on it (storage/objects.IncomingPrefix) expires what is never
	// completed. (It starts "tenant/" because the completion endpoint accepts only such keys.)
	IncomingPrefix = "tenant/incoming/"
)

// Service is photo intake.
type Service struct {
	store   Store
	objects ObjectStore
	checker Checker // nil: no content check (dev without WeChat)
	now     func() time.Time
	log     *slog.Logger
	TempDir string // "" = os.TempDir()
	// Decoding bounds the memory of the photos this service decodes at once; nil shares the
	// process-wide limiter of DefaultDecodeBudget with every other Service left without one.
	Decoding *DecodeLimiter

	// decoded, when set (by tests), runs once a photo's copies are made, while its share of
	// the decoding budget is still held.
	decoded func()
}

// NewService builds the service.
func NewService(store Store, objects ObjectStore, checker Checker, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, objects: objects, checker: checker, now: now, log: log.With("component", "media")}
}

func (s *Service) authorize(ctx context.Context, a auth.Actor, t Target) error {
	if !a.IsDeputy() || (t.Kind != KindSuggestion && t.Kind != KindSnap) || t.ID <= 0 {
		return ErrTargetNotFound
	}
	owner, editable, err := s.store.TargetOwner(ctx, a.TenantID, t)
	if errors.Is(err, ErrNotFound) || (err == nil && owner != a.ID) {
		return ErrTargetNotFound
	}
	if err != nil {
		return fmt.Errorf("photo target: %w", err)
	}
	if !editable {
		return notEditable(t)
	}
	n, err := s.store.CountAttachments(ctx, a.TenantID, t)
	if err != nil {
		return fmt.Errorf("count photos: %w", err)
	}
	if n >= MaxPhotos {
		return ErrTooManyPhotos
	}
	return nil
}

// Upload stores a photo sent through the API. r is read once into a temp file capped at
// MaxBytes (never whole in memory); then the header is checked, the copies are made and
// streamed to the bucket, and the attachment is recorded. On any refusal nothing is kept.
func (s *Service) Upload(ctx context.Context, a auth.Actor, openid string, t Target, r io.Reader) (*Attachment, error) {
	if err := s.authorize(ctx, a, t); err != nil {
		return nil, err
	}
	f, size, err := s.spool(r)
	if err != nil {
		return nil, err
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	return s.ingest(ctx, a, openid, t, "", f, size)
}

// SourceMediaIDs returns the source media ids of the target's photos (see UploadSourced),
// so that a job fetching photos from WeChat fetches only those it has not stored yet.
func (s *Service) SourceMediaIDs(ctx context.Context, tenantID int64, t Target) (map[string]bool, error) {
	atts, err := s.store.Attachments(ctx, tenantID, t)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	out := map[string]bool{}
	for _, at := range atts {
		if at.SourceMediaID != "" {
			out[at.SourceMediaID] = true
		}
	}
	return out, nil
}

// UploadSourced is Upload for a photo fetched from WeChat under its media id (the official
// account's 随手拍). A snap keeps one photo per media id, so a job that runs again stores
// nothing twice: when the photo is there already (stored before, or by a concurrent run that
// won the race) its attachment is returned and r is not read, or what was read is dropped.
func (s *Service) UploadSourced(ctx context.Context, a auth.Actor, openid string, t Target, mediaID string, r io.Reader) (*Attachment, error) {
	if mediaID == "" {
		return s.Upload(ctx, a, openid, t, r)
	}
	if at, err := s.bySource(ctx, a.TenantID, t, mediaID); at != nil || err != nil {
		return at, err
	}
	if err := s.authorize(ctx, a, t); err != nil {
		return nil, err
	}
	f, size, err := s.spool(r)
	if err != nil {
		return nil, err
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	at, err := s.ingest(ctx, a, openid, t, mediaID, f, size)
	if errors.Is(err, ErrSourceStored) {
		// A concurrent run stored it first (this copy's objects were removed by ingest).
		if at, lerr := s.bySource(ctx, a.TenantID, t, mediaID); at != nil || lerr != nil {
			return at, lerr
		}
	}
	return at, err
}

// bySource finds the target's photo from mediaID; nil when there is none.
func (s *Service) bySource(ctx context.Context, tenantID int64, t Target, mediaID string) (*Attachment, error) {
	atts, err := s.store.Attachments(ctx, tenantID, t)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	for i := range atts {
		if atts[i].SourceMediaID == mediaID {
			return &atts[i], nil
		}
	}
	return nil, nil
}

// spool copies r into a temp file, refusing more than MaxBytes.
func (s *Service) spool(r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(s.TempDir, "jianyi-upload-*")
	if err != nil {
		return nil, 0, fmt.Errorf("spool upload: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, MaxBytes+1))
	if err == nil && n > MaxBytes {
		err = ErrFileTooLarge
	}
	if err == nil && n == 0 {
		err = ErrUploadMissing
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		var me *Error
		if errors.As(err, &me) {
			return nil, 0, err
		}
		return nil, 0, ErrIncomplete
	}
	return f, n, nil
}

// ingest checks and stores a spooled photo; sourceMediaID is recorded with it ("" for uploads).
func (s *Service) ingest(ctx context.Context, a auth.Actor, openid string, t Target, sourceMediaID string, f *os.File, size int64) (*Attachment, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind upload: %w", err)
	}
	ct, w, h, err := CheckHeader(f)
	if err != nil {
		return nil, err
	}
	gps, hasGPS := ReadGPS(f, size, ct)
	orient := 1
	if ct == TypeJPEG {
		orient = jpegOrientation(f, size)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind upload: %w", err)
	}
	display, thumb, err := s.decode(ctx, f, w, h, orient)
	if err != nil {
		return nil, err
	}
	id := newID()
	base := objectBase(a.TenantID, t) + id
	att := &Attachment{TenantID: a.TenantID, Target: t, OwnerDeputy: a.ID, ObjectKey: base + ".jpg",
		ThumbKey: base + "-thumb.jpg", ContentType: TypeJPEG, SourceType: ct, SourceMediaID: sourceMediaID,
		CheckStatus: "pending", CreatedAt: s.now()}
	if hasGPS {
		att.GPS = &gps
	}
	att.Width, att.Height = display.Bounds().Dx(), display.Bounds().Dy()
	n, err := s.putJPEG(ctx, att.ObjectKey, display)
	if err != nil {
		return nil, err
	}
	att.SizeBytes = n
	if _, err := s.putJPEG(ctx, att.ThumbKey, thumb); err != nil {
		s.removeQuietly(att.ObjectKey)
		return nil, err
	}
	// The target was checked before the slow part; the insert checks it again, atomically,
	// so a photo decoded while the suggestion was submitted or other uploads filled it is
	// refused here, and its copies removed.
	if err := s.store.InsertAttachment(ctx, att); err != nil {
		s.removeQuietly(att.ObjectKey, att.ThumbKey)
		switch {
		case errors.Is(err, ErrTargetClosed):
			return nil, notEditable(t)
		case errors.Is(err, ErrTargetFull):
			return nil, ErrTooManyPhotos
		case errors.Is(err, ErrNotFound):
			return nil, ErrTargetNotFound
		}
		return nil, fmt.Errorf("record photo: %w", err)
	}
	// The photo is recorded "pending": its check must be submitted even when the phone hangs
	// up now, or it stays pending with no trace id for ever (Recheck takes only "unchecked").
	ctx, cancel := afterRecorded(ctx)
	defer cancel()
	s.check(ctx, att, openid)
	return att, nil
}

// decode makes the copies shown of the w×h photo in r once its decoded size fits in the
// decoding budget, waiting for that no longer than ctx lasts.
func (s *Service) decode(ctx context.Context, r io.Reader, w, h, orient int) (display, thumb image.Image, err error) {
	lim := s.Decoding
	if lim == nil {
		lim = processDecoding
	}
	release, err := lim.acquire(ctx, w, h)
	if err != nil {
		return nil, nil, fmt.Errorf("wait to decode photo: %w", err)
	}
	defer release()
	display, thumb, err = copies(r, orient)
	if err == nil && s.decoded != nil {
		s.decoded()
	}
	return display, thumb, err
}

// notEditable is the refusal of a photo for a target that no longer takes photos.
func notEditable(t Target) *Error {
	if t.Kind == KindSnap {
		return ErrSnapNotEditable
	}
	return ErrNotEditable
}

// followUpWithin bounds the work that follows a recorded photo once it no longer follows
// the request's context (submitting its check, linking its upload).
const followUpWithin = 15 * time.Second

// afterRecorded is the context for what must follow a photo once it is recorded: the
// request's values without its cancellation, so a phone dropping the connection (the
// weak-network case) does not cut the work in half.
func afterRecorded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), followUpWithin)
}

// putJPEG encodes img as JPEG (copies carry no EXIF) and puts it in the bucket with its size
// known. (Streamed with the size unknown, minio-go buffers a whole part of its largest size,
// over 500 MB, for every copy.) A display copy encodes to a few megabytes at most.
func (s *Service) putJPEG(ctx context.Context, key string, img image.Image) (int64, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return 0, fmt.Errorf("encode photo copy: %w", err)
	}
	n := int64(buf.Len())
	if err := s.objects.Put(ctx, key, &buf, n, TypeJPEG); err != nil {
		s.log.WarnContext(ctx, "object put failed", "error", err)
		return 0, ErrStoreDown
	}
	return n, nil
}

func (s *Service) removeQuietly(keys ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, k := range keys {
		if err := s.objects.Remove(ctx, k); err != nil {
			s.log.Warn("object cleanup failed", "error", err)
		}
	}
}

// check submits the display copy to WeChat's image check. A failure leaves the photo
// "unchecked" for a later retry (Recheck); the upload itself succeeds.
func (s *Service) check(ctx context.Context, att *Attachment, openid string) {
	if s.checker == nil || openid == "" {
		return
	}
	url, err := s.objects.PresignedGet(ctx, att.ObjectKey, CheckURLTTL)
	status, trace := "unchecked", ""
	if err == nil {
		trace, err = s.checker.MediaCheckAsync(ctx, url, openid, checkScene)
		if err == nil {
			status = "pending"
		}
	}
	if err != nil {
		s.log.WarnContext(ctx, "image check not submitted", "attachment_id", att.ID, "error", err)
	}
	att.CheckTraceID, att.CheckStatus = trace, status
	if err := s.store.SetCheck(ctx, att.TenantID, att.ID, trace, status, s.now()); err != nil {
		s.log.WarnContext(ctx, "record image check failed", "attachment_id", att.ID, "error", err)
	}
}

// Unchecked is a photo waiting for its image check, and whose check it is.
type Unchecked struct {
	Attachment Attachment
	OpenID     string
}

// Recheck submits the image check of up to limit photos left "unchecked", or pending for
// longer than CheckWait after fewer than CheckAttempts submissions (a job for the worker's
// periodic loop); it returns how many were submitted. A result for the check it replaces
// no longer answers to the photo's trace id and changes nothing.
func (s *Service) Recheck(ctx context.Context, limit int) (int, error) {
	if s.checker == nil {
		return 0, nil
	}
	xs, err := s.store.Unchecked(ctx, limit, s.now().Add(-CheckWait), CheckAttempts)
	if err != nil {
		return 0, fmt.Errorf("list unchecked photos: %w", err)
	}
	n := 0
	for i := range xs {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		att := xs[i].Attachment
		s.check(ctx, &att, xs[i].OpenID)
		if att.CheckStatus == "pending" {
			n++
		}
	}
	return n, nil
}

// ApplyCheck applies a wxa_media_check result (from the push endpoint).
func (s *Service) ApplyCheck(ctx context.Context, traceID, suggest string, label int) error {
	switch suggest {
	case "pass", "review", "risky":
	default:
		return newErr(ErrInvalid, "bad_check_result", "检测结果不正确")
	}
	found, err := s.store.ApplyCheck(ctx, traceID, suggest, label, s.now())
	if err != nil {
		return fmt.Errorf("apply image check: %w", err)
	}
	if !found {
		s.log.WarnContext(ctx, "image check result for unknown trace id")
	}
	return nil
}

// CheckFailed is WeChat saying it could not check the image of traceID (a push with a
// non-zero errcode): the photo, still waiting, goes back to "unchecked", so that the
// worker's Recheck submits it again instead of leaving it pending for ever.
func (s *Service) CheckFailed(ctx context.Context, traceID string) error {
	if traceID == "" {
		return nil
	}
	found, err := s.store.RetryCheck(ctx, traceID)
	if err != nil {
		return fmt.Errorf("retry image check: %w", err)
	}
	if !found {
		s.log.WarnContext(ctx, "failed image check for unknown or settled trace id")
	}
	return nil
}

// NewUploadPolicy issues a presigned POST for one photo of the target.
func (s *Service) NewUploadPolicy(ctx context.Context, a auth.Actor, t Target) (*Policy, error) {
	if err := s.authorize(ctx, a, t); err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s%d/%d/%s", IncomingPrefix, a.TenantID, a.ID, newID())
	url, fields, err := s.objects.PresignedPost(ctx, key, MaxBytes, "image/", PolicyTTL)
	if err != nil {
		s.log.WarnContext(ctx, "presign post failed", "error", err)
		return nil, ErrStoreDown
	}
	exp := s.now().Add(PolicyTTL)
	if err := s.store.InsertUpload(ctx, Upload{TenantID: a.TenantID, Key: key, DeputyID: a.ID, Target: t, ExpiresAt: exp}); err != nil {
		return nil, fmt.Errorf("record upload: %w", err)
	}
	return &Policy{URL: url, Fields: fields, Key: key, ExpiresAt: exp, MaxBytes: MaxBytes}, nil
}

// CompleteUpload processes an object the phone posted with a policy. Calling it again for
// the same key returns the same attachment.
func (s *Service) CompleteUpload(ctx context.Context, a auth.Actor, openid, key string) (*Attachment, error) {
	up, err := s.store.Upload(ctx, a.TenantID, key)
	if errors.Is(err, ErrNotFound) || (err == nil && up.DeputyID != a.ID) {
		return nil, ErrUploadNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if up.AttachmentID != 0 {
		atts, err := s.store.Attachments(ctx, a.TenantID, up.Target)
		if err != nil {
			return nil, fmt.Errorf("read photos: %w", err)
		}
		for i := range atts {
			if atts[i].ID == up.AttachmentID {
				return &atts[i], nil
			}
		}
		return nil, ErrUploadNotFound
	}
	size, err := s.objects.Stat(ctx, key)
	if errors.Is(err, ErrObjectMissing) {
		return nil, ErrUploadMissing
	}
	if err != nil {
		return nil, ErrStoreDown
	}
	if size > MaxBytes {
		s.removeQuietly(key)
		return nil, ErrFileTooLarge
	}
	if err := s.authorize(ctx, a, up.Target); err != nil {
		var me *Error
		if errors.As(err, &me) {
			s.removeQuietly(key) // refused for good (gone, submitted, full): nothing will show it
		}
		return nil, err
	}
	rc, _, err := s.objects.Get(ctx, key)
	if err != nil {
		return nil, ErrStoreDown
	}
	f, n, err := s.spool(rc)
	rc.Close()
	if errors.Is(err, ErrFileTooLarge) {
		s.removeQuietly(key) // grown past the limit after Stat: refused for good
	}
	if err != nil {
		return nil, err
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	att, err := s.ingest(ctx, a, openid, up.Target, "", f, n)
	if err != nil {
		var me *Error
		if errors.As(err, &me) && !errors.Is(err, ErrUnavailable) {
			s.removeQuietly(key) // refused for good: do not keep what we will never show
		}
		return nil, err
	}
	// The photo is recorded: the upload must be linked to it even when the phone hangs up
	// now, or its retry (same key) would make a second photo from the same object.
	ctx, cancel := afterRecorded(ctx)
	defer cancel()
	if err := s.store.CompleteUpload(ctx, a.TenantID, key, att.ID); err != nil {
		return nil, fmt.Errorf("complete upload: %w", err)
	}
	s.removeQuietly(key) // the original (with EXIF) is not kept
	return att, nil
}

// Photos returns the target's photos with short-lived URLs. The caller has checked that the
// actor may see the target. Photos hidden by the content check are left out.
func (s *Service) Photos(ctx context.Context, tenantID int64, t Target) ([]Photo, error) {
	atts, err := s.store.Attachments(ctx, tenantID, t)
	if err != nil {
		return nil, fmt.Errorf("read photos: %w", err)
	}
	out := make([]Photo, 0, len(atts))
	for _, at := range atts {
		if at.Hidden {
			continue
		}
		u, err := s.objects.PresignedGet(ctx, at.ObjectKey, ViewURLTTL)
		if err != nil {
			return nil, ErrStoreDown
		}
		tu, err := s.objects.PresignedGet(ctx, at.ThumbKey, ViewURLTTL)
		if err != nil {
			return nil, ErrStoreDown
		}
		out = append(out, Photo{ID: at.ID, URL: u, ThumbURL: tu, Width: at.Width, Height: at.Height, CheckStatus: at.CheckStatus})
	}
	return out, nil
}

func objectBase(tenantID int64, t Target) string {
	dir := "suggestions"
	if t.Kind == KindSnap {
		dir = "snaps"
	}
	return "tenant/" + strconv.FormatInt(tenantID, 10) + "/" + dir + "/" + strconv.FormatInt(t.ID, 10) + "/"
}

// newID is a random UUIDv4 string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ---- staff review of flagged photos ---------------------------------------------------

// FlaggedPhoto is a photo WeChat's image check judged "review" or "risky", waiting for a
// reviewer. Only photos on a suggestion that staff may see (past its draft) are listed: a
// draft and a snap are the deputy's own notebook until submitted, and a flagged photo comes
// to the desk with the submission.
type FlaggedPhoto struct {
	TenantID     int64
	ID           int64
	SuggestionID int64
	Number       int    // the suggestion's number (0 before registration)
	Title        string // the suggestion's title
	Status       string // the suggestion's status
	SnapID       int64  // the 随手拍 the photo came from, if any
	SnapNote     string
	DeputyID     int64 // who uploaded it
	DeputyName   string
	CheckStatus  string // review or risky
	CheckLabel   int    // WeChat's label (e.g. 20002 色情)
	Hidden       bool   // risky photos are hidden until a reviewer passes them
	FlaggedAt    time.Time
	CheckedAt    time.Time
	ThumbKey     string // served only through FlaggedThumb
}

// PhotoDecision is a reviewer's decision on a flagged photo.
type PhotoDecision struct {
	TenantID int64
	ID       int64
	ActorID  int64
	Verdict  string // VerdictPass or VerdictHide
	Reason   string // the timeline line's text
	At       time.Time
}

// Reviewer verdicts.
const (
	VerdictPass = "pass" // 通过: the flag is cleared and the photo shown again
	VerdictHide = "hide" // 隐藏: the photo stays hidden from every copy shown (kept for the record)
)

// Timeline actions of a photo decision on a suggestion (audit_events.action).
const (
	ActPhotoPassed = "photo_passed"
	ActPhotoHidden = "photo_hidden"
)

// Refusals of the photo review.
var (
	ErrPhotoNotFound = newErr(ErrNotFound, "photo_not_found", "图片不存在或不在待复核清单中")
	ErrPhotoDecided  = newErr(ErrConflict, "photo_already_reviewed", "该图片已由他人复核，请刷新页面")
	ErrBadVerdict    = newErr(ErrInvalid, "bad_photo_verdict", "请选择通过或隐藏")
)

// FlaggedPageSize bounds one page of the queue (each row loads a thumbnail).
const FlaggedPageSize = 30

// mayReview: the staff who review content (the console's /review/flagged) are reviewers.
func mayReview(a auth.Actor) bool { return a.Kind == auth.KindStaff && a.Has(auth.RoleReviewer) }

// CheckLabelText names WeChat's image-check label for staff ("" when unknown).
func CheckLabelText(label int) string {
	switch label {
	case 100:
		return "正常"
	case 10001:
		return "广告"
	case 20001:
		return "时政"
	case 20002:
		return "色情"
	case 20003:
		return "辱骂"
	case 20006:
		return "违法犯罪"
	case 20008:
		return "欺诈"
	case 20012:
		return "低俗"
	case 20013:
		return "版权"
	case 21000:
		return "其他"
	}
	return ""
}

// FlaggedPhotos lists the reviewer's queue of flagged photos, oldest upload first, after the
// cursor (a photo id; 0 for the first page).
func (s *Service) FlaggedPhotos(ctx context.Context, a auth.Actor, after int64, limit int) ([]FlaggedPhoto, error) {
	if !mayReview(a) {
		return nil, ErrPhotoNotFound
	}
	if limit <= 0 || limit > FlaggedPageSize+1 {
		limit = FlaggedPageSize
	}
	out, err := s.store.FlaggedPhotos(ctx, a.TenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list flagged photos: %w", err)
	}
	return out, nil
}

// FlaggedThumb opens the thumbnail of a photo in the reviewer's queue (the re-encoded copy:
// no EXIF). The caller closes the reader.
func (s *Service) FlaggedThumb(ctx context.Context, a auth.Actor, id int64) (io.ReadCloser, int64, error) {
	if !mayReview(a) || id <= 0 {
		return nil, 0, ErrPhotoNotFound
	}
	p, err := s.store.FlaggedPhoto(ctx, a.TenantID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, ErrPhotoNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read flagged photo %d: %w", id, err)
	}
	rc, size, err := s.objects.Get(ctx, p.ThumbKey)
	if errors.Is(err, ErrObjectMissing) {
		return nil, 0, ErrPhotoNotFound
	}
	if err != nil {
		s.log.WarnContext(ctx, "read flagged thumbnail failed", "attachment_id", id, "error", err)
		return nil, 0, ErrStoreDown
	}
	return rc, size, nil
}

// DecidePhoto records a reviewer's verdict on a flagged photo: pass shows it again (as
// checked "pass"), hide keeps it from every copy shown. A photo on a suggestion gets a line
// on its timeline. Of two reviewers deciding at once, one wins and the other gets
// ErrPhotoDecided.
func (s *Service) DecidePhoto(ctx context.Context, a auth.Actor, id int64, verdict string) (*FlaggedPhoto, error) {
	if !mayReview(a) || id <= 0 {
		return nil, ErrPhotoNotFound
	}
	reason := ""
	switch verdict {
	case VerdictPass:
		reason = "内容安全复核：图片经人工复核通过，恢复显示"
	case VerdictHide:
		reason = "内容安全复核：图片经人工复核不予显示"
	default:
		return nil, ErrBadVerdict
	}
	p, err := s.store.DecidePhoto(ctx, PhotoDecision{TenantID: a.TenantID, ID: id, ActorID: a.ID, Verdict: verdict, Reason: reason, At: s.now()})
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrPhotoNotFound
	case errors.Is(err, ErrConflict):
		return nil, ErrPhotoDecided
	case err != nil:
		return nil, fmt.Errorf("decide photo %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "flagged photo reviewed", "attachment_id", id, "verdict", verdict, "check_status", p.CheckStatus)
	return p, nil
}
