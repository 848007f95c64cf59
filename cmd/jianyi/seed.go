package main

import "context"

// seedDemo loads the demo tenant (deputies, units, staff, suggestions in every state) for
// `jianyi dev` and `jianyi seed`. It must be idempotent: dev calls it on every start.
// Owned by the lead; this placeholder seeds nothing.
func seedDemo(ctx context.Context, d *deps) (demoInfo, error) {
	_, _ = ctx, d
	return demoInfo{}, nil
}
