package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jianyi/internal/notify"
)

// DeliveryTx implements notify.DeliveryStore.
func (s *NotifyStore) DeliveryTx(ctx context.Context, fn func(notify.DeliveryTx) error) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error { return fn(&notifyTx{tx: tx}) })
}

const deliveryCols = `d.tenant_id, d.id, d.notice_id, d.channel, d.seq, d.recipient_kind, d.recipient_id, d.status,
	d.send_after, d.attempts, d.claimed_at`

func scanDelivery(row pgx.Row, extra ...any) (notify.Delivery, error) {
	var d notify.Delivery
	dest := append([]any{&d.TenantID, &d.ID, &d.NoticeID, &d.Channel, &d.Seq, &d.RecipientKind, &d.RecipientID,
		&d.Status, &d.SendAfter, &d.Attempts, &d.ClaimedAt}, extra...)
	err := row.Scan(dest...)
	return d, err
}

func collectDeliveries(rows pgx.Rows, err error) ([]notify.Delivery, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Delivery, error) { return scanDelivery(r) })
}

func (t *notifyTx) LockDelivery(ctx context.Context, tenantID, id int64) (notify.Delivery, notify.Notice, error) {
	d, err := scanDelivery(t.tx.QueryRow(ctx, `SELECT `+deliveryCols+` FROM deliveries d
		WHERE d.tenant_id = $1 AND d.id = $2 FOR UPDATE`, tenantID, id))
	if err != nil {
		return d, notify.Notice{}, notFound(err, fmt.Sprintf("delivery %d", id))
	}
	n, err := scanNotice(t.tx.QueryRow(ctx, `SELECT `+noticeCols+` FROM notices WHERE tenant_id = $1 AND id = $2`,
		tenantID, d.NoticeID))
	if err != nil {
		return d, n, notFound(err, fmt.Sprintf("notice %d", d.NoticeID))
	}
	return d, n, nil
}

func (t *notifyTx) Target(ctx context.Context, tenantID int64, r notify.Recipient) (notify.Target, error) {
	var tg notify.Target
	var err error
	if r.Kind == notify.RecipientDeputy {
		err = t.tx.QueryRow(ctx, `SELECT COALESCE(mp_openid, ''), COALESCE(oa_openid, ''), oa_following
			FROM deputies WHERE tenant_id = $1 AND id = $2`, tenantID, r.ID).Scan(&tg.MPOpenID, &tg.OAOpenID, &tg.OAFollowing)
	} else {
		err = t.tx.QueryRow(ctx, `SELECT COALESCE(oa_openid, '') FROM users WHERE tenant_id = $1 AND id = $2`,
			tenantID, r.ID).Scan(&tg.OAOpenID)
		tg.OAFollowing = tg.OAOpenID != ""
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return notify.Target{}, nil // gone: nothing to push to
	}
	return tg, err
}

func (t *notifyTx) Templates(ctx context.Context, tenantID int64) (notify.TemplateSet, error) {
	rows, err := t.tx.Query(ctx, `SELECT kind, channel, template_id FROM notify_templates WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.TemplateID, error) {
		var x notify.TemplateID
		err := r.Scan(&x.Kind, &x.Channel, &x.TemplateID)
		return x, err
	})
}

func (t *notifyTx) Credit(ctx context.Context, tenantID, deputyID int64, templateID string) (int, bool, error) {
	var one int
	var long bool
	err := t.tx.QueryRow(ctx, `SELECT one_time, long_term FROM notify_credits
		WHERE tenant_id = $1 AND deputy_id = $2 AND template_id = $3`, tenantID, deputyID, templateID).Scan(&one, &long)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return one, long, err
}

func (t *notifyTx) DigestBatch(ctx context.Context, d notify.Delivery, upTo time.Time, limit int) ([]notify.Delivery, error) {
	return collectDeliveries(t.tx.Query(ctx, `SELECT `+deliveryCols+` FROM deliveries d
		WHERE d.tenant_id = $1 AND d.recipient_kind = $2 AND d.recipient_id = $3 AND d.channel = $4
		  AND d.status = 'pending' AND d.send_after <= $5 AND d.id <> $6
		  AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.tenant_id = d.tenant_id AND e.notice_id = d.notice_id
		                  AND e.seq < d.seq AND e.status IN ('pending', 'sending'))
		ORDER BY d.id LIMIT $7 FOR UPDATE SKIP LOCKED`,
		d.TenantID, d.RecipientKind, d.RecipientID, d.Channel, upTo, d.ID, limit))
}

func (t *notifyTx) SetStatus(ctx context.Context, tenantID int64, ids []int64, u notify.StatusUpdate) error {
	var digestOf *int64
	if u.DigestOf > 0 {
		digestOf = &u.DigestOf
	}
	_, err := t.tx.Exec(ctx, `UPDATE deliveries SET
			status = $3,
			wechat_code = CASE WHEN $7 THEN wechat_code ELSE $4 END,
			reason = CASE WHEN $7 THEN reason ELSE $5 END,
			updated_at = $6,
			claimed_at = CASE WHEN $7 THEN $6 ELSE claimed_at END,
			attempts = attempts + CASE WHEN $7 THEN 1 ELSE 0 END,
			sent_at = CASE WHEN $3 = 'sent' THEN $6 ELSE sent_at END,
			send_after = CASE WHEN $3 = 'pending' THEN $8 ELSE send_after END,
			digest_of = COALESCE($9, digest_of),
			digest_count = CASE WHEN $10 > 1 THEN $10 ELSE digest_count END
		WHERE tenant_id = $1 AND id = ANY($2)`,
		tenantID, ids, u.Status, u.Code, u.Reason, u.At, u.Claim, u.SendAfter, digestOf, u.Count)
	return err
}

func (t *notifyTx) SkipOthers(ctx context.Context, tenantID int64, noticeIDs []int64, reason string) error {
	_, err := t.tx.Exec(ctx, `UPDATE deliveries SET status = 'skipped', reason = $3, updated_at = now()
		WHERE tenant_id = $1 AND notice_id = ANY($2) AND status = 'pending' AND channel <> 'inapp'`,
		tenantID, noticeIDs, reason)
	return err
}

func (t *notifyTx) NextPending(ctx context.Context, tenantID int64, noticeIDs []int64) ([]notify.Delivery, error) {
	return collectDeliveries(t.tx.Query(ctx, `SELECT DISTINCT ON (d.notice_id) `+deliveryCols+` FROM deliveries d
		WHERE d.tenant_id = $1 AND d.notice_id = ANY($2) AND d.status = 'pending' AND d.channel <> 'inapp'
		ORDER BY d.notice_id, d.seq`, tenantID, noticeIDs))
}

func (t *notifyTx) UseCredit(ctx context.Context, tenantID, deputyID int64, templateID string) error {
	_, err := t.tx.Exec(ctx, `UPDATE notify_credits SET one_time = one_time - 1, updated_at = now()
		WHERE tenant_id = $1 AND deputy_id = $2 AND template_id = $3 AND one_time > 0 AND NOT long_term`,
		tenantID, deputyID, templateID)
	return err
}

func (t *notifyTx) ClearCredit(ctx context.Context, tenantID, deputyID int64, templateID string) error {
	_, err := t.tx.Exec(ctx, `UPDATE notify_credits SET one_time = 0, long_term = false, updated_at = now()
		WHERE tenant_id = $1 AND deputy_id = $2 AND template_id = $3`, tenantID, deputyID, templateID)
	return err
}

func (t *notifyTx) ClearFollowing(ctx context.Context, tenantID, deputyID int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE deputies SET oa_following = false WHERE tenant_id = $1 AND id = $2`, tenantID, deputyID)
	return err
}

// Runnable implements notify.DeliveryStore.
func (s *NotifyStore) Runnable(ctx context.Context, quietSince, until time.Time, limit int) ([]notify.Job, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.tenant_id, d.id, d.send_after, d.updated_at FROM deliveries d
		WHERE d.status = 'pending' AND d.send_after <= $1 AND d.updated_at < $3
		  AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.tenant_id = d.tenant_id AND e.notice_id = d.notice_id
		                  AND e.seq < d.seq AND e.status IN ('pending', 'sending'))
		ORDER BY d.send_after, d.id LIMIT $2`, until, limit, quietSince)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Job, error) {
		var j notify.Job
		err := r.Scan(&j.TenantID, &j.DeliveryID, &j.At, &j.Touched)
		return j, err
	})
}

// ExpireClaims implements notify.DeliveryStore.
func (s *NotifyStore) ExpireClaims(ctx context.Context, olderThan time.Time) (int, error) {
	n := 0
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE deliveries SET status = 'unknown', wechat_code = -1, reason = 'worker_lost', updated_at = now()
			WHERE status = 'sending' AND claimed_at < $1 RETURNING tenant_id, notice_id`, olderThan)
		if err != nil {
			return err
		}
		var tenants, notices []int64
		for rows.Next() {
			var t, nid int64
			if err := rows.Scan(&t, &nid); err != nil {
				rows.Close()
				return err
			}
			tenants, notices = append(tenants, t), append(notices, nid)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(tenants)
		if n == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE deliveries d SET status = 'skipped', reason = 'outcome_unknown', updated_at = now()
			FROM unnest($1::bigint[], $2::bigint[]) AS x(tenant_id, notice_id)
			WHERE d.tenant_id = x.tenant_id AND d.notice_id = x.notice_id AND d.status = 'pending' AND d.channel <> 'inapp'`,
			tenants, notices)
		return err
	})
	return n, err
}
