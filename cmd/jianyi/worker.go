package main

import (
	"context"

	"jianyi/internal/config"
)

// worker runs the background workers. It also serves /healthz, /readyz and /metrics on
// JIANYI_HTTP_ADDR (no front doors), for orchestration health checks and scraping.
func (a *app) worker(ctx context.Context) error {
	return a.start(ctx, config.ModeWorker, false, true)
}

// start loads and validates the configuration for mode, opens the shared clients and runs
// the HTTP server with the front doors (mountAll) and/or the workers (withWorker).
func (a *app) start(ctx context.Context, mode config.Mode, mountAll, withWorker bool) error {
	cfg, err := a.loadConfig(mode)
	if err != nil {
		return err
	}
	log := a.newLogger(cfg)
	log.Info("starting", "mode", string(mode), "config", cfg)
	d, err := openDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := d.openWechat(); err != nil {
		d.close()
		return err
	}
	return a.runHTTP(ctx, d, mountAll, withWorker)
}
