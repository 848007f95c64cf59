package wechat

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// MPPush verifies and parses the mini-program message push (消息推送), which carries the
// results of mediaCheckAsync (event wxa_media_check). The SDK has no server for it; this
// checks signature (plain mode) or msg_signature and decrypts (safe mode), refuses stale
// timestamps, and reads JSON or XML bodies.
type MPPush struct {
	Token  string
	AESKey string // 43 chars; "" for plain mode
	AppID  string
	Now    func() time.Time
	MaxAge time.Duration // timestamp freshness window (default 5 minutes)
	// Replay, when set, remembers each verified query with its body (NotReplayed): in plain
	// mode the signature does not cover the body, so a captured push URL could otherwise
	// carry any body while its timestamp is fresh.
	Replay OAReplayStore
}

// ErrPushReplay is a verified push query that came before with another body.
var ErrPushReplay = errors.New("wechat push: signed query replayed with another body")

// NotReplayed claims the verified query q with body (see claimQuery): nil for a new query
// or WeChat's retry of the same push, ErrPushReplay for the query with another body, and
// another error when the store cannot answer (then only the freshness window applies).
func (p *MPPush) NotReplayed(ctx context.Context, q url.Values, body []byte) error {
	replayed, err := claimQuery(ctx, p.Replay, "mp", q, body, p.maxAge()*2+time.Minute)
	if err != nil {
		return fmt.Errorf("wechat push replay check: %w", err)
	}
	if replayed {
		return ErrPushReplay
	}
	return nil
}

func (p *MPPush) maxAge() time.Duration {
	if p.MaxAge <= 0 {
		return 5 * time.Minute
	}
	return p.MaxAge
}

// MPPushEvent is one push.
type MPPushEvent struct {
	ToUserName   string
	FromUserName string // openid
	CreateTime   int64
	MsgType      string
	Event        string
	AppID        string
	TraceID      string
	Version      int
	ErrCode      int
	Suggest      string // pass, review, risky
	Label        int
}

// ErrPushSignature: the push is not from WeChat (bad or stale signature, bad envelope).
var ErrPushSignature = errors.New("wechat push: bad signature")

// ErrPushBody: the body cannot be read.
var ErrPushBody = errors.New("wechat push: unreadable body")

// MaxPushBody bounds a push body.
const MaxPushBody = 64 << 10

func (p *MPPush) fresh(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	age := p.maxAge()
	d := now().Sub(time.Unix(n, 0))
	return d < age && d > -age
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// CheckEcho verifies the GET URL check and returns the echostr to write back.
func (p *MPPush) CheckEcho(q url.Values) (string, error) {
	ts, nonce, sig, echo := q.Get("timestamp"), q.Get("nonce"), q.Get("signature"), q.Get("echostr")
	if p.Token == "" || sig == "" || echo == "" || !equal(util.Signature(p.Token, ts, nonce), sig) {
		return "", ErrPushSignature
	}
	return echo, nil
}

type pushFields struct {
	ToUserName   string `json:"ToUserName" xml:"ToUserName"`
	FromUserName string `json:"FromUserName" xml:"FromUserName"`
	CreateTime   int64  `json:"CreateTime" xml:"CreateTime"`
	MsgType      string `json:"MsgType" xml:"MsgType"`
	Event        string `json:"Event" xml:"Event"`
	AppID        string `json:"appid" xml:"appid"`
	TraceID      string `json:"trace_id" xml:"trace_id"`
	Version      int    `json:"version" xml:"version"`
	ErrCode      int    `json:"errcode" xml:"errcode"`
	Encrypt      string `json:"Encrypt" xml:"Encrypt"`
	Result       struct {
		Suggest string `json:"suggest" xml:"suggest"`
		Label   int    `json:"label" xml:"label"`
	} `json:"result" xml:"result"`
}

func decodePush(body []byte) (pushFields, error) {
	var f pushFields
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return f, ErrPushBody
	}
	var err error
	if b[0] == '{' {
		err = json.Unmarshal(b, &f)
	} else {
		if bytes.Contains(b, []byte("<!DOCTYPE")) || bytes.Contains(b, []byte("<!ENTITY")) {
			return f, ErrPushBody
		}
		err = xml.Unmarshal(b, &f)
	}
	if err != nil {
		return f, ErrPushBody
	}
	return f, nil
}

// Parse verifies a POST push and decodes it.
func (p *MPPush) Parse(q url.Values, body []byte) (MPPushEvent, error) {
	if len(body) > MaxPushBody {
		return MPPushEvent{}, ErrPushBody
	}
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if p.Token == "" || !p.fresh(ts) || !equal(util.Signature(p.Token, ts, nonce), q.Get("signature")) {
		return MPPushEvent{}, ErrPushSignature
	}
	f, err := decodePush(body)
	if err != nil {
		return MPPushEvent{}, err
	}
	if q.Get("encrypt_type") == "aes" || f.Encrypt != "" {
		if p.AESKey == "" || f.Encrypt == "" || !equal(util.Signature(p.Token, ts, nonce, f.Encrypt), q.Get("msg_signature")) {
			return MPPushEvent{}, ErrPushSignature
		}
		_, raw, err := util.DecryptMsg(p.AppID, f.Encrypt, p.AESKey)
		if err != nil {
			return MPPushEvent{}, ErrPushSignature
		}
		if f, err = decodePush(raw); err != nil {
			return MPPushEvent{}, err
		}
	}
	return MPPushEvent{
		ToUserName: f.ToUserName, FromUserName: f.FromUserName, CreateTime: f.CreateTime, MsgType: f.MsgType,
		Event: f.Event, AppID: f.AppID, TraceID: f.TraceID, Version: f.Version, ErrCode: f.ErrCode,
		Suggest: f.Result.Suggest, Label: f.Result.Label,
	}, nil
}
