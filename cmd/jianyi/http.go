package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jianyi/console"
	mpapi "jianyi/miniprogram-api"
)

const requestIDHeader = "X-Request-ID"

// newEngine is the gin engine with the middleware every front door shares and the
// operational endpoints. Front doors are mounted on it by serve.
func newEngine(d *deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	trustProxies(r, d)
	r.Use(requestID(), accessLog(d.log), httpMetrics(d.metrics), gin.CustomRecoveryWithWriter(nil, recovered(d.log)))

	// gin has one NoRoute and one NoMethod chain for all the front doors: each front door's
	// handler answers only its own paths and passes the rest on. The mini-program API
	// answers JSON under /api/v1; the official-account callback (/wechat/) keeps gin's text
	// 404, which is all WeChat's servers need; every other path is a person's browser and
	// gets the console's Chinese error page (404, or 405 for a wrong method).
	r.HandleMethodNotAllowed = true
	r.NoRoute(mpapi.NotFound, botAsBefore, console.NotFound)
	r.NoMethod(mpapi.MethodNotAllowed, botAsBefore, console.MethodNotAllowed)

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", readyz(d))
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.metrics, promhttp.HandlerOpts{Registry: d.metrics})))
	return r
}

// trustProxies makes c.ClientIP() (and so the per-IP rate limits) the client's address
// when a request comes through a reverse proxy listed in JIANYI_TRUSTED_PROXIES: gin walks
// X-Forwarded-For from the right, skipping trusted hops, so entries a client forged in front
// of the proxy's are ignored (the proxy must append to or overwrite X-Forwarded-For, e.g.
// nginx's $proxy_add_x_forwarded_for); X-Real-IP is read only without X-Forwarded-For.
// With no proxies listed the headers are never read and the peer address is the client.
func trustProxies(r *gin.Engine, d *deps) {
	r.RemoteIPHeaders = []string{"X-Forwarded-For", "X-Real-IP"}
	proxies := d.cfg.TrustedProxies
	if len(proxies) == 0 {
		proxies = nil // gin: nil trusts no one
	}
	if err := r.SetTrustedProxies(proxies); err != nil {
		// config.Validate refuses such values at start-up; fail closed if one slips through.
		d.log.Error("JIANYI_TRUSTED_PROXIES not applied, trusting no proxy", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
}

// botAsBefore answers unmatched requests under the bot's /wechat/ prefix as gin answers an
// unknown path (text 404, no Allow), a wrong method included, and lets the rest through.
func botAsBefore(c *gin.Context) {
	p := c.Request.URL.Path
	if p != "/wechat" && !strings.HasPrefix(p, "/wechat/") {
		return
	}
	c.Writer.Header().Del("Allow")
	c.Data(http.StatusNotFound, gin.MIMEPlain, []byte("404 page not found"))
	c.Abort()
}

// requestID keeps a sane incoming X-Request-ID or makes one, and echoes it.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set("request_id", id)
		c.Header(requestIDHeader, id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// accessLog writes one line per request. It logs the route pattern (or the path for
// unmatched requests) and never the query string, which can carry login codes, tickets
// and signatures; no client IP or user ids either (personal data).
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		path := route
		if path == "" {
			path = "unmatched"
		}
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz" || c.Request.URL.Path == "/metrics":
			level = slog.LevelDebug
		}
		log.LogAttrs(c.Request.Context(), level, "http request",
			slog.String("request_id", c.GetString("request_id")),
			slog.String("method", c.Request.Method),
			slog.String("route", path),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		)
	}
}

// httpMetrics records a request-duration histogram by method, route pattern and status.
func httpMetrics(reg *prometheus.Registry) gin.HandlerFunc {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "jianyi",
		Name:      "http_request_duration_seconds",
		Help:      "HTTP request latency by method, route pattern and status code.",
		Buckets:   []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})
	reg.MustRegister(h)
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched" // bounded label values: never the raw path
		}
		h.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
	}
}

func recovered(log *slog.Logger) gin.RecoveryFunc {
	return func(c *gin.Context, err any) {
		log.Error("panic in handler", "request_id", c.GetString("request_id"), "route", c.FullPath(), "panic", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"code": "internal", "message": "服务器内部错误，请稍后再试"})
	}
}

// pinger is anything readyz can check.
type pinger func(ctx context.Context) error

// readyz answers 200 when PostgreSQL, Redis and the object store all answer within 2 s,
// else 503 naming the failed ones. Details go to the log, not the response. Once shutdown
// has begun it answers 503 without checking, so the load balancer stops sending.
func readyz(d *deps) gin.HandlerFunc {
	checks := map[string]pinger{}
	if d.pool != nil {
		checks["postgres"] = d.pool.Ping
	}
	if d.rdb != nil {
		checks["redis"] = func(ctx context.Context) error { return d.rdb.Ping(ctx).Err() }
	}
	if d.objects != nil {
		checks["objects"] = d.objects.Ping
	}
	return func(c *gin.Context) {
		if d.draining != nil && d.draining.Load() {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "shutting_down"})
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		var mu sync.Mutex
		var wg sync.WaitGroup
		result := map[string]string{}
		var failed []string
		for name, ping := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := ping(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					result[name] = "unavailable"
					failed = append(failed, name)
					d.log.Warn("readiness check failed", "check", name, "err", err)
					return
				}
				result[name] = "ok"
			}()
		}
		wg.Wait()
		if len(failed) > 0 {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": result})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": result})
	}
}
