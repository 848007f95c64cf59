// Package bot is the official account's chatbot: deputies ask for the state of their
// suggestions, rate replies, nudge units and send 随手拍 clues from a WeChat chat. It is a
// front door over the same domain services as the mini-program; internal/wechat verifies and
// decrypts the callbacks, this package decides what to answer.
package bot

import (
	"context"
	"errors"
	"io"
	"jianyi/internal/apperr"
	"log/slog"
	"sync"
	"time"

	"jianyi/internal/account"
	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/internal/nudge"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
)

// Accounts links official-account openids to deputies (internal/account).
type Accounts interface {
	DeputyByOAOpenID(ctx context.Context, tenantID int64, oaOpenID string) (*account.Deputy, error)
	LinkOAByUnionID(ctx context.Context, tenantID int64, unionID, oaOpenID string) (*account.Deputy, error)
	RedeemOABindCode(ctx context.Context, tenantID int64, code, oaOpenID string) (int64, error)
	Deputy(ctx context.Context, tenantID, deputyID int64) (*account.Deputy, error)
}

// Suggestions is the workflow (internal/suggestion.Service).
type Suggestions interface {
	List(ctx context.Context, a auth.Actor, f suggestion.ListFilter) ([]suggestion.Summary, error)
	Detail(ctx context.Context, a auth.Actor, id int64) (*suggestion.Detail, error)
	RateReply(ctx context.Context, a auth.Actor, id int64, r suggestion.Rating, reason string) (*suggestion.Suggestion, error)
	RequestReopen(ctx context.Context, a auth.Actor, id int64, reason string) error
}

// Nudger records 催办 (internal/nudge.Service).
type Nudger interface {
	Nudge(ctx context.Context, a auth.Actor, id int64, source string) (*nudge.Result, error)
}

// Store is the bot's own persistence (storage/postgres.BotStore).
type Store interface {
	SuggestionIDByNumber(ctx context.Context, tenantID, deputyID int64, number int) (int64, error) // 0: none
	SetOAFollowing(ctx context.Context, tenantID int64, oaOpenID string, following bool) error
	CreateSnap(ctx context.Context, tenantID, deputyID int64, note string, lat, lng *float64, address string) (int64, error)
}

// State is the short-lived state in Redis (storage/redis.BotState).
type State interface {
	Claim(ctx context.Context, tenantID int64, pushID string, ttl time.Duration) (first bool, answer string, err error)
	Remember(ctx context.Context, tenantID int64, pushID, answer string, ttl time.Duration) error
	Conversation(ctx context.Context, tenantID int64, openid string) ([]byte, error)
	SetConversation(ctx context.Context, tenantID int64, openid string, state []byte, ttl time.Duration) error
	ClearConversation(ctx context.Context, tenantID int64, openid string) error
	LinkedDeputy(ctx context.Context, tenantID int64, openid string) (int64, error)
	SetLinkedDeputy(ctx context.Context, tenantID int64, openid string, deputyID int64, ttl time.Duration) error
	NotDeputy(ctx context.Context, tenantID int64, openid string) (bool, error)
	SetNotDeputy(ctx context.Context, tenantID int64, openid string, ttl time.Duration) error
	BindAttempt(ctx context.Context, tenantID int64, openid string, limit int, window time.Duration) (bool, error)
	BindFailures(ctx context.Context, tenantID int64) (int, error)
	BindFailed(ctx context.Context, tenantID int64, window time.Duration) error
}

// WeChat is what the bot calls on WeChat (internal/wechat.Client): fetching a photo sent to
// the account and answering later by customer-service message.
type WeChat interface {
	GetMedia(ctx context.Context, mediaID string) (io.ReadCloser, string, error)
	SendCustomText(ctx context.Context, openid, text string) error
}

// Photos is photo intake (internal/media.Service): type sniffing, size and pixel limits,
// EXIF GPS kept privately, re-encoded copies and thumbnail in object storage, the attachment
// row — the same rules as the mini-program's uploads. Each photo keeps the WeChat media id it
// was fetched from, one photo per media id and snap.
type Photos interface {
	SourceMediaIDs(ctx context.Context, tenantID int64, t media.Target) (map[string]bool, error)
	UploadSourced(ctx context.Context, a auth.Actor, openid string, t media.Target, mediaID string, r io.Reader) (*media.Attachment, error)
}

// Deliveries records the outcome of an official-account template message reported by
// TEMPLATESENDJOBFINISH (internal/notify). Optional.
type Deliveries interface {
	RecordOATemplateResult(ctx context.Context, tenantID, msgID int64, status string) error
}

// UnionIDs looks up the unionid of an official-account openid (WeChat's user/info API);
// optional: without it deputies link with "绑定 123456".
type UnionIDs interface {
	OAUnionID(ctx context.Context, openid string) (string, error)
}

// Deps are the bot's collaborators. Deliveries, UnionIDs, Activities, Queue and Answers may be nil.
type Deps struct {
	Accounts    Accounts
	Suggestions Suggestions
	Nudges      Nudger
	Store       Store
	State       State
	WeChat      WeChat
	Photos      Photos
	Deliveries  Deliveries
	UnionIDs    UnionIDs
	// Activities lets deputies see and answer their 代表参与活动 invitations; optional.
	Activities Activities
	// Queue hands a 随手拍's photos to the worker (SnapPhotos there), so that a restart of
	// this process loses nothing. Without it, or when queueing fails, the photos are fetched
	// in this process after the answer (a restart in those seconds loses them).
	Queue SnapQueue
	// Answers keeps the photo answer single (and reads the openid it goes to); without it
	// the in-process job answers the sender of the message.
	Answers SnapAnswers
	Log     *slog.Logger
	Now     func() time.Time
}

// Limits and lifetimes.
const (
	dedupeTTL       = 10 * time.Minute // WeChat retries within ~15 s; keep well beyond
	conversationTTL = 30 * time.Minute
	unionCacheTTL   = 24 * time.Hour
	// notDeputyTTL spares WeChat's user/info for ordinary followers: a follower whose unionid
	// no deputy has is asked about again only after this long.
	notDeputyTTL = 10 * time.Minute
	bindLimit    = 5
	bindWindow   = time.Hour
	// bindTenantLimit caps wrong bind codes per tenant and window, whoever sends them: the
	// per-user limit alone lets a guesser use a new openid for every few guesses.
	bindTenantLimit = 30
	asyncTimeout    = 2 * time.Minute // one in-process job (photo fetch + store + answer)
	asyncParallel   = 16
	maxPhotos       = media.MaxPhotos
	maxNoteRunes    = 500
)

// Bot answers official-account pushes.
type Bot struct {
	d   Deps
	log *slog.Logger
	now func() time.Time

	snaps *SnapPhotos // the in-process photo job (without a queue)

	bg     context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	slots  chan struct{}
	closed sync.Once
}

// New builds the bot. Close it to wait for the background jobs.
func New(d Deps) (*Bot, error) {
	if d.Accounts == nil || d.Suggestions == nil || d.Nudges == nil || d.Store == nil || d.State == nil || d.WeChat == nil || d.Photos == nil {
		return nil, errors.New("bot: accounts, suggestions, nudges, store, state, wechat and photos are required")
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	bg, stop := context.WithCancel(context.Background())
	b := &Bot{d: d, log: log.With("component", "bot"), now: now, bg: bg, stop: stop,
		slots: make(chan struct{}, asyncParallel)}
	b.snaps = &SnapPhotos{wx: d.WeChat, photos: d.Photos, answers: d.Answers, log: b.log}
	return b, nil
}

// Close cancels the background jobs and waits for them (call after the HTTP server stopped).
func (b *Bot) Close() {
	b.closed.Do(b.stop)
	b.wg.Wait()
}

// Wait waits for the background jobs started so far without cancelling them (tests).
func (b *Bot) Wait() { b.wg.Wait() }

// Handle answers one verified push of tenantID. It logs the kind of push and the outcome,
// never the content or the sender.
func (b *Bot) Handle(ctx context.Context, tenantID int64, m *wechat.OAMsg) wechat.OAReply {
	start := time.Now()
	key := m.DedupeKey()
	first, answer, err := b.d.State.Claim(ctx, tenantID, key, dedupeTTL)
	if err != nil {
		// Redis down: answer anyway; PostgreSQL's constraints keep ratings and nudges single.
		b.log.Warn("dedupe unavailable", "tenant_id", tenantID, "err", err)
		first = true
	}
	if !first {
		b.log.Info("push retry answered from cache", "tenant_id", tenantID, "msg_type", m.MsgType, "event", m.Event)
		return wechat.OAReply{Text: answer}
	}
	t := &turn{b: b, tenantID: tenantID, m: m, outcome: "ok"}
	text := t.run(ctx)
	// Stored even when the answer window ran out, so a retry gets this answer.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 500*time.Millisecond)
	defer cancel()
	if err := b.d.State.Remember(rctx, tenantID, key, text, dedupeTTL); err != nil {
		b.log.Warn("dedupe remember failed", "tenant_id", tenantID, "err", err)
	}
	b.log.Info("push handled", "tenant_id", tenantID, "msg_type", m.MsgType, "event", m.Event,
		"command", t.command, "outcome", t.outcome, "duration_ms", time.Since(start).Milliseconds())
	return wechat.OAReply{Text: text}
}

// errText turns a domain refusal into its Chinese message; anything else is logged (without
// personal data: domain and storage errors name the operation) and answered with "busy".
func (t *turn) errText(err error) string {
	var re *apperr.Error // a refusal of any domain: suggestion, nudge, account
	if errors.As(err, &re) {
		t.outcome = "refused:" + re.Code
		return re.Message
	}
	t.outcome = "error"
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.outcome = "timeout"
	}
	t.b.log.Error("push failed", "tenant_id", t.tenantID, "command", t.command, "err", err)
	return textBusy
}

// goAsync runs fn after the answer, bounded by asyncTimeout and asyncParallel jobs.
func (b *Bot) goAsync(fn func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(b.bg, asyncTimeout)
		defer cancel()
		select {
		case b.slots <- struct{}{}:
		case <-ctx.Done():
			b.log.Warn("background job dropped: no slot", "err", ctx.Err())
			return
		}
		defer func() { <-b.slots }()
		fn(ctx)
	}()
}
