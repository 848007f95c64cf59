// Package objtest gives tests an objects.Store on a fresh bucket of the real MinIO,
// emptied and removed at cleanup.
//
// Env: JIANYI_TEST_S3_ENDPOINT (default 127.0.0.1:9000), JIANYI_TEST_S3_ACCESS_KEY and
// JIANYI_TEST_S3_SECRET_KEY (default minioadmin).
package objtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"jianyi/storage/objects"
)

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Config returns the test MinIO settings with a fresh random bucket name (not created).
func Config() objects.Config {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return objects.Config{
		Endpoint:  env("JIANYI_TEST_S3_ENDPOINT", "127.0.0.1:9000"),
		AccessKey: env("JIANYI_TEST_S3_ACCESS_KEY", "minioadmin"),
		SecretKey: env("JIANYI_TEST_S3_SECRET_KEY", "minioadmin"),
		Bucket:    "test-" + hex.EncodeToString(b[:]),
		Region:    "us-east-1",
	}
}

// New returns a store on a new bucket, removed with its objects at cleanup.
func New(t testing.TB) *objects.Store {
	t.Helper()
	s, _ := NewWithConfig(t)
	return s
}

// NewWithConfig is New that also returns the Config (to build S3_* settings for code
// under test, e.g. a server started with its own configuration).
func NewWithConfig(t testing.TB) (*objects.Store, objects.Config) {
	t.Helper()
	cfg := Config()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := objects.New(ctx, cfg)
	if err != nil {
		t.Fatalf("objtest: %v (is MinIO running on %s? run scripts/services.sh or set JIANYI_TEST_S3_ENDPOINT)", err, cfg.Endpoint)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	return s, cfg
}

func removeBucket(t testing.TB, cfg objects.Config) {
	mc, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		t.Logf("objtest: cleanup client: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	objs := mc.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true})
	for e := range mc.RemoveObjects(ctx, cfg.Bucket, objs, minio.RemoveObjectsOptions{}) {
		t.Logf("objtest: cleanup remove %s: %v", e.ObjectName, e.Err)
	}
	if err := mc.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Logf("objtest: cleanup bucket %s: %v", cfg.Bucket, err)
	}
}
