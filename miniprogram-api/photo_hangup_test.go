package mpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/internal/media"
	"jianyi/internal/wechat/wechattest"
)

// hangupPhotos holds a request back once its photo is recorded, until the phone has hung up
// (the request's context, which InsertAttachment is handed, has ended).
type hangupPhotos struct {
	media.Store
	reached chan struct{} // closed when the first photo is recorded
	once    sync.Once
}

func newHangupPhotos() *hangupPhotos { return &hangupPhotos{reached: make(chan struct{})} }

func (h *hangupPhotos) wrap(s media.Store) media.Store { h.Store = s; return h }

func (h *hangupPhotos) InsertAttachment(ctx context.Context, a *media.Attachment) error {
	err := h.Store.InsertAttachment(ctx, a)
	h.once.Do(func() {
		close(h.reached)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	})
	return err
}

// hangUpOnce sends the request build makes and drops the connection as soon as reached is
// closed, as a phone losing its network does; the request must get no answer.
func hangUpOnce(t *testing.T, reached <-chan struct{}, build func(ctx context.Context) *http.Request) {
	t.Helper()
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	req := build(ctx)
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	select {
	case <-reached:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the point of recording its photo")
	}
	hangUp()
	if err := <-done; err == nil {
		t.Fatal("the hung-up request still got an answer")
	}
}

// checkTraces waits (a few seconds at most) for the photos of the suggestion to have their
// image check submitted, and returns each photo's trace id ("" when never submitted).
func (b *bundle) checkTraces(suggestionID int64) map[int64]string {
	b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := map[int64]string{}
		rows, err := b.pool.Query(context.Background(), `SELECT id, check_trace_id FROM attachments WHERE suggestion_id = $1`, suggestionID)
		if err != nil {
			b.t.Fatal(err)
		}
		submitted := true
		for rows.Next() {
			var id int64
			var trace string
			if err := rows.Scan(&id, &trace); err != nil {
				b.t.Fatal(err)
			}
			out[id] = trace
			submitted = submitted && trace != ""
		}
		if err := rows.Err(); err != nil {
			b.t.Fatal(err)
		}
		if (len(out) > 0 && submitted) || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A deputy on a weak network uploads a photo; it is stored, but the phone loses the
// connection before the answer arrives. The photo is still sent to WeChat's image check, so
// a risky one is hidden when WeChat reports (and not shown unchecked for ever).
func TestPhotoUploadedBeforeHangUpIsStillChecked(t *testing.T) {
	t.Parallel()
	hang := newHangupPhotos()
	b := setup(t, setupOpts{photos: hang.wrap})
	tok := b.deputy("openid-photo-hangup", "jyg", "13800000001")
	id := b.draft(tok, "井盖缺失")
	path := fmt.Sprintf("/api/v1/suggestions/%d/photos", id)

	hangUpOnce(t, hang.reached, func(ctx context.Context) *http.Request {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="IMG_0001.png"`)
		h.Set("Content-Type", "image/png")
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write(pngBytes(40, 30))
		_ = mw.Close()
		req, err := http.NewRequestWithContext(ctx, "POST", b.srv.URL+path, &buf)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		return req
	})

	traces := b.checkTraces(id)
	if len(traces) != 1 {
		t.Fatalf("%d photos stored, want 1", len(traces))
	}
	var photo int64
	var trace string
	for photo, trace = range traces { // the one photo
	}
	if trace == "" {
		t.Fatalf("the photo was never sent to the image check (%+v): it stays pending for ever", b.photoCheck(photo))
	}
	if n := b.app.Count(wechattest.APIMediaCheckAsync); n != 1 {
		t.Fatalf("%d image checks submitted, want 1", n)
	}
	detail := fmt.Sprintf("/api/v1/suggestions/%d", id)
	if got := b.shownPhotos(tok, detail); len(got) != 1 {
		t.Fatalf("%d photos shown before the check's result, want 1", len(got))
	}
	b.pushCheck(trace, "risky", 20002)
	if got := b.shownPhotos(tok, detail); len(got) != 0 {
		t.Fatalf("a photo WeChat found risky is still shown: %+v", got)
	}
}

// A photo posted to the bucket is completed; the phone hangs up before the answer arrives
// and sends the completion again with the same Idempotency-Key. The retry gets the first
// answer and there is still one photo (checked), not a second copy of the same upload.
func TestUploadCompletedBeforeHangUpIsOnePhoto(t *testing.T) {
	t.Parallel()
	hang := newHangupPhotos()
	b := setup(t, setupOpts{photos: hang.wrap})
	tok := b.deputy("openid-complete-hangup", "jyg", "13800000001")
	id := b.draft(tok, "路面塌陷")
	url, fields, key := b.policyFor(tok, id)
	postToBucket(t, url, fields, "image/png", pngBytes(40, 30))
	body := fmt.Sprintf(`{"key":%q}`, key)

	hangUpOnce(t, hang.reached, func(ctx context.Context) *http.Request {
		req, err := http.NewRequestWithContext(ctx, "POST", b.srv.URL+"/api/v1/uploads/complete", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", "complete-hangup-1")
		return req
	})

	again := b.retryAfterHangUp("/api/v1/uploads/complete", tok, body, "complete-hangup-1")
	b.want(again, http.StatusCreated, "the completion retried after hanging up")
	var got struct{ ID int64 }
	again.json(t, &got)
	traces := b.checkTraces(id)
	if len(traces) != 1 {
		t.Fatalf("%d photos made from one upload, want 1 (retry answered %s)", len(traces), again.Body)
	}
	if _, ok := traces[got.ID]; !ok {
		t.Fatalf("the retry answered photo %d, but the photo stored is %v", got.ID, traces)
	}
	if traces[got.ID] == "" {
		t.Fatal("the photo was never sent to the image check")
	}
}
