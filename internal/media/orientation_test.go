package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/disintegration/imaging"
)

// orientationTIFF is a little-endian TIFF whose IFD0 holds only the Orientation tag.
func orientationTIFF(o uint16) []byte {
	le := binary.LittleEndian
	b := []byte{'I', 'I', 42, 0, 8, 0, 0, 0}
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 0x0112)
	b = le.AppendUint16(b, 3) // SHORT
	b = le.AppendUint32(b, 1)
	b = le.AppendUint16(b, o)
	b = le.AppendUint16(b, 0)
	return le.AppendUint32(b, 0)
}

// An upright copy is made without rotating the full-size image: the orientation is applied
// to the display copy. The copies are what imaging.AutoOrientation made of the same file,
// for each of the eight orientations (a 60×40 JPEG, shown whole).
func TestCopiesUprightAsAutoOrientation(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for y := range 40 {
		for x := range 60 {
			src.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 6), 0, 255})
		}
	}
	src.Set(0, 0, color.White) // a corner to follow
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	for o := uint16(1); o <= 8; o++ {
		j := withAPP1(buf.Bytes(), orientationTIFF(o))
		if got := jpegOrientation(bytes.NewReader(j), int64(len(j))); got != int(o) {
			t.Fatalf("orientation %d read as %d", o, got)
		}
		want, err := imaging.Decode(bytes.NewReader(j), imaging.AutoOrientation(true))
		if err != nil {
			t.Fatal(err)
		}
		display, thumb, err := copies(bytes.NewReader(j), int(o))
		if err != nil {
			t.Fatal(err)
		}
		if display.Bounds().Size() != want.Bounds().Size() || thumb.Bounds().Size() != want.Bounds().Size() {
			t.Fatalf("orientation %d: display %v, thumbnail %v, want %v", o, display.Bounds(), thumb.Bounds(), want.Bounds())
		}
		b := want.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r1, g1, b1, _ := display.At(display.Bounds().Min.X+x-b.Min.X, display.Bounds().Min.Y+y-b.Min.Y).RGBA()
				r2, g2, b2, _ := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					t.Fatalf("orientation %d: pixel (%d,%d) differs from imaging.AutoOrientation's", o, x, y)
				}
			}
		}
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"no EXIF", buf.Bytes()},
		{"orientation 0", withAPP1(buf.Bytes(), orientationTIFF(0))},
		{"orientation 9", withAPP1(buf.Bytes(), orientationTIFF(9))},
		{"GPS only", withAPP1(buf.Bytes(), gpsTIFF(39.8, 98.3))},
	} {
		if got := jpegOrientation(bytes.NewReader(c.data), int64(len(c.data))); got != 1 {
			t.Errorf("%s: orientation %d, want 1", c.name, got)
		}
	}
}

// A photo larger than the display size is shown fitted into DisplaySide and turned upright;
// its thumbnail fits ThumbSide.
func TestCopiesOfLargeRotatedPhoto(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 2100, 210)), nil); err != nil {
		t.Fatal(err)
	}
	j := withAPP1(buf.Bytes(), orientationTIFF(6))
	display, thumb, err := copies(bytes.NewReader(j), jpegOrientation(bytes.NewReader(j), int64(len(j))))
	if err != nil {
		t.Fatal(err)
	}
	if got := display.Bounds().Size(); got != image.Pt(204, DisplaySide) {
		t.Fatalf("display copy %v, want 204×%d (upright)", got, DisplaySide)
	}
	// As imaging.Fit made it of the whole photo, not 480/2048 of the display copy's width.
	if got := thumb.Bounds().Size(); got != image.Pt(48, ThumbSide) {
		t.Fatalf("thumbnail %v, want 48×%d", got, ThumbSide)
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	f.Add(withAPP1(testJPEG(), orientationTIFF(6)))
	f.Add(withAPP1(testJPEG(), []byte("MM\x00*\xff\xff\xff\xff")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := jpegOrientation(bytes.NewReader(b), int64(len(b))); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
