// Package bounded keeps the small in-process caches (sessions, list pages) within a size.
package bounded

// MakeRoom prepares m for one more entry: when it holds limit entries or more, it drops
// those expired reports and, if that is not enough, all of them. A cache that has to refill
// costs some reads; one that grows without end costs the process.
func MakeRoom[K comparable, V any](m map[K]V, limit int, expired func(V) bool) {
	if len(m) < limit {
		return
	}
	for k, v := range m {
		if expired(v) {
			delete(m, k)
		}
	}
	if len(m) >= limit {
		clear(m)
	}
}
