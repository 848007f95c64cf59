package objects

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"jianyi/internal/media"
)

// MediaAdapter presents a Store as media.ObjectStore (owned by the mini-program engineer).
type MediaAdapter struct{ S *Store }

var _ media.ObjectStore = MediaAdapter{}

func mediaErr(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", media.ErrObjectMissing, err)
	}
	return err
}

// Put streams r into key.
func (m MediaAdapter) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := m.S.Put(ctx, key, r, size, contentType)
	return mediaErr(err)
}

// Get opens key.
func (m MediaAdapter) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	rc, info, err := m.S.Get(ctx, key)
	if err != nil {
		return nil, 0, mediaErr(err)
	}
	return rc, info.Size, nil
}

// Stat returns the size of key.
func (m MediaAdapter) Stat(ctx context.Context, key string) (int64, error) {
	info, err := m.S.Stat(ctx, key)
	if err != nil {
		return 0, mediaErr(err)
	}
	return info.Size, nil
}

// Remove deletes key.
func (m MediaAdapter) Remove(ctx context.Context, key string) error {
	return mediaErr(m.S.Remove(ctx, key))
}

// PresignedGet signs a GET of key.
func (m MediaAdapter) PresignedGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	return m.S.PresignedGet(ctx, key, ttl)
}

// PresignedPost signs a POST policy for key.
func (m MediaAdapter) PresignedPost(ctx context.Context, key string, maxBytes int64, prefix string, ttl time.Duration) (string, map[string]string, error) {
	return m.S.PresignedPost(ctx, key, maxBytes, prefix, ttl)
}
