package main

import "context"

// startWorker starts the background workers (internal/worker on asynq) and returns a stop
// function that waits for running jobs to finish. ctx is cancelled at shutdown.
// Owned by the worker engineer; infra only provides the signature.
func startWorker(ctx context.Context, d *deps) (stop func(), err error) {
	_, _ = ctx, d
	return func() {}, nil
}
