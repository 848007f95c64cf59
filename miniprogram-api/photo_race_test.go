package mpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"jianyi/internal/media"
)

// photoAttempts is the photo intake's store, remembering the copies of every photo it was
// asked to record (kept or refused), and able to hold the requests just before the insert.
type photoAttempts struct {
	media.Store
	mu     sync.Mutex
	copies []string
	// gate, when set, holds each insert until gateN requests have reached it, then lets all
	// go at once: every one has passed the checks made before the decode.
	gateN   int
	arrived int
	gate    chan struct{}
	// before, when set, runs once, before the first insert (to change the target, or to
	// send the request again, meanwhile); an insert it causes itself goes straight on.
	before func()
	fired  atomic.Bool
}

func (p *photoAttempts) wrap(s media.Store) media.Store { p.Store = s; return p }

func (p *photoAttempts) InsertAttachment(ctx context.Context, a *media.Attachment) error {
	p.mu.Lock()
	p.copies = append(p.copies, a.ObjectKey, a.ThumbKey)
	if p.gate != nil {
		p.arrived++
		if p.arrived == p.gateN {
			close(p.gate)
		}
	}
	gate := p.gate
	p.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if p.before != nil && p.fired.CompareAndSwap(false, true) {
		p.before()
	}
	return p.Store.InsertAttachment(ctx, a)
}

// noOrphanCopies checks that of the copies made, those of recorded photos are in the bucket
// and all others were removed; it returns how many photos were refused at the insert.
func (b *bundle) noOrphanCopies(p *photoAttempts) (refused int) {
	b.t.Helper()
	p.mu.Lock()
	keys := append([]string(nil), p.copies...)
	p.mu.Unlock()
	for i, k := range keys {
		recorded := b.count(`SELECT count(*) FROM attachments WHERE object_key = $1 OR thumb_key = $1`, k) == 1
		if recorded != b.objectExists(k) {
			b.t.Errorf("copy %s: recorded %v, in the bucket %v", k, recorded, !recorded)
		}
		if !recorded && i%2 == 0 {
			refused++
		}
	}
	return refused
}

// message is an error answer's Chinese message.
func (r resp) message() string {
	var e struct{ Message string }
	_ = json.Unmarshal(r.Body, &e)
	return e.Message
}

// concurrently runs n requests at once and returns their answers.
func concurrently(n int, do func(i int) resp) []resp {
	out := make([]resp, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i] = do(i) })
	}
	wg.Wait()
	return out
}

// wantNineOf checks that of the answers to n photo requests made at once on an empty target,
// nine made photos and the others were refused with too_many_photos.
func (b *bundle) wantNineOf(answers []resp) {
	b.t.Helper()
	made := 0
	for i, r := range answers {
		switch {
		case r.Status == http.StatusCreated:
			made++
		case r.Status == http.StatusUnprocessableEntity && r.code() == media.ErrTooManyPhotos.Code:
		default:
			b.t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
		}
	}
	if made != media.MaxPhotos {
		b.t.Fatalf("%d of %d concurrent photos were accepted, want %d", made, len(answers), media.MaxPhotos)
	}
}

// Twelve photos sent at once to an empty draft all pass the count made before the slow
// decode; the insert counts again under the draft's lock, so nine are stored and three are
// refused with too_many_photos, their copies removed from the bucket.
func TestConcurrentUploadsKeepNinePhotos(t *testing.T) {
	t.Parallel()
	const n = 12
	p := &photoAttempts{gateN: n, gate: make(chan struct{})}
	b := setup(t, setupOpts{photos: p.wrap})
	tok := b.deputy("openid-photo-cap", "jyg", "13800000001")
	id := b.draft(tok, "井盖缺失")
	path := fmt.Sprintf("/api/v1/suggestions/%d/photos", id)
	photo := pngBytes(40, 30)

	b.wantNineOf(concurrently(n, func(int) resp { return b.upload(path, tok, "p.png", "image/png", photo) }))
	if got := b.count(`SELECT count(*) FROM attachments WHERE suggestion_id = $1`, id); got != media.MaxPhotos {
		t.Fatalf("the draft has %d photos, want %d", got, media.MaxPhotos)
	}
	if refused := b.noOrphanCopies(p); refused != n-media.MaxPhotos {
		t.Fatalf("%d photos refused at the insert, want %d", refused, n-media.MaxPhotos)
	}
}

// The same through presigned uploads: twelve completions at once make nine photos; the three
// refused have their posted objects and their copies removed.
func TestConcurrentCompletionsKeepNinePhotos(t *testing.T) {
	t.Parallel()
	const n = 12
	p := &photoAttempts{gateN: n, gate: make(chan struct{})}
	b := setup(t, setupOpts{photos: p.wrap})
	tok := b.deputy("openid-complete-cap", "jyg", "13800000001")
	id := b.draft(tok, "路面塌陷")
	keys := make([]string, n)
	for i := range keys {
		url, fields, key := b.policyFor(tok, id)
		postToBucket(t, url, fields, "image/png", pngBytes(40, 30))
		keys[i] = key
	}

	b.wantNineOf(concurrently(n, func(i int) resp {
		return b.do("POST", "/api/v1/uploads/complete", tok, map[string]string{"key": keys[i]})
	}))
	if got := b.count(`SELECT count(*) FROM attachments WHERE suggestion_id = $1`, id); got != media.MaxPhotos {
		t.Fatalf("the draft has %d photos, want %d", got, media.MaxPhotos)
	}
	if got := b.count(`SELECT count(*) FROM mp_uploads WHERE attachment_id IS NOT NULL`); got != media.MaxPhotos {
		t.Fatalf("%d uploads completed, want %d", got, media.MaxPhotos)
	}
	for _, k := range keys {
		if b.objectExists(k) {
			t.Errorf("posted object %s left in the bucket", k)
		}
	}
	if refused := b.noOrphanCopies(p); refused != n-media.MaxPhotos {
		t.Fatalf("%d photos refused at the insert, want %d", refused, n-media.MaxPhotos)
	}
}

// A big photo takes seconds to process; the deputy submits the suggestion meanwhile. The
// photo, checked against a draft before its decode, is refused at the insert with
// not_editable, and the submitted suggestion carries no photo added after its submission.
func TestPhotoDecodedWhileSubmittedIsRefused(t *testing.T) {
	t.Parallel()
	for _, via := range []string{"upload", "completion"} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			p := &photoAttempts{}
			b := setup(t, setupOpts{photos: p.wrap})
			tok := b.deputy("openid-photo-submit", "jyg", "13800000001")
			id := b.draft(tok, "井盖缺失")
			var submit resp
			p.before = func() {
				submit = b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), tok, map[string]any{}, "Idempotency-Key", "submit-"+via)
			}
			var r resp
			var key string
			if via == "upload" {
				r = b.upload(fmt.Sprintf("/api/v1/suggestions/%d/photos", id), tok, "p.png", "image/png", pngBytes(40, 30))
			} else {
				var url string
				var fields map[string]string
				url, fields, key = b.policyFor(tok, id)
				postToBucket(t, url, fields, "image/png", pngBytes(40, 30))
				r = b.do("POST", "/api/v1/uploads/complete", tok, map[string]string{"key": key})
			}
			b.want(submit, http.StatusOK, "submit while the photo was processed")
			b.wantRefusal(r, http.StatusConflict, media.ErrNotEditable.Code, "photo of a suggestion submitted meanwhile")
			if r.message() != media.ErrNotEditable.Message {
				t.Fatalf("message %q, want %q", r.message(), media.ErrNotEditable.Message)
			}
			if got := b.count(`SELECT count(*) FROM attachments`); got != 0 {
				t.Fatalf("the submitted suggestion has %d photos", got)
			}
			if got := b.count(`SELECT count(*) FROM suggestions WHERE id = $1 AND status = 'submitted'`, id); got != 1 {
				t.Fatal("the suggestion is not submitted")
			}
			if refused := b.noOrphanCopies(p); refused != 1 {
				t.Fatalf("%d photos refused at the insert, want 1", refused)
			}
			if key != "" && b.objectExists(key) {
				t.Fatal("the posted object of a refused completion is left in the bucket")
			}
		})
	}
}

// A 随手拍 turned into a draft takes no more photos: a photo sent afterwards, or decoded while
// the snap was being turned into a draft, is refused with not_editable and a message about
// the snap (nothing was submitted), and the draft does not get it.
func TestSnapPhotoAfterDraftIsRefused(t *testing.T) {
	t.Parallel()
	p := &photoAttempts{}
	b := setup(t, setupOpts{photos: p.wrap})
	tok := b.deputy("openid-snap-closed", "jyg", "13800000001")
	r := b.do("POST", "/api/v1/snaps", tok, map[string]any{"note": "路灯不亮", "location": map[string]any{"address": "新华路"}})
	b.want(r, 201, "snap")
	var snap struct{ ID int64 }
	r.json(t, &snap)
	photos := fmt.Sprintf("/api/v1/snaps/%d/photos", snap.ID)
	var draft resp
	p.before = func() { draft = b.do("POST", fmt.Sprintf("/api/v1/snaps/%d/draft", snap.ID), tok, map[string]any{}) }

	r = b.upload(photos, tok, "p.png", "image/png", pngBytes(40, 30))
	b.want(draft, http.StatusCreated, "the snap turned into a draft while its photo was processed")
	for _, c := range []struct {
		what string
		r    resp
	}{
		{"photo decoded while the snap became a draft", r},
		{"photo sent after the snap became a draft", b.upload(photos, tok, "p.png", "image/png", pngBytes(40, 30))},
	} {
		b.wantRefusal(c.r, http.StatusConflict, media.ErrSnapNotEditable.Code, c.what)
		if c.r.message() != "该随手拍已转为建议草稿，请在草稿中添加图片" {
			t.Fatalf("%s: message %q", c.what, c.r.message())
		}
	}
	if got := b.count(`SELECT count(*) FROM attachments`); got != 0 {
		t.Fatalf("%d photos stored", got)
	}
	if refused := b.noOrphanCopies(p); refused != 1 {
		t.Fatalf("%d photos refused at the insert, want 1", refused)
	}
}
