// Package wechattest is a fake WeChat API server for tests and `jianyi dev`. One fake serves
// the whole process (the SDK's HTTP client is a global); tests get isolated state through
// NewApp, since every request is attributed to an app by its appid or access token.
package wechattest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"jianyi/internal/wechat"
)

// API paths, the keys of FailNext, Calls and Count.
const (
	APIToken           = "/cgi-bin/token"
	APIStableToken     = "/cgi-bin/stable_token"
	APICode2Session    = "/sns/jscode2session"
	APIPhoneNumber     = "/wxa/business/getuserphonenumber"
	APISubscribeSend   = "/cgi-bin/message/subscribe/send"
	APITemplateSend    = "/cgi-bin/message/template/send"
	APICustomSend      = "/cgi-bin/message/custom/send"
	APIMediaGet        = "/cgi-bin/media/get"
	APIMsgSecCheck     = "/wxa/msg_sec_check"
	APIMediaCheckAsync = "/wxa/media_check_async"
)

// ClientTimeout is the timeout of the client Install sets (the production value).
const ClientTimeout = wechat.DefaultTimeout

// Server is the fake WeChat API.
type Server struct {
	addr       string // host:port
	client     *http.Client
	standalone bool
	done       chan struct{}
	closeOnce  sync.Once
	shutdown   func() error
	dev        *App

	mu   sync.Mutex
	apps map[string]*App // by mini and official-account appid

	seq atomic.Int64 // tokens, msgids, trace ids
}

var (
	startOnce sync.Once
	shared    *Server
)

// Start returns the process-wide fake, starting it on first use. It is never closed.
func Start() *Server {
	startOnce.Do(func() {
		s := newServer(false)
		ts := httptest.NewServer(s.handler())
		s.addr = ts.Listener.Addr().String()
		s.shutdown = func() error { ts.Close(); return nil }
		shared = s
	})
	return shared
}

// NewStandalone starts a fake on addr (e.g. "127.0.0.1:0") for `jianyi dev`. Unknown appids
// are registered on first use, and any login code "dev-<x>" logs in as openid "dev-openid-<x>"
// (phone codes "dev-<x>" give a fixed 138… number). It prints nothing. Close it when done.
func NewStandalone(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wechattest: listen: %w", err)
	}
	s := newServer(true)
	s.addr = ln.Addr().String()
	hs := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	s.shutdown = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(ctx)
	}
	s.dev = s.newApp()
	return s, nil
}

func newServer(standalone bool) *Server {
	s := &Server{standalone: standalone, done: make(chan struct{}), apps: map[string]*App{}}
	base := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     90 * time.Second,
	}
	s.client = &http.Client{Transport: &transport{s: s, base: base}, Timeout: ClientTimeout}
	return s
}

// Close stops a standalone fake (the shared one from Start is never closed).
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		err = s.shutdown()
	})
	return err
}

// URL is the fake's base URL (http://host:port).
func (s *Server) URL() string { return "http://" + s.addr }

// HTTPClient is the client that sends *.weixin.qq.com to the fake and refuses other hosts.
func (s *Server) HTTPClient() *http.Client { return s.client }

// Install makes every SDK call use HTTPClient (wechat.SetHTTPClient; same client each time,
// so calling it from every test is fine).
func (s *Server) Install() { wechat.SetHTTPClient(s.client) }

// DevApp is the app registered by NewStandalone (nil for the shared test fake).
func (s *Server) DevApp() *App { return s.dev }

func (s *Server) app(appid string) *App {
	if appid == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[appid]
	if a == nil && s.standalone {
		// jianyi dev: accept whatever appid the config names; the secret is taken as given.
		a = newAppState(s)
		a.MiniAppID, a.OAAppID = appid, appid
		a.acceptAnySecret = true
		s.apps[appid] = a
	}
	return a
}

// transport rewrites WeChat hosts to the fake and refuses everything else.
type transport struct {
	s    *Server
	base http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	host := r.URL.Hostname()
	if host != "weixin.qq.com" && !strings.HasSuffix(host, ".weixin.qq.com") {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("wechattest: refusing non-WeChat host %q", host)
	}
	r2 := r.Clone(r.Context())
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if a := t.s.app(appIDOf(r.URL.Query(), body)); a != nil && a.isUnreachable() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	r2.URL.Scheme = "http"
	r2.URL.Host = t.s.addr
	r2.Host = t.s.addr
	return t.base.RoundTrip(r2)
}

// appIDOf finds the app of a request: appid in the query or JSON body, or the access token.
func appIDOf(q url.Values, body []byte) string {
	if id := q.Get("appid"); id != "" {
		return id
	}
	if tok := q.Get("access_token"); tok != "" {
		return appIDOfToken(tok)
	}
	if len(body) > 0 && body[0] == '{' {
		var b struct {
			AppID string `json:"appid"`
		}
		if json.Unmarshal(body, &b) == nil {
			return b.AppID
		}
	}
	return ""
}

// Tokens look like FAKE_<appid>_<n>; appids never contain '_'.
func appIDOfToken(tok string) string {
	parts := strings.Split(tok, "_")
	if len(parts) != 3 || parts[0] != "FAKE" {
		return ""
	}
	return parts[1]
}

func (s *Server) newToken(appid string) string {
	return fmt.Sprintf("FAKE_%s_%d", appid, s.seq.Add(1))
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
