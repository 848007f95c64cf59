package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
)

func testJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(1, 1, color.White)
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, nil)
	return buf.Bytes()
}

// gpsTIFF builds a big-endian TIFF holding a GPS IFD for lat/lng.
func gpsTIFF(lat, lng float64) []byte {
	be := binary.BigEndian
	b := []byte{'M', 'M', 0, 42, 0, 0, 0, 8}
	b = be.AppendUint16(b, 1)
	b = be.AppendUint16(b, 0x8825)
	b = be.AppendUint16(b, 4)
	b = be.AppendUint32(b, 1)
	b = be.AppendUint32(b, 26)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint16(b, 4)
	latRef, lngRef := uint32('N')<<24, uint32('E')<<24
	if lat < 0 {
		latRef, lat = uint32('S')<<24, -lat
	}
	if lng < 0 {
		lngRef, lng = uint32('W')<<24, -lng
	}
	data := uint32(26 + 2 + 48 + 4)
	for _, e := range [][4]uint32{{1, 2, 2, latRef}, {2, 5, 3, data}, {3, 2, 2, lngRef}, {4, 5, 3, data + 24}} {
		b = be.AppendUint16(b, uint16(e[0]))
		b = be.AppendUint16(b, uint16(e[1]))
		b = be.AppendUint32(b, e[2])
		b = be.AppendUint32(b, e[3])
	}
	b = be.AppendUint32(b, 0)
	for _, v := range []float64{lat, lng} {
		d := math.Floor(v)
		m := math.Floor((v - d) * 60)
		s := (v - d - m/60) * 3600
		for _, r := range [][2]uint32{{uint32(d), 1}, {uint32(m), 1}, {uint32(math.Round(s * 10000)), 10000}} {
			b = be.AppendUint32(b, r[0])
			b = be.AppendUint32(b, r[1])
		}
	}
	return b
}

func withAPP1(j, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, j[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, j[2:]...)
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	td := append([]byte(typ), data...)
	b = append(b, td...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(td))
}

func TestReadGPS(t *testing.T) {
	t.Parallel()
	j := withAPP1(testJPEG(), gpsTIFF(-33.8688, 151.2093))
	g, ok := ReadGPS(bytes.NewReader(j), int64(len(j)), TypeJPEG)
	if !ok || math.Abs(g.Lat+33.8688) > 1e-4 || math.Abs(g.Lng-151.2093) > 1e-4 {
		t.Fatalf("jpeg gps: %+v %v", g, ok)
	}
	var pbuf bytes.Buffer
	_ = png.Encode(&pbuf, image.NewGray(image.Rect(0, 0, 2, 2)))
	p := pbuf.Bytes()
	// Insert eXIf after IHDR (8 + 25 bytes).
	pp := append(append(append([]byte{}, p[:33]...), pngChunk("eXIf", gpsTIFF(39.77, 98.29))...), p[33:]...)
	if g, ok := ReadGPS(bytes.NewReader(pp), int64(len(pp)), TypePNG); !ok || math.Abs(g.Lat-39.77) > 1e-4 {
		t.Fatalf("png gps: %+v %v", g, ok)
	}
	if _, ok := ReadGPS(bytes.NewReader(p), int64(len(p)), TypePNG); ok {
		t.Fatal("gps from a png without eXIf")
	}
	// WebP container with an EXIF chunk.
	tiff := gpsTIFF(1.5, 2.5)
	w := []byte("RIFF\x00\x00\x00\x00WEBP")
	w = append(w, "EXIF"...)
	w = binary.LittleEndian.AppendUint32(w, uint32(len(tiff)))
	w = append(w, tiff...)
	if g, ok := ReadGPS(bytes.NewReader(w), int64(len(w)), TypeWebP); !ok || math.Abs(g.Lng-2.5) > 1e-4 {
		t.Fatalf("webp gps: %+v %v", g, ok)
	}
}

func TestSniffAndHeader(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{"jpeg", testJPEG(), TypeJPEG, nil},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", ErrUnsupportedType},
		{"empty", nil, "", ErrUnsupportedType},
		{"png header only", func() []byte {
			ihdr := []byte{0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 2, 0, 0, 0}
			return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
		}(), TypePNG, ErrTooManyPixels},
		{"truncated jpeg", testJPEG()[:10], TypeJPEG, ErrCorrupt},
	}
	for _, c := range cases {
		ct, _, _, err := CheckHeader(bytes.NewReader(c.data))
		if ct != c.want || err != c.err {
			t.Errorf("%s: %q %v, want %q %v", c.name, ct, err, c.want, c.err)
		}
	}
	for _, d := range [][2]int{{10001, 1}, {1, 10001}, {8000, 5001}} {
		if CheckDimensions(d[0], d[1]) != ErrTooManyPixels {
			t.Errorf("%v accepted", d)
		}
	}
	if CheckDimensions(10000, 4000) != nil {
		t.Error("40 MP refused")
	}
}

func FuzzParseEXIFGPS(f *testing.F) {
	f.Add(gpsTIFF(39.7, 98.2))
	f.Add([]byte("II*\x00\x08\x00\x00\x00\xff\xff"))
	f.Add([]byte("MM\x00*\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, ok := ParseEXIFGPS(b)
		if ok && (g.Lat < -90 || g.Lat > 90 || g.Lng < -180 || g.Lng > 180 || math.IsNaN(g.Lat)) {
			t.Fatalf("out of range: %+v", g)
		}
	})
}

func FuzzReadGPSContainers(f *testing.F) {
	f.Add(withAPP1(testJPEG(), gpsTIFF(10, 20)), uint8(0))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x04eXIfMM\x00*"), uint8(1))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPEXIF\xff\xff\xff\x7f"), uint8(2))
	types := []string{TypeJPEG, TypePNG, TypeWebP}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		_, _ = ReadGPS(bytes.NewReader(b), int64(len(b)), types[int(which)%3])
	})
}

func FuzzUploadSniff(f *testing.F) {
	f.Add(testJPEG())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, w, h, err := CheckHeader(bytes.NewReader(b))
		if ct != Sniff(b) {
			t.Fatalf("CheckHeader type %q, Sniff %q", ct, Sniff(b))
		}
		if err == nil && CheckDimensions(w, h) != nil {
			t.Fatalf("accepted %dx%d", w, h)
		}
	})
}
