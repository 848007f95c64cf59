package notify

import "time"

// SetOnSendResult lets tests observe every send.
func (d *Deliverer) SetOnSendResult(f func(Delivery, error)) { d.onSendResult = f }

// PushTime exposes the digest/quiet-hours rule to tests.
func (s Settings) PushTime(now, pendingAt, lastSentAt time.Time) time.Time {
	return s.pushTime(now, pendingAt, lastSentAt)
}
