package console

import (
	"bytes"
	"html/template"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// errorTemplate is the console's error page on its own, for requests that match no route
// (so no console server, session or navigation is involved).
var errorTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("error").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/error.html")
})

// NotFound belongs at the end of the engine's NoRoute chain, after the other front doors'
// handlers (which answer their own paths and abort): any other unknown URL gets the
// console's Chinese 404 page instead of gin's English text.
func NotFound(c *gin.Context) {
	unmatchedPage(c, http.StatusNotFound, "页面不存在", "您要找的页面不存在，请检查地址是否正确。")
}

// MethodNotAllowed is NotFound's counterpart for the NoMethod chain: a known console path
// asked with the wrong method (gin keeps the Allow header).
func MethodNotAllowed(c *gin.Context) {
	unmatchedPage(c, http.StatusMethodNotAllowed, "访问方式不正确", "该页面不支持这种访问方式，请从页面上的链接或按钮进入。")
}

func unmatchedPage(c *gin.Context, status int, title, msg string) {
	t, err := errorTemplate()
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", view{Title: title, Path: c.Request.URL.Path,
			Data: errorPage{Status: status, Message: msg}})
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if err != nil {
		c.AbortWithStatus(status)
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}
