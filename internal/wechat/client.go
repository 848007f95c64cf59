// Package wechat is the only importer of github.com/silenceper/wechat/v2. It wraps the
// mini-program and official-account clients with a shared token cache, typed errors and one
// retry after a rejected access token, so the rest of Jianyi never sees the SDK.
package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/miniprogram"
	mpconfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"
)

// DefaultTimeout bounds every call to WeChat in production.
const DefaultTimeout = 5 * time.Second

// idleConnsPerHost is how many kept-alive connections to api.weixin.qq.com an instance
// keeps between calls. net/http's default of two means that under concurrent submits
// and deliveries all but two connections are closed after each call, and the next calls
// pay a new TCP and TLS handshake each.
const idleConnsPerHost = 64

// NewHTTPClient returns the production client of SDK calls: DefaultTimeout per call, the
// environment's proxy settings, and enough kept-alive connections for concurrent calls.
func NewHTTPClient() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		t = t.Clone() // net/http's dial, TLS-handshake and idle timeouts
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	}
	t.MaxIdleConns = 2 * idleConnsPerHost
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return &http.Client{Timeout: DefaultTimeout, Transport: t}
}

// Config holds the credentials of the two WeChat apps. The official account is optional:
// without OAAppID the official-account methods return ErrNotConfigured.
type Config struct {
	MiniAppID, MiniSecret                string
	OAAppID, OASecret, OAToken, OAAESKey string
}

// Client talks to WeChat for one mini-program and (optionally) one official account.
// It is safe for concurrent use.
type Client struct {
	cfg   Config
	cache *cacheAdapter // the shared token cache, with this instance's short-lived copy
	log   *slog.Logger

	mp *miniprogram.MiniProgram
	oa *officialaccount.OfficialAccount // nil without OAAppID
}

// New builds the SDK clients on the shared token cache. Both use the stable-token API so that
// several instances on a cold cache do not invalidate each other's tokens.
func New(cfg Config, cache TokenCache, log *slog.Logger) (*Client, error) {
	if cfg.MiniAppID == "" || cfg.MiniSecret == "" {
		return nil, errors.New("wechat: mini-program appid and secret are required")
	}
	if cache == nil {
		return nil, errors.New("wechat: token cache is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ensureHTTPClient()
	sdkCache := &cacheAdapter{c: cache, log: log, localTTL: tokenLocalTTL}
	c := &Client{cfg: cfg, cache: sdkCache, log: log.With("component", "wechat")}
	c.mp = miniprogram.NewMiniProgram(&mpconfig.Config{
		AppID:       cfg.MiniAppID,
		AppSecret:   cfg.MiniSecret,
		Cache:       sdkCache,
		UseStableAK: true,
	})
	if cfg.OAAppID != "" {
		if cfg.OASecret == "" {
			return nil, errors.New("wechat: official-account secret is required")
		}
		c.oa = officialaccount.NewOfficialAccount(&oaconfig.Config{
			AppID:          cfg.OAAppID,
			AppSecret:      cfg.OASecret,
			Token:          cfg.OAToken,
			EncodingAESKey: cfg.OAAESKey,
			Cache:          sdkCache,
			UseStableAK:    true,
		})
		// The OfficialAccount getters fill their fields lazily without a lock; calling each
		// once here makes later concurrent calls read-only.
		c.oa.GetBasic()
		c.oa.GetMenu()
		c.oa.GetOauth()
		c.oa.GetMaterial()
		c.oa.GetDraft()
		c.oa.GetFreePublish()
		c.oa.GetJs()
		c.oa.GetUser()
		c.oa.GetTemplate()
		c.oa.GetCustomerMessageManager()
		c.oa.GetDevice()
		c.oa.GetBroadcast()
		c.oa.GetDataCube()
		c.oa.GetOCR()
		c.oa.GetSubscribe()
	}
	return c, nil
}

var (
	httpClientMu  sync.Mutex
	httpClientSet *http.Client
)

// SetHTTPClient sets the HTTP client of every SDK call (util.DefaultHTTPClient, a package
// global). Call it once at start-up, before New; nil means the production client
// (NewHTTPClient), and New installs that when nobody set one.
// Setting the same client again is a no-op; a different one panics, because the global
// cannot change safely while calls run.
func SetHTTPClient(c *http.Client) {
	httpClientMu.Lock()
	defer httpClientMu.Unlock()
	switch {
	case httpClientSet == nil:
		if c == nil {
			c = NewHTTPClient()
		}
		httpClientSet = c
		util.DefaultHTTPClient = c
	case c == nil || c == httpClientSet:
	default:
		panic("wechat: SetHTTPClient called twice with different clients")
	}
}

func ensureHTTPClient() { SetHTTPClient(nil) }

// app selects which of the two SDK clients a call uses.
type app int

const (
	appMini app = iota
	appOA
)

func (a app) String() string {
	if a == appOA {
		return "official_account"
	}
	return "mini_program"
}

// tokenKey is the cache key under which the SDK's stable-token handle stores the token.
func (c *Client) tokenKey(a app) string {
	if a == appOA {
		return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, c.cfg.OAAppID)
	}
	return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyMiniProgramPrefix, c.cfg.MiniAppID)
}

// token returns the access token of one app through the SDK's stable-token handle.
func (c *Client) token(ctx context.Context, a app) (string, error) {
	if a == appOA {
		return c.oa.GetAccessTokenContext(ctx)
	}
	return c.mp.GetContext().GetAccessTokenContext(ctx)
}

// call runs fn once, and once more after deleting the cached token when WeChat rejected the
// token (40001/40014/42001). The result is classified into an *Error.
func (c *Client) call(ctx context.Context, a app, op string, fn func() error) error {
	if a == appOA && c.oa == nil {
		return fmt.Errorf("wechat %s: %w", op, ErrNotConfigured)
	}
	err := fn()
	if code := ErrCode(err); IsTokenError(code) {
		c.log.WarnContext(ctx, "wechat access token rejected, retrying once", "op", op, "app", a.String(), "errcode", code)
		if derr := c.cache.DeleteContext(ctx, c.tokenKey(a)); derr != nil {
			c.log.WarnContext(ctx, "wechat token cache delete failed", "op", op, "app", a.String(), "error", derr)
		}
		err = fn()
	}
	return classify(op, err)
}
