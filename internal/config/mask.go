package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

const masked = "***"

// Masked returns a copy that is safe to print: passwords inside URLs and every secret,
// token and key are replaced by "***" (an empty secret stays empty, so one can still see
// that it is missing).
func (c Config) Masked() Config {
	m := c
	m.DatabaseURL = maskURL(c.DatabaseURL)
	m.RedisURL = maskURL(c.RedisURL)
	m.ConsoleURL = maskURL(c.ConsoleURL)
	for _, p := range []*string{
		&m.S3AccessKey, &m.S3SecretKey,
		&m.WechatMPSecret, &m.WechatMPPushToken, &m.WechatMPPushAESKey,
		&m.WechatOASecret, &m.WechatOAToken, &m.WechatOAAESKey,
	} {
		if *p != "" {
			*p = masked
		}
	}
	return m
}

// maskURL hides the password (user info) and any query string, which for some drivers
// carries passwords too (e.g. ?password=).
func maskURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return masked
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = "xxxxx"
	}
	return u.String()
}

// String prints the masked configuration, so %v and %+v never leak a secret.
func (c Config) String() string {
	m := c.Masked()
	type plain Config // no methods: avoids recursion
	return fmt.Sprintf("%+v", plain(m))
}

// GoString is String for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue makes slog print the masked configuration as a group: every setting, keyed by
// its variable's name in lower case without the JIANYI_ prefix.
func (c Config) LogValue() slog.Value {
	m := c.Masked()
	return slog.GroupValue(
		slog.String("http_addr", m.HTTPAddr),
		slog.String("database_url", m.DatabaseURL),
		slog.String("redis_url", m.RedisURL),
		slog.String("s3_endpoint", m.S3Endpoint),
		slog.String("s3_access_key", m.S3AccessKey),
		slog.String("s3_secret_key", m.S3SecretKey),
		slog.String("s3_bucket", m.S3Bucket),
		slog.Bool("s3_use_ssl", m.S3UseSSL),
		slog.String("s3_region", m.S3Region),
		slog.String("log_level", m.LogLevel),
		slog.String("shutdown_timeout", m.ShutdownTimeout.String()),
		slog.String("trusted_proxies", strings.Join(m.TrustedProxies, ",")),
		slog.String("console_url", m.ConsoleURL),
		slog.Int("media_decode_budget_mb", m.MediaDecodeBudgetMB),
		slog.String("wechat_mp_appid", m.WechatMPAppID),
		slog.String("wechat_mp_secret", m.WechatMPSecret),
		slog.String("wechat_mp_push_token", m.WechatMPPushToken),
		slog.String("wechat_mp_push_aes_key", m.WechatMPPushAESKey),
		slog.String("wechat_oa_appid", m.WechatOAAppID),
		slog.String("wechat_oa_secret", m.WechatOASecret),
		slog.String("wechat_oa_token", m.WechatOAToken),
		slog.String("wechat_oa_aes_key", m.WechatOAAESKey),
		slog.Bool("wechat_fake", m.WechatFake),
	)
}
