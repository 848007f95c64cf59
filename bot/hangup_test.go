package bot_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/bot"
	"jianyi/internal/wechat/wechattest"
	jredis "jianyi/storage/redis"
)

// holdUntilGone is closed over by the wrappers below: once the wrapped call has stored its
// work, it marks reached and waits for the push's context to end (WeChat giving up on the
// answer, or the connection dropping).
type holdUntilGone struct {
	reached chan struct{}
	once    sync.Once
}

func newHold() *holdUntilGone { return &holdUntilGone{reached: make(chan struct{})} }

func (h *holdUntilGone) hold(ctx context.Context) {
	h.once.Do(func() {
		close(h.reached)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	})
}

// sendHangingUp posts p as WeChat does and drops the connection once h is reached; it
// returns when the bot has finished with the push.
func (b *bundle) sendHangingUp(p push, h *holdUntilGone) {
	b.t.Helper()
	body, err := xml.Marshal(p)
	if err != nil {
		b.t.Fatal(err)
	}
	q, out := wechattest.SignQuery(b.app.OAToken, body, b.aes, b.app.OAAESKey, b.app.OAAppID)
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	req := httptest.NewRequest(http.MethodPost, "/wechat/oa/"+b.tn.Code+"?"+q.Encode(), bytes.NewReader(out)).WithContext(ctx)
	req.Header.Set("Content-Type", "text/xml")
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.engine.ServeHTTP(httptest.NewRecorder(), req)
	}()
	select {
	case <-h.reached:
	case <-time.After(10 * time.Second):
		b.t.Fatal("the push never reached the point of storing its work")
	}
	hangUp()
	<-done
}

// holdingStore holds the push back once its 随手拍 is stored.
type holdingStore struct {
	bot.Store
	*holdUntilGone
}

func (s *holdingStore) CreateSnap(ctx context.Context, tenantID, deputyID int64, note string, lat, lng *float64, address string) (int64, error) {
	id, err := s.Store.CreateSnap(ctx, tenantID, deputyID, note, lat, lng, address)
	s.hold(ctx)
	return id, err
}

// countingQueue counts the snaps whose photo task reached the queue.
type countingQueue struct {
	q      *jredis.Queue
	mu     sync.Mutex
	queued int
}

func (c *countingQueue) EnqueueSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, mediaIDs []string) error {
	err := c.q.EnqueueSnapPhotos(ctx, tenantID, snapID, deputyID, mediaIDs)
	if err == nil {
		c.mu.Lock()
		c.queued++
		c.mu.Unlock()
	}
	return err
}

// A deputy sends a 随手拍 to the official account; the snap is stored, but WeChat gives up
// on the answer (the push's context ends) right then. The snap's photos still go to the
// worker's queue, and the deputy's next message is a new message, not the words of a
// second snap with the same photos.
func TestSnapStoredBeforeHangUpIsFinished(t *testing.T) {
	t.Parallel()
	h := newHold()
	cq := &countingQueue{}
	b := setupWith(t, func(d *bot.Deps) {
		d.Store = &holdingStore{Store: d.Store, holdUntilGone: h}
		d.Queue = cq
	})
	cq.q = jredis.NewQueue(b.rdb)
	t.Cleanup(func() { _ = cq.q.Close() })
	const me = "o-snap-hangup"
	b.link(me, 0)
	contains(t, b.send(b.image(me, "media-1")), "已收到照片")
	contains(t, b.send(b.location(me, 39.8, 98.3, "嘉峪关市民政路12号")), "几句话")

	b.sendHangingUp(b.text(me, "井盖缺失，夜间很危险"), h)

	if n := b.count(`SELECT count(*) FROM snaps WHERE tenant_id=$1 AND deputy_id=$2`, b.tn.ID, b.tn.Deputies[0]); n != 1 {
		t.Fatalf("%d snaps after the words, want 1", n)
	}
	cq.mu.Lock()
	queued := cq.queued
	cq.mu.Unlock()
	if queued != 1 {
		t.Fatalf("the snap's photos were queued %d times, want once (else a restart loses them)", queued)
	}
	got := b.say(me, "谢谢，辛苦了")
	b.bot.Wait()
	if strings.Contains(got, "随手拍线索已记录") {
		t.Fatalf("the next message was taken as a second 随手拍: %q", got)
	}
	if n := b.count(`SELECT count(*) FROM snaps WHERE tenant_id=$1 AND deputy_id=$2`, b.tn.ID, b.tn.Deputies[0]); n != 1 {
		t.Fatalf("%d snaps after the next message, want 1", n)
	}
}

// holdingAccounts holds the push back once its binding code is redeemed.
type holdingAccounts struct {
	bot.Accounts
	*holdUntilGone
}

func (a *holdingAccounts) RedeemOABindCode(ctx context.Context, tenantID int64, code, oaOpenID string) (int64, error) {
	id, err := a.Accounts.RedeemOABindCode(ctx, tenantID, code, oaOpenID)
	a.hold(ctx)
	return id, err
}

// A deputy links the official account with the code from the mini-program; the code is
// redeemed, but WeChat gives up on the answer right then. The deputy is linked and marked
// following all the same, so template messages reach them (the deliverer skips a deputy not
// following as "not_following"); the code is spent, so sending it again would not help.
func TestBindCodeRedeemedBeforeHangUpLeavesTheDeputyFollowing(t *testing.T) {
	t.Parallel()
	h := newHold()
	b := setupWith(t, func(d *bot.Deps) { d.Accounts = &holdingAccounts{Accounts: d.Accounts, holdUntilGone: h} })
	code, _, err := b.accounts.IssueOABindCode(b.ctx, b.tn.ID, b.tn.Deputies[0])
	if err != nil {
		t.Fatal(err)
	}
	const me = "o-bind-hangup"
	b.sendHangingUp(b.text(me, "绑定 "+code), h)

	var openid string
	var following bool
	if err := b.pool.QueryRow(b.ctx, `SELECT coalesce(oa_openid, ''), oa_following FROM deputies WHERE tenant_id=$1 AND id=$2`,
		b.tn.ID, b.tn.Deputies[0]).Scan(&openid, &following); err != nil {
		t.Fatal(err)
	}
	if openid != me || !following {
		t.Fatalf("after the code was redeemed: linked %v, following %v; want both", openid == me, following)
	}
}
