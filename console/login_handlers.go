package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
)

// AttemptLimiter counts hits of a subject in a sliding window (storage/redis.RateLimiter,
// keyed by cmd/jianyi). Over the limit it answers false and how long until the oldest hit
// leaves the window; an error means it could not count.
type AttemptLimiter interface {
	Allow(ctx context.Context, subject string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// DefaultLoginPerIP is how many sign-in attempts one client IP may make a minute: room for
// an office signing in behind one address, far too few for one address to keep the password
// checker (auth.HashLimiter: up to 16 running, 32 waiting) full.
const DefaultLoginPerIP = 20

// allowLogin counts one sign-in attempt of the client's IP (c.ClientIP(): the peer, or the
// address the trusted proxies forwarded). Over the limit it answers 429 with Retry-After and
// returns false. When the limiter cannot count (Redis down) the attempt goes on: the account
// lockout still applies, and staff are not shut out by an outage of the limiter.
func (s *server) allowLogin(c *gin.Context, d loginData) bool {
	if s.cfg.LoginLimiter == nil {
		return true
	}
	limit, window := s.cfg.LoginPerIP, s.cfg.LoginWindow
	if limit <= 0 {
		limit = DefaultLoginPerIP
	}
	if window <= 0 {
		window = time.Minute
	}
	ok, retry, err := s.cfg.LoginLimiter.Allow(c.Request.Context(), "login:ip:"+c.ClientIP(), limit, window)
	if err != nil {
		s.cfg.Log.WarnContext(c.Request.Context(), "console: sign-in rate limiter unavailable; attempt not limited", "err", err)
		return true
	}
	if ok {
		return true
	}
	secs := max(int((retry+time.Second-1)/time.Second), 1)
	c.Header("Retry-After", strconv.Itoa(secs))
	d.Error = fmt.Sprintf("本网络地址的登录尝试过于频繁，请%d秒后再试", secs)
	s.render(c, http.StatusTooManyRequests, "login", "登录", d)
	return false
}

type loginData struct {
	Tenant, Username, Next, Error, Token string
}

func (d loginData) csrf() string { return d.Token }

// safeNext keeps the post-login redirect on this site: a path of our own, never a URL a
// browser could read as another host. Browsers drop tabs and newlines and read a backslash
// as a slash, so "/<TAB>/evil.host" or "/<backslash>evil.host" would become "//evil.host":
// any control character or backslash is refused outright, before and after percent-decoding.
func safeNext(n string) string {
	if n == "" || badNextChars(n) {
		return "/"
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || badNextChars(u.Path) {
		return "/"
	}
	return n
}

func badNextChars(s string) bool {
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// loginPage shows the sign-in form with a double-submit CSRF token (there is no session yet).
func (s *server) loginPage(c *gin.Context) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	setCookie(c, loginCSRF, tok, 3600)
	tenant, _ := c.Cookie("jy_tenant")
	s.render(c, http.StatusOK, "login", "登录", loginData{Tenant: tenant, Next: safeNext(c.Query("next")), Token: tok})
}

func (s *server) login(c *gin.Context) {
	d := loginData{Tenant: strings.TrimSpace(c.PostForm("tenant")), Username: strings.TrimSpace(c.PostForm("username")), Next: safeNext(c.PostForm("next"))}
	cookieTok, _ := c.Cookie(loginCSRF)
	formTok := c.PostForm("csrf")
	if cookieTok == "" || formTok == "" || subtle.ConstantTimeCompare([]byte(cookieTok), []byte(formTok)) != 1 {
		s.fail(c, http.StatusForbidden, "表单已过期或来源不明（CSRF校验失败），请刷新页面后重试")
		return
	}
	d.Token = cookieTok
	if badValues(c.Request.PostForm) {
		d.Tenant, d.Username, d.Error = "", "", badTextMessage
		s.render(c, http.StatusBadRequest, "login", "登录", d)
		return
	}
	if d.Tenant == "" || d.Username == "" || c.PostForm("password") == "" {
		d.Error = "请填写单位代码、用户名和密码"
		s.render(c, http.StatusBadRequest, "login", "登录", d)
		return
	}
	// Counted before the password is checked: a refused attempt costs one Redis round trip.
	if !s.allowLogin(c, d) {
		return
	}
	cookie, _, err := s.cfg.Sessions.Login(c.Request.Context(), d.Tenant, d.Username, c.PostForm("password"))
	// A wrong password and a locked name answer the same for a username that exists and one
	// that does not (unknown names lock too); both messages state the rule, so the real user
	// knows what happened and what to do.
	p := s.cfg.Sessions.Policy()
	switch {
	case errors.Is(err, auth.ErrBusy):
		c.Header("Retry-After", "2")
		d.Error = "登录请求过多，请稍后再试"
		s.render(c, http.StatusTooManyRequests, "login", "登录", d)
		return
	case errors.Is(err, auth.ErrLocked):
		d.Error = fmt.Sprintf("连续登录失败次数过多，账号已锁定%d分钟，请稍后再试或联系管理员解锁", int(p.LockFor.Minutes()))
		s.render(c, http.StatusTooManyRequests, "login", "登录", d)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		d.Error = fmt.Sprintf("单位代码、用户名或密码不正确；连续输错%d次将锁定%d分钟", p.MaxFailures, int(p.LockFor.Minutes()))
		s.render(c, http.StatusUnauthorized, "login", "登录", d)
		return
	case err != nil:
		s.cfg.Log.Error("console: login", "err", err)
		d.Error = "系统繁忙，请稍后再试"
		s.render(c, http.StatusInternalServerError, "login", "登录", d)
		return
	}
	setCookie(c, loginCSRF, "", -1)
	setCookie(c, sessionCookie, cookie, 0)
	setCookie(c, "jy_tenant", d.Tenant, 3600*24*365)
	c.Redirect(http.StatusSeeOther, d.Next)
}

func (s *server) logout(c *gin.Context) {
	if v, err := c.Cookie(sessionCookie); err == nil {
		_ = s.cfg.Sessions.Logout(c.Request.Context(), v)
	}
	setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}
