package redis_test

import (
	"context"
	"sync"
	"testing"

	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// A deputy's stamp stays put until a change touches that deputy's list, and only that list:
// other deputies and the same deputy number in another tenant keep theirs.
func TestListStampsChangeOnlyWhenTouched(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := jredis.NewListStamps(redistest.New(t))
	stamp := func(tenant, deputy int64) string {
		t.Helper()
		s, err := st.Stamp(ctx, tenant, deputy)
		if err != nil || s == "" {
			t.Fatalf("stamp %d/%d: %q %v", tenant, deputy, s, err)
		}
		return s
	}
	a, b, other := stamp(1, 10), stamp(1, 11), stamp(2, 10)
	if stamp(1, 10) != a {
		t.Fatal("an untouched stamp changed")
	}
	if err := st.Touch(ctx, 1, []int64{10, 12, 10}); err != nil {
		t.Fatal(err)
	}
	if stamp(1, 10) == a {
		t.Fatal("a touched stamp did not change")
	}
	if stamp(1, 11) != b || stamp(2, 10) != other {
		t.Fatal("touching tenant 1's deputies 10 and 12 changed someone else's stamp")
	}
	if err := st.Touch(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
}

// Readers that find no stamp at the same time agree on the one made.
func TestListStampsFirstReadersAgree(t *testing.T) {
	t.Parallel()
	st := jredis.NewListStamps(redistest.New(t))
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			s, err := st.Stamp(context.Background(), 3, 30)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for _, s := range got {
		if s == "" || s != got[0] {
			t.Fatalf("first readers disagree: %q", got)
		}
	}
}
