package mpapi

import (
	"fmt"
	"testing"
	"time"

	"jianyi/internal/account"
	"jianyi/internal/suggestion"
)

// A kept page is answered only under the stamp it was read under and before it expires;
// searches are not kept, pages of other filters and deputies are kept apart, and the cache
// stays within its bound.
func TestListCacheKeepsPagesUnderTheirStamp(t *testing.T) {
	l := &listCache{pages: map[listKey]listPage{}}
	zhang := account.Session{TenantID: 1, DeputyID: 10}
	now := time.Now()
	first, ok := l.key(zhang, suggestion.ListFilter{Limit: 20})
	if !ok {
		t.Fatal("the first page is not kept")
	}
	if _, ok := l.key(zhang, suggestion.ListFilter{Limit: 20, Query: "路灯"}); ok {
		t.Fatal("a search is kept")
	}
	l.put(first, 7, []byte(`{"items":[]}`), now)
	if b, ok := l.get(first, 7, now.Add(time.Second)); !ok || string(b) != `{"items":[]}` {
		t.Fatalf("kept page not answered: %q %v", b, ok)
	}
	if _, ok := l.get(first, 8, now); ok {
		t.Fatal("a page answered under a newer stamp")
	}
	if _, ok := l.get(first, 7, now.Add(listPageTTL)); ok {
		t.Fatal("an expired page answered")
	}
	others := []struct {
		s account.Session
		f suggestion.ListFilter
	}{
		{account.Session{TenantID: 2, DeputyID: 10}, suggestion.ListFilter{Limit: 20}},
		{account.Session{TenantID: 1, DeputyID: 11}, suggestion.ListFilter{Limit: 20}},
		{zhang, suggestion.ListFilter{Limit: 20, Role: "lead"}},
		{zhang, suggestion.ListFilter{Limit: 20, Before: 99}},
		{zhang, suggestion.ListFilter{Limit: 10}},
		{zhang, suggestion.ListFilter{Limit: 20, Statuses: []suggestion.Status{suggestion.StatusReplied}}},
	}
	for _, o := range others {
		k, _ := l.key(o.s, o.f)
		if _, ok := l.get(k, 7, now); ok {
			t.Fatalf("%+v %+v answered with another request's page", o.s, o.f)
		}
	}
	if l.put(first, 9, make([]byte, listPageBytes+1), now); len(l.pages) != 1 || l.pages[first].stamp != 7 {
		t.Fatal("an oversized page replaced the kept one")
	}
	for i := range listPagesMax + 10 {
		l.put(listKey{tenantID: 1, deputyID: int64(i), filter: fmt.Sprint(i)}, 1, []byte("{}"), now)
	}
	if len(l.pages) > listPagesMax {
		t.Fatalf("%d pages kept, bound %d", len(l.pages), listPagesMax)
	}
}
