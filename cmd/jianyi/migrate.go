package main

import (
	"context"
	"fmt"

	"jianyi/internal/config"
	"jianyi/storage/postgres"
)

func (a *app) migrate(ctx context.Context, args []string) error {
	direction := "up"
	if len(args) > 0 {
		direction = args[0]
	}
	if len(args) > 1 {
		return configError{fmt.Errorf("migrate takes one argument (up, down, reset, status), got %q", args)}
	}
	switch direction {
	case "up", "down", "reset", "status":
	default:
		return configError{fmt.Errorf("unknown migrate direction %q: use up, down, reset or status", direction)}
	}
	cfg, err := a.loadConfig(config.ModeMigrate)
	if err != nil {
		return err
	}
	log := a.newLogger(cfg)
	log.Info("migrating", "direction", direction, "database_url", cfg.Masked().DatabaseURL)
	if err := postgres.Migrate(ctx, cfg.DatabaseURL, direction); err != nil {
		return err
	}
	log.Info("migrations done", "direction", direction)
	return nil
}
