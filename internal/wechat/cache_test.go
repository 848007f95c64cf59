package wechat

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

type recCache struct {
	m      map[string]string
	ttl    time.Duration
	getErr error
	gets   int
}

func (c *recCache) Get(_ context.Context, k string) (string, bool, error) {
	c.gets++
	if c.getErr != nil {
		return "", false, c.getErr
	}
	v, ok := c.m[k]
	return v, ok, nil
}

func (c *recCache) Set(_ context.Context, k, v string, ttl time.Duration) error {
	c.m[k], c.ttl = v, ttl
	return nil
}

func (c *recCache) Delete(_ context.Context, k string) error { delete(c.m, k); return nil }

func TestCacheAdapter(t *testing.T) {
	t.Parallel()
	rc := &recCache{m: map[string]string{}}
	a := &cacheAdapter{c: rc, log: slog.New(slog.DiscardHandler)}
	if v := a.Get("k"); v != nil {
		t.Fatalf("missing key = %#v, want nil", v)
	}
	if err := a.Set("k", "tok", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if rc.ttl != time.Second {
		t.Fatalf("ttl = %v, want clamped to 1s", rc.ttl)
	}
	if err := a.SetContext(t.Context(), "k", "tok", -5*time.Second); err != nil || rc.ttl != time.Second {
		t.Fatalf("negative ttl = %v, %v", rc.ttl, err)
	}
	// The SDK asserts val.(string).
	if v, ok := a.Get("k").(string); !ok || v != "tok" {
		t.Fatalf("Get = %#v", a.Get("k"))
	}
	if !a.IsExist("k") || !a.IsExistContext(t.Context(), "k") {
		t.Fatal("IsExist = false")
	}
	if err := a.Delete("k"); err != nil || a.IsExist("k") {
		t.Fatal("Delete failed")
	}
	_ = a.Set("n", 42, time.Hour)
	if v, ok := a.Get("n").(string); !ok || v != "42" {
		t.Fatalf("non-string value read back as %#v", a.Get("n"))
	}
	rc.getErr = errors.New("redis down")
	if v := a.GetContext(t.Context(), "n"); v != nil {
		t.Fatalf("failing cache = %#v, want nil (fetch a token)", v)
	}
}

// An instance reuses a token it read for a short while, so a WeChat call does not cost a Redis
// round trip; a rejected token (Delete) and the end of the window send it back to Redis.
func TestCacheAdapterKeepsTokenBriefly(t *testing.T) {
	t.Parallel()
	rc := &recCache{m: map[string]string{"k": "tok-1"}}
	a := &cacheAdapter{c: rc, log: slog.New(slog.DiscardHandler), localTTL: 50 * time.Millisecond}
	for range 3 {
		if v := a.GetContext(t.Context(), "k"); v != "tok-1" {
			t.Fatalf("Get = %#v", v)
		}
	}
	if rc.gets != 1 {
		t.Fatalf("shared cache read %d times for three calls, want 1", rc.gets)
	}
	rc.m["k"] = "tok-2" // another instance replaced it
	if err := a.DeleteContext(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok := rc.m["k"]; ok {
		t.Fatal("Delete left the shared entry")
	}
	if v := a.GetContext(t.Context(), "k"); v != nil {
		t.Fatalf("after Delete = %#v, want nil (fetch a new token)", v)
	}
	if err := a.SetContext(t.Context(), "k", "tok-3", time.Hour); err != nil {
		t.Fatal(err)
	}
	rc.m["k"] = "tok-4"
	if v := a.GetContext(t.Context(), "k"); v != "tok-3" {
		t.Fatalf("just written = %#v, want tok-3 without a read", v)
	}
	time.Sleep(60 * time.Millisecond)
	if v := a.GetContext(t.Context(), "k"); v != "tok-4" {
		t.Fatalf("after the window = %#v, want the shared tok-4", v)
	}
}
