package mpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	mpapi "jianyi/miniprogram-api"
)

// plainDo sends without the OpenAPI check: these paths are deliberately not in the spec.
func plainDo(t *testing.T, base, method, path string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}

func wantJSONError(t *testing.T, status int, h http.Header, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json: %s", ct, body)
	}
	var e mpapi.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body is not an error object: %s", body)
	}
	if e.Code != wantCode || e.Message == "" {
		t.Fatalf("error %+v, want code %q and a Chinese message", e, wantCode)
	}
	if cc := h.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
}

func TestUnmatchedRoutesAnswerJSON(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tok := b.deputy("o-noroute", "jyg", "13800000001")
	tests := []struct {
		method, path string
		status       int
		code         string
		allow        []string
	}{
		{"GET", "/api/v1/no-such-thing", 404, "not_found", nil},
		{"GET", "/api/v1", 404, "not_found", nil},
		{"GET", "/api/v1/suggestions/1/no-such-thing", 404, "not_found", nil},
		{"POST", "/api/v1/nope", 404, "not_found", nil},
		{"POST", "/api/v1/me", 405, "method_not_allowed", []string{"GET"}},
		{"PUT", "/api/v1/auth/login", 405, "method_not_allowed", []string{"POST"}},
		{"DELETE", "/api/v1/suggestions/1", 405, "method_not_allowed", []string{"GET", "PATCH"}},
		{"PATCH", "/api/v1/wechat/push", 405, "method_not_allowed", []string{"GET", "POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			status, h, body := plainDo(t, b.srv.URL, tt.method, tt.path, "Authorization", "Bearer "+tok)
			wantJSONError(t, status, h, body, tt.status, tt.code)
			var allow []string
			if a := h.Get("Allow"); a != "" {
				allow = strings.Split(a, ", ")
			}
			if !sameSet(allow, tt.allow) {
				t.Errorf("Allow %q, want %q", allow, tt.allow)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}

// TestUnmatchedLeavesOtherPathsAlone: the engine is shared with the console and the bot,
// so the handlers answer /api/v1 only and pass any other path on along the chain.
func TestUnmatchedLeavesOtherPathsAlone(t *testing.T) {
	t.Parallel()
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.GET("/login", func(c *gin.Context) { c.String(200, "console") })
	r.GET("/api/v1/me", func(c *gin.Context) { c.JSON(200, gin.H{}) })
	r.NoRoute(mpapi.NotFound, func(c *gin.Context) { c.String(404, "console 404") })
	r.NoMethod(mpapi.MethodNotAllowed)
	srv := httptest.NewServer(r)
	defer srv.Close()

	status, h, body := plainDo(t, srv.URL, "GET", "/api/v1/nope")
	wantJSONError(t, status, h, body, 404, "not_found")
	status, h, body = plainDo(t, srv.URL, "POST", "/api/v1/me")
	wantJSONError(t, status, h, body, 405, "method_not_allowed")

	for _, tt := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/nope", 404, "console 404"},              // the next handler in the chain answers
		{"GET", "/api/v10/me", 404, "console 404"},        // not under /api/v1
		{"POST", "/login", 405, "405 method not allowed"}, // gin's own text answer
	} {
		status, h, body := plainDo(t, srv.URL, tt.method, tt.path)
		if status != tt.status || string(body) != tt.body || strings.Contains(h.Get("Content-Type"), "json") {
			t.Errorf("%s %s: %d %q (%s), want %d %q", tt.method, tt.path, status, body, h.Get("Content-Type"), tt.status, tt.body)
		}
	}
}
