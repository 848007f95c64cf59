package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for DecodeConfig / Decode
	_ "image/png"
	"io"

	_ "golang.org/x/image/webp"
)

// Accepted content types; everything else is refused, whatever the file name says.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// Limits of one photo.
const (
	MaxBytes  = 10 << 20   // WeChat's mediaCheckAsync limit too
	MaxPixels = 40_000_000 // 40 megapixels
	MaxSide   = 10000
)

// SniffLen is how many leading bytes Sniff needs.
const SniffLen = 16

// Sniff names the image type from its first bytes ("" for anything else). The file name
// and the client's Content-Type are never trusted.
func Sniff(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return TypeJPEG
	case len(b) >= 8 && bytes.Equal(b[:8], []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")):
		return TypeWebP
	}
	return ""
}

// CheckHeader sniffs the type and reads the pixel dimensions from the header, without
// decoding pixels, so a decompression bomb is refused before it costs memory.
func CheckHeader(r io.Reader) (contentType string, width, height int, err error) {
	head := make([]byte, SniffLen)
	n, rerr := io.ReadFull(r, head)
	head = head[:n]
	if rerr != nil && !errors.Is(rerr, io.ErrUnexpectedEOF) && !errors.Is(rerr, io.EOF) {
		return "", 0, 0, fmt.Errorf("read image header: %w", rerr)
	}
	contentType = Sniff(head)
	if contentType == "" {
		return "", 0, 0, ErrUnsupportedType
	}
	cfg, _, err := image.DecodeConfig(io.MultiReader(bytes.NewReader(head), r))
	if err != nil {
		return contentType, 0, 0, ErrCorrupt
	}
	if err := CheckDimensions(cfg.Width, cfg.Height); err != nil {
		return contentType, cfg.Width, cfg.Height, err
	}
	return contentType, cfg.Width, cfg.Height, nil
}

// CheckDimensions refuses empty images, sides over MaxSide and more than MaxPixels.
func CheckDimensions(w, h int) error {
	if w <= 0 || h <= 0 {
		return ErrCorrupt
	}
	if w > MaxSide || h > MaxSide || int64(w)*int64(h) > MaxPixels {
		return ErrTooManyPixels
	}
	return nil
}
