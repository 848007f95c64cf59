package config

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// TestParseErrorsKeepTheRest: a value that does not parse is reported, and the rest of the
// configuration is still read, so Validate can name the other mistakes in the same run.
func TestParseErrorsKeepTheRest(t *testing.T) {
	t.Parallel()
	c, err := LoadFrom(with(prodEnv(), "S3_USE_SSL", "maybe", "SHUTDOWN_TIMEOUT", "ten seconds", "REDIS_URL", "<unset>"))
	if err == nil || !strings.Contains(err.Error(), "S3_USE_SSL") || !strings.Contains(err.Error(), "SHUTDOWN_TIMEOUT") {
		t.Fatalf("load error %v, want both S3_USE_SSL and SHUTDOWN_TIMEOUT named", err)
	}
	if c.DatabaseURL == "" || c.WechatMPAppID != "wx0001" || c.S3Bucket != "jianyi" {
		t.Fatalf("the settings that parsed were dropped: %+v", c)
	}
	verr := c.Validate(ModeServe)
	if verr == nil || !strings.Contains(verr.Error(), "REDIS_URL is required") {
		t.Fatalf("validate: %v, want REDIS_URL named", verr)
	}
	// The failed duration takes its default, so it is reported once, as unparsable.
	if strings.Contains(verr.Error(), "SHUTDOWN_TIMEOUT") {
		t.Errorf("SHUTDOWN_TIMEOUT reported twice: %v", verr)
	}
}

// TestSpecialCharacterPasswords: a generated password with "/", "#", "?" or "@" written
// into DATABASE_URL/REDIS_URL unencoded is refused with a hint to percent-encode it, and the
// message never repeats the password.
func TestSpecialCharacterPasswords(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"Ab/cD+eF-SECRET", "Ab#cD-SECRET", "Ab?cD-SECRET", "12/cD-SECRET", "12#cD-SECRET"} {
		for _, v := range []struct{ name, url string }{
			{"DATABASE_URL", "postgres://jianyi:" + pw + "@postgres:5432/jianyi?sslmode=disable"},
			{"REDIS_URL", "redis://:" + pw + "@redis:6379/0"},
		} {
			c, err := LoadFrom(with(prodEnv(), v.name, v.url))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate(ModeServe)
			if err == nil {
				t.Errorf("%s with password %q accepted", v.name, pw)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, v.name) || !strings.Contains(msg, "must be percent-encoded (/ as %2F)") {
				t.Errorf("%s with password %q: %q, want the variable named and the percent-encoding hint", v.name, pw, msg)
			}
			if strings.Contains(msg, "SECRET") || strings.Contains(msg, pw[:4]) {
				t.Errorf("message repeats the password: %q", msg)
			}
		}
	}
	// Percent-encoded, the same passwords are fine.
	c, _ := LoadFrom(with(prodEnv(), "DATABASE_URL", "postgres://jianyi:Ab%2FcD%2BeF%23%3F%40@postgres:5432/jianyi"))
	if err := c.Validate(ModeServe); err != nil {
		t.Errorf("percent-encoded password refused: %v", err)
	}
}

// TestStartupLogHasEverySetting: the "starting" log line's config group names every
// setting (secrets masked), keyed by its variable in lower case without JIANYI_, and the
// shutdown timeout as a Go duration ("20s"), not nanoseconds.
func TestStartupLogHasEverySetting(t *testing.T) {
	t.Parallel()
	c, err := LoadFrom(with(prodEnv(), "JIANYI_CONSOLE_URL", "https://console.example.cn"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	var line struct {
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(Config{})
	for i := 0; i < typ.NumField(); i++ {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("env"), ",")
		key := strings.ToLower(strings.TrimPrefix(name, "JIANYI_"))
		if _, ok := line.Config[key]; !ok {
			t.Errorf("config log lacks %s (%s)", key, name)
		}
	}
	if len(line.Config) != typ.NumField() {
		t.Errorf("config log has %d keys, Config has %d settings: %v", len(line.Config), typ.NumField(), line.Config)
	}
	if got := line.Config["shutdown_timeout"]; got != "20s" {
		t.Errorf("shutdown_timeout = %v, want \"20s\"", got)
	}
	if got := line.Config["media_decode_budget_mb"]; got != float64(384) {
		t.Errorf("media_decode_budget_mb = %v, want 384", got)
	}
	if got := line.Config["console_url"]; got != "https://console.example.cn" {
		t.Errorf("console_url = %v", got)
	}
	if strings.Contains(buf.String(), "SECRET") {
		t.Errorf("config log leaks a secret: %s", buf.String())
	}
}
