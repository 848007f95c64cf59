package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"jianyi/bot"
	"jianyi/internal/media"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/objects"
	"jianyi/storage/postgres"
)

// snapJob is the worker's 随手拍 photo task on the bundle's PostgreSQL, MinIO and fake
// WeChat, as cmd/jianyi/wire_worker.go builds it; wx replaces the WeChat client when set.
func (b *bundle) snapJob(wx bot.WeChat) *bot.SnapPhotos {
	b.t.Helper()
	if wx == nil {
		wx = b.wc
	}
	store := postgres.NewMediaStore(b.pool)
	log := slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	j, err := bot.NewSnapPhotos(bot.SnapPhotosDeps{WeChat: wx, Photos: media.NewService(store, objects.MediaAdapter{S: b.objs}, nil, nil, log),
		Answers: store, Log: log})
	if err != nil {
		b.t.Fatal(err)
	}
	return j
}

// botSnap links openid to deputy 0 and records a 随手拍 of theirs as the bot does.
func (b *bundle) botSnap(openid string) int64 {
	b.t.Helper()
	b.link(openid, 0)
	lat, lng := 39.8, 98.3
	id, err := postgres.NewBotStore(b.pool).CreateSnap(b.ctx, b.tn.ID, b.tn.Deputies[0], "井盖缺失，夜间很危险", &lat, &lng, "民政路")
	if err != nil {
		b.t.Fatal(err)
	}
	return id
}

// snapSources counts the snap's photos by the WeChat media id they came from, checking that
// each one's objects are in the bucket.
func (b *bundle) snapSources(snap int64) map[string]int {
	b.t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT coalesce(source_media_id, ''), object_key, thumb_key FROM attachments
		WHERE tenant_id = $1 AND snap_id = $2`, b.tn.ID, snap)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var src, key, thumb string
		if err := rows.Scan(&src, &key, &thumb); err != nil {
			b.t.Fatal(err)
		}
		for _, k := range []string{key, thumb} {
			if info, err := b.objs.Stat(b.ctx, k); err != nil || info.Size == 0 {
				b.t.Fatalf("object of photo from %q: %v", src, err)
			}
		}
		out[src]++
	}
	if err := rows.Err(); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// answers returns the text of every customer-service call, failing the test if one was
// addressed to anyone but openid.
func (b *bundle) answers(openid string) []string {
	b.t.Helper()
	var out []string
	for _, c := range b.app.Calls(wechattest.APICustomSend) {
		var m struct {
			ToUser string `json:"touser"`
			Text   struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if err := json.Unmarshal(c.Body, &m); err != nil {
			b.t.Fatal(err)
		}
		if m.ToUser != openid {
			b.t.Fatalf("answer sent to another openid")
		}
		out = append(out, m.Text.Content)
	}
	return out
}

func sameCounts(got map[string]int, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if got[w] != 1 {
			return false
		}
	}
	return true
}

// The task stores every photo of the snap with its media id and answers the deputy's
// official-account openid, read from the database; run again (a retry, a worker that died
// after the answer) it fetches nothing, stores nothing and says nothing more.
func TestSnapPhotosTaskStoresAndAnswersOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-task"
	photo := jpegBytes(t)
	b.app.AddMedia("media-1", "image/jpeg", photo)
	b.app.AddMedia("media-2", "image/jpeg", photo)
	snap := b.botSnap(me)
	job := b.snapJob(nil)
	ids := []string{"media-1", "media-2"}

	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], ids, false); err != nil {
		t.Fatal(err)
	}
	b.wantSnapPhotos(snap, me, 2, ids...)

	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], ids, false); err != nil {
		t.Fatal(err)
	}
	if got := b.snapSources(snap); !sameCounts(got, ids...) {
		t.Fatalf("second run: photos by media id %v", got)
	}
	if got := b.answers(me); len(got) != 1 {
		t.Fatalf("second run answered again: %q", got)
	}
	if n := b.app.Count(wechattest.APIMediaGet); n != 2 {
		t.Fatalf("second run fetched again: %d media/get calls", n)
	}
	if strings.Contains(b.logs.String(), me) {
		t.Fatal("openid logged")
	}
}

// pairedWeChat holds the first two media fetches until both are under way, as two runs of
// one task (a worker whose lease ran out while it still worked) would fetch side by side.
type pairedWeChat struct {
	bot.WeChat
	mu      sync.Mutex
	waiting int
	both    chan struct{}
}

func (p *pairedWeChat) GetMedia(ctx context.Context, id string) (io.ReadCloser, string, error) {
	p.mu.Lock()
	p.waiting++
	if p.waiting == 2 {
		close(p.both)
	}
	p.mu.Unlock()
	<-p.both
	return p.WeChat.GetMedia(ctx, id)
}

// Two runs of the task at once, both fetching the same photo: the snap keeps one copy of it
// and the deputy gets one answer.
func TestSnapPhotosConcurrentRunsStoreOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-twice"
	b.app.AddMedia("media-1", "image/jpeg", jpegBytes(t))
	snap := b.botSnap(me)
	job := b.snapJob(&pairedWeChat{WeChat: b.wc, both: make(chan struct{})})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			errs[i] = job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], []string{"media-1"}, false)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := b.app.Count(wechattest.APIMediaGet); n != 2 {
		t.Fatalf("%d fetches: the runs did not overlap", n)
	}
	b.wantSnapPhotos(snap, me, 1, "media-1")
}

// WeChat failing on one photo: the others are stored, the task fails (the worker retries
// it with its backoff) without answering, and the retry stores the missing photo and answers
// with the full count.
func TestSnapPhotosRetriedAfterWeChatFailure(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-retry-photo"
	photo := jpegBytes(t)
	b.app.AddMedia("media-1", "image/jpeg", photo)
	b.app.AddMedia("media-2", "image/jpeg", photo)
	snap := b.botSnap(me)
	job := b.snapJob(nil)
	ids := []string{"media-1", "media-2"}
	b.app.FailNext(wechattest.APIMediaGet, -1, 1) // system busy

	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], ids, false); err == nil {
		t.Fatal("a photo WeChat did not give was not reported for a retry")
	}
	if got := b.snapSources(snap); !sameCounts(got, "media-2") {
		t.Fatalf("after the failed run: photos by media id %v", got)
	}
	if got := b.answers(me); len(got) != 0 {
		t.Fatalf("answered before the retry: %q", got)
	}
	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], ids, false); err != nil {
		t.Fatal(err)
	}
	if got := b.snapSources(snap); !sameCounts(got, ids...) {
		t.Fatalf("after the retry: photos by media id %v", got)
	}
	if got := b.answers(me); len(got) != 1 || !strings.Contains(got[0], "2张") {
		t.Fatalf("answers %q", got)
	}
	if n := b.app.Count(wechattest.APIMediaGet); n != 3 {
		t.Fatalf("%d media/get calls, want 3 (the stored photo is not fetched again)", n)
	}
}

// On the task's last attempt a photo WeChat still does not give is left out and the deputy
// is told what was stored.
func TestSnapPhotosLastAttemptAnswersWithWhatItHas(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-last"
	photo := jpegBytes(t)
	b.app.AddMedia("media-1", "image/jpeg", photo)
	b.app.AddMedia("media-2", "image/jpeg", photo)
	snap := b.botSnap(me)
	b.app.FailNext(wechattest.APIMediaGet, -1, 1)
	if err := b.snapJob(nil).FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], []string{"media-1", "media-2"}, true); err != nil {
		t.Fatal(err)
	}
	b.wantSnapPhotos(snap, me, 1, "media-2")
}

// A media id WeChat no longer has (40007) and a file that is no photo are skipped, not
// retried: the task completes and counts them out; with nothing stored the deputy is told to
// upload again.
func TestSnapPhotosGoneMediaSkipped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-gone"
	b.app.AddMedia("media-1", "image/jpeg", jpegBytes(t))
	b.app.AddMedia("not-a-photo", "image/jpeg", []byte("%PDF-1.4 not an image"))
	snap := b.botSnap(me)
	job := b.snapJob(nil)
	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], []string{"gone", "media-1", "not-a-photo"}, false); err != nil {
		t.Fatalf("gone media retried: %v", err)
	}
	b.wantSnapPhotos(snap, me, 1, "media-1")

	lat, lng := 39.8, 98.3
	empty, err := postgres.NewBotStore(b.pool).CreateSnap(b.ctx, b.tn.ID, b.tn.Deputies[0], "路灯不亮", &lat, &lng, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, empty, b.tn.Deputies[0], []string{"gone"}, false); err != nil {
		t.Fatalf("gone media retried: %v", err)
	}
	if got := b.answers(me); len(got) != 2 || !strings.Contains(got[1], "重新上传") {
		t.Fatalf("answers %q", got)
	}
}

// An answer WeChat could not take (system busy) is retried with the task and still goes
// out once.
func TestSnapAnswerRetriedWhenSendFails(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-send"
	b.app.AddMedia("media-1", "image/jpeg", jpegBytes(t))
	snap := b.botSnap(me)
	job := b.snapJob(nil)
	b.app.FailNext(wechattest.APICustomSend, -1, 1)
	if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], []string{"media-1"}, false); err == nil {
		t.Fatal("a failed answer was not reported for a retry")
	}
	for range 2 {
		if err := job.FetchSnapPhotos(b.ctx, b.tn.ID, snap, b.tn.Deputies[0], []string{"media-1"}, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.app.Count(wechattest.APICustomSend); n != 2 {
		t.Fatalf("%d customer-service calls, want the failed one and one more", n)
	}
	if got := b.snapSources(snap); !sameCounts(got, "media-1") {
		t.Fatalf("photos by media id %v", got)
	}
}

// wantSnapPhotos checks that the snap's photos came from exactly the media ids, and that the
// deputy me got one answer counting n photos.
func (b *bundle) wantSnapPhotos(snap int64, me string, n int, ids ...string) {
	b.t.Helper()
	if got := b.snapSources(snap); !sameCounts(got, ids...) {
		b.t.Fatalf("photos by media id %v, want %v", got, ids)
	}
	if got := b.answers(me); len(got) != 1 || !strings.Contains(got[0], strconv.Itoa(n)+"张") {
		b.t.Fatalf("answers %q, want one counting %d photos", got, n)
	}
}
