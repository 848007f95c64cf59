package wechattest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type handlerFunc func(a *App, appid string, w http.ResponseWriter, r *http.Request, body []byte)

func (s *Server) handler() http.Handler {
	routes := map[string]struct {
		needToken bool
		h         handlerFunc
	}{
		APIToken:           {false, s.token},
		APIStableToken:     {false, s.stableToken},
		APICode2Session:    {false, s.code2Session},
		APIPhoneNumber:     {true, s.phoneNumber},
		APISubscribeSend:   {true, s.subscribeSend},
		APITemplateSend:    {true, s.templateSend},
		APICustomSend:      {true, s.customSend},
		APIMediaGet:        {true, s.mediaGet},
		APIMsgSecCheck:     {true, s.msgSecCheck},
		APIMediaCheckAsync: {true, s.mediaCheckAsync},
		APIUserInfo:        {true, s.userInfo},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, ok := routes[r.URL.Path]
		if !ok {
			writeErr(w, 40066, "invalid url")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err != nil {
			return
		}
		q := r.URL.Query()
		appid := appIDOf(q, body)
		a := s.app(appid)
		if a == nil {
			if route.needToken {
				writeErr(w, 40001, "invalid credential, access_token is invalid or not latest")
			} else {
				writeErr(w, 40013, "invalid appid")
			}
			return
		}
		code, fault := a.record(r.URL.Path, Call{Path: r.URL.Path, Body: body, Query: q, Time: time.Now()})
		switch {
		case fault == faultHang:
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
			return
		case fault == faultHTTP:
			http.Error(w, "Bad Gateway", http.StatusBadGateway)
			return
		case code != 0:
			writeErr(w, code, "injected by wechattest")
			return
		}
		if route.needToken {
			if c, msg := a.checkToken(q.Get("access_token")); c != 0 {
				writeErr(w, c, msg)
				return
			}
		}
		route.h(a, appid, w, r, body)
	})
}

type fault int

const (
	faultNone fault = iota
	faultHTTP
	faultHang
)

// record stores the call and draws the injected outcome: a FailNext errcode first, then the
// random faults of SetFaults.
func (a *App) record(api string, c Call) (int, fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls[api] = append(a.calls[api], c)
	if q := a.failNext[api]; len(q) > 0 {
		a.failNext[api] = q[1:]
		return q[0], faultNone
	}
	if a.rng != nil {
		x := a.rng.Float64()
		switch {
		case x < a.timeoutRate:
			return 0, faultHang
		case x < a.timeoutRate+a.failRate:
			return 0, faultHTTP
		}
	}
	return 0, faultNone
}

func (a *App) checkToken(tok string) (int, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	valid, known := a.tokens[tok]
	switch {
	case !known:
		return 40001, "invalid credential, access_token is invalid or not latest"
	case !valid:
		return 42001, "access_token expired"
	}
	return 0, ""
}

func (a *App) checkSecret(appid, secret string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.acceptAnySecret {
		return true
	}
	return (appid == a.MiniAppID && secret == a.MiniSecret) || (appid == a.OAAppID && secret == a.OASecret)
}

// issue returns the app's current token (stable_token without force_refresh) or a new one.
func (s *Server) issue(a *App, appid string, reuse bool) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur := a.current[appid]; reuse && cur != "" && a.tokens[cur] {
		return cur
	}
	tok := s.newToken(appid)
	a.tokens[tok] = true
	a.current[appid] = tok
	return tok
}

func (s *Server) token(a *App, appid string, w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	if q.Get("grant_type") != "client_credential" {
		writeErr(w, 40002, "invalid grant_type")
		return
	}
	if !a.checkSecret(appid, q.Get("secret")) {
		writeErr(w, 40125, "invalid appsecret")
		return
	}
	writeJSON(w, map[string]any{"access_token": s.issue(a, appid, false), "expires_in": 7200})
}

func (s *Server) stableToken(a *App, appid string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		GrantType    string `json:"grant_type"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if json.Unmarshal(body, &req) != nil || req.GrantType != "client_credential" {
		writeErr(w, 40002, "invalid grant_type")
		return
	}
	if !a.checkSecret(appid, req.Secret) {
		writeErr(w, 40125, "invalid appsecret")
		return
	}
	writeJSON(w, map[string]any{"access_token": s.issue(a, appid, !req.ForceRefresh), "expires_in": 7200})
}

// useCode consumes a one-time code: 0 if fresh, 40163 if used, 40029 if unknown.
func (a *App) useCode(code string, known bool) int {
	switch {
	case a.usedCodes[code]:
		return 40163
	case !known:
		return 40029
	}
	a.usedCodes[code] = true
	return 0
}

func (s *Server) code2Session(a *App, appid string, w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	if !a.checkSecret(appid, q.Get("secret")) {
		writeErr(w, 40125, "invalid appsecret")
		return
	}
	code := q.Get("js_code")
	a.mu.Lock()
	l, known := a.logins[code]
	var ec int
	if !known && s.standalone && strings.HasPrefix(code, "dev-") && len(code) > 4 {
		l = login{openid: "dev-openid-" + code[4:], unionid: "dev-unionid-" + code[4:]}
	} else {
		ec = a.useCode(code, known)
	}
	a.mu.Unlock()
	if ec != 0 {
		writeErr(w, ec, map[int]string{40029: "invalid code", 40163: "code been used"}[ec])
		return
	}
	res := map[string]any{"openid": l.openid, "session_key": base64.StdEncoding.EncodeToString([]byte(randHex(8)))}
	if l.unionid != "" {
		res["unionid"] = l.unionid
	}
	writeJSON(w, res)
}

func (s *Server) phoneNumber(a *App, _ string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &req) != nil {
		writeErr(w, 47001, "data format error")
		return
	}
	a.mu.Lock()
	phone, known := a.phones[req.Code]
	var ec int
	if !known && s.standalone && strings.HasPrefix(req.Code, "dev-") {
		sum := sha256.Sum256([]byte(req.Code))
		phone = fmt.Sprintf("138%08d", binary.BigEndian.Uint32(sum[:4])%100000000)
	} else {
		ec = a.useCode(req.Code, known)
	}
	a.mu.Unlock()
	if ec != 0 {
		writeErr(w, ec, "invalid code")
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "phone_info": map[string]any{
		"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
		"watermark": map[string]any{"timestamp": time.Now().Unix(), "appid": a.MiniAppID},
	}})
}

func (s *Server) subscribeSend(a *App, _ string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Data       map[string]struct {
			Value any `json:"value"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &req) != nil {
		writeErr(w, 47001, "data format error")
		return
	}
	switch {
	case req.ToUser == "":
		writeErr(w, 40003, "invalid openid")
		return
	case req.TemplateID == "":
		writeErr(w, 40037, "invalid template_id")
		return
	}
	for k, v := range req.Data {
		if msg := fakeFieldCheck(k, fmt.Sprint(v.Value)); msg != "" {
			writeErr(w, 47003, "argument invalid! data."+k+".value "+msg)
			return
		}
	}
	a.mu.Lock()
	refused := a.noCredit[noCreditKey{req.ToUser, req.TemplateID}]
	a.mu.Unlock()
	if refused {
		writeErr(w, 43101, "user refuse to accept the msg")
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": s.seq.Add(1)})
}

// fakeFieldCheck is WeChat's 47003 check, kept independent of the client's validation.
func fakeFieldCheck(key, v string) string {
	n := utf8.RuneCountInString(v)
	if n == 0 {
		return "empty"
	}
	switch strings.TrimRight(key, "0123456789") {
	case "thing":
		if n > 20 {
			return "exceeds limit"
		}
	case "phrase":
		if n > 5 {
			return "exceeds limit"
		}
		for _, r := range v {
			if !unicode.Is(unicode.Han, r) {
				return "invalid"
			}
		}
	case "character_string":
		if n > 32 {
			return "exceeds limit"
		}
		for _, r := range v {
			if r > unicode.MaxASCII {
				return "invalid"
			}
		}
	case "name":
		if n > 20 {
			return "exceeds limit"
		}
	}
	return ""
}

func (s *Server) templateSend(a *App, _ string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
	}
	if json.Unmarshal(body, &req) != nil {
		writeErr(w, 47001, "data format error")
		return
	}
	if req.TemplateID == "" {
		writeErr(w, 40037, "invalid template_id")
		return
	}
	a.mu.Lock()
	nf := a.notFollowing[req.ToUser]
	a.mu.Unlock()
	if nf || req.ToUser == "" {
		writeErr(w, 43004, "require subscribe")
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": s.seq.Add(1)})
}

func (s *Server) customSend(a *App, _ string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
	}
	if json.Unmarshal(body, &req) != nil || req.MsgType == "" {
		writeErr(w, 47001, "data format error")
		return
	}
	a.mu.Lock()
	nf, oow := a.notFollowing[req.ToUser], a.outOfWindow[req.ToUser]
	a.mu.Unlock()
	switch {
	case nf || req.ToUser == "":
		writeErr(w, 43004, "require subscribe")
	case oow:
		writeErr(w, 45015, "response out of time limit or subscription is canceled")
	default:
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	}
}

func (s *Server) mediaGet(a *App, _ string, w http.ResponseWriter, r *http.Request, _ []byte) {
	id := r.URL.Query().Get("media_id")
	a.mu.Lock()
	m, ok := a.media[id]
	a.mu.Unlock()
	if !ok {
		writeErr(w, 40007, "invalid media_id")
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="media"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(m.data)))
	_, _ = w.Write(m.data)
}

// MaxMsgCheckRunes is the most content msgSecCheck v2 takes, as WeChat documents it (2500
// characters). Kept apart from the client's own figure so that a client sending more is
// caught here.
const MaxMsgCheckRunes = 2500

func (s *Server) msgSecCheck(a *App, _ string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		OpenID  string `json:"openid"`
		Scene   int    `json:"scene"`
		Content string `json:"content"`
		Version int    `json:"version"`
	}
	if json.Unmarshal(body, &req) != nil || req.Version != 2 || req.Scene < 1 || req.Scene > 4 || req.OpenID == "" {
		writeErr(w, 40003, "invalid args")
		return
	}
	if utf8.RuneCountInString(req.Content) > MaxMsgCheckRunes {
		// WeChat's documentation limits the content and names no code for going past it;
		// the fake answers as WeChat does to a malformed request.
		writeErr(w, 47001, "data format error: content too long")
		return
	}
	suggest, label := "pass", 100
	a.mu.Lock()
	for _, rule := range a.msgRules {
		if strings.Contains(req.Content, rule.substr) {
			suggest = rule.suggest
			break
		}
	}
	a.mu.Unlock()
	if suggest != "pass" {
		label = 20001
	}
	writeJSON(w, map[string]any{
		"errcode": 0, "errmsg": "ok", "trace_id": fmt.Sprintf("trace-%d", s.seq.Add(1)),
		"result": map[string]any{"suggest": suggest, "label": label},
		"detail": []any{map[string]any{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}},
	})
}

func (s *Server) mediaCheckAsync(a *App, _ string, w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		MediaURL  string `json:"media_url"`
		MediaType int    `json:"media_type"`
		Version   int    `json:"version"`
		OpenID    string `json:"openid"`
		Scene     int    `json:"scene"`
	}
	if json.Unmarshal(body, &req) != nil || req.Version != 2 || req.MediaURL == "" || req.OpenID == "" ||
		(req.MediaType != 1 && req.MediaType != 2) || req.Scene < 1 || req.Scene > 4 {
		writeErr(w, 40003, "invalid args")
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "trace_id": fmt.Sprintf("trace-%d", s.seq.Add(1))})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": fmt.Sprintf("%s rid: %s", msg, randHex(4))})
}
