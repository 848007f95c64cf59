package redistest

import (
	"context"
	"fmt"
	"testing"
)

func TestLeaseIsExclusiveAndReleased(t *testing.T) {
	ctx := context.Background()
	var db int
	t.Run("hold", func(t *testing.T) {
		c := New(t)
		db = c.Options().DB
		if db < firstDB || db > lastDB {
			t.Fatalf("leased db %d out of range", db)
		}
		if n := c.DBSize(ctx).Val(); n != 0 {
			t.Fatalf("fresh lease should be flushed, has %d keys", n)
		}
		if got := DB(t); got != db {
			t.Fatalf("same binary should share the lease: %d vs %d", got, db)
		}
		New(t) // a second client in the same binary
		c.Set(ctx, "k", "v", 0)
		l := cur
		if l == nil || l.refcnt != 3 {
			t.Fatalf("refcount = %+v", l)
		}
		// Another binary cannot take the same DB while we hold it.
		if ok := l.admin.SetNX(ctx, leaseKeyBase+fmt.Sprint(db), "other", leaseTTL).Val(); ok {
			t.Fatal("lease key was free while held")
		}
	})
	if cur != nil {
		t.Fatal("lease should be released when the last client is cleaned up")
	}
	// The next lease flushes whatever was left.
	c := New(t)
	if n := c.DBSize(ctx).Val(); n != 0 {
		t.Fatalf("re-leased db has %d keys", n)
	}
}

func TestServerRestart(t *testing.T) {
	s := StartServer(t)
	c := s.Client(t)
	ctx := context.Background()
	if err := c.Set(ctx, "a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Restart()
	if n := c.Exists(ctx, "a").Val(); n != 0 {
		t.Fatal("restart should lose data")
	}
}
