package bot_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/bot"
	"jianyi/internal/account"
	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/logtest"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/nudge"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// logBuf collects the bot's log lines so tests can check that no personal data is logged.
type logBuf = logtest.Buffer

// bundle is the real endpoint on real PostgreSQL, Redis and MinIO, with the fake WeChat.
type bundle struct {
	t        testing.TB
	ctx      context.Context
	pool     *pgxpool.Pool
	tn       *pgtest.Tenant
	app      *wechattest.App
	wc       *wechat.Client
	rdb      *jredis.Client
	objs     *objects.Store
	svc      *suggestion.Service
	acts     *activity.Service
	accounts *account.Service
	srv      *wechat.OAServer
	bot      *bot.Bot
	engine   *gin.Engine
	logs     *logBuf
	aes      bool // safe mode: pushes encrypted (every account with an EncodingAESKey)
	msgID    atomic.Int64
}

func setup(t testing.TB) *bundle { t.Helper(); return setupWith(t, nil) }

// setupWith lets a test replace collaborators before the bot is built. The account is in
// safe mode (an EncodingAESKey configured), so pushes are encrypted.
func setupWith(t testing.TB, edit func(*bot.Deps)) *bundle {
	t.Helper()
	return setupMode(t, false, edit)
}

// setupPlain is an account in plain mode (明文): no EncodingAESKey, pushes in clear.
func setupPlain(t testing.TB) *bundle { t.Helper(); return setupMode(t, true, nil) }

func setupMode(t testing.TB, plain bool, edit func(*bot.Deps)) *bundle {
	t.Helper()
	b := &bundle{t: t, ctx: context.Background(), logs: &logBuf{}, aes: !plain}
	b.pool = pgtest.New(t)
	b.tn = pgtest.NewTenant(t, b.pool)
	rdb := redistest.New(t)
	b.rdb = rdb
	b.objs = objtest.New(t)
	b.app = wechattest.Start().NewApp(t)
	log := slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	wc, err := wechat.New(b.app.Config(), jredis.NewTokenCache(rdb, jredis.GlobalKey("wxtoken-test")), log)
	if err != nil {
		t.Fatal(err)
	}
	b.wc = wc
	ocfg := b.app.Config()
	if plain {
		ocfg.OAAESKey = ""
	}
	b.srv, err = wechat.NewOAServer(ocfg, log)
	if err != nil {
		t.Fatal(err)
	}
	b.srv.SetReplayStore(jredis.NewOAReplay(rdb))
	b.svc = suggestion.NewService(postgres.NewSuggestionStore(b.pool), nil)
	b.accounts = account.NewService(postgres.NewAccountStore(b.pool), nil)
	queue := jredis.NewQueue(rdb)
	t.Cleanup(func() { _ = queue.Close() })
	b.acts = activity.NewService(postgres.NewActivityStore(b.pool), nil).
		WithNotices(notify.NewPublisher(postgres.NewNotifyStore(b.pool), queue, nil, nil), log)
	deps := bot.Deps{
		Accounts:    b.accounts,
		Suggestions: b.svc,
		Nudges:      nudge.NewService(postgres.NewNudgeStore(b.pool), nil),
		Store:       postgres.NewBotStore(b.pool),
		State:       jredis.NewBotState(rdb),
		WeChat:      wc,
		UnionIDs:    wc,
		Photos:      media.NewService(postgres.NewMediaStore(b.pool), objects.MediaAdapter{S: b.objs}, nil, nil, log),
		Deliveries:  notify.NewDeliveries(postgres.NewNotifyStore(b.pool)),
		Activities:  b.acts,
		Log:         log,
	}
	if edit != nil {
		edit(&deps)
	}
	b.bot, err = bot.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.bot.Close)
	b.engine = gin.New()
	bot.Mount(b.engine, b.bot, b.srv, b.accounts)
	b.msgID.Store(time.Now().UnixNano() % 1e12)
	return b
}

func (b *bundle) deputy(i int) auth.Actor { return auth.Deputy(b.tn.ID, b.tn.Deputies[i]) }
func (b *bundle) reviewer() auth.Actor {
	return auth.Actor{TenantID: b.tn.ID, Kind: auth.KindStaff, ID: b.tn.Reviewer, Roles: []auth.Role{auth.RoleReviewer}}
}
func (b *bundle) unit(i int) auth.Actor {
	return auth.Actor{TenantID: b.tn.ID, Kind: auth.KindStaff, ID: b.tn.Handlers[i], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: b.tn.Units[i]}
}

// must stops a fixture step that failed (a panic fails the test with its stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("fixture: %v (%s)", err, suggestion.CodeOf(err)))
	}
	return v
}

// ---- suggestions in states ----------------------------------------------------------------

func (b *bundle) registered(deputy int, title string) *suggestion.Suggestion {
	t := b.t
	t.Helper()
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(deputy), suggestion.DraftInput{Title: title, Body: "建议正文：" + title}))
	s := must(b.svc.Submit(b.ctx, b.deputy(deputy), d.ID, d.Version))
	return must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
}

func (b *bundle) assigned(deputy int, title string) (*suggestion.Suggestion, int64) {
	t := b.t
	t.Helper()
	s := b.registered(deputy, title)
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
		LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}))
	d := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	for _, a := range d.Assignments {
		if a.Role == suggestion.RoleLead {
			return s, a.ID
		}
	}
	t.Fatal("no lead assignment")
	return nil, 0
}

func (b *bundle) handling(deputy int, title string) *suggestion.Suggestion {
	t := b.t
	t.Helper()
	s, lead := b.assigned(deputy, title)
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"}))
	return must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
}

func (b *bundle) replied(deputy int, title string) *suggestion.Suggestion {
	t := b.t
	t.Helper()
	s, lead := b.assigned(deputy, title)
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"}))
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "孙经办、代表", Summary: "沟通了办理思路"}))
	must(b.svc.Reply(b.ctx, b.unit(0), lead, suggestion.ReplyInput{Class: suggestion.ClassB,
		Body: "经研究，已将该事项列入年度计划，明年上半年完成改造。", Commitments: []suggestion.CommitmentInput{{What: "完成改造工程", DueOn: time.Now().AddDate(0, 6, 0)}}}))
	return must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
}

// ---- messages as WeChat sends them -----------------------------------------------------------

type cdata struct {
	Text string `xml:",cdata"`
}

type push struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      *cdata   `xml:"Content,omitempty"`
	PicURL       *cdata   `xml:"PicUrl,omitempty"`
	MediaID      *cdata   `xml:"MediaId,omitempty"`
	LocationX    string   `xml:"Location_X,omitempty"`
	LocationY    string   `xml:"Location_Y,omitempty"`
	Scale        string   `xml:"Scale,omitempty"`
	Label        *cdata   `xml:"Label,omitempty"`
	Event        *cdata   `xml:"Event,omitempty"`
	EventKey     *cdata   `xml:"EventKey,omitempty"`
	TemplMsgID   int64    `xml:"MsgID,omitempty"`
	Status       *cdata   `xml:"Status,omitempty"`
	Format       *cdata   `xml:"Format,omitempty"`
	Recognition  *cdata   `xml:"Recognition,omitempty"`
	MsgID        int64    `xml:"MsgId,omitempty"`
}

func c(s string) *cdata { return &cdata{s} }

func (b *bundle) base(openid, typ string) push {
	return push{ToUserName: cdata{"gh_jianyi"}, FromUserName: cdata{openid}, CreateTime: time.Now().Unix(), MsgType: cdata{typ}}
}

func (b *bundle) text(openid, content string) push {
	p := b.base(openid, "text")
	p.Content, p.MsgID = c(content), b.msgID.Add(1)
	return p
}

func (b *bundle) image(openid, mediaID string) push {
	p := b.base(openid, "image")
	p.PicURL, p.MediaID, p.MsgID = c("http://mmbiz.qpic.cn/x"), c(mediaID), b.msgID.Add(1)
	return p
}

func (b *bundle) location(openid string, lat, lng float64, label string) push {
	p := b.base(openid, "location")
	p.LocationX, p.LocationY = strconv.FormatFloat(lat, 'f', 6, 64), strconv.FormatFloat(lng, 'f', 6, 64)
	p.Scale, p.Label, p.MsgID = "15", c(label), b.msgID.Add(1)
	return p
}

// voice is a voice message; recognition is WeChat's transcription ("" when it has none).
func (b *bundle) voice(openid, mediaID, recognition string) push {
	p := b.base(openid, "voice")
	p.MediaID, p.Format, p.MsgID = c(mediaID), c("amr"), b.msgID.Add(1)
	if recognition != "" {
		p.Recognition = c(recognition)
	}
	return p
}

var eventClock atomic.Int64

func (b *bundle) event(openid, event, key string) push {
	p := b.base(openid, "event")
	p.CreateTime = time.Now().Unix()*1000 + eventClock.Add(1)%1000 // distinct per event in a test
	p.Event = c(event)
	if key != "" {
		p.EventKey = c(key)
	}
	return p
}

// raw sends a body with the query and returns the recorder.
func (b *bundle) raw(query string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/wechat/oa/"+b.tn.Code+"?"+query, bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/xml")
	rec := httptest.NewRecorder()
	b.engine.ServeHTTP(rec, req)
	return rec
}

// send posts p signed (and encrypted when b.aes) and returns the text answered ("" for success).
func (b *bundle) send(p push) string {
	b.t.Helper()
	body, err := xml.Marshal(p)
	if err != nil {
		b.t.Fatal(err)
	}
	q, out := wechattest.SignQuery(b.app.OAToken, body, b.aes, b.app.OAAESKey, b.app.OAAppID)
	rec := b.raw(q.Encode(), out)
	if rec.Code != http.StatusOK {
		b.t.Fatalf("push answered %d: %s", rec.Code, rec.Body.String())
	}
	if rec.Body.String() == "success" {
		return ""
	}
	reply := rec.Body.Bytes()
	if b.aes {
		reply, err = wechattest.DecryptReply(b.app.OAToken, b.app.OAAESKey, b.app.OAAppID, reply)
		if err != nil {
			b.t.Fatalf("decrypt reply: %v", err)
		}
	}
	var r struct {
		ToUserName string `xml:"ToUserName"`
		MsgType    string `xml:"MsgType"`
		Content    string `xml:"Content"`
	}
	if err := xml.Unmarshal(reply, &r); err != nil {
		b.t.Fatalf("reply: %v: %s", err, reply)
	}
	if r.ToUserName != p.FromUserName.Text || r.MsgType != "text" {
		b.t.Fatalf("reply addressed to %q type %q", r.ToUserName, r.MsgType)
	}
	return r.Content
}

// say sends a text message and returns the answer.
func (b *bundle) say(openid, content string) string {
	b.t.Helper()
	return b.send(b.text(openid, content))
}

// link binds openid to deputy i with a code issued as the mini-program does.
func (b *bundle) link(openid string, i int) {
	b.t.Helper()
	code, _, err := b.accounts.IssueOABindCode(b.ctx, b.tn.ID, b.tn.Deputies[i])
	if err != nil {
		b.t.Fatal(err)
	}
	if got := b.say(openid, "绑定 "+code); !strings.Contains(got, "绑定成功") {
		b.t.Fatalf("bind: %q", got)
	}
}

func (b *bundle) count(sql string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.pool.QueryRow(b.ctx, sql, args...).Scan(&n); err != nil {
		b.t.Fatalf("count: %v", err)
	}
	return n
}

func jpegBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func contains(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("answer %q does not contain %q", got, w)
		}
	}
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
func pad(n int) string      { return fmt.Sprintf("%04d", n) }

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}
