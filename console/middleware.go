package console

import (
	"errors"
	"fmt"
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
	if secureRequest(c.Request) {
		// Reached over HTTPS (directly or through the TLS proxy): browsers keep to HTTPS for a
		// year, so a later http:// link or a hostile network cannot strip the session cookie.
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
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
		if !errors.Is(err, auth.ErrNoSession) {
			// The session could not be read (the database is down or slow): the person is
			// still signed in. Keep the cookie, so that a refresh works once the database is
			// back, and say so instead of sending them to the login page.
			s.cfg.Log.Error("console: read session", "err", err)
			s.fail(c, http.StatusServiceUnavailable, "系统暂时不可用，请稍后重试（您仍处于登录状态，无需重新登录）")
			c.Abort()
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

// How many bytes a POST body may have: the sign-in form, an ordinary form (the longest texts
// are a few thousand characters), the reply with its signed PDF (Config.MaxPDFBytes) and the
// deputy import (10 MB), each with room for the rest of the form.
const (
	loginBodyLimit  = 64 << 10
	formBodyLimit   = 4 << 20
	importFileLimit = 10 << 20
	uploadSlack     = 1 << 20
)

// bodyLimit is the most a POST to path may send.
func (s *server) bodyLimit(path string) int64 {
	switch {
	case path == "/login":
		return loginBodyLimit
	case path == "/admin/deputies/import":
		return importFileLimit + uploadSlack
	case strings.HasPrefix(path, "/assignments/") && strings.HasSuffix(path, "/reply"):
		return s.maxP + uploadSlack
	}
	return formBodyLimit
}

// limitBody bounds a POST body before anything reads it, and parses the form within that
// bound. Without it the first reader of the form (the CSRF check, or the sign-in handler
// before anyone is signed in) took any body whole, spooling a multipart file of any size to
// disk, so the limits the upload handlers set afterwards came too late. A body over the
// limit is answered 413 with the reason, and nothing is read further or written.
func (s *server) limitBody(c *gin.Context) {
	r := c.Request
	if r.Method != http.MethodPost {
		c.Next()
		return
	}
	limit := s.bodyLimit(r.URL.Path)
	tooLarge := r.ContentLength > limit
	if !tooLarge {
		r.Body = http.MaxBytesReader(c.Writer, r.Body, limit)
		var err error
		if ct := r.Header.Get("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "multipart/form-data") {
			err = r.ParseMultipartForm(32 << 20)
		} else {
			err = r.ParseForm()
		}
		var mb *http.MaxBytesError
		tooLarge = errors.As(err, &mb)
	}
	if !tooLarge {
		c.Next()
		return
	}
	c.Header("Connection", "close")
	s.fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("提交的内容过大（不能超过%s），未保存，请删减内容或压缩文件后重试", sizeLabel(limit)))
	c.Abort()
}

// sizeLabel says a byte count as people read it: 21MB, 64KB.
func sizeLabel(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMB", n>>20)
	}
	return fmt.Sprintf("%dKB", n>>10)
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

// cleanInput refuses, before any handler reads it, a request whose form or query carries
// text no field may hold (NUL and other control characters, invalid UTF-8): a POST goes
// back to its page with the reason and nothing is written; a GET is a 400 page.
func (s *server) cleanInput(c *gin.Context) {
	r := c.Request
	bad := badValues(r.URL.Query())
	if r.Method == http.MethodPost {
		// Usually parsed already by the CSRF check; multipart keeps files out of PostForm.
		_ = r.ParseMultipartForm(32 << 20)
		bad = bad || badValues(r.PostForm)
	}
	if !bad {
		c.Next()
		return
	}
	if r.Method == http.MethodPost {
		s.back(c, formBack(r.URL.Path), invalidInput("bad_text", badTextMessage))
	} else {
		s.fail(c, http.StatusBadRequest, "查询条件含有无法识别的字符（如控制字符或乱码），请修改后重试")
	}
	c.Abort()
}

// formBack is the page a refused POST returns to when no handler has chosen one: the page
// its form is on.
func formBack(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	id := func() (string, bool) {
		if len(parts) < 2 {
			return "", false
		}
		_, ok := positiveID(parts[1])
		return parts[1], ok
	}
	switch parts[0] {
	case "suggestions":
		if v, ok := id(); ok {
			return "/suggestions/" + v
		}
	case "assignments":
		if len(parts) == 3 && parts[2] == "decide-return" {
			return "/decisions"
		}
		if v, ok := id(); ok {
			return "/assignments/" + v
		}
	case "extensions":
		return "/decisions"
	case "commitments":
		return "/unit"
	case "review":
		return "/review/flagged"
	case "problems", "interviews":
		return "/problems"
	case "activities":
		if v, ok := id(); ok {
			return "/activities/" + v
		}
		return "/activities/new"
	case "appraisal":
		// /appraisal/meetings/:id/…: the opinion and the sending are on the feedback page.
		if len(parts) >= 3 && parts[1] == "meetings" {
			if _, ok := positiveID(parts[2]); ok {
				if len(parts) == 4 && (parts[3] == "opinion" || parts[3] == "send") {
					return "/appraisal/meetings/" + parts[2] + "/feedback"
				}
				return "/appraisal/meetings/" + parts[2]
			}
		}
		return "/appraisal"
	case "inbox":
		return "/inbox"
	case "analysis":
		// The report forms (/analysis/reports…) are on the reports page.
		if len(parts) >= 2 && parts[1] == "reports" {
			return reportsURL
		}
		return "/analysis"
	case "admin":
		if len(parts) < 2 {
			return "/admin"
		}
		switch parts[1] {
		case "units", "deputies", "users", "settings", "holidays":
			return "/admin/" + parts[1]
		case "categories", "delegations", "groups", "meetings":
			return "/admin/catalog"
		}
		return "/admin"
	}
	return "/"
}
