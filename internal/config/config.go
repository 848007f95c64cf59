// Package config reads Jianyi's settings from the environment once, at start-up,
// validates them for the run mode and prints them without secrets.
//
// Only the standard library and github.com/caarlos0/env/v11 are imported here so that
// every other package can depend on it without pulling in drivers.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Mode is the sub-command the binary runs as; each mode needs a different subset of settings.
type Mode string

const (
	ModeServe   Mode = "serve"
	ModeWorker  Mode = "worker"
	ModeMigrate Mode = "migrate"
	// ModeSeed is `jianyi seed`: it needs what migrate needs (and uses Redis and the object
	// store only when they are configured).
	ModeSeed Mode = "seed"
	// ModeDev is `jianyi dev`: nothing is required, embedded services and fakes fill the gaps.
	ModeDev Mode = "dev"
)

// Production reports whether dev-only fakes must be refused in this mode.
func (m Mode) Production() bool { return m != ModeDev }

// Config is every setting of the process. Field tags name the environment variable.
type Config struct {
	HTTPAddr        string        `env:"JIANYI_HTTP_ADDR" envDefault:":8080"`
	DatabaseURL     string        `env:"DATABASE_URL"`
	RedisURL        string        `env:"REDIS_URL"`
	S3Endpoint      string        `env:"S3_ENDPOINT"`
	S3AccessKey     string        `env:"S3_ACCESS_KEY"`
	S3SecretKey     string        `env:"S3_SECRET_KEY"`
	S3Bucket        string        `env:"S3_BUCKET" envDefault:"jianyi"`
	S3UseSSL        bool          `env:"S3_USE_SSL" envDefault:"false"`
	S3Region        string        `env:"S3_REGION"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	// TrustedProxies are the reverse proxies (IPs or CIDRs, comma-separated) whose
	// X-Forwarded-For / X-Real-IP name the client. Behind HTTPS termination every request
	// comes from the proxy, so without this all deputies share one IP's rate limits; empty
	// trusts no one, so a client cannot forge its address.
	TrustedProxies []string `env:"JIANYI_TRUSTED_PROXIES" envSeparator:","`
	// ConsoleURL is the staff console's public base URL (https://jianyi.example.gov.cn): staff
	// WeChat template messages open <ConsoleURL>/suggestions/<id> (the console is at the root); empty sends them without a link.
	ConsoleURL string `env:"JIANYI_CONSOLE_URL"`
	// MediaDecodeBudgetMB is the memory (MiB) the photos one process decodes at once may take:
	// a decoded photo costs width×height×4 bytes whatever its file size, and uploads beyond
	// the budget wait their turn instead of exhausting the process.
	MediaDecodeBudgetMB int `env:"MEDIA_DECODE_BUDGET_MB" envDefault:"384"`

	// WeChat mini-program (deputies' app) and its message push (content-check results).
	WechatMPAppID      string `env:"WECHAT_MP_APPID"`
	WechatMPSecret     string `env:"WECHAT_MP_SECRET"`
	WechatMPPushToken  string `env:"WECHAT_MP_PUSH_TOKEN"`
	WechatMPPushAESKey string `env:"WECHAT_MP_PUSH_AES_KEY"`
	WechatOAAppID      string `env:"WECHAT_OA_APPID"`
	WechatOASecret     string `env:"WECHAT_OA_SECRET"`
	WechatOAToken      string `env:"WECHAT_OA_TOKEN"`
	WechatOAAESKey     string `env:"WECHAT_OA_AES_KEY"`
	// WechatFake (dev only) routes every WeChat call to the built-in fake server.
	WechatFake bool `env:"WECHAT_FAKE" envDefault:"false"`
}

// MinDecodeBudgetMB and MaxDecodeBudgetMB bound MEDIA_DECODE_BUDGET_MB: below 64 MiB a
// 12-megapixel phone photo (48 MiB decoded) would run alone; above 16 GiB is a typo.
const (
	MinDecodeBudgetMB = 64
	MaxDecodeBudgetMB = 16 << 10
)

// Load reads the process environment. See LoadFrom for what it returns on error.
func Load() (Config, error) { return load(env.ToMap(os.Environ())) }

// LoadFrom reads the given variables only (tests, and `jianyi dev` overrides).
//
// A variable that cannot be parsed is reported in the error, and the returned Config holds
// that setting's default and every other setting as given, so Validate can still report the
// rest: an operator sees every mistake at once, not one per restart.
func LoadFrom(vars map[string]string) (Config, error) {
	if vars == nil {
		vars = map[string]string{}
	}
	return load(vars)
}

func load(vars map[string]string) (Config, error) {
	var c Config
	var loadErr error
	if err := env.ParseWithOptions(&c, env.Options{Environment: vars}); err != nil {
		failed := failedKeys(err)
		loadErr = translateEnvError(err)
		// Parse again without the variables that failed, so they take their defaults.
		rest := make(map[string]string, len(vars))
		for k, v := range vars {
			if !failed[k] {
				rest[k] = v
			}
		}
		c = Config{}
		if err := env.ParseWithOptions(&c, env.Options{Environment: rest}); err != nil {
			return Config{}, loadErr // cannot happen: only parsed values fail
		}
	}
	c.LogLevel = strings.ToLower(strings.TrimSpace(c.LogLevel))
	c.TrustedProxies = trimList(c.TrustedProxies)
	c.ConsoleURL = strings.TrimRight(strings.TrimSpace(c.ConsoleURL), "/")
	return c, loadErr
}

// failedKeys names the variables whose values the library could not parse.
func failedKeys(err error) map[string]bool {
	failed := map[string]bool{}
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return failed
	}
	keys := envKeys()
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			failed[keys[pe.Name]] = true
		}
	}
	return failed
}

// trimList drops the blanks around and between comma-separated items ("a, b," is a and b).
func trimList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// translateEnvError rewrites the library's field-name errors into ones naming the variable.
func translateEnvError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: %w", err)
	}
	keys := envKeys()
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			out = append(out, fmt.Errorf("config: %s: invalid value (%v)", keys[pe.Name], unwrapParse(pe.Err)))
			continue
		}
		out = append(out, fmt.Errorf("config: %w", e))
	}
	return errors.Join(out...)
}

// unwrapParse drops the echoed input from strconv/time errors: the value may be a secret.
func unwrapParse(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "ParseBool"):
		return "want true or false"
	case strings.Contains(s, "time: "):
		return "want a duration like 20s or 1m"
	}
	return "cannot parse"
}

func envKeys() map[string]string {
	m := map[string]string{}
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		m[f.Name], _, _ = strings.Cut(f.Tag.Get("env"), ",")
	}
	return m
}

// Validate refuses settings that cannot work in mode. Every error names the variable.
func (c Config) Validate(mode Mode) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s "+format, append([]any{name}, args...)...))
	}
	need := func(name, val string) bool {
		if strings.TrimSpace(val) == "" {
			bad(name, "is required for `jianyi %s`", mode)
			return false
		}
		return true
	}

	switch mode {
	case ModeServe, ModeWorker, ModeMigrate, ModeSeed, ModeDev:
	default:
		return fmt.Errorf("config: unknown mode %q", mode)
	}

	// Values are checked whenever they are set, in every mode.
	if c.DatabaseURL != "" {
		checkURL(bad, "DATABASE_URL", c.DatabaseURL, "postgres", "postgresql")
	}
	if c.RedisURL != "" {
		checkURL(bad, "REDIS_URL", c.RedisURL, "redis", "rediss", "unix")
	}
	if c.ConsoleURL != "" {
		checkURL(bad, "JIANYI_CONSOLE_URL", c.ConsoleURL, "http", "https")
	}
	if c.S3Endpoint != "" && strings.Contains(c.S3Endpoint, "://") {
		bad("S3_ENDPOINT", "must be host[:port] without a scheme (use S3_USE_SSL for https)")
	}
	if _, err := ParseLogLevel(c.LogLevel); err != nil {
		bad("LOG_LEVEL", "must be one of debug, info, warn, error")
	}
	if c.MediaDecodeBudgetMB < MinDecodeBudgetMB || c.MediaDecodeBudgetMB > MaxDecodeBudgetMB {
		bad("MEDIA_DECODE_BUDGET_MB", "must be between %d and %d (MiB)", MinDecodeBudgetMB, MaxDecodeBudgetMB)
	}
	if c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "must be positive")
	}
	if c.HTTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			bad("JIANYI_HTTP_ADDR", "must be host:port or :port")
		}
	}
	for _, p := range c.TrustedProxies {
		if !validProxy(p) {
			bad("JIANYI_TRUSTED_PROXIES", "has %q, which is not an IP address or CIDR (e.g. 10.0.0.0/8)", p)
		}
	}
	for _, k := range []struct{ name, val string }{
		{"WECHAT_MP_PUSH_AES_KEY", c.WechatMPPushAESKey},
		{"WECHAT_OA_AES_KEY", c.WechatOAAESKey},
	} {
		if k.val != "" && len(k.val) != 43 {
			bad(k.name, "must be the 43-character EncodingAESKey")
		}
	}
	if c.WechatMPPushAESKey != "" && c.WechatMPPushToken == "" {
		bad("WECHAT_MP_PUSH_TOKEN", "is required when WECHAT_MP_PUSH_AES_KEY is set")
	}
	if c.WechatOAAESKey != "" && c.WechatOAToken == "" {
		bad("WECHAT_OA_TOKEN", "is required when WECHAT_OA_AES_KEY is set")
	}

	if mode.Production() {
		if c.WechatFake {
			bad("WECHAT_FAKE", "is a dev-only fake and is refused by `jianyi %s`", mode)
		}
		need("DATABASE_URL", c.DatabaseURL)
	}
	if mode == ModeServe || mode == ModeWorker {
		need("REDIS_URL", c.RedisURL)
		need("S3_ENDPOINT", c.S3Endpoint)
		need("S3_ACCESS_KEY", c.S3AccessKey)
		need("S3_SECRET_KEY", c.S3SecretKey)
		need("S3_BUCKET", c.S3Bucket)
		need("WECHAT_MP_APPID", c.WechatMPAppID)
		need("WECHAT_MP_SECRET", c.WechatMPSecret)
		// The official account is optional, but half a configuration is a mistake.
		if c.WechatOAAppID != "" || c.WechatOASecret != "" || c.WechatOAToken != "" {
			need("WECHAT_OA_APPID", c.WechatOAAppID)
			need("WECHAT_OA_SECRET", c.WechatOASecret)
			need("WECHAT_OA_TOKEN", c.WechatOAToken)
		}
	}
	if mode == ModeServe && c.HTTPAddr == "" {
		need("JIANYI_HTTP_ADDR", c.HTTPAddr)
	}
	return errors.Join(errs...)
}

// validProxy accepts what gin's SetTrustedProxies accepts: an IP address or a CIDR.
func validProxy(s string) bool {
	if strings.Contains(s, "/") {
		_, _, err := net.ParseCIDR(s)
		return err == nil
	}
	return net.ParseIP(s) != nil
}

// OAEnabled reports whether the official account (chatbot, template messages) is configured.
func (c Config) OAEnabled() bool { return c.WechatOAAppID != "" }

// passwordHint ends the message for a URL that does not parse as meant: the usual cause is
// a generated password with a character that ends the user info early.
const passwordHint = "; special characters in a password (such as / # ? @ %) must be percent-encoded (/ as %2F), or use a URL-safe password (openssl rand -hex 24)"

func checkURL(bad func(string, string, ...any), name, raw string, schemes ...string) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the input, which may hold a password: do not repeat it.
		bad(name, "is not a valid URL%s", passwordHint)
		return
	}
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			if u.Scheme != "unix" && u.Host == "" {
				bad(name, "has no host%s", passwordHint)
				return
			}
			// scheme://user:12/x@host/db parses, as host "user:12" and a path holding the
			// rest: an "@" in the path or fragment is a password cut short by "/" or "#".
			if u.User == nil && strings.Contains(u.Path+"#"+u.Fragment, "@") {
				bad(name, "is not a valid URL (its host part ends before the \"@\")%s", passwordHint)
			}
			return
		}
	}
	bad(name, "must use scheme %s", strings.Join(schemes, " or "))
}

// ParseLogLevel maps LOG_LEVEL to a slog level ("" means info).
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q", s)
}

// Level is the parsed LOG_LEVEL (info when invalid; Validate reports that).
func (c Config) Level() slog.Level {
	l, err := ParseLogLevel(c.LogLevel)
	if err != nil {
		return slog.LevelInfo
	}
	return l
}
