package mpapi_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"testing"

	"jianyi/internal/media"
	"jianyi/storage/objects"
)

// webp640x360 is a lossless (VP8L) WebP, 640×360, one colour (R 48, G 128, B 192): the
// header, then five one-symbol prefix codes, so no bits per pixel. internal/media's
// TestWebPLiteral decodes the same bytes with x/image/webp; this package must not import
// x/image/webp itself: that would register the decoder and hide media losing its import.
const webp640x360 = "524946461a000000574542505650384c0d0000002f7fc259002860610adcff020000"

func webpBytes(t *testing.T) []byte {
	t.Helper()
	b, err := hex.DecodeString(webp640x360)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bigJPEGWithGPS is a w×h JPEG whose APP1 EXIF holds a GPS position (larger than a thumbnail).
func bigJPEGWithGPS(t *testing.T, w, h int, lat, lng float64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	j := buf.Bytes()
	seg := append([]byte("Exif\x00\x00"), gpsTIFF(lat, lng)...)
	out := append([]byte{}, j[:2]...)
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	out = append(out, j[2:]...)
	if g, ok := media.ReadGPS(bytes.NewReader(out), int64(len(out)), media.TypeJPEG); !ok || g.Lat < lat-0.01 || g.Lat > lat+0.01 {
		t.Fatalf("test JPEG carries no GPS: %+v %v", g, ok)
	}
	return out
}

type shownPhoto struct {
	ID          int64
	URL         string
	ThumbURL    string `json:"thumb_url"`
	Width       int
	Height      int
	CheckStatus string `json:"check_status"`
}

// shownPhotos reads the photos of a suggestion or snap detail.
func (b *bundle) shownPhotos(tok, path string) []shownPhoto {
	b.t.Helper()
	r := b.do("GET", path, tok, nil)
	b.want(r, 200, "detail "+path)
	var d struct{ Photos []shownPhoto }
	r.json(b.t, &d)
	return d.Photos
}

// fetchObject GETs a presigned URL straight from the bucket.
func fetchObject(t *testing.T, url string) ([]byte, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	return body, res.Header.Get("Content-Type")
}

// mustJPEG decodes a served copy, which must be a JPEG by its bytes and its Content-Type.
func mustJPEG(t *testing.T, what string, data []byte, ct string) image.Image {
	t.Helper()
	if ct != media.TypeJPEG || media.Sniff(data) != media.TypeJPEG {
		t.Fatalf("%s: Content-Type %q, sniffed %q", what, ct, media.Sniff(data))
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s does not decode: %v", what, err)
	}
	return img
}

// A WebP is accepted as a WebP (whatever the part says), shown re-encoded at its size, with a
// thumbnail.
func TestUploadWebP(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-webp", "jyg", "13800000001")
	r := b.do("POST", "/api/v1/snaps", tok, map[string]any{"note": "路面塌陷", "location": map[string]any{"address": "新华路"}})
	b.want(r, 201, "snap")
	var sn struct{ ID int64 }
	r.json(t, &sn)

	r = b.upload(fmt.Sprintf("/api/v1/snaps/%d/photos", sn.ID), tok, "IMG_0002.jpg", "image/jpeg", webpBytes(t))
	b.want(r, 201, "upload webp")
	var up struct {
		ID         int64
		Width      int
		Height     int
		SourceType string `json:"source_type"`
	}
	r.json(t, &up)
	if up.SourceType != media.TypeWebP || up.Width != 640 || up.Height != 360 {
		t.Fatalf("webp upload: %s", r.Body)
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE id = $1 AND source_type = 'image/webp' AND content_type = 'image/jpeg'
		AND width = 640 AND height = 360 AND thumb_key <> ''`, up.ID); n != 1 {
		t.Fatal("webp attachment not recorded as a WebP shown as JPEG")
	}

	photos := b.shownPhotos(tok, fmt.Sprintf("/api/v1/snaps/%d", sn.ID))
	if len(photos) != 1 || photos[0].ID != up.ID || photos[0].Width != 640 || photos[0].Height != 360 || photos[0].ThumbURL == "" {
		t.Fatalf("snap photos: %+v", photos)
	}
	full, ct := fetchObject(t, photos[0].URL)
	if img := mustJPEG(t, "full copy", full, ct); img.Bounds().Dx() != 640 || img.Bounds().Dy() != 360 {
		t.Fatalf("full copy %v", img.Bounds())
	}
	thumb, ct := fetchObject(t, photos[0].ThumbURL)
	img := mustJPEG(t, "thumbnail", thumb, ct)
	if img.Bounds().Dx() != 480 || img.Bounds().Dy() != 270 {
		t.Fatalf("thumbnail %v, want 480×270", img.Bounds())
	}
	// The colour survives decoding the WebP (JPEG is lossy: a small margin).
	r8, g8, b8, _ := img.At(240, 135).RGBA()
	for _, c := range [][2]uint32{{r8 >> 8, 48}, {g8 >> 8, 128}, {b8 >> 8, 192}} {
		if c[0]+6 < c[1] || c[0] > c[1]+6 {
			t.Fatalf("thumbnail colour %d %d %d, want about 48 128 192", r8>>8, g8>>8, b8>>8)
		}
	}
}

// The thumbnail of a photo sent with GPS EXIF is served, is a smaller JPEG and carries no
// EXIF; the position is kept privately. (The full copy's lack of EXIF is checked in
// TestDeputyJourney.)
func TestThumbnailServedWithoutEXIF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-thumb", "jyg", "13800000001")
	id := b.draft(tok, "缩略图")
	orig := bigJPEGWithGPS(t, 1200, 900, 39.7733, 98.2899)
	r := b.upload(fmt.Sprintf("/api/v1/suggestions/%d/photos", id), tok, "IMG_0003.jpg", "image/jpeg", orig)
	b.want(r, 201, "upload jpeg")
	if n := b.count(`SELECT count(*) FROM attachments WHERE suggestion_id = $1 AND exif_lat BETWEEN 39.77 AND 39.78`, id); n != 1 {
		t.Fatal("GPS not kept privately")
	}

	photos := b.shownPhotos(tok, fmt.Sprintf("/api/v1/suggestions/%d", id))
	if len(photos) != 1 || photos[0].Width != 1200 || photos[0].Height != 900 {
		t.Fatalf("photos: %+v", photos)
	}
	if photos[0].ThumbURL == photos[0].URL {
		t.Fatal("thumbnail URL is the full copy's")
	}
	full, fct := fetchObject(t, photos[0].URL)
	mustJPEG(t, "full copy", full, fct)
	thumb, ct := fetchObject(t, photos[0].ThumbURL)
	img := mustJPEG(t, "thumbnail", thumb, ct)
	if img.Bounds().Dx() != media.ThumbSide || img.Bounds().Dy() != 360 {
		t.Fatalf("thumbnail %v, want 480×360", img.Bounds())
	}
	if len(thumb) >= len(full) {
		t.Fatalf("thumbnail %d bytes, full copy %d", len(thumb), len(full))
	}
	if bytes.Contains(thumb, []byte("Exif")) || bytes.Contains(thumb, []byte{0xFF, 0xE1}) {
		t.Fatal("thumbnail carries an EXIF (APP1) segment")
	}
	if g, ok := media.ReadGPS(bytes.NewReader(thumb), int64(len(thumb)), media.TypeJPEG); ok {
		t.Fatalf("thumbnail carries GPS %+v", g)
	}
}

// policyFor asks for a presigned POST for the suggestion and returns the URL, fields and key.
func (b *bundle) policyFor(tok string, suggestionID int64) (string, map[string]string, string) {
	b.t.Helper()
	r := b.do("POST", "/api/v1/uploads", tok, map[string]any{"target": map[string]any{"kind": "suggestion", "id": suggestionID}})
	b.want(r, 201, "upload policy")
	var pol struct {
		URL    string
		Fields map[string]string
		Key    string
	}
	r.json(b.t, &pol)
	return pol.URL, pol.Fields, pol.Key
}

func (b *bundle) objectExists(key string) bool {
	b.t.Helper()
	_, err := b.objects.Stat(context.Background(), key)
	if err != nil && !errors.Is(err, objects.ErrNotFound) {
		b.t.Fatalf("stat %s: %v", key, err)
	}
	return err == nil
}

// Only the deputy who asked for a presigned POST can complete it, before and after it has
// become a photo; completing it again returns the same photo.
func TestCompleteUploadOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	zhang := b.deputy("openid-up-zhang", "jyg", "13800000001")
	li := b.deputy("openid-up-li", "jyg", "13800000002")
	wang := b.deputy("openid-up-wang", "other", "13800000003")
	id := b.draft(zhang, "直传")
	url, fields, key := b.policyFor(zhang, id)
	postToBucket(t, url, fields, "image/jpeg", bigJPEGWithGPS(t, 300, 200, 39.8, 98.3))

	const complete = "/api/v1/uploads/complete"
	unchanged := func(what string) {
		t.Helper()
		if n := b.count(`SELECT count(*) FROM attachments`); n != 0 {
			t.Fatalf("%s: %d attachments", what, n)
		}
		if n := b.count(`SELECT count(*) FROM mp_uploads WHERE object_key = $1 AND attachment_id IS NULL`, key); n != 1 {
			t.Fatalf("%s: upload record changed", what)
		}
		if !b.objectExists(key) {
			t.Fatalf("%s: the posted object was removed", what)
		}
	}
	for _, other := range []struct{ name, tok string }{{"another deputy", li}, {"another tenant's deputy", wang}} {
		r := b.do("POST", complete, other.tok, map[string]string{"key": key})
		b.want(r, 404, other.name+" completes my upload")
		if r.code() != media.ErrUploadNotFound.Code {
			t.Fatalf("%s: %s", other.name, r.Body)
		}
		unchanged(other.name)
	}

	r := b.do("POST", complete, zhang, map[string]string{"key": key})
	b.want(r, 201, "complete")
	var first, again struct {
		ID            int64
		Width, Height int
		SourceType    string `json:"source_type"`
	}
	r.json(t, &first)
	if first.ID == 0 || first.Width != 300 || first.Height != 200 || first.SourceType != media.TypeJPEG {
		t.Fatalf("completed: %s", r.Body)
	}
	r = b.do("POST", complete, zhang, map[string]string{"key": key})
	b.want(r, 201, "complete again")
	r.json(t, &again)
	if again != first {
		t.Fatalf("completed twice: %+v then %+v", first, again)
	}
	if n := b.count(`SELECT count(*) FROM attachments WHERE suggestion_id = $1`, id); n != 1 {
		t.Fatalf("%d attachments after completing twice", n)
	}
	if b.objectExists(key) {
		t.Fatal("the original (with EXIF) was kept after completion")
	}

	// Replaying a completed upload returns its photo only to its owner.
	for _, other := range []struct{ name, tok string }{{"another deputy", li}, {"another tenant's deputy", wang}} {
		r = b.do("POST", complete, other.tok, map[string]string{"key": key})
		b.want(r, 404, other.name+" replays my completed upload")
		if r.code() != media.ErrUploadNotFound.Code || bytes.Contains(r.Body, []byte(fmt.Sprint(first.ID))) {
			t.Fatalf("%s replay: %s", other.name, r.Body)
		}
	}
	if n := b.count(`SELECT count(*) FROM mp_uploads WHERE object_key = $1 AND attachment_id = $2`, key, first.ID); n != 1 {
		t.Fatal("upload record changed by a refused replay")
	}
}

// What the bucket holds is checked again at completion: too large or not an image is refused
// with its code, and the object is deleted.
func TestCompleteUploadRefusesAndDeletes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("openid-up-refuse", "jyg", "13800000001")
	id := b.draft(tok, "直传拒收")
	ctx := context.Background()

	// Over 10 MB: the POST policy's length range stops this at MinIO, so the object is put
	// directly, as a store that ignores the policy would keep it.
	big := append(bigJPEGWithGPS(t, 64, 48, 39.8, 98.3), make([]byte, media.MaxBytes)...)
	_, _, bigKey := b.policyFor(tok, id)
	if _, err := b.objects.Put(ctx, bigKey, bytes.NewReader(big), int64(len(big)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}

	// Not an image, and an image cut short, each posted with an image Content-Type.
	url, fields, textKey := b.policyFor(tok, id)
	postToBucket(t, url, fields, "image/jpeg", []byte("这不是图片，只是一段文字。"))
	url, fields, gifKey := b.policyFor(tok, id)
	postToBucket(t, url, fields, "image/gif", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"))
	url, fields, cutKey := b.policyFor(tok, id)
	postToBucket(t, url, fields, "image/jpeg", bigJPEGWithGPS(t, 300, 200, 39.8, 98.3)[:600])

	for _, c := range []struct {
		name, key string
		status    int
		code      string
	}{
		{"over 10 MB", bigKey, 413, media.ErrFileTooLarge.Code},
		{"text", textKey, 415, media.ErrUnsupportedType.Code},
		{"gif", gifKey, 415, media.ErrUnsupportedType.Code},
		{"cut short", cutKey, 422, media.ErrCorrupt.Code},
	} {
		if !b.objectExists(c.key) {
			t.Fatalf("%s: not in the bucket before completion", c.name)
		}
		r := b.do("POST", "/api/v1/uploads/complete", tok, map[string]string{"key": c.key})
		b.want(r, c.status, c.name)
		if r.code() != c.code {
			t.Fatalf("%s: %s", c.name, r.Body)
		}
		if b.objectExists(c.key) {
			t.Fatalf("%s: refused object left in the bucket", c.name)
		}
		if n := b.count(`SELECT count(*) FROM mp_uploads WHERE object_key = $1 AND attachment_id IS NULL`, c.key); n != 1 {
			t.Fatalf("%s: upload record changed", c.name)
		}
	}
	if n := b.count(`SELECT count(*) FROM attachments`); n != 0 {
		t.Fatalf("%d attachments from refused uploads", n)
	}
	// Completing a refused upload again: the object is gone, so it is missing, not re-read.
	r := b.do("POST", "/api/v1/uploads/complete", tok, map[string]string{"key": textKey})
	b.want(r, 422, "complete a refused upload again")
	if r.code() != media.ErrUploadMissing.Code {
		t.Fatalf("again: %s", r.Body)
	}
}
