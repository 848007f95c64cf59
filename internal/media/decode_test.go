package media_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// putRecorder is the bucket, remembering every key a photo's copies were put under, and
// every put whose size was not given as what it was.
type putRecorder struct {
	media.ObjectStore
	mu      sync.Mutex
	keys    []string
	unsized []string
}

func (p *putRecorder) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p.mu.Lock()
	p.keys = append(p.keys, key)
	p.mu.Unlock()
	cr := &countingReader{r: r}
	err := p.ObjectStore.Put(ctx, key, cr, size, contentType)
	if err == nil && (size < 0 || cr.n != size) {
		p.mu.Lock()
		p.unsized = append(p.unsized, fmt.Sprintf("%s: size %d, %d bytes", key, size, cr.n))
		p.mu.Unlock()
	}
	return err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func (p *putRecorder) put() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...)
}

// intake is photo intake on the real PostgreSQL and MinIO, with its own decoding budget, and
// a deputy's 随手拍 to add photos to.
type intake struct {
	svc     *media.Service
	lim     *media.DecodeLimiter
	pool    *pgxpool.Pool
	objects *putRecorder
	deputy  auth.Actor
	snap    media.Target
}

func newIntake(t *testing.T, budget int64) *intake {
	t.Helper()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	store := postgres.NewMediaStore(pool)
	rec := &putRecorder{ObjectStore: objects.MediaAdapter{S: objtest.New(t)}}
	svc := media.NewService(store, rec, nil, nil, nil)
	svc.Decoding = media.NewDecodeLimiter(budget)
	dep := auth.Deputy(tn.ID, tn.Deputies[0])
	sn, err := media.NewSnaps(store, nil, nil).Create(context.Background(), dep, media.SnapInput{Note: "人行道井盖缺失", Address: "新华路"})
	if err != nil {
		t.Fatal(err)
	}
	return &intake{svc: svc, lim: svc.Decoding, pool: pool, objects: rec, deputy: dep, snap: media.Target{Kind: media.KindSnap, ID: sn.ID}}
}

func (in *intake) upload(ctx context.Context, data []byte) error {
	_, err := in.svc.Upload(ctx, in.deputy, "", in.snap, bytes.NewReader(data))
	return err
}

// photos counts the snap's recorded photos.
func (in *intake) photos(t *testing.T) int {
	t.Helper()
	return pgtest.Count(t, in.pool, `SELECT count(*) FROM attachments WHERE snap_id = $1`, in.snap.ID)
}

// noOrphans checks that every copy put in the bucket is a recorded photo's.
func (in *intake) noOrphans(t *testing.T) {
	t.Helper()
	for _, k := range in.objects.put() {
		if pgtest.Count(t, in.pool, `SELECT count(*) FROM attachments WHERE object_key = $1 OR thumb_key = $1`, k) != 1 {
			t.Errorf("copy %s was put but belongs to no photo", k)
		}
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// waitFor waits for cond to hold (it must, soon); what is waited for says what failed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// holdDecodes makes every decode of svc stop once its copies are made, still holding its
// share of the budget, until the returned release is called; entered receives one value per
// decode reaching that point.
func holdDecodes(t *testing.T, svc *media.Service) (entered <-chan struct{}, release func()) {
	in := make(chan struct{}, 64)
	proceed := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(proceed) }) }
	t.Cleanup(release)
	media.OnDecoded(svc, func() {
		in <- struct{}{}
		<-proceed
	})
	return in, release
}

func entering(t *testing.T, entered <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatalf("never: %s", what)
	}
}

// Nine phones sending 36-megapixel photos at once used to decode them all at once (4–8 GB).
// Decodes now take their decoded size from a budget: with room for two photos, two decode
// and the others wait, and the memory held never passes the budget; all are stored in turn.
func TestDecodesStayWithinBudget(t *testing.T) {
	t.Parallel()
	const side, n = 64, 5
	weight := int64(side * side * 4)
	budget := 2*weight + weight/2 // room for two, not three
	in := newIntake(t, budget)
	if got := in.lim.DecodeWeight(side, side); got != weight {
		t.Fatalf("a %d×%d photo weighs %d, want its decoded size %d", side, side, got, weight)
	}
	entered, release := holdDecodes(t, in.svc)
	data := pngOf(t, side, side)
	errs := make(chan error, n)
	for range n {
		go func() { errs <- in.upload(context.Background(), data) }()
	}
	entering(t, entered, "a first photo decoded")
	entering(t, entered, "a second photo decoded alongside the first")
	waitFor(t, "the other photos waiting for their share", func() bool { return in.lim.Stats().Waiting == n-2 })
	if st := in.lim.Stats(); st.Running != 2 || st.InUse != 2*weight || st.InUse > budget {
		t.Fatalf("with two photos decoding: %+v", st)
	}
	select {
	case <-entered:
		t.Fatalf("a third photo was decoded beyond the budget: %+v", in.lim.Stats())
	default:
	}
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("upload: %v", err)
		}
	}
	if st := in.lim.Stats(); st.Peak != 2*weight || st.InUse != 0 || st.Running != 0 || st.Waiting != 0 {
		t.Fatalf("after the uploads: %+v, want a peak of %d and nothing held", st, 2*weight)
	}
	if got := in.photos(t); got != n {
		t.Fatalf("%d photos stored, want %d", got, n)
	}
	in.noOrphans(t)
}

// A photo whose decoded size is more than the whole budget is not refused for ever: it is
// decoded alone.
func TestPhotoBiggerThanBudgetRunsAlone(t *testing.T) {
	t.Parallel()
	const side = 64
	budget := int64(side*side*4) / 3
	in := newIntake(t, budget)
	if err := in.upload(context.Background(), pngOf(t, side, side)); err != nil {
		t.Fatalf("upload of a photo bigger than the budget: %v", err)
	}
	if st := in.lim.Stats(); st.Peak != budget || st.InUse != 0 {
		t.Fatalf("after the upload: %+v, want the whole budget taken once", st)
	}
	if got := in.photos(t); got != 1 {
		t.Fatalf("%d photos stored, want 1", got)
	}
}

// A phone that hangs up while its photo waits for the budget stops waiting at once (not when
// the photos ahead are done) and leaves nothing behind: no photo, no copy in the bucket.
func TestCallerHangingUpStopsWaitingForDecode(t *testing.T) {
	t.Parallel()
	const side = 64
	in := newIntake(t, int64(side*side*4)) // one photo at a time
	entered, release := holdDecodes(t, in.svc)
	data := pngOf(t, side, side)
	first := make(chan error, 1)
	go func() { first <- in.upload(context.Background(), data) }()
	entering(t, entered, "the first photo decoded")

	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	second := make(chan error, 1)
	go func() { second <- in.upload(ctx, data) }()
	waitFor(t, "the second photo waiting for the budget", func() bool { return in.lim.Stats().Waiting == 1 })
	hangUp()
	select {
	case err := <-second:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the hung-up upload: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hung-up upload is still waiting while the first photo holds the budget")
	}
	if st := in.lim.Stats(); st.Waiting != 0 || st.Running != 1 {
		t.Fatalf("after the hang-up: %+v", st)
	}
	if keys := in.objects.put(); len(keys) != 0 {
		t.Fatalf("copies put before any photo finished decoding: %v", keys)
	}
	release()
	if err := <-first; err != nil {
		t.Fatalf("the first upload: %v", err)
	}
	if got := in.photos(t); got != 1 {
		t.Fatalf("%d photos stored, want the first one only", got)
	}
	if keys := in.objects.put(); len(keys) != 2 {
		t.Fatalf("copies put: %v, want the first photo's two", keys)
	}
	in.noOrphans(t)
}

// A photo's copies are put with their size: streamed with the size unknown, each put had
// minio-go allocate a part buffer of over 500 MB.
func TestCopiesPutWithTheirSize(t *testing.T) {
	t.Parallel()
	in := newIntake(t, 0)
	if err := in.upload(context.Background(), pngOf(t, 64, 48)); err != nil {
		t.Fatal(err)
	}
	if got := in.objects.put(); len(got) != 2 {
		t.Fatalf("copies put: %v, want 2", got)
	}
	in.objects.mu.Lock()
	defer in.objects.mu.Unlock()
	if len(in.objects.unsized) != 0 {
		t.Fatalf("copies put without their size: %v", in.objects.unsized)
	}
}
