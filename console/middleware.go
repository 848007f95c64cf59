package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
)

const (
	sessionCookie = "jy_console"
	loginCSRF     = "jy_login_csrf"
	flashCookie   = "jy_flash"
	ctxActor      = "console.actor"
	ctxSession    = "console.session"
)

// secureRequest reports whether the browser reached us over TLS (directly or through a
// proxy that says so).
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secureRequest(c.Request), SameSite: http.SameSiteLaxMode})
}

// headers sets the security headers of every console response.
func headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

// signedIn resolves the session cookie into the actor; without one it sends the browser to
// the sign-in page (or 401 for non-GET).
func (s *server) signedIn(c *gin.Context) {
	cookie, err := c.Cookie(sessionCookie)
	if err == nil && cookie != "" {
		sess, actor, err := s.cfg.Sessions.Resolve(c.Request.Context(), cookie)
		if err == nil {
			c.Set(ctxActor, actor)
			c.Set(ctxSession, sess)
			c.Next()
			return
		}
		setCookie(c, sessionCookie, "", -1)
	}
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	} else {
		s.fail(c, http.StatusUnauthorized, "登录已失效，请重新登录")
	}
	c.Abort()
}

// csrf refuses any POST whose form token does not match the session's.
func (s *server) csrf(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	token := c.Request.Header.Get("X-CSRF-Token")
	if token == "" {
		token = c.Request.PostFormValue("csrf")
	}
	if err := auth.CheckCSRF(session(c), token); err != nil {
		s.fail(c, http.StatusForbidden, "表单已过期或来源不明（CSRF校验失败），请刷新页面后重试")
		c.Abort()
		return
	}
	c.Next()
}

// require lets through actors holding any of roles; others get 404 (the page does not exist
// for them).
func (s *server) require(roles ...auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !actor(c).Has(roles...) {
			s.notFound(c)
			c.Abort()
			return
		}
		c.Next()
	}
}

// unitOnly lets through unit staff bound to a unit.
func (s *server) unitOnly(c *gin.Context) {
	if !actor(c).IsUnit() {
		s.notFound(c)
		c.Abort()
		return
	}
	c.Next()
}

func actor(c *gin.Context) auth.Actor {
	if v, ok := c.Get(ctxActor); ok {
		return v.(auth.Actor)
	}
	return auth.Actor{}
}

func session(c *gin.Context) *auth.Session {
	if v, ok := c.Get(ctxSession); ok {
		return v.(*auth.Session)
	}
	return nil
}
