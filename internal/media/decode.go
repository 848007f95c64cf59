package media

import (
	"context"
	"image"
	"io"
	"sync"

	"github.com/disintegration/imaging"
	"golang.org/x/sync/semaphore"
)

// DefaultDecodeBudget is the memory the photos being decoded at once may take in one process
// when nothing else is configured: two 36-megapixel phone photos, or dozens of ordinary ones.
const DefaultDecodeBudget = 384 << 20

// bytesPerPixel is what a decoded pixel is counted at (8-bit RGBA, the widest the decoders
// and imaging produce).
const bytesPerPixel = 4

// DecodeLimiter bounds the memory that decoding photos takes at once. A decoded image costs
// width×height×4 bytes whatever its file size (an 8 MB JPEG of 6000×6000 pixels decodes to
// 144 MB), so without a bound a handful of concurrent uploads exhausts the process. Each
// decode first takes its decoded size from the budget, known from the header before a pixel
// is read, and gives it back when its copies are made; a photo larger than the whole budget
// waits until it can run alone. Waiters are served in order, so a large photo is not starved
// by small ones.
type DecodeLimiter struct {
	sem    *semaphore.Weighted
	budget int64

	mu      sync.Mutex
	inUse   int64 // bytes held by running decodes
	peak    int64 // the most inUse ever was
	running int   // decodes holding a share
	waiting int   // decodes waiting for one
}

// NewDecodeLimiter returns a limiter over budget bytes (DefaultDecodeBudget when ≤ 0).
// Services that should share one bound share one limiter.
func NewDecodeLimiter(budget int64) *DecodeLimiter {
	if budget <= 0 {
		budget = DefaultDecodeBudget
	}
	return &DecodeLimiter{sem: semaphore.NewWeighted(budget), budget: budget}
}

// Budget is the limiter's size in bytes.
func (l *DecodeLimiter) Budget() int64 { return l.budget }

// processDecoding bounds every Service given no limiter of its own (tests, tools); cmd/jianyi
// gives the photo services of a process one limiter of MEDIA_DECODE_BUDGET_MB.
var processDecoding = NewDecodeLimiter(DefaultDecodeBudget)

// decodeWeight is what decoding a w×h image is counted at: its decoded size, capped at the
// budget so that a photo larger than the budget runs alone instead of never.
func (l *DecodeLimiter) decodeWeight(w, h int) int64 {
	n := int64(w) * int64(h) * bytesPerPixel
	if n < 1 {
		n = 1
	}
	return min(n, l.budget)
}

// acquire waits for the decoded size of a w×h image to fit in the budget. It gives up when
// ctx ends (the phone hung up), with ctx's error. release gives the share back, once.
func (l *DecodeLimiter) acquire(ctx context.Context, w, h int) (release func(), err error) {
	n := l.decodeWeight(w, h)
	l.mu.Lock()
	l.waiting++
	l.mu.Unlock()
	err = l.sem.Acquire(ctx, n)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waiting--
	if err != nil {
		return nil, err
	}
	l.running++
	l.inUse += n
	l.peak = max(l.peak, l.inUse)
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.running--
			l.inUse -= n
			l.mu.Unlock()
			l.sem.Release(n)
		})
	}, nil
}

// decodeLimiterStats is the limiter's state, for tests.
type decodeLimiterStats struct {
	InUse, Peak      int64
	Running, Waiting int
}

func (l *DecodeLimiter) stats() decodeLimiterStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return decodeLimiterStats{InUse: l.inUse, Peak: l.peak, Running: l.running, Waiting: l.waiting}
}

// copies decodes the photo in r (of type ct, w×h pixels by its header) and returns the copies
// shown: the display copy, fitted into DisplaySide, and the thumbnail, fitted into ThumbSide,
// both turned upright by the JPEG's EXIF orientation. The full-size image is never rotated
// (that would be a second full-size copy): the orientation is applied to the display copy,
// which, as both boxes are square, fits the same whichever way up it is; and the thumbnail is
// made from the display copy, not from the full image again. orient is the EXIF orientation
// (1 = upright; see jpegOrientation).
func copies(r io.Reader, orient int) (display, thumb image.Image, err error) {
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, nil, ErrCorrupt
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	display = img
	if w > DisplaySide || h > DisplaySide {
		display = imaging.Fit(img, DisplaySide, DisplaySide, imaging.Lanczos)
	}
	display = upright(display, orient)
	if orient >= 5 { // turned a quarter: the upright photo is h×w
		w, h = h, w
	}
	// The thumbnail has the size imaging.Fit gives the whole upright photo.
	thumb = display
	if tw, th := fitSize(w, h, ThumbSide); tw != w || th != h {
		thumb = imaging.Resize(display, tw, th, imaging.Lanczos)
	}
	return display, thumb, nil
}

// fitSize is the size imaging.Fit gives a w×h image in a side×side box.
func fitSize(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w > h {
		return side, max(1, int(float64(side)/(float64(w)/float64(h))))
	}
	return max(1, int(float64(side)*(float64(w)/float64(h)))), side
}

// upright applies an EXIF orientation (TIFF tag 0x0112), as imaging.AutoOrientation does.
func upright(img image.Image, orient int) image.Image {
	switch orient {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// jpegOrientation reads the EXIF orientation of a JPEG (1 when there is none, or it is not
// one of the eight defined). Only JPEG's is read, as imaging.AutoOrientation did.
func jpegOrientation(r io.ReaderAt, size int64) int {
	tiff := jpegEXIF(r, size)
	bo, ok := tiffOrder(tiff)
	if !ok {
		return 1
	}
	entries, ok := ifdEntries(tiff, bo, bo.Uint32(tiff[4:8]))
	if !ok {
		return 1
	}
	for _, e := range entries {
		if e.tag == 0x0112 && e.typ == 3 && e.count == 1 {
			if o := int(bo.Uint16(e.raw[:2])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}
