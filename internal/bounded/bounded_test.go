package bounded

import "testing"

// Below the limit nothing goes; at it the expired entries go first, and everything only when
// they were not enough.
func TestMakeRoom(t *testing.T) {
	m := map[int]bool{1: true, 2: false, 3: true} // value: expired
	expired := func(v bool) bool { return v }
	MakeRoom(m, 4, expired)
	if len(m) != 3 {
		t.Fatalf("below the limit %d entries left of 3", len(m))
	}
	MakeRoom(m, 3, expired)
	if len(m) != 1 || m[2] {
		t.Fatalf("at the limit: %v, want only the live entry", m)
	}
	m[4] = false
	MakeRoom(m, 2, expired)
	if len(m) != 0 {
		t.Fatalf("no expired entry to drop: %v, want none", m)
	}
}
