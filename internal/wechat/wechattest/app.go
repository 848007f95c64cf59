package wechattest

import (
	crand "crypto/rand"
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"jianyi/internal/wechat"
)

// Call is one request the fake received.
type Call struct {
	Path  string
	Body  []byte
	Query url.Values
	Time  time.Time
}

type login struct{ openid, unionid string }

type noCreditKey struct{ openid, templateID string }

type media struct {
	contentType string
	data        []byte
}

type msgRule struct{ substr, suggest string }

// App is the fake's state for one mini-program and one official account, private to one test.
type App struct {
	MiniAppID, MiniSecret                string
	OAAppID, OASecret, OAToken, OAAESKey string

	s *Server

	mu              sync.Mutex
	acceptAnySecret bool
	tokens          map[string]bool   // token → valid (false: expired)
	current         map[string]string // appid → token stable_token returns while valid
	calls           map[string][]Call
	failNext        map[string][]int
	failRate        float64
	timeoutRate     float64
	rng             *rand.Rand
	unreachable     bool
	logins          map[string]login
	usedCodes       map[string]bool
	phones          map[string]string
	msgRules        []msgRule
	notFollowing    map[string]bool
	unionIDs        map[string]string
	outOfWindow     map[string]bool
	noCredit        map[noCreditKey]bool
	media           map[string]media
}

// NewApp registers a fresh random app pair, removed when t ends. It also calls Install, so
// every wechat.Client built in the test talks to the fake.
func (s *Server) NewApp(t testing.TB) *App {
	t.Helper()
	s.Install()
	a := s.newApp()
	t.Cleanup(func() {
		s.mu.Lock()
		delete(s.apps, a.MiniAppID)
		delete(s.apps, a.OAAppID)
		s.mu.Unlock()
	})
	return a
}

func (s *Server) newApp() *App {
	a := newAppState(s)
	a.MiniAppID, a.MiniSecret = "wx"+randHex(8), randHex(16)
	a.OAAppID, a.OASecret = "wx"+randHex(8), randHex(16)
	a.OAToken = randHex(8)
	key := make([]byte, 32)
	_, _ = crand.Read(key)
	a.OAAESKey = base64.StdEncoding.EncodeToString(key)[:43]
	s.mu.Lock()
	s.apps[a.MiniAppID] = a
	s.apps[a.OAAppID] = a
	s.mu.Unlock()
	return a
}

func newAppState(s *Server) *App {
	return &App{
		s:            s,
		tokens:       map[string]bool{},
		current:      map[string]string{},
		calls:        map[string][]Call{},
		failNext:     map[string][]int{},
		logins:       map[string]login{},
		usedCodes:    map[string]bool{},
		phones:       map[string]string{},
		notFollowing: map[string]bool{},
		outOfWindow:  map[string]bool{},
		noCredit:     map[noCreditKey]bool{},
		media:        map[string]media{},
	}
}

// Config is the wechat.Config for this app.
func (a *App) Config() wechat.Config {
	return wechat.Config{
		MiniAppID: a.MiniAppID, MiniSecret: a.MiniSecret,
		OAAppID: a.OAAppID, OASecret: a.OASecret, OAToken: a.OAToken, OAAESKey: a.OAAESKey,
	}
}

// AddLogin makes a wx.login code valid once (WeChat answers 40163 on reuse, 40029 if unknown).
func (a *App) AddLogin(code, openid, unionid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logins[code] = login{openid, unionid}
	delete(a.usedCodes, code)
}

// AddPhone makes a getPhoneNumber code valid once.
func (a *App) AddPhone(code, phone string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.phones[code] = phone
	delete(a.usedCodes, code)
}

// SetMsgCheck makes msg_sec_check answer suggest (pass/review/risky) for content containing
// substr; the first matching rule wins, and no match means pass.
func (a *App) SetMsgCheck(substr, suggest string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.msgRules = append(a.msgRules, msgRule{substr, suggest})
}

// FailNext makes the next n calls of api answer errcode (HTTP 200, like WeChat).
func (a *App) FailNext(api string, errcode int, n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range n {
		a.failNext[api] = append(a.failNext[api], errcode)
	}
}

// SetFaults makes a share of calls fail with HTTP 502 (failRate) or hang until the client
// gives up (timeoutRate), drawn from a generator seeded with seed.
func (a *App) SetFaults(failRate, timeoutRate float64, seed int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failRate, a.timeoutRate = failRate, timeoutRate
	a.rng = rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
}

// SetUnreachable makes every request of this app fail with "connection refused".
func (a *App) SetUnreachable(v bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unreachable = v
}

func (a *App) isUnreachable() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.unreachable
}

// SetNotFollowing makes template and customer-service sends to openid answer 43004.
func (a *App) SetNotFollowing(openid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notFollowing[openid] = true
}

// SetOutOfWindow makes customer-service sends to openid answer 45015.
func (a *App) SetOutOfWindow(openid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outOfWindow[openid] = true
}

// SetNoCredit makes subscribe sends of templateID to openid answer 43101.
func (a *App) SetNoCredit(openid, templateID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.noCredit[noCreditKey{openid, templateID}] = true
}

// AddMedia stores an official-account temporary media for media/get.
func (a *App) AddMedia(mediaID, contentType string, data []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.media[mediaID] = media{contentType, slices.Clone(data)}
}

// ExpireTokens expires every issued token: calls with them answer 42001 until a new token
// is fetched.
func (a *App) ExpireTokens() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for t := range a.tokens {
		a.tokens[t] = false
	}
	clear(a.current)
}

// Calls returns the requests received for api, oldest first.
func (a *App) Calls(api string) []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls[api])
}

// Count is len(Calls(api)).
func (a *App) Count(api string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls[api])
}

// TokenRequests counts requests to /cgi-bin/token and /cgi-bin/stable_token.
func (a *App) TokenRequests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.calls[APIToken]) + len(a.calls[APIStableToken])
}
