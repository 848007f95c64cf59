package mpapi

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/media"
)

type photoResponse struct {
	ID          int64  `json:"id"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	CheckStatus string `json:"check_status"`
	SourceType  string `json:"source_type"`
}

func toPhotoResponse(at *media.Attachment) photoResponse {
	return photoResponse{ID: at.ID, Width: at.Width, Height: at.Height, CheckStatus: at.CheckStatus, SourceType: at.SourceType}
}

func (a *API) uploadSuggestionPhoto(c *gin.Context) { a.uploadPhoto(c, media.KindSuggestion) }
func (a *API) uploadSnapPhoto(c *gin.Context)       { a.uploadPhoto(c, media.KindSnap) }

// uploadPhoto streams the multipart field "file" through media (size-capped temp file, type
// from the bytes). The file name and the part's Content-Type are ignored.
func (a *API) uploadPhoto(c *gin.Context, kind string) {
	id, ok := pathID(c)
	if !ok {
		a.fail(c, errBadID)
		return
	}
	if !isMultipart(c.Request) {
		a.fail(c, errNeedMultipart)
		return
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		a.fail(c, errNeedMultipart)
		return
	}
	var part *multipart.Part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			a.fail(c, errNoFile)
			return
		}
		if err != nil {
			a.fail(c, readErr(err))
			return
		}
		if p.FormName() == "file" {
			part = p
			break
		}
		p.Close()
	}
	defer part.Close()
	at, err := a.Media.Upload(c.Request.Context(), actor(c), sess(c).OpenID, media.Target{Kind: kind, ID: id}, &limitErrReader{r: part})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toPhotoResponse(at))
}

// readErr turns a body read failure into the right refusal.
func readErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return errUploadTruncated
}

// limitErrReader reports a body over the request cap as media's "too large" (413) and a
// cut-off body as an incomplete upload, instead of a bare read error.
type limitErrReader struct{ r io.Reader }

func (l *limitErrReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return n, media.ErrFileTooLarge
		}
		return n, media.ErrIncomplete
	}
	return n, err
}

type targetJSON struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

type policyRequest struct {
	Target targetJSON `json:"target"`
}

type policyResponse struct {
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	FileField string            `json:"file_field"`
	Key       string            `json:"key"`
	MaxBytes  int64             `json:"max_bytes"`
	ExpiresAt string            `json:"expires_at"`
}

// uploadPolicy hands out a presigned POST for wx.uploadFile.
func (a *API) uploadPolicy(c *gin.Context) {
	var in policyRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	// A request naming nothing photos can go to is wrong (422); the photo intake answers a
	// target it cannot use (gone, someone else's) as not found.
	if t := in.Target; (t.Kind != media.KindSuggestion && t.Kind != media.KindSnap) || t.ID <= 0 {
		a.fail(c, errBadTarget)
		return
	}
	p, err := a.Media.NewUploadPolicy(c.Request.Context(), actor(c), media.Target{Kind: in.Target.Kind, ID: in.Target.ID})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, policyResponse{URL: p.URL, Fields: p.Fields, FileField: "file", Key: p.Key,
		MaxBytes: p.MaxBytes, ExpiresAt: p.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00")})
}

type completeRequest struct {
	Key string `json:"key"`
}

// completeUpload processes an object posted with a policy (idempotent by key as well).
func (a *API) completeUpload(c *gin.Context) {
	var in completeRequest
	raw, ok := a.readJSON(c, &in)
	if !ok {
		return
	}
	if in.Key == "" || len(in.Key) > 300 || !strings.HasPrefix(in.Key, "tenant/") {
		a.fail(c, media.ErrUploadNotFound)
		return
	}
	release, ok := a.claimUpload(c, in.Key)
	if !ok {
		return
	}
	defer release()
	a.idempotent(c, false, raw, func() (int, any, error) {
		at, err := a.Media.CompleteUpload(c.Request.Context(), actor(c), sess(c).OpenID, in.Key)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, toPhotoResponse(at), nil
	})
}

// claimUpload holds the upload key for one completion at a time. media.CompleteUpload
// answers a key already linked to its photo with that photo, but two calls running at once
// both find it unlinked and each makes a photo of the posted object: a phone retrying on a
// weak network while the first call still decodes the photo got the same photo twice. The
// key is taken in the Idempotency-Key store under its own actor (whatever key the phone
// sends, if any), and only as a lock: it is released when the call ends, so a later call
// runs and gets the linked photo (or, after a refusal worth retrying, tries again). A call
// that finds it taken is answered 409 idempotency_in_progress. A lock left by a crash is
// taken over after the store's StaleAfter.
func (a *API) claimUpload(c *gin.Context, key string) (release func(), ok bool) {
	s := sess(c)
	who := "upload:deputy:" + strconv.FormatInt(s.DeputyID, 10)
	ctx := c.Request.Context()
	state, _, _, err := a.Idempotency.Reserve(ctx, s.TenantID, who, key, "complete")
	if err != nil {
		a.fail(c, err)
		return nil, false
	}
	if state != "new" {
		a.fail(c, errIdemInProgress)
		return nil, false
	}
	return func() {
		// Released even when the phone hangs up, or the retry would wait for StaleAfter.
		ctx := context.WithoutCancel(ctx)
		if err := a.Idempotency.Release(ctx, s.TenantID, who, key); err != nil {
			a.log.WarnContext(ctx, "upload completion lock release failed", "error", err)
		}
	}, true
}
