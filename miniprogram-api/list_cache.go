package mpapi

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"jianyi/internal/account"
	"jianyi/internal/suggestion"
)

// listCache keeps the pages of "my suggestions" as they were last answered, each under the
// stamp its deputy's list had before it was read (suggestion.ListStamps). A page is answered
// again only while the stamp is unchanged: the suggestion store gives the lead deputy and
// every co-signer a new stamp after each commit that changes one of their suggestions or
// co-signatures, whichever front door made it, so a deputy sees their own change at once,
// on any instance. A page also expires after listPageTTL: names on it come from the store's
// one-minute name cache, and a stamp the store failed to renew (Redis down at that moment)
// cannot keep a page longer.
//
// The deputy's list is the mini-program's home screen and is read far more often than it
// changes; a page served from here costs one Redis read instead of a database query over
// two indexes and the rendering of its rows.
type listCache struct {
	stamps suggestion.ListStamps

	mu    sync.Mutex
	pages map[listKey]listPage
}

type listKey struct {
	tenantID, deputyID int64
	filter             string
}

type listPage struct {
	stamp string
	body  []byte
	until time.Time
}

const (
	listPageTTL   = time.Minute
	listPagesMax  = 4096     // pages kept per instance
	listPageBytes = 64 << 10 // a larger page is not kept
)

// key is the page's key, or ok=false for a request that is not kept (searches: their
// keys are as many as the words typed).
func (l *listCache) key(s account.Session, f suggestion.ListFilter) (listKey, bool) {
	if l == nil || f.Query != "" {
		return listKey{}, false
	}
	var b strings.Builder
	b.WriteString(f.Role)
	for _, st := range f.Statuses {
		b.WriteByte(',')
		b.WriteString(string(st))
	}
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(f.Before, 10))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(f.Limit))
	return listKey{tenantID: s.TenantID, deputyID: s.DeputyID, filter: b.String()}, true
}

// get returns the page kept under stamp, if it has not expired.
func (l *listCache) get(k listKey, stamp string, now time.Time) ([]byte, bool) {
	l.mu.Lock()
	p, ok := l.pages[k]
	l.mu.Unlock()
	if !ok || p.stamp != stamp || !now.Before(p.until) {
		return nil, false
	}
	return p.body, true
}

// put keeps body (which must not change afterwards) under stamp.
func (l *listCache) put(k listKey, stamp string, body []byte, now time.Time) {
	if len(body) > listPageBytes {
		return
	}
	p := listPage{stamp: stamp, body: body, until: now.Add(listPageTTL)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pages) >= listPagesMax {
		for k, old := range l.pages {
			if !now.Before(old.until) {
				delete(l.pages, k)
			}
		}
		if len(l.pages) >= listPagesMax {
			clear(l.pages)
		}
	}
	l.pages[k] = p
}
