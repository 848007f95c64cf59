package mpapi

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"jianyi/internal/account"
	"jianyi/internal/bounded"
	"jianyi/internal/suggestion"
)

// listCache keeps the pages of "my suggestions" as they were last answered, each under the
// deputy's list stamp read before the page was (suggestion.Service.ListStamp). A page is
// answered again only while the stamp is unchanged: the workflow raises the stamps of the
// lead deputy and every co-signer in the transaction of each change to one of their
// suggestions or co-signatures, whichever door made it, so a deputy sees a change on the
// next read, on any instance. A page read before a change can only be kept under the stamp
// from before it, which the change has already replaced. Pages also expire after
// listPageTTL, because the names on them come from the store's one-minute name cache.
//
// The list is the mini-program's home screen and is read far more often than it changes;
// a page answered from here costs a primary-key read instead of a query over two indexes
// and the rendering of its rows.
type listCache struct {
	mu    sync.Mutex
	pages map[listKey]listPage
}

type listKey struct {
	tenantID, deputyID int64
	filter             string
}

type listPage struct {
	stamp int64
	body  []byte
	until time.Time
}

const (
	listPageTTL   = time.Minute
	listPagesMax  = 2048     // pages kept per instance: at most 64 MB
	listPageBytes = 32 << 10 // a larger page (50 long titles) is not kept
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
func (l *listCache) get(k listKey, stamp int64, now time.Time) ([]byte, bool) {
	l.mu.Lock()
	p, ok := l.pages[k]
	l.mu.Unlock()
	if !ok || p.stamp != stamp || !now.Before(p.until) {
		return nil, false
	}
	return p.body, true
}

// put keeps body (which must not change afterwards) under stamp.
func (l *listCache) put(k listKey, stamp int64, body []byte, now time.Time) {
	if len(body) > listPageBytes {
		return
	}
	p := listPage{stamp: stamp, body: body, until: now.Add(listPageTTL)}
	l.mu.Lock()
	defer l.mu.Unlock()
	bounded.MakeRoom(l.pages, listPagesMax, func(old listPage) bool { return !now.Before(old.until) })
	l.pages[k] = p
}
