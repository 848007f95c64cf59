package redis

import (
	"context"
	"time"
)

// ChannelPause pauses a tenant's push channel after a WeChat quota error: one key with a TTL.
// Losing it (flush, restart) only means one more call that gets the quota error again.
type ChannelPause struct{ rdb *Client }

// NewChannelPause wraps rdb.
func NewChannelPause(rdb *Client) *ChannelPause { return &ChannelPause{rdb: rdb} }

func pauseKey(tenantID int64, channel string) string {
	return Key(tenantID, "notify", "pause", channel)
}

// Pause implements notify.Pauser.
func (p *ChannelPause) Pause(ctx context.Context, tenantID int64, channel string, d time.Duration) error {
	return p.rdb.Set(ctx, pauseKey(tenantID, channel), "1", d).Err()
}

// Paused implements notify.Pauser: the time left, 0 when not paused.
func (p *ChannelPause) Paused(ctx context.Context, tenantID int64, channel string) (time.Duration, error) {
	d, err := p.rdb.PTTL(ctx, pauseKey(tenantID, channel)).Result()
	if err != nil || d < 0 {
		return 0, err
	}
	return d, nil
}
