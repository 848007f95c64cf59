package main

import (
	"context"

	"jianyi/internal/config"
)

// worker runs the background workers. It also serves /healthz, /readyz and /metrics on
// JIANYI_HTTP_ADDR (no front doors), for orchestration health checks and scraping.
func (a *app) worker(ctx context.Context) error {
	cfg, err := a.loadConfig(config.ModeWorker)
	if err != nil {
		return err
	}
	log := a.newLogger(cfg)
	log.Info("starting", "mode", "worker", "config", cfg)
	d, err := openDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := d.openWechat(); err != nil {
		d.close()
		return err
	}
	return a.runHTTP(ctx, d, false, true)
}
