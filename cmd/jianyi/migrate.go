package main

import (
	"context"
	"fmt"
	"text/tabwriter"

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
	if direction == "status" {
		return a.migrationStatus(ctx, cfg)
	}
	log.Info("migrating", "direction", direction, "database_url", cfg.Masked().DatabaseURL)
	if err := postgres.Migrate(ctx, cfg.DatabaseURL, direction); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	log.Info("migrations done", "direction", direction)
	return nil
}

// migrationStatus prints every migration's version, state and name to stdout, then a
// count of the pending ones.
func (a *app) migrationStatus(ctx context.Context, cfg config.Config) error {
	st, err := postgres.MigrationStatus(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tSTATE\tAPPLIED AT\tNAME")
	pending := 0
	for _, s := range st {
		state, at := "pending", "-"
		if s.Applied {
			state, at = "applied", s.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		} else {
			pending++
		}
		fmt.Fprintf(w, "%05d\t%s\t%s\t%s\n", s.Version, state, at, s.Name)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d migrations, %d applied, %d pending\n", len(st), len(st)-pending, pending)
	return nil
}
