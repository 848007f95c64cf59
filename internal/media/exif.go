package media

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
)

// GPS is a position read from a photo's EXIF, kept privately (never in a copy shown).
type GPS struct {
	Lat, Lng float64
}

// maxEXIF bounds the EXIF block we read: JPEG APP1 cannot exceed 64 KiB, and PNG/WebP
// chunks holding more are not real cameras' EXIF.
const maxEXIF = 256 << 10

// ReadGPS finds the EXIF block of a JPEG, PNG or WebP file and returns its GPS position.
// It walks segment/chunk headers through r (skipping pixel data), so it reads little.
func ReadGPS(r io.ReaderAt, size int64, contentType string) (GPS, bool) {
	var tiff []byte
	switch contentType {
	case TypeJPEG:
		tiff = jpegEXIF(r, size)
	case TypePNG:
		tiff = pngEXIF(r, size)
	case TypeWebP:
		tiff = webpEXIF(r, size)
	}
	if tiff == nil {
		return GPS{}, false
	}
	return ParseEXIFGPS(tiff)
}

func readAt(r io.ReaderAt, off int64, n int) []byte {
	if off < 0 || n < 0 || n > maxEXIF {
		return nil
	}
	b := make([]byte, n)
	m, err := r.ReadAt(b, off)
	if m != n && err != nil {
		return nil
	}
	return b
}

func jpegEXIF(r io.ReaderAt, size int64) []byte {
	off := int64(2) // after SOI
	for off+4 <= size {
		h := readAt(r, off, 4)
		if h == nil || h[0] != 0xFF {
			return nil
		}
		marker := h[1]
		if marker == 0xFF { // fill byte
			off++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			off += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan / end: no EXIF before pixels
			return nil
		}
		n := int64(binary.BigEndian.Uint16(h[2:4]))
		if n < 2 || off+2+n > size {
			return nil
		}
		if marker == 0xE1 && n >= 8 {
			seg := readAt(r, off+4, int(n-2))
			if seg != nil && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
				return seg[6:]
			}
		}
		off += 2 + n
	}
	return nil
}

func pngEXIF(r io.ReaderAt, size int64) []byte {
	off := int64(8)
	for off+8 <= size {
		h := readAt(r, off, 8)
		if h == nil {
			return nil
		}
		n := int64(binary.BigEndian.Uint32(h[:4]))
		typ := string(h[4:8])
		if off+12+n > size || n > math.MaxInt32 {
			return nil
		}
		switch typ {
		case "eXIf":
			return readAt(r, off+8, int(n))
		case "IEND":
			return nil
		}
		off += 12 + n
	}
	return nil
}

func webpEXIF(r io.ReaderAt, size int64) []byte {
	off := int64(12)
	for off+8 <= size {
		h := readAt(r, off, 8)
		if h == nil {
			return nil
		}
		n := int64(binary.LittleEndian.Uint32(h[4:8]))
		if off+8+n > size {
			return nil
		}
		if string(h[:4]) == "EXIF" {
			b := readAt(r, off+8, int(n))
			return bytes.TrimPrefix(b, []byte("Exif\x00\x00"))
		}
		off += 8 + n + n%2
	}
	return nil
}

// ParseEXIFGPS reads GPSLatitude/GPSLongitude (with their N/S, E/W refs) from a TIFF-structured
// EXIF block. Every offset is bounds-checked: the input comes from strangers' phones.
func ParseEXIFGPS(tiff []byte) (GPS, bool) {
	bo, ok := tiffOrder(tiff)
	if !ok {
		return GPS{}, false
	}
	ifd0 := bo.Uint32(tiff[4:8])
	gpsOff, ok := findTag(tiff, bo, ifd0, 0x8825)
	if !ok {
		return GPS{}, false
	}
	entries, ok := ifdEntries(tiff, bo, gpsOff)
	if !ok {
		return GPS{}, false
	}
	var latRef, lngRef byte
	var lat, lng float64
	var haveLat, haveLng bool
	for _, e := range entries {
		switch e.tag {
		case 1:
			latRef = e.raw[0]
		case 3:
			lngRef = e.raw[0]
		case 2:
			lat, haveLat = dms(tiff, bo, e)
		case 4:
			lng, haveLng = dms(tiff, bo, e)
		}
	}
	if !haveLat || !haveLng {
		return GPS{}, false
	}
	if latRef == 'S' {
		lat = -lat
	}
	if lngRef == 'W' {
		lng = -lng
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) {
		return GPS{}, false
	}
	return GPS{Lat: lat, Lng: lng}, true
}

type ifdEntry struct {
	tag, typ uint16
	count    uint32
	raw      [4]byte // value or offset
}

const maxIFDEntries = 512

func ifdEntries(tiff []byte, bo binary.ByteOrder, off uint32) ([]ifdEntry, bool) {
	if uint64(off)+2 > uint64(len(tiff)) {
		return nil, false
	}
	n := int(bo.Uint16(tiff[off : off+2]))
	if n > maxIFDEntries || uint64(off)+2+uint64(n)*12 > uint64(len(tiff)) {
		return nil, false
	}
	out := make([]ifdEntry, n)
	for i := range n {
		p := int(off) + 2 + i*12
		e := ifdEntry{tag: bo.Uint16(tiff[p:]), typ: bo.Uint16(tiff[p+2:]), count: bo.Uint32(tiff[p+4:])}
		copy(e.raw[:], tiff[p+8:p+12])
		out[i] = e
	}
	return out, true
}

func findTag(tiff []byte, bo binary.ByteOrder, ifd uint32, tag uint16) (uint32, bool) {
	entries, ok := ifdEntries(tiff, bo, ifd)
	if !ok {
		return 0, false
	}
	for _, e := range entries {
		if e.tag == tag && (e.typ == 4 || e.typ == 13) && e.count == 1 {
			return bo.Uint32(e.raw[:]), true
		}
	}
	return 0, false
}

// dms reads three RATIONALs (degrees, minutes, seconds) into decimal degrees.
func dms(tiff []byte, bo binary.ByteOrder, e ifdEntry) (float64, bool) {
	if e.typ != 5 || e.count != 3 {
		return 0, false
	}
	off := uint64(bo.Uint32(e.raw[:]))
	if off+24 > uint64(len(tiff)) {
		return 0, false
	}
	var v [3]float64
	for i := range 3 {
		num := bo.Uint32(tiff[off+uint64(i)*8:])
		den := bo.Uint32(tiff[off+uint64(i)*8+4:])
		if den == 0 {
			return 0, false
		}
		v[i] = float64(num) / float64(den)
	}
	d := v[0] + v[1]/60 + v[2]/3600
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return 0, false
	}
	return d, true
}

// tiffOrder reads the byte order of a TIFF-structured block ("II" little-endian, "MM"
// big-endian, then the magic 42); ok is false for anything else or a block too short to hold
// the first IFD's offset.
func tiffOrder(tiff []byte) (binary.ByteOrder, bool) {
	if len(tiff) < 8 {
		return nil, false
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, false
	}
	return bo, bo.Uint16(tiff[2:4]) == 42
}
