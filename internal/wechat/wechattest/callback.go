package wechattest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// SignQuery signs an inbound push the way WeChat does. It returns the query (timestamp,
// nonce, signature; plus encrypt_type=aes and msg_signature when encrypt) and the body to
// post: body itself, or in AES mode an envelope holding ToUserName and Encrypt (XML, or JSON
// when body is JSON as in the mini-program's JSON push mode). For the GET echostr check use
// body nil and add echostr to the query.
func SignQuery(token string, body []byte, encrypt bool, aesKey, appID string) (url.Values, []byte) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	n, _ := rand.Int(rand.Reader, big.NewInt(1e10))
	nonce := n.String()
	q := url.Values{
		"timestamp": {ts},
		"nonce":     {nonce},
		"signature": {util.Signature(token, ts, nonce)},
	}
	from, to, isJSON := pushUsers(body)
	if from != "" {
		q.Set("openid", from)
	}
	if !encrypt {
		return q, body
	}
	random := []byte(randHex(8)) // 16 bytes, as WeChat
	enc, err := util.EncryptMsg(random, body, appID, aesKey)
	if err != nil {
		panic(fmt.Sprintf("wechattest: SignQuery: bad AES key: %v", err))
	}
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", util.Signature(token, ts, nonce, string(enc)))
	var out []byte
	if isJSON {
		out, _ = json.Marshal(map[string]string{"ToUserName": to, "Encrypt": string(enc)})
	} else {
		out, _ = xml.Marshal(struct {
			XMLName    xml.Name `xml:"xml"`
			ToUserName cdata    `xml:"ToUserName"`
			Encrypt    cdata    `xml:"Encrypt"`
		}{ToUserName: cdata{to}, Encrypt: cdata{string(enc)}})
	}
	return q, out
}

type cdata struct {
	Text string `xml:",cdata"`
}

func pushUsers(body []byte) (from, to string, isJSON bool) {
	var m struct {
		FromUserName string `xml:"FromUserName" json:"FromUserName"`
		ToUserName   string `xml:"ToUserName" json:"ToUserName"`
	}
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '{' {
		_ = json.Unmarshal(b, &m)
		return m.FromUserName, m.ToUserName, true
	}
	_ = xml.Unmarshal(b, &m)
	return m.FromUserName, m.ToUserName, false
}

// ErrNotEncrypted is returned by DecryptReply for a reply without an Encrypt element.
var ErrNotEncrypted = errors.New("wechattest: reply is not encrypted")

// DecryptReply checks the MsgSignature of a safe-mode reply and returns the decrypted XML.
func DecryptReply(token, aesKey, appID string, reply []byte) ([]byte, error) {
	var env struct {
		Encrypt      string `xml:"Encrypt" json:"Encrypt"`
		MsgSignature string `xml:"MsgSignature" json:"MsgSignature"`
		TimeStamp    int64  `xml:"TimeStamp" json:"TimeStamp"`
		Nonce        string `xml:"Nonce" json:"Nonce"`
	}
	b := bytes.TrimSpace(reply)
	var err error
	if len(b) > 0 && b[0] == '{' {
		err = json.Unmarshal(b, &env)
	} else {
		err = xml.Unmarshal(b, &env)
	}
	if err != nil || env.Encrypt == "" {
		return nil, ErrNotEncrypted
	}
	want := util.Signature(token, strconv.FormatInt(env.TimeStamp, 10), env.Nonce, env.Encrypt)
	if env.MsgSignature != want {
		return nil, errors.New("wechattest: reply MsgSignature mismatch")
	}
	_, raw, err := util.DecryptMsg(appID, env.Encrypt, aesKey)
	if err != nil {
		return nil, fmt.Errorf("wechattest: decrypt reply: %w", err)
	}
	return raw, nil
}
