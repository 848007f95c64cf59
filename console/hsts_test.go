package console_test

import (
	"net/http"
	"strings"
	"testing"
)

// Behind the TLS proxy (X-Forwarded-Proto: https) every console page tells the browser to
// keep to HTTPS, and the session cookie is Secure; over plain HTTP (dev) neither is sent.
func TestHTTPSKeepsTheBrowserOnHTTPS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, path := range []string{"/login", "/public/jyg/replies", "/suggestions"} {
		req, _ := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=31536000") {
			t.Errorf("%s over HTTPS: Strict-Transport-Security %q", path, got)
		}
		for _, sc := range resp.Header.Values("Set-Cookie") {
			if !strings.Contains(sc, "Secure") {
				t.Errorf("%s over HTTPS: cookie without Secure: %s", path, sc)
			}
		}
		plain, err := http.Get(b.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		plain.Body.Close()
		if got := plain.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("%s over plain HTTP: Strict-Transport-Security %q", path, got)
		}
	}
}
