// Command jianyi is the whole service in one binary:
//
//	jianyi serve                     HTTP: mini-program API, official-account bot, staff console
//	jianyi worker                    background jobs (asynq): notices, reminders, media checks
//	jianyi migrate [up|down|reset|status]
//	jianyi dev                       everything in one process with embedded fallbacks and a demo tenant
//	jianyi seed                      load the demo tenant into DATABASE_URL
//	jianyi version
//	jianyi healthcheck [ready]       for container health checks (no curl in the image)
//
// Configuration comes only from the environment (internal/config). Production modes refuse
// missing settings and dev-only fakes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // deadlines run in Asia/Shanghai even on images without zoneinfo

	goredis "github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"

	"jianyi/internal/config"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

// Exit statuses (README, Commands): exitConfig is for configuration and command-line errors
// only, distinct from runtime failures such as an unreachable dependency.
const (
	exitOK      = 0
	exitFailure = 1
	exitConfig  = 2
)

func main() {
	// silenceper/wechat logs through the global logrus logger, at debug level on stdout when
	// its root package is imported, including decrypted messages. Nothing of it may reach
	// our logs: errors come back to us as values.
	logrus.SetLevel(logrus.WarnLevel)
	logrus.SetOutput(io.Discard)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(a.run(ctx, os.Args[1:]))
}

// app is one invocation; tests replace its environment and outputs.
type app struct {
	environ map[string]string // nil: the process environment
	stdout  io.Writer
	stderr  io.Writer
	// ready, when set, is called with the HTTP address once the server listens (tests).
	ready func(addr string)
}

const usage = `usage: jianyi <command>

commands:
  serve                          run the HTTP front doors (mini-program API, bot, console)
  worker                         run background workers
  migrate [up|down|reset|status] apply database migrations (default up), or list their state
  dev                            run everything locally with embedded services and demo data
  seed                           load the demo tenant into DATABASE_URL
  version                        print the version
  healthcheck [ready]            exit 0 if /healthz (or /readyz) on JIANYI_HTTP_ADDR answers 200
`

func (a *app) run(ctx context.Context, args []string) (code int) {
	// A panic on this goroutine would exit with status 2, which README reserves for
	// configuration errors: report it as the runtime failure it is.
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(a.stderr, "jianyi: internal error: %v\n%s", p, debug.Stack())
			code = exitFailure
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return exitConfig
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "version", "-version", "--version":
		fmt.Fprintf(a.stdout, "jianyi %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
		return exitOK
	case "serve":
		err = a.serve(ctx)
	case "worker":
		err = a.worker(ctx)
	case "migrate":
		err = a.migrate(ctx, rest)
	case "dev":
		err = a.dev(ctx)
	case "seed":
		err = a.seed(ctx)
	case "healthcheck":
		err = a.healthcheck(ctx, rest)
	default:
		fmt.Fprintf(a.stderr, "jianyi: unknown command %q\n\n%s", cmd, usage)
		return exitConfig
	}
	if err == nil {
		return exitOK
	}
	var ce configError
	if errors.As(err, &ce) {
		fmt.Fprintf(a.stderr, "jianyi %s: invalid configuration:\n%s\n", cmd, indent(ce.err.Error()))
		return exitConfig
	}
	fmt.Fprintf(a.stderr, "jianyi %s: %v\n", cmd, err)
	return exitFailure
}

// configError marks errors the operator fixes in the environment.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// loadConfig reads and validates the configuration for mode. Values that do not parse and
// settings that are missing or invalid are reported together, each naming its variable.
func (a *app) loadConfig(mode config.Mode) (config.Config, error) {
	var (
		cfg config.Config
		err error
	)
	if a.environ != nil {
		cfg, err = config.LoadFrom(a.environ)
	} else {
		cfg, err = config.Load()
	}
	if err := errors.Join(err, cfg.Validate(mode)); err != nil {
		return cfg, configError{err}
	}
	return cfg, nil
}

// newLogger is the process logger: JSON on stderr, snake_case keys, level from LOG_LEVEL.
// go-redis's own messages (dial failures, addresses only) go through it too, at warn level.
func (a *app) newLogger(cfg config.Config) *slog.Logger {
	log := slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: cfg.Level()})).
		With("service", "jianyi", "version", version)
	// go-redis has one logger per process (an atomic global); each command sets it once.
	goredis.SetLogger(redisLogger{log.With("component", "go-redis")})
	return log
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// redisLogger routes go-redis's internal messages (connection errors, addresses only) to slog.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(format, v...))
}
