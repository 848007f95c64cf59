package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// BotState keeps the official-account bot's short-lived state: retry dedupe of WeChat's
// pushes (with the answer given, so a retry gets the same answer) and per-user conversation
// state (waiting for a 不满意 reason, the photo → location → words 随手拍 flow). Everything
// expires; losing it only means a user repeats one step.
type BotState struct {
	rdb *Client
}

// NewBotState wraps rdb.
func NewBotState(rdb *Client) *BotState { return &BotState{rdb: rdb} }

// userKey hashes the openid: keys never hold WeChat ids in clear.
func userKey(tenantID int64, kind, openid string) string {
	h := sha256.Sum256([]byte(openid))
	return Key(tenantID, "bot", kind, hex.EncodeToString(h[:16]))
}

// pending marks a push being handled; answers are stored with a "r:" prefix.
const pending = "p"

// Claim records a push id (SET NX) for ttl. first is true the first time; for a retry,
// answer is the answer stored by Remember ("" while the first attempt is still running or
// had nothing to say).
func (s *BotState) Claim(ctx context.Context, tenantID int64, pushID string, ttl time.Duration) (first bool, answer string, err error) {
	key := Key(tenantID, "bot", "push", pushID)
	ok, err := s.rdb.SetNX(ctx, key, pending, ttl).Result()
	if err != nil {
		return false, "", fmt.Errorf("bot claim: %w", err)
	}
	if ok {
		return true, "", nil
	}
	v, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, goredis.Nil) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("bot claim: %w", err)
	}
	if len(v) > 2 && v[:2] == "r:" {
		return false, v[2:], nil
	}
	return false, "", nil
}

// Remember stores the answer of a claimed push for its retries.
func (s *BotState) Remember(ctx context.Context, tenantID int64, pushID, answer string, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, Key(tenantID, "bot", "push", pushID), "r:"+answer, ttl).Err(); err != nil {
		return fmt.Errorf("bot remember: %w", err)
	}
	return nil
}

// Conversation returns the user's conversation state, nil when there is none.
func (s *BotState) Conversation(ctx context.Context, tenantID int64, openid string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, userKey(tenantID, "conv", openid)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bot conversation: %w", err)
	}
	return b, nil
}

// SetConversation stores the user's conversation state for ttl.
func (s *BotState) SetConversation(ctx context.Context, tenantID int64, openid string, state []byte, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, userKey(tenantID, "conv", openid), state, ttl).Err(); err != nil {
		return fmt.Errorf("bot set conversation: %w", err)
	}
	return nil
}

// ClearConversation forgets the user's conversation state.
func (s *BotState) ClearConversation(ctx context.Context, tenantID int64, openid string) error {
	if err := s.rdb.Del(ctx, userKey(tenantID, "conv", openid)).Err(); err != nil {
		return fmt.Errorf("bot clear conversation: %w", err)
	}
	return nil
}

// LinkedDeputy returns the deputy an openid was linked to through its unionid (cached), 0
// when unknown.
func (s *BotState) LinkedDeputy(ctx context.Context, tenantID int64, openid string) (int64, error) {
	id, err := s.rdb.Get(ctx, userKey(tenantID, "union", openid)).Int64()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bot linked deputy: %w", err)
	}
	return id, nil
}

// SetLinkedDeputy caches the deputy found for an openid through its unionid.
func (s *BotState) SetLinkedDeputy(ctx context.Context, tenantID int64, openid string, deputyID int64, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, userKey(tenantID, "union", openid), deputyID, ttl).Err(); err != nil {
		return fmt.Errorf("bot set linked deputy: %w", err)
	}
	return nil
}

// NotDeputy reports whether the openid was found to be no deputy recently (SetNotDeputy).
func (s *BotState) NotDeputy(ctx context.Context, tenantID int64, openid string) (bool, error) {
	n, err := s.rdb.Exists(ctx, userKey(tenantID, "nodep", openid)).Result()
	if err != nil {
		return false, fmt.Errorf("bot not deputy: %w", err)
	}
	return n == 1, nil
}

// SetNotDeputy remembers for ttl that the openid's unionid leads to no deputy.
func (s *BotState) SetNotDeputy(ctx context.Context, tenantID int64, openid string, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, userKey(tenantID, "nodep", openid), "1", ttl).Err(); err != nil {
		return fmt.Errorf("bot set not deputy: %w", err)
	}
	return nil
}

// BindAttempt counts a "绑定" attempt of the user and reports whether it is within limit per
// window (six-digit codes must not be guessable).
func (s *BotState) BindAttempt(ctx context.Context, tenantID int64, openid string, limit int, window time.Duration) (bool, error) {
	key := userKey(tenantID, "bind", openid)
	pipe := s.rdb.TxPipeline()
	incr := pipe.Incr(ctx, key)
	pipe.ExpireNX(ctx, key, window)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, fmt.Errorf("bot bind attempt: %w", err)
	}
	return incr.Val() <= int64(limit), nil
}

// BindFailures returns the number of wrong bind codes sent to the tenant's account in the
// current window, whoever sent them.
func (s *BotState) BindFailures(ctx context.Context, tenantID int64) (int, error) {
	n, err := s.rdb.Get(ctx, Key(tenantID, "bot", "bindfail")).Int()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("bot bind failures: %w", err)
	}
	return n, nil
}

// BindFailed counts a wrong bind code for the tenant; the count expires window after the
// first one.
func (s *BotState) BindFailed(ctx context.Context, tenantID int64, window time.Duration) error {
	key := Key(tenantID, "bot", "bindfail")
	pipe := s.rdb.TxPipeline()
	pipe.Incr(ctx, key)
	pipe.ExpireNX(ctx, key, window)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("bot bind failed: %w", err)
	}
	return nil
}
