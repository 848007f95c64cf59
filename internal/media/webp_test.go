package media

import (
	"bytes"
	"encoding/hex"
	"image"
	"testing"

	"golang.org/x/image/webp"
)

// webp640x360 is a lossless (VP8L) WebP, 640×360, one colour (R 48, G 128, B 192): the
// header, then five one-symbol prefix codes, so no bits per pixel. The same bytes are
// uploaded in miniprogram-api's TestUploadWebP.
const webp640x360 = "524946461a000000574542505650384c0d0000002f7fc259002860610adcff020000"

// The literal is a real WebP (x/image/webp decodes it to what it claims) and the header
// check takes it as one.
func TestWebPLiteral(t *testing.T) {
	t.Parallel()
	b, err := hex.DecodeString(webp640x360)
	if err != nil {
		t.Fatal(err)
	}
	img, err := webp.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, 640, 360) {
		t.Fatalf("bounds %v", img.Bounds())
	}
	for _, p := range []image.Point{{0, 0}, {320, 180}, {639, 359}} {
		if r, g, bl, a := img.At(p.X, p.Y).RGBA(); r>>8 != 48 || g>>8 != 128 || bl>>8 != 192 || a>>8 != 255 {
			t.Fatalf("colour at %v: %d %d %d %d", p, r>>8, g>>8, bl>>8, a>>8)
		}
	}
	ct, w, h, err := CheckHeader(bytes.NewReader(b))
	if err != nil || ct != TypeWebP || w != 640 || h != 360 {
		t.Fatalf("CheckHeader: %q %d×%d %v", ct, w, h, err)
	}
}
