package wechattest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func getJSON(t *testing.T, c *http.Client, url string) map[string]any {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func TestStandaloneDevLogin(t *testing.T) {
	t.Parallel()
	s, err := NewStandalone("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := s.HTTPClient() // not installed: the shared fake owns the SDK's global client here
	dev := s.DevApp()
	m := getJSON(t, c, "https://api.weixin.qq.com/sns/jscode2session?appid="+dev.MiniAppID+"&secret="+dev.MiniSecret+"&js_code=dev-alice&grant_type=authorization_code")
	if m["openid"] != "dev-openid-alice" {
		t.Fatalf("dev login = %v", m)
	}
	// Reusable, and any appid works in dev.
	m = getJSON(t, c, "https://api.weixin.qq.com/sns/jscode2session?appid=wxanything&secret=s&js_code=dev-alice&grant_type=authorization_code")
	if m["openid"] != "dev-openid-alice" {
		t.Fatalf("dev login with unknown appid = %v", m)
	}
	m = getJSON(t, c, "https://api.weixin.qq.com/sns/jscode2session?appid=wxanything&secret=s&js_code=other&grant_type=authorization_code")
	if m["errcode"] != float64(40029) {
		t.Fatalf("non-dev code = %v", m)
	}
	m = getJSON(t, c, "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wxanything&secret=s")
	if m["expires_in"] != float64(7200) || m["access_token"] == "" {
		t.Fatalf("token = %v", m)
	}
	if _, err := c.Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("other host: %v", err)
	}
}

func TestFakeChecksCredentials(t *testing.T) {
	t.Parallel()
	s := Start()
	a := s.NewApp(t)
	c := s.HTTPClient()
	m := getJSON(t, c, "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid="+a.MiniAppID+"&secret=wrong")
	if m["errcode"] != float64(40125) {
		t.Fatalf("wrong secret = %v", m)
	}
	m = getJSON(t, c, "https://api.weixin.qq.com/cgi-bin/media/get?access_token=FAKE_"+a.OAAppID+"_1&media_id=x")
	if m["errcode"] != float64(40001) {
		t.Fatalf("unknown token = %v", m)
	}
	m = getJSON(t, c, "https://api.weixin.qq.com/sns/jscode2session?appid=wxnotregistered&secret=s&js_code=c")
	if m["errcode"] != float64(40013) {
		t.Fatalf("unknown appid = %v", m)
	}
	if a.TokenRequests() != 1 || a.Count(APIMediaGet) != 1 {
		t.Fatalf("counts: token %d, media %d", a.TokenRequests(), a.Count(APIMediaGet))
	}
}
