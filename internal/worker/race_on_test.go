//go:build race

package worker_test

// raceEnabled: the race detector slows these end-to-end runs several times over on the shared
// 2-core machine, so the fault run uses fewer notices under -race (see docs/notify.md).
const raceEnabled = true
