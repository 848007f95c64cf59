package objects_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
)

// A put of unknown size is buffered in one modest part, not in the part minio-go picks for a
// 5 TiB object (over 500 MB allocated for a photo of a few kilobytes). Not parallel: it
// counts the bytes the whole process allocates.
func TestUnknownSizePutBuffersModestPart(t *testing.T) {
	ctx := context.Background()
	s := objtest.New(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := s.Put(ctx, objects.Key(1, "s", "small.jpg"), strings.NewReader("一张小图"), -1, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Fatalf("a put of 12 bytes of unknown size allocated %d MB", n>>20)
	}
}
