package objects_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
)

// admin is a second client on the test bucket, playing the operator.
func admin(t *testing.T, cfg objects.Config) *minio.Client {
	t.Helper()
	mc, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Region: cfg.Region})
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

func rulesByID(t *testing.T, mc *minio.Client, bucket string) (map[string]lifecycle.Rule, int, time.Time) {
	t.Helper()
	cfg, at, err := mc.GetBucketLifecycleWithInfo(context.Background(), bucket)
	if err != nil {
		t.Fatalf("read lifecycle back: %v", err)
	}
	m := map[string]lifecycle.Rule{}
	for _, r := range cfg.Rules {
		m[r.ID] = r
	}
	return m, len(cfg.Rules), at
}

func wantIncomingRule(t *testing.T, r lifecycle.Rule, ok bool) {
	t.Helper()
	if !ok || r.Status != "Enabled" || r.RuleFilter.Prefix != objects.IncomingPrefix || int(r.Expiration.Days) != objects.IncomingExpiryDays {
		t.Fatalf("incoming rule: %v %+v", ok, r)
	}
}

// After start-up the bucket expires incoming/ after a day, on the store's own lifecycle.
func TestBucketExpiresIncoming(t *testing.T) {
	t.Parallel()
	s, cfg := objtest.NewWithConfig(t)
	if !s.ExpiresIncoming() {
		t.Fatal("ExpiresIncoming is false on MinIO")
	}
	rules, n, _ := rulesByID(t, admin(t, cfg), cfg.Bucket)
	r, ok := rules[objects.IncomingRuleID]
	wantIncomingRule(t, r, ok)
	if n != 1 {
		t.Fatalf("%d rules on a new bucket: %v", n, rules)
	}
}

// An operator's own rules survive every start-up; a changed copy of ours is put right, and
// a start-up that finds ours in place writes nothing.
func TestLifecycleKeepsOperatorRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, cfg := objtest.NewWithConfig(t)
	mc := admin(t, cfg)
	operator := lifecycle.Rule{ID: "operator-exports", Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: "exports/"},
		Expiration: lifecycle.Expiration{Days: 30}}
	stale := lifecycle.Rule{ID: objects.IncomingRuleID, Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: objects.IncomingPrefix},
		Expiration: lifecycle.Expiration{Days: 7}}
	if err := mc.SetBucketLifecycle(ctx, cfg.Bucket, &lifecycle.Configuration{Rules: []lifecycle.Rule{operator, stale}}); err != nil {
		t.Fatal(err)
	}

	// Another instance starts.
	s, err := objects.New(ctx, cfg)
	if err != nil || !s.ExpiresIncoming() {
		t.Fatalf("start with an operator's rules: %v %v", err, s != nil && s.ExpiresIncoming())
	}
	rules, n, at := rulesByID(t, mc, cfg.Bucket)
	wantIncomingRule(t, rules[objects.IncomingRuleID], true)
	if op, ok := rules[operator.ID]; !ok || op.RuleFilter.Prefix != "exports/" || op.Expiration.Days != 30 || op.Status != "Enabled" {
		t.Fatalf("the operator's rule was lost or changed: %v %+v (all: %v)", ok, op, rules)
	}
	if n != 2 {
		t.Fatalf("%d rules, want the operator's and ours: %v", n, rules)
	}

	// And another: ours is in place, nothing is written.
	time.Sleep(1100 * time.Millisecond) // MinIO stamps the update time in seconds
	if _, err := objects.New(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	rules, n, again := rulesByID(t, mc, cfg.Bucket)
	if n != 2 || rules[operator.ID].Expiration.Days != 30 {
		t.Fatalf("after a second start: %v", rules)
	}
	if !at.IsZero() && !again.Equal(at) {
		t.Fatalf("a start with the rule in place rewrote the lifecycle (%s → %s)", at, again)
	}
}

// jianyi dev's embedded S3 (gofakes3) has no lifecycle: the store starts all the same and
// says so, and works.
func TestStoreWithoutLifecycleStarts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	ctx := context.Background()
	s, err := objects.New(ctx, objects.Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), AccessKey: "dev", SecretKey: "devsecret",
		Bucket: "dev-bucket", Region: "us-east-1"})
	if err != nil {
		t.Fatalf("start on gofakes3: %v", err)
	}
	if s.ExpiresIncoming() {
		t.Fatal("ExpiresIncoming on a store without lifecycle")
	}
	if _, err := s.Put(ctx, "t1/a.txt", strings.NewReader("x"), 1, "text/plain"); err != nil {
		t.Fatal(err)
	}
}

// ---- what lands under incoming/ -------------------------------------------------------

// uploadStore is the part of media.Store a presigned upload's completion reads.
type uploadStore struct {
	media.Store
	owner    int64
	editable bool
	count    int
	ownerErr error
	ups      map[string]media.Upload
}

func (f *uploadStore) TargetOwner(context.Context, int64, media.Target) (int64, bool, error) {
	return f.owner, f.editable, f.ownerErr
}

func (f *uploadStore) CountAttachments(context.Context, int64, media.Target) (int, error) {
	return f.count, nil
}

func (f *uploadStore) InsertUpload(_ context.Context, u media.Upload) error {
	f.ups[u.Key] = u
	return nil
}

func (f *uploadStore) Upload(_ context.Context, _ int64, key string) (media.Upload, error) {
	u, ok := f.ups[key]
	if !ok {
		return u, media.ErrNotFound
	}
	return u, nil
}

// growing reports the size the phone declared but reads back more (the object was replaced
// after the size check).
type growing struct{ media.ObjectStore }

func (g growing) Stat(ctx context.Context, key string) (int64, error) {
	if _, err := g.ObjectStore.Stat(ctx, key); err != nil {
		return 0, err
	}
	return 10, nil
}

// Presigned uploads land under IncomingPrefix (where the bucket's rule expires them), and a
// completion refused for good deletes the upload at once: the target is gone, submitted or
// full, or the object grew past the limit after its size was checked. A completion that fails
// for a passing reason (the database) keeps it for the phone's retry.
func TestRefusedCompletionRemovesIncoming(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := objtest.New(t)
	dep := auth.Deputy(1, 10)
	target := media.Target{Kind: media.KindSuggestion, ID: 5}
	for _, c := range []struct {
		name    string
		refuse  func(f *uploadStore)
		objects func(media.ObjectStore) media.ObjectStore
		size    int
		want    error
		kept    bool
	}{
		{"target no longer editable", func(f *uploadStore) { f.editable = false }, nil, 100, media.ErrNotEditable, false},
		{"target gone", func(f *uploadStore) { f.owner = 11 }, nil, 100, media.ErrTargetNotFound, false},
		{"target full", func(f *uploadStore) { f.count = media.MaxPhotos }, nil, 100, media.ErrTooManyPhotos, false},
		{"grown after the size check", func(*uploadStore) {}, func(o media.ObjectStore) media.ObjectStore { return growing{o} },
			int(media.MaxBytes) + 1, media.ErrFileTooLarge, false},
		{"database down", func(f *uploadStore) { f.ownerErr = errors.New("connection refused") }, nil, 100, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &uploadStore{owner: dep.ID, editable: true, ups: map[string]media.Upload{}}
			var obj media.ObjectStore = objects.MediaAdapter{S: s}
			if c.objects != nil {
				obj = c.objects(obj)
			}
			svc := media.NewService(f, obj, nil, nil, nil)
			p, err := svc.NewUploadPolicy(ctx, dep, target)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(p.Key, objects.IncomingPrefix) {
				t.Fatalf("upload key %q is not under %q", p.Key, objects.IncomingPrefix)
			}
			if _, err := s.Put(ctx, p.Key, bytes.NewReader(make([]byte, c.size)), int64(c.size), "image/png"); err != nil {
				t.Fatal(err)
			}
			c.refuse(f)
			_, err = svc.CompleteUpload(ctx, dep, "", p.Key)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("completion: %v, want %v", err, c.want)
			}
			_, err = s.Stat(ctx, p.Key)
			if c.kept && err != nil {
				t.Fatalf("the upload was deleted after a passing failure: %v", err)
			}
			if !c.kept && !errors.Is(err, objects.ErrNotFound) {
				t.Fatalf("the refused upload is still in the bucket: %v", err)
			}
		})
	}
}
