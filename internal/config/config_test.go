package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func prodEnv() map[string]string {
	return map[string]string{
		"DATABASE_URL":     "postgres://jianyi:pgpass-SECRET@db:5432/jianyi?sslmode=disable",
		"REDIS_URL":        "redis://:redis-SECRET@redis:6379/0",
		"S3_ENDPOINT":      "minio:9000",
		"S3_ACCESS_KEY":    "access-SECRET",
		"S3_SECRET_KEY":    "s3-SECRET",
		"WECHAT_MP_APPID":  "wx0001",
		"WECHAT_MP_SECRET": "mp-SECRET",
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<unset>" {
			delete(m, kv[i])
			continue
		}
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestDefaults(t *testing.T) {
	c, err := LoadFrom(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.S3Bucket != "jianyi" || c.ShutdownTimeout != 20*time.Second || c.LogLevel != "info" || c.S3UseSSL || c.WechatFake ||
		c.MediaDecodeBudgetMB != 384 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if err := c.Validate(ModeDev); err != nil {
		t.Fatalf("dev needs nothing: %v", err)
	}
}

func TestLoadParseErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name, key, val string
	}{
		{"bool", "S3_USE_SSL", "maybe"},
		{"fake bool", "WECHAT_FAKE", "sure"},
		{"duration", "SHUTDOWN_TIMEOUT", "ten seconds"},
		{"int", "MEDIA_DECODE_BUDGET_MB", "lots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFrom(map[string]string{tt.key: tt.val})
			if err == nil {
				t.Fatal("want error")
			}
			if !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("error %q does not name %s", err, tt.key)
			}
			if strings.Contains(err.Error(), tt.val) {
				t.Fatalf("error %q echoes the value", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mode    Mode
		env     map[string]string
		wantErr []string // substrings; empty means valid
	}{
		{"serve complete", ModeServe, prodEnv(), nil},
		{"worker complete", ModeWorker, prodEnv(), nil},
		{"seed needs only database", ModeSeed, map[string]string{"DATABASE_URL": "postgres://localhost/jianyi"}, nil},
		{"seed without database", ModeSeed, nil, []string{"DATABASE_URL is required for `jianyi seed`"}},
		{"seed refuses fake wechat", ModeSeed, with(prodEnv(), "WECHAT_FAKE", "true"), []string{"WECHAT_FAKE is a dev-only fake and is refused by `jianyi seed`"}},
		{"migrate needs only database", ModeMigrate, map[string]string{"DATABASE_URL": "postgres://localhost/jianyi"}, nil},
		{"migrate without database", ModeMigrate, nil, []string{"DATABASE_URL is required"}},
		{"serve without database", ModeServe, with(prodEnv(), "DATABASE_URL", "<unset>"), []string{"DATABASE_URL is required for `jianyi serve`"}},
		{"serve without redis", ModeServe, with(prodEnv(), "REDIS_URL", ""), []string{"REDIS_URL is required"}},
		{"serve without s3", ModeServe, with(prodEnv(), "S3_ENDPOINT", "<unset>", "S3_SECRET_KEY", "<unset>"), []string{"S3_ENDPOINT is required", "S3_SECRET_KEY is required"}},
		{"serve without mini-program", ModeServe, with(prodEnv(), "WECHAT_MP_SECRET", "<unset>"), []string{"WECHAT_MP_SECRET is required"}},
		{"serve refuses fake wechat", ModeServe, with(prodEnv(), "WECHAT_FAKE", "true"), []string{"WECHAT_FAKE is a dev-only fake"}},
		{"worker refuses fake wechat", ModeWorker, with(prodEnv(), "WECHAT_FAKE", "1"), []string{"WECHAT_FAKE is a dev-only fake"}},
		{"migrate refuses fake wechat", ModeMigrate, with(prodEnv(), "WECHAT_FAKE", "true"), []string{"WECHAT_FAKE"}},
		{"dev allows fake wechat", ModeDev, map[string]string{"WECHAT_FAKE": "true"}, nil},
		{"bad database scheme", ModeMigrate, map[string]string{"DATABASE_URL": "mysql://x/y"}, []string{"DATABASE_URL must use scheme postgres or postgresql"}},
		{"bad redis scheme", ModeServe, with(prodEnv(), "REDIS_URL", "http://redis:6379"), []string{"REDIS_URL must use scheme"}},
		{"s3 endpoint with scheme", ModeServe, with(prodEnv(), "S3_ENDPOINT", "https://minio:9000"), []string{"S3_ENDPOINT must be host[:port]"}},
		{"bad log level", ModeDev, map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL must be one of"}},
		{"log level case", ModeDev, map[string]string{"LOG_LEVEL": "DEBUG"}, nil},
		{"zero shutdown timeout", ModeServe, with(prodEnv(), "SHUTDOWN_TIMEOUT", "0s"), []string{"SHUTDOWN_TIMEOUT must be positive"}},
		{"decode budget too small", ModeServe, with(prodEnv(), "MEDIA_DECODE_BUDGET_MB", "16"), []string{"MEDIA_DECODE_BUDGET_MB must be between 64 and 16384"}},
		{"decode budget negative", ModeDev, map[string]string{"MEDIA_DECODE_BUDGET_MB": "-1"}, []string{"MEDIA_DECODE_BUDGET_MB must be between"}},
		{"decode budget larger", ModeServe, with(prodEnv(), "MEDIA_DECODE_BUDGET_MB", "1024"), nil},
		{"bad http addr", ModeServe, with(prodEnv(), "JIANYI_HTTP_ADDR", "8080"), []string{"JIANYI_HTTP_ADDR must be host:port"}},
		{"short aes key", ModeServe, with(prodEnv(), "WECHAT_OA_APPID", "wx2", "WECHAT_OA_SECRET", "s", "WECHAT_OA_TOKEN", "t", "WECHAT_OA_AES_KEY", "abc"), []string{"WECHAT_OA_AES_KEY must be the 43-character"}},
		{"official account complete", ModeServe, with(prodEnv(), "WECHAT_OA_APPID", "wx2", "WECHAT_OA_SECRET", "s", "WECHAT_OA_TOKEN", "t", "WECHAT_OA_AES_KEY", strings.Repeat("a", 43)), nil},
		{"half official account", ModeServe, with(prodEnv(), "WECHAT_OA_APPID", "wx2"), []string{"WECHAT_OA_SECRET is required", "WECHAT_OA_TOKEN is required"}},
		{"push aes without token", ModeServe, with(prodEnv(), "WECHAT_MP_PUSH_AES_KEY", strings.Repeat("a", 43)), []string{"WECHAT_MP_PUSH_TOKEN is required when"}},
		{"unknown mode", Mode("party"), nil, []string{"unknown mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := LoadFrom(tt.env)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			err = c.Validate(tt.mode)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want errors %q, got none", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "SECRET@") || strings.Contains(err.Error(), "-SECRET") {
				t.Errorf("error leaks a secret: %q", err)
			}
		})
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	env := with(prodEnv(),
		"WECHAT_MP_PUSH_TOKEN", "push-token-SECRET",
		"WECHAT_MP_PUSH_AES_KEY", strings.Repeat("P", 36)+"-SECRET",
		"WECHAT_OA_APPID", "wx2",
		"WECHAT_OA_SECRET", "oa-SECRET",
		"WECHAT_OA_TOKEN", "oa-token-SECRET",
		"WECHAT_OA_AES_KEY", strings.Repeat("O", 36)+"-SECRET",
	)
	c, err := LoadFrom(env)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("config", "config", c)
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", c),
		"%+v":  fmt.Sprintf("%+v", c),
		"%#v":  fmt.Sprintf("%#v", c),
		"%s":   fmt.Sprintf("%s", c),
		"slog": logBuf.String(),
	}
	for how, out := range outputs {
		if strings.Contains(out, "SECRET") {
			t.Errorf("%s leaks a secret: %s", how, out)
		}
	}
	if !strings.Contains(logBuf.String(), `"database_url":"postgres://jianyi:xxxxx@db:5432/jianyi?xxxxx"`) {
		t.Errorf("slog output should keep the non-secret parts of the URL: %s", logBuf.String())
	}
	if !strings.Contains(outputs["%v"], "wx0001") {
		t.Errorf("non-secrets should still print: %s", outputs["%v"])
	}
	// Masking must not change the original.
	if c.WechatMPSecret != "mp-SECRET" {
		t.Fatal("Masked mutated the config")
	}
}

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"postgres://u:p@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"redis://:p@h:6379/1", "redis://:xxxxx@h:6379/1"},
		{"postgres://h/db?password=p", "postgres://h/db?xxxxx"},
		{"://bad url with p", "***"},
	}
	for _, tt := range tests {
		if got := maskURL(tt.in); got != tt.want {
			t.Errorf("maskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
