package wechat

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// Limits of the official-account message server.
const (
	// OAMaxBody is the largest callback body accepted; WeChat's pushes are a few KB.
	OAMaxBody = 64 << 10
	// OAMaxAge is how old a callback's timestamp may be; older ones are replays.
	OAMaxAge = 5 * time.Minute
	// OAMaxSkew is how far in the future a timestamp may be (clock skew).
	OAMaxSkew = time.Minute
	// OAAnswerWithin bounds the handler: WeChat gives up after 5 s and retries.
	OAAnswerWithin = 4 * time.Second
	// oaGrace is how long a handler may take to wrap up after its context ended.
	oaGrace = 500 * time.Millisecond
)

// Errors of ParseOAMessage and of the request checks. They name what failed, never the content.
var (
	ErrOABadSignature = errors.New("wechat oa: bad signature")
	ErrOAStale        = errors.New("wechat oa: timestamp outside the freshness window")
	ErrOATooLarge     = errors.New("wechat oa: body too large")
	ErrOADoctype      = errors.New("wechat oa: XML declarations (DOCTYPE/ENTITY) refused")
	ErrOABadXML       = errors.New("wechat oa: malformed message")
	ErrOADecrypt      = errors.New("wechat oa: cannot decrypt message")
	ErrOAPlaintext    = errors.New("wechat oa: plaintext push refused: an EncodingAESKey is configured")
	ErrOAReplay       = errors.New("wechat oa: signed query replayed with another body")
)

// OAReplayTTL is how long an accepted (timestamp, nonce, signature) is remembered: the whole
// window in which its timestamp passes the freshness check, plus a margin.
const OAReplayTTL = OAMaxAge + OAMaxSkew + time.Minute

// OAReplayStore remembers the signed queries already accepted (storage/redis.OAReplay). A
// signed query is WeChat's alone, but in plain mode its signature does not cover the body:
// whoever saw one could post any message under it until the timestamp goes stale.
type OAReplayStore interface {
	// Claim records bodyHash under key (SET NX) for ttl and returns the hash stored first:
	// bodyHash itself for a new key or a retry of the same push, another one for a replay.
	Claim(ctx context.Context, key, bodyHash string, ttl time.Duration) (stored string, err error)
}

// OAMsg is one message or event pushed to the official account, verified and decrypted.
// FromUser is the sender's openid: personal data, never to be logged.
type OAMsg struct {
	ToUser     string
	FromUser   string
	CreateTime int64
	MsgType    string // text, image, voice, video, location, link, event
	MsgID      int64  // messages; for TEMPLATESENDJOBFINISH the template msgid
	Content    string
	PicURL     string
	MediaID    string
	LocationX  float64 // latitude
	LocationY  float64 // longitude
	Scale      int
	Label      string // address of a location message
	Event      string // subscribe, unsubscribe, CLICK, VIEW, SCAN, LOCATION, TEMPLATESENDJOBFINISH
	EventKey   string
	Status     string // TEMPLATESENDJOBFINISH: success, failed:user block, failed: system failed
	// Recognition is WeChat's transcription of a voice message (the SDK's
	// message.MixMessage.Recognition); empty when the account has speech recognition off.
	// Message content: never to be logged.
	Recognition string
}

// IsEvent reports whether m is an event push.
func (m *OAMsg) IsEvent() bool { return m.MsgType == "event" }

// DedupeKey identifies a push across WeChat's retries: the MsgId of a message, or sender,
// CreateTime, event and EventKey of an event (events carry no MsgId; two menu clicks in one
// second differ only by their key). The openid and key are hashed so the key holds neither.
func (m *OAMsg) DedupeKey() string {
	if m.MsgID != 0 && !m.IsEvent() {
		return "m:" + strconv.FormatInt(m.MsgID, 10)
	}
	h := sha256.Sum256([]byte(m.FromUser + "\x00" + m.EventKey))
	k := "e:" + hex.EncodeToString(h[:12]) + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.Event
	if m.MsgID != 0 { // TEMPLATESENDJOBFINISH: two reports in one second differ by msgid
		k += ":" + strconv.FormatInt(m.MsgID, 10)
	}
	return k
}

// OAReply is the passive answer to a push. Empty Text means nothing to say: the server writes
// "success" (never an encrypted empty body).
type OAReply struct {
	Text string
}

// OAHandlerFunc answers one verified push. ctx ends after OAAnswerWithin.
type OAHandlerFunc func(ctx context.Context, m *OAMsg) OAReply

// OAServer verifies, decrypts and answers the official account's callbacks (plain,
// compatible and safe modes). It uses the SDK's signature and AES helpers rather than its
// message server, which checks neither timestamp age nor body size nor DOCTYPE, and runs
// the handler without a context.
type OAServer struct {
	token, aesKey, appID string
	now                  func() time.Time
	within               time.Duration
	log                  *slog.Logger
	replay               OAReplayStore
}

// NewOAServer builds the server from the official account's settings (OAToken required;
// OAAESKey needed for compatible and safe modes).
func NewOAServer(cfg Config, log *slog.Logger) (*OAServer, error) {
	if cfg.OAToken == "" {
		return nil, errors.New("wechat: official-account token is required for the message server")
	}
	if cfg.OAAESKey != "" && len(cfg.OAAESKey) != 43 {
		return nil, errors.New("wechat: official-account EncodingAESKey must be 43 characters")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &OAServer{token: cfg.OAToken, aesKey: cfg.OAAESKey, appID: cfg.OAAppID, now: time.Now, within: OAAnswerWithin,
		log: log.With("component", "oa_server")}, nil
}

// SetReplayStore enables replay protection: a signed query accepted once may come again only
// with the same body (WeChat's retry). Without a store only the freshness window applies.
func (s *OAServer) SetReplayStore(r OAReplayStore) { s.replay = r }

// SetClock replaces time.Now (tests).
func (s *OAServer) SetClock(now func() time.Time) { s.now = now }

// Handle serves one callback request: GET is WeChat's URL check (echostr), POST a push.
// Refusals: 403 bad signature, stale timestamp, plaintext push while an EncodingAESKey is
// configured, or a signed query replayed with another body; 413 oversize body; 400 DOCTYPE or
// bad XML.
func (s *OAServer) Handle(w http.ResponseWriter, r *http.Request, h OAHandlerFunc) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if !signatureOK(q.Get("signature"), s.token, ts, nonce) {
		s.refuse(w, http.StatusForbidden, ErrOABadSignature)
		return
	}
	if err := s.fresh(ts); err != nil {
		s.refuse(w, http.StatusForbidden, err)
		return
	}
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, q.Get("echostr"))
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		s.refuse(w, http.StatusMethodNotAllowed, errors.New("wechat oa: method not allowed"))
		return
	}
	if r.ContentLength > OAMaxBody {
		s.refuse(w, http.StatusRequestEntityTooLarge, ErrOATooLarge)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, OAMaxBody+1))
	if err != nil {
		s.refuse(w, http.StatusBadRequest, fmt.Errorf("wechat oa: read body: %w", err))
		return
	}
	if len(body) > OAMaxBody {
		s.refuse(w, http.StatusRequestEntityTooLarge, ErrOATooLarge)
		return
	}
	raw := body
	aes := q.Get("encrypt_type") == "aes"
	if !aes && s.aesKey != "" {
		// Compatible and safe modes: WeChat always sends encrypt_type=aes and msg_signature.
		// A plaintext push is a signed URL stripped of them, with a body nobody signed.
		s.refuse(w, http.StatusForbidden, ErrOAPlaintext)
		return
	}
	if aes {
		body, err = s.decrypt(body, q.Get("msg_signature"), ts, nonce)
		if err != nil {
			code := http.StatusBadRequest
			if errors.Is(err, ErrOABadSignature) {
				code = http.StatusForbidden
			}
			s.refuse(w, code, err)
			return
		}
	}
	if err := s.notReplayed(r.Context(), q, raw); err != nil {
		s.refuse(w, http.StatusForbidden, err)
		return
	}
	msg, err := ParseOAMessage(body)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, err)
		return
	}
	reply := s.answer(r.Context(), msg, h)
	if reply.Text == "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "success")
		return
	}
	out, err := s.encodeReply(msg, reply, aes)
	if err != nil {
		s.log.Error("encode reply", "err", err)
		_, _ = io.WriteString(w, "success")
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(out)
}

// answer runs h under the answer window. A handler that ignores its context is abandoned at
// the window's end (plus a short grace) and the push answered with "success", so WeChat never
// waits past its 5 s.
func (s *OAServer) answer(parent context.Context, msg *OAMsg, h OAHandlerFunc) OAReply {
	ctx, cancel := context.WithTimeout(parent, s.within)
	defer cancel()
	done := make(chan OAReply, 1)
	go func() { done <- h(ctx, msg) }()
	grace := time.NewTimer(s.within + oaGrace)
	defer grace.Stop()
	select {
	case r := <-done:
		return r
	case <-grace.C:
		s.log.Error("handler overran the answer window", "within", s.within.String())
		return OAReply{}
	}
}

// SetAnswerWithin changes the answer window (tests; production keeps OAAnswerWithin).
func (s *OAServer) SetAnswerWithin(d time.Duration) { s.within = d }

func (s *OAServer) refuse(w http.ResponseWriter, code int, err error) {
	// err never holds message content: only which check failed.
	s.log.Warn("callback refused", "status", code, "reason", err.Error())
	http.Error(w, http.StatusText(code), code)
}

// notReplayed remembers the verified query with the hash of the body it came with. The same
// query with the same body is WeChat's retry and goes on to the handler (whose dedupe answers
// it); with another body it is refused. Redis down: only the freshness window applies.
func (s *OAServer) notReplayed(ctx context.Context, q url.Values, body []byte) error {
	replayed, err := claimQuery(ctx, s.replay, "oa", q, body, OAReplayTTL)
	if err != nil {
		s.log.Warn("replay check unavailable", "err", err)
		return nil
	}
	if replayed {
		return ErrOAReplay
	}
	return nil
}

// claimQuery records a verified signed query (its timestamp, nonce and signatures) with the
// hash of the body it came with, for ttl, and reports whether the query was accepted before
// with another body: a replay. kind keeps one server's queries apart from another's. A nil
// store claims nothing.
func claimQuery(ctx context.Context, store OAReplayStore, kind string, q url.Values, body []byte, ttl time.Duration) (replayed bool, err error) {
	if store == nil {
		return false, nil
	}
	k := sha256.Sum256([]byte(q.Get("timestamp") + "\n" + q.Get("nonce") + "\n" + q.Get("signature") + "\n" + q.Get("msg_signature")))
	h := sha256.Sum256(body)
	want := hex.EncodeToString(h[:])
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	got, err := store.Claim(ctx, kind+":"+hex.EncodeToString(k[:16]), want, ttl)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1, nil
}

func (s *OAServer) fresh(ts string) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrOAStale
	}
	d := s.now().Sub(time.Unix(sec, 0))
	if d > OAMaxAge || d < -OAMaxSkew {
		return ErrOAStale
	}
	return nil
}

func signatureOK(got string, parts ...string) bool {
	if got == "" {
		return false
	}
	want := util.Signature(parts...)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// decrypt checks msg_signature over the envelope's Encrypt and returns the inner XML.
func (s *OAServer) decrypt(body []byte, msgSig, ts, nonce string) ([]byte, error) {
	if s.aesKey == "" {
		return nil, fmt.Errorf("%w: no EncodingAESKey configured", ErrOADecrypt)
	}
	if err := refuseDeclarations(body); err != nil {
		return nil, err
	}
	var env struct {
		Encrypt string `xml:"Encrypt"`
	}
	if err := strictXML(body, &env); err != nil || env.Encrypt == "" {
		return nil, ErrOABadXML
	}
	if !signatureOK(msgSig, s.token, ts, nonce, env.Encrypt) {
		return nil, ErrOABadSignature
	}
	_, raw, err := util.DecryptMsg(s.appID, env.Encrypt, s.aesKey)
	if err != nil {
		return nil, ErrOADecrypt
	}
	return raw, nil
}

type cdataText struct {
	Text string `xml:",cdata"`
}

func (s *OAServer) encodeReply(m *OAMsg, r OAReply, aes bool) ([]byte, error) {
	now := s.now().Unix()
	plain, err := xml.Marshal(struct {
		XMLName      xml.Name  `xml:"xml"`
		ToUserName   cdataText `xml:"ToUserName"`
		FromUserName cdataText `xml:"FromUserName"`
		CreateTime   int64     `xml:"CreateTime"`
		MsgType      cdataText `xml:"MsgType"`
		Content      cdataText `xml:"Content"`
	}{ToUserName: cdataText{m.FromUser}, FromUserName: cdataText{m.ToUser}, CreateTime: now,
		MsgType: cdataText{"text"}, Content: cdataText{r.Text}})
	if err != nil {
		return nil, err
	}
	if !aes {
		return plain, nil
	}
	random := make([]byte, 8)
	_, _ = rand.Read(random)
	enc, err := util.EncryptMsg([]byte(hex.EncodeToString(random)), plain, s.appID, s.aesKey)
	if err != nil {
		return nil, fmt.Errorf("encrypt reply: %w", err)
	}
	nb := make([]byte, 5)
	_, _ = rand.Read(nb)
	nonce := strconv.FormatUint(uint64(nb[0])<<32|uint64(nb[1])<<24|uint64(nb[2])<<16|uint64(nb[3])<<8|uint64(nb[4]), 10)
	ts := strconv.FormatInt(now, 10)
	return xml.Marshal(struct {
		XMLName      xml.Name  `xml:"xml"`
		Encrypt      cdataText `xml:"Encrypt"`
		MsgSignature cdataText `xml:"MsgSignature"`
		TimeStamp    int64     `xml:"TimeStamp"`
		Nonce        cdataText `xml:"Nonce"`
	}{Encrypt: cdataText{string(enc)}, MsgSignature: cdataText{util.Signature(s.token, ts, nonce, string(enc))},
		TimeStamp: now, Nonce: cdataText{nonce}})
}

// refuseDeclarations rejects any markup declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT …)
// before the XML is parsed; only CDATA sections and comments may start with "<!".
func refuseDeclarations(b []byte) error {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("<!"))
		if j < 0 {
			return nil
		}
		rest := b[i+j+2:]
		if !bytes.HasPrefix(rest, []byte("[CDATA[")) && !bytes.HasPrefix(rest, []byte("--")) {
			return ErrOADoctype
		}
		i += j + 2
	}
}

func strictXML(b []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.Entity = nil // only the five predefined entities
	return d.Decode(v)
}

// wireMsg mirrors WeChat's XML field names.
type wireMsg struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	MsgId        int64    `xml:"MsgId"`
	MsgID        int64    `xml:"MsgID"` // TEMPLATESENDJOBFINISH spells it MsgID
	Content      string   `xml:"Content"`
	PicURL       string   `xml:"PicUrl"`
	MediaID      string   `xml:"MediaId"`
	LocationX    string   `xml:"Location_X"`
	LocationY    string   `xml:"Location_Y"`
	Scale        string   `xml:"Scale"`
	Label        string   `xml:"Label"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	Status       string   `xml:"Status"`
	Recognition  string   `xml:"Recognition"`
}

// ParseOAMessage decodes a (decrypted) push. It refuses bodies over OAMaxBody, markup
// declarations and malformed XML, and requires FromUserName and MsgType.
func ParseOAMessage(b []byte) (*OAMsg, error) {
	if len(b) > OAMaxBody {
		return nil, ErrOATooLarge
	}
	if err := refuseDeclarations(b); err != nil {
		return nil, err
	}
	var w wireMsg
	if err := strictXML(b, &w); err != nil {
		return nil, ErrOABadXML
	}
	if w.FromUserName == "" || w.MsgType == "" {
		return nil, ErrOABadXML
	}
	m := &OAMsg{
		ToUser: w.ToUserName, FromUser: w.FromUserName, CreateTime: w.CreateTime,
		MsgType: strings.ToLower(strings.TrimSpace(w.MsgType)), MsgID: w.MsgId,
		Content: w.Content, PicURL: w.PicURL, MediaID: w.MediaID, Label: w.Label,
		Event: strings.TrimSpace(w.Event), EventKey: w.EventKey, Status: w.Status, Recognition: w.Recognition,
	}
	if m.MsgID == 0 {
		m.MsgID = w.MsgID
	}
	if m.IsEvent() && !strings.EqualFold(m.Event, "TEMPLATESENDJOBFINISH") {
		m.Event = strings.ToLower(m.Event)
		if m.Event == "click" || m.Event == "view" || m.Event == "scan" || m.Event == "location" {
			m.Event = strings.ToUpper(m.Event)
		}
	} else if m.IsEvent() {
		m.Event = "TEMPLATESENDJOBFINISH"
	}
	var err error
	if w.LocationX != "" {
		if m.LocationX, err = strconv.ParseFloat(strings.TrimSpace(w.LocationX), 64); err != nil {
			return nil, ErrOABadXML
		}
	}
	if w.LocationY != "" {
		if m.LocationY, err = strconv.ParseFloat(strings.TrimSpace(w.LocationY), 64); err != nil {
			return nil, ErrOABadXML
		}
	}
	if w.Scale != "" {
		m.Scale, _ = strconv.Atoi(strings.TrimSpace(w.Scale))
	}
	return m, nil
}
