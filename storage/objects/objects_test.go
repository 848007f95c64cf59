package objects_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
)

func TestKey(t *testing.T) {
	if got := objects.Key(42, "suggestions", "7", "a.jpg"); got != "t42/suggestions/7/a.jpg" {
		t.Fatalf("Key = %q", got)
	}
}

func TestPutGetStatRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := objtest.New(t)

	tests := []struct {
		name string
		size func(b []byte) int64
	}{
		{"known size", func(b []byte) int64 { return int64(len(b)) }},
		{"unknown size", func([]byte) int64 { return -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("照片"), 1000)
			key := objects.Key(1, "s", strings.ReplaceAll(tt.name, " ", "-")+".jpg")
			info, err := s.Put(ctx, key, bytes.NewReader(body), tt.size(body), "image/jpeg")
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != int64(len(body)) {
				t.Fatalf("Put size = %d", info.Size)
			}
			st, err := s.Stat(ctx, key)
			if err != nil || st.Size != int64(len(body)) || st.ContentType != "image/jpeg" {
				t.Fatalf("Stat = %+v, %v", st, err)
			}
			rc, gi, err := s.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, body) || gi.Size != int64(len(body)) {
				t.Fatalf("Get: %d bytes, info %+v, err %v", len(got), gi, err)
			}
			if err := s.Remove(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, objects.ErrNotFound) {
				t.Fatalf("Stat after Remove: want ErrNotFound, got %v", err)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := objtest.New(t)
	if _, _, err := s.Get(ctx, "t1/missing"); !errors.Is(err, objects.ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	if _, err := s.Stat(ctx, "t1/missing"); !errors.Is(err, objects.ErrNotFound) {
		t.Fatalf("Stat missing: %v", err)
	}
	if err := s.Remove(ctx, "t1/missing"); err != nil {
		t.Fatalf("Remove missing should be a no-op: %v", err)
	}
	for _, bad := range []string{"", "/abs", "t1/../t2/x"} {
		if _, err := s.Put(ctx, bad, strings.NewReader("x"), 1, ""); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

func TestPresignedGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := objtest.New(t)
	key := objects.Key(3, "doc.pdf")
	if _, err := s.Put(ctx, key, strings.NewReader("%PDF-1.4"), -1, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignedGet(ctx, key, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "%PDF-1.4" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, b)
	}
	// The bucket itself is private.
	plain := strings.SplitN(u, "?", 2)[0]
	resp, err = http.Get(plain)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned GET: want 403, got %d", resp.StatusCode)
	}
}

// postUpload does what wx.uploadFile does: form fields, then the file.
func postUpload(t *testing.T, url string, form map[string]string, contentType, key string, body []byte) int {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range form {
		if k == "Content-Type" {
			v = contentType
		}
		if k == "key" && key != "" {
			v = key
		}
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", "photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(body)
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestPresignedPost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := objtest.New(t)
	key := objects.Key(9, "snaps", "1", "p.jpg")
	url, form, err := s.PresignedPost(ctx, key, 1024, "image/", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if form["key"] != key || form["policy"] == "" {
		t.Fatalf("form data lacks key/policy: %v", form)
	}
	jpeg := append([]byte{0xff, 0xd8, 0xff}, bytes.Repeat([]byte{1}, 100)...)

	tests := []struct {
		name        string
		contentType string
		key         string
		body        []byte
		wantOK      bool
	}{
		{"too large", "image/jpeg", "", bytes.Repeat([]byte{1}, 1025), false},
		{"wrong type", "text/html", "", jpeg, false},
		{"other key", "image/jpeg", objects.Key(9, "snaps", "2", "p.jpg"), jpeg, false},
		{"ok", "image/jpeg", "", jpeg, true},
	}
	for _, tt := range tests {
		code := postUpload(t, url, form, tt.contentType, tt.key, tt.body)
		if ok := code/100 == 2; ok != tt.wantOK {
			t.Errorf("%s: status %d, want ok=%v", tt.name, code, tt.wantOK)
		}
	}
	st, err := s.Stat(ctx, key)
	if err != nil || st.Size != int64(len(jpeg)) || st.ContentType != "image/jpeg" {
		t.Fatalf("uploaded object: %+v, %v", st, err)
	}
	if _, err := s.Stat(ctx, objects.Key(9, "snaps", "2", "p.jpg")); !errors.Is(err, objects.ErrNotFound) {
		t.Fatalf("upload to another key must be refused: %v", err)
	}
}

func TestNewAndPing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, cfg := objtest.NewWithConfig(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	// Idempotent: a second instance on the same bucket.
	if _, err := objects.New(ctx, cfg); err != nil {
		t.Fatalf("second New on existing bucket: %v", err)
	}
	bad := cfg
	bad.SecretKey = "wrong-secret"
	if _, err := objects.New(ctx, bad); err == nil || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("bad credentials: want an error without the secret, got %v", err)
	}
	bad = cfg
	bad.Endpoint = "127.0.0.1:1"
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := objects.New(cctx, bad); err == nil {
		t.Fatal("unreachable endpoint must fail")
	}
	if _, err := objects.New(ctx, objects.Config{Endpoint: "http://x:9000", Bucket: "b"}); err == nil {
		t.Fatal("endpoint with scheme must be refused")
	}
}
