// Package objects stores photos and documents in a private S3 bucket (MinIO in
// development and tests, any S3 in production) through minio-go v7. Phones never get the
// bucket's credentials: they upload with a presigned POST and read through short-lived
// presigned GET URLs.
package objects

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrNotFound means the object (S3 NoSuchKey) does not exist.
var ErrNotFound = errors.New("objects: not found")

// Config says where the bucket is. Endpoint is host[:port] without a scheme.
type Config struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	Region    string
	// Transport overrides the HTTP transport (tests); nil uses minio-go's default.
	Transport http.RoundTripper
}

// Info describes a stored object.
type Info struct {
	Key          string
	Size         int64
	ContentType  string
	ETag         string
	LastModified time.Time
}

// Store is one bucket.
type Store struct {
	mc              *minio.Client
	bucket          string
	expiresIncoming bool // the bucket's lifecycle expires IncomingPrefix (lifecycle.go)
}

// New connects and makes sure the bucket exists (it is created private: MinIO and S3
// buckets have no public policy unless one is set) and that its lifecycle expires what is
// left under IncomingPrefix (lifecycle.go).
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("objects: endpoint and bucket are required")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, errors.New("objects: endpoint must be host[:port] without a scheme")
	}
	mc, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.UseSSL,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("objects: client for %s: %w", cfg.Endpoint, err)
	}
	s := &Store{mc: mc, bucket: cfg.Bucket}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, err
	}
	if err := s.ensureLifecycle(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) ensureBucket(ctx context.Context, region string) error {
	ok, err := s.mc.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("objects: check bucket %q: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	err = s.mc.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if err != nil {
		code := minio.ToErrorResponse(err).Code
		if code == minio.BucketAlreadyOwnedByYou {
			return nil // created concurrently by another instance
		}
		return fmt.Errorf("objects: create bucket %q: %w", s.bucket, err)
	}
	return nil
}

// Bucket is the bucket name.
func (s *Store) Bucket() string { return s.bucket }

// Key builds an object key "t<tenant>/part/part": every object lives under its tenant,
// so a tenant's objects can be listed, exported or deleted together.
func Key(tenantID int64, parts ...string) string {
	return "t" + strconv.FormatInt(tenantID, 10) + "/" + strings.Join(parts, "/")
}

func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "..") || len(key) > 900 {
		return fmt.Errorf("objects: invalid key %q", key)
	}
	return nil
}

func mapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if code := minio.ToErrorResponse(err).Code; code == minio.NoSuchKey || code == "NotFound" {
		return fmt.Errorf("objects: %s %q: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("objects: %s %q: %w", op, key, err)
}

// unknownSizePart is the part an upload of unknown size is buffered in. Left to minio-go, it
// would be the part that lets 10,000 parts reach 5 TiB: over 500 MB allocated for every
// such upload, however small.
const unknownSizePart = 16 << 20

// Put streams r into key. size may be -1 when unknown (uploaded in parts, each buffered in
// unknownSizePart bytes); a known size costs no buffer.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		opts.PartSize = unknownSizePart
	}
	ui, err := s.mc.PutObject(ctx, s.bucket, key, r, size, opts)
	if err != nil {
		return Info{}, mapErr("put", key, err)
	}
	return Info{Key: key, Size: ui.Size, ContentType: contentType, ETag: ui.ETag, LastModified: ui.LastModified}, nil
}

// Get opens key for reading; the caller closes the reader. ErrNotFound when missing.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := checkKey(key); err != nil {
		return nil, Info{}, err
	}
	obj, err := s.mc.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, mapErr("get", key, err)
	}
	// GetObject is lazy: Stat performs the request and surfaces NoSuchKey now.
	oi, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		return nil, Info{}, mapErr("get", key, err)
	}
	return obj, toInfo(oi), nil
}

// Stat describes key; ErrNotFound when missing.
func (s *Store) Stat(ctx context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.mc.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, mapErr("stat", key, err)
	}
	return toInfo(oi), nil
}

// Remove deletes key; removing a missing key is not an error (S3 semantics).
func (s *Store) Remove(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return mapErr("remove", key, s.mc.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
}

// PresignedGet returns a URL anyone can GET for ttl (1s..7 days). Keep ttl short; the
// WeChat image check needs > 30 minutes.
func (s *Store) PresignedGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	u, err := s.mc.PresignedGetObject(ctx, s.bucket, key, ttl, url.Values{})
	if err != nil {
		return "", mapErr("presign get", key, err)
	}
	return u.String(), nil
}

// PresignedPost lets a client (wx.uploadFile) upload exactly key, at most maxBytes, with a
// Content-Type starting with contentTypePrefix (e.g. "image/"), for ttl.
//
// The client sends formData as the multipart form fields, overriding "Content-Type" with
// the file's real type (it is returned holding the prefix), and the file last, in a
// field named "file". Success is HTTP 204.
func (s *Store) PresignedPost(ctx context.Context, key string, maxBytes int64, contentTypePrefix string, ttl time.Duration) (string, map[string]string, error) {
	if err := checkKey(key); err != nil {
		return "", nil, err
	}
	if maxBytes <= 0 {
		return "", nil, errors.New("objects: maxBytes must be positive")
	}
	p := minio.NewPostPolicy()
	for _, err := range []error{
		p.SetBucket(s.bucket),
		p.SetKey(key),
		p.SetExpires(time.Now().UTC().Add(ttl)),
		p.SetContentLengthRange(1, maxBytes),
		p.SetContentTypeStartsWith(contentTypePrefix),
	} {
		if err != nil {
			return "", nil, fmt.Errorf("objects: post policy for %q: %w", key, err)
		}
	}
	u, form, err := s.mc.PresignedPostPolicy(ctx, p)
	if err != nil {
		return "", nil, mapErr("presign post", key, err)
	}
	return u.String(), form, nil
}

// Ping checks that the store answers and the bucket exists (readiness probes).
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.mc.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("objects: ping: %w", err)
	}
	if !ok {
		return fmt.Errorf("objects: bucket %q is missing", s.bucket)
	}
	return nil
}

func toInfo(oi minio.ObjectInfo) Info {
	return Info{Key: oi.Key, Size: oi.Size, ContentType: oi.ContentType, ETag: oi.ETag, LastModified: oi.LastModified}
}
