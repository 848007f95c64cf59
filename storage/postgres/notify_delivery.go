package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"jianyi/internal/notify"
)

const deliveryCols = `d.tenant_id, d.id, d.notice_id, d.channel, d.seq, d.recipient_kind, d.recipient_id, d.status,
	d.send_after, d.attempts, d.claimed_at`

// Status tests of deliveries looked up by key. Written as "none of the other statuses" (the
// column's CHECK allows no more) so that they never match deliveries_open's predicate: when the
// table's statistics are missing or stale (a fresh database, a burst of new deliveries) the
// planner would otherwise prefer scanning every open delivery of the tenant over the key
// lookup, which makes each statement cost O(open deliveries).
const (
	whenPending = `status NOT IN ('sending', 'sent', 'failed', 'skipped', 'unknown')`
	whenSending = `status NOT IN ('pending', 'sent', 'failed', 'skipped', 'unknown')`
	// whenOpen is pending or sending.
	whenOpen = `status NOT IN ('sent', 'failed', 'skipped', 'unknown')`
)

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

// loadSQL reads a delivery (the rows of from, named d), its notice and the recipient's
// target with all its credits.
func loadSQL(from string) string {
	return `SELECT ` + deliveryCols + `, n.kind, n.title, n.body, n.page, n.suggestion_id,
			n.fields, n.delivery_key, n.created_at,
			CASE WHEN d.recipient_kind = 'deputy' THEN dp.mp_openid END,
			CASE WHEN d.recipient_kind = 'deputy' THEN dp.oa_openid ELSE u.oa_openid END,
			CASE WHEN d.recipient_kind = 'deputy' THEN dp.oa_following ELSE u.oa_openid IS NOT NULL END,
			CASE WHEN d.recipient_kind = 'deputy' AND d.channel = 'mp_subscribe' THEN
			  (SELECT json_object_agg(c.template_id, json_build_object('one_time', c.one_time, 'long_term', c.long_term))
			   FROM notify_credits c WHERE c.tenant_id = d.tenant_id AND c.deputy_id = d.recipient_id) END
		FROM ` + from + `
		JOIN notices n ON n.tenant_id = d.tenant_id AND n.id = d.notice_id
		LEFT JOIN deputies dp ON d.recipient_kind = 'deputy' AND dp.tenant_id = d.tenant_id AND dp.id = d.recipient_id
		LEFT JOIN users u ON d.recipient_kind = 'user' AND u.tenant_id = d.tenant_id AND u.id = d.recipient_id`
}

var (
	loadDeliverySQL = loadSQL(`deliveries d`) + ` WHERE d.tenant_id = $1 AND d.id = $2`
	// claimLoadSQL claims as it reads: attempts are reported as before the claim (as Load).
	claimLoadSQL = `WITH d AS (
			UPDATE deliveries SET status = 'sending', claimed_at = $3, attempts = attempts + 1, updated_at = $3
			WHERE tenant_id = $1 AND id = $2 AND ` + whenPending + ` AND send_after <= $3 AND channel <> ALL($4)
			RETURNING tenant_id, id, notice_id, channel, seq, recipient_kind, recipient_id, status, send_after,
				attempts - 1 AS attempts, claimed_at)
		` + loadSQL(`d`)
)

// loaded is what loadSQL's columns scan into.
type loaded struct {
	d               notify.Delivery
	n               notify.Notice
	fields, credits []byte
	mp, oa          *string
	following       *bool
}

func (l *loaded) scan(row pgx.Row) error {
	var err error
	l.d, err = scanDelivery(row, &l.n.Kind, &l.n.Title, &l.n.Body, &l.n.Page, &l.n.SuggestionID, &l.fields,
		&l.n.DeliveryKey, &l.n.CreatedAt, &l.mp, &l.oa, &l.following, &l.credits)
	return err
}

func (l *loaded) decode() (notify.Delivery, notify.Notice, notify.Target, error) {
	d, n := l.d, l.n
	var tg notify.Target
	n.TenantID, n.ID, n.RecipientKind, n.RecipientID = d.TenantID, d.NoticeID, d.RecipientKind, d.RecipientID
	if len(l.fields) > 0 {
		if err := json.Unmarshal(l.fields, &n.Fields); err != nil {
			return d, n, tg, fmt.Errorf("notice %d fields: %w", n.ID, err)
		}
	}
	if l.mp != nil {
		tg.MPOpenID = *l.mp
	}
	if l.oa != nil {
		tg.OAOpenID = *l.oa
	}
	tg.OAFollowing = l.following != nil && *l.following
	if len(l.credits) > 0 {
		if err := json.Unmarshal(l.credits, &tg.Credits); err != nil {
			return d, n, tg, fmt.Errorf("credits: %w", err)
		}
	}
	return d, n, tg, nil
}

// Load implements notify.DeliveryStore: the delivery, its notice and the recipient's target
// with all its credits, in one query.
func (s *NotifyStore) Load(ctx context.Context, tenantID, id int64) (notify.Delivery, notify.Notice, notify.Target, error) {
	var l loaded
	var err error
	perr := s.pipe.do(func(b *pgx.Batch) {
		b.Queue(loadDeliverySQL, tenantID, id).QueryRow(func(row pgx.Row) error {
			err = l.scan(row) // errors stay with this call (nil for the flush): see pipeline
			return nil
		})
	})
	if perr != nil {
		return l.d, l.n, notify.Target{}, perr
	}
	if err != nil {
		return l.d, l.n, notify.Target{}, notFound(err, fmt.Sprintf("delivery %d", id))
	}
	return l.decode()
}

// ClaimLoad implements notify.DeliveryStore.
func (s *NotifyStore) ClaimLoad(ctx context.Context, tenantID, id int64, at time.Time, paused []string) (notify.Delivery, notify.Notice, notify.Target, bool, error) {
	var l loaded
	var err error
	perr := s.pipe.do(func(b *pgx.Batch) {
		b.Queue(claimLoadSQL, tenantID, id, at, nz(paused)).QueryRow(func(row pgx.Row) error {
			err = l.scan(row)
			return nil
		})
	})
	if perr != nil {
		return l.d, l.n, notify.Target{}, false, perr
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return l.d, l.n, notify.Target{}, false, nil
	}
	if err != nil {
		return l.d, l.n, notify.Target{}, false, err
	}
	d, n, tg, err := l.decode()
	return d, n, tg, true, err
}

// SkipClaimed implements notify.DeliveryStore.
func (s *NotifyStore) SkipClaimed(ctx context.Context, tenantID, id int64, reason string, claimedAt, at time.Time) (bool, error) {
	var n int64
	err := s.pipe.do(func(b *pgx.Batch) {
		b.Queue(`UPDATE deliveries SET status = 'skipped', reason = $3, updated_at = $5, attempts = attempts - 1, claimed_at = NULL
			WHERE tenant_id = $1 AND id = $2 AND `+whenSending+` AND claimed_at = $4`,
			tenantID, id, reason, claimedAt, at).Exec(func(ct pgconn.CommandTag) error {
			n = ct.RowsAffected()
			return nil
		})
	})
	return n == 1, err
}

// Settings implements notify.DeliveryStore.
func (s *NotifyStore) Settings(ctx context.Context, tenantID int64) (notify.Settings, error) {
	var set notify.Settings
	err := s.PublishTx(ctx, func(tx notify.PublishTx) error {
		var err error
		set, err = tx.Settings(ctx, tenantID)
		return err
	})
	return set, err
}

// Templates implements notify.DeliveryStore.
func (s *NotifyStore) Templates(ctx context.Context, tenantID int64) (notify.TemplateSet, error) {
	return s.TemplateIDs(ctx, tenantID)
}

// Claim implements notify.DeliveryStore.
func (s *NotifyStore) Claim(ctx context.Context, tenantID int64, ids []int64, at time.Time) ([]int64, error) {
	var got []int64
	var err error
	perr := s.pipe.do(func(b *pgx.Batch) {
		b.Queue(`UPDATE deliveries SET status = 'sending', claimed_at = $3, attempts = attempts + 1, updated_at = $3
			WHERE tenant_id = $1 AND id = ANY($2) AND `+whenPending+` RETURNING id`, tenantID, ids, at).Query(func(rows pgx.Rows) error {
			got, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			return nil
		})
	})
	if perr != nil {
		return nil, perr
	}
	return got, err
}

// DigestCandidates implements notify.DeliveryStore.
func (s *NotifyStore) DigestCandidates(ctx context.Context, d notify.Delivery, upTo time.Time, limit int) ([]notify.Delivery, error) {
	return collectDeliveries(s.pool.Query(ctx, `SELECT `+deliveryCols+` FROM deliveries d
		WHERE d.tenant_id = $1 AND d.recipient_kind = $2 AND d.recipient_id = $3 AND d.channel = $4
		  AND d.status = 'pending' AND d.send_after <= $5 AND d.id <> $6
		  AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.tenant_id = d.tenant_id AND e.notice_id = d.notice_id
		                  AND e.seq < d.seq AND e.`+whenOpen+`)
		ORDER BY d.id LIMIT $7`,
		d.TenantID, d.RecipientKind, d.RecipientID, d.Channel, upTo, d.ID, limit))
}

// Skip implements notify.DeliveryStore.
func (s *NotifyStore) Skip(ctx context.Context, tenantID, id int64, reason string, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE deliveries SET status = 'skipped', reason = $3, updated_at = $4
		WHERE tenant_id = $1 AND id = $2 AND `+whenPending, tenantID, id, reason, at)
	return err == nil && tag.RowsAffected() == 1, err
}

// Abandon implements notify.DeliveryStore.
func (s *NotifyStore) Abandon(ctx context.Context, tenantID, id int64, olderThan, at time.Time) (bool, error) {
	var n int
	err := s.pool.QueryRow(ctx, `WITH a AS (
			UPDATE deliveries SET status = 'unknown', wechat_code = -1, reason = 'worker_lost', updated_at = $4
			WHERE tenant_id = $1 AND id = $2 AND `+whenSending+` AND claimed_at < $3 RETURNING notice_id),
		b AS (
			UPDATE deliveries d SET status = 'skipped', reason = 'outcome_unknown', updated_at = $4
			FROM a WHERE d.tenant_id = $1 AND d.notice_id = a.notice_id AND d.`+whenPending+` AND d.channel <> 'inapp')
		SELECT count(*) FROM a`, tenantID, id, olderThan, at).Scan(&n)
	return n == 1, err
}

// Finish implements notify.DeliveryStore in one statement. The statement holds only the
// parts this outcome needs (digest batch, other channels skipped, credit used): with no part
// switched off by a parameter, a generic plan costs what a custom one does, so PostgreSQL
// plans it once per connection rather than on every call (it re-planned every Finish).
func (s *NotifyStore) Finish(ctx context.Context, tenantID int64, f notify.Finish) error {
	args := []any{tenantID, f.Lead, f.At} // $1, $2, $3
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var ctes []string
	notBatch := ""
	if len(f.Batch) > 0 {
		var digestOf *int64
		reason := ""
		if f.BatchStatus == notify.StatusSent {
			digestOf, reason = &f.Lead, "digest"
		}
		st, ids := arg(f.BatchStatus), arg(f.Batch)
		ctes = append(ctes, `batch AS (
			UPDATE deliveries SET status = `+st+`, reason = `+arg(reason)+`, updated_at = $3, digest_of = `+arg(digestOf)+`,
				sent_at = CASE WHEN `+st+` = 'sent' THEN $3::timestamptz ELSE sent_at END,
				send_after = CASE WHEN `+st+` = 'pending' THEN $3::timestamptz ELSE send_after END
			WHERE tenant_id = $1 AND id = ANY(`+ids+`::bigint[]) AND `+whenSending+`)`)
		notBatch = ` AND NOT (id = ANY(` + ids + `::bigint[]))`
	}
	if len(f.SkipNotices) > 0 {
		ctes = append(ctes, `skip AS (
			UPDATE deliveries SET status = 'skipped', reason = `+arg(f.SkipReason)+`, updated_at = $3
			WHERE tenant_id = $1 AND notice_id = ANY(`+arg(f.SkipNotices)+`::bigint[]) AND `+whenPending+`
			  AND channel <> 'inapp'`+notBatch+` AND id <> $2)`)
	}
	if f.UseCredit != "" {
		ctes = append(ctes, `credit AS (
			UPDATE notify_credits SET one_time = one_time - 1, updated_at = $3
			WHERE tenant_id = $1 AND deputy_id = `+arg(f.DeputyID)+` AND template_id = `+arg(f.UseCredit)+`
			  AND one_time > 0 AND NOT long_term)`)
	}
	st, count := arg(f.Status), arg(f.Count)
	sql := `UPDATE deliveries SET status = ` + st + `, wechat_code = ` + arg(f.Code) + `, reason = ` + arg(f.Reason) + `, updated_at = $3,
			sent_at = CASE WHEN ` + st + ` = 'sent' THEN $3::timestamptz ELSE sent_at END,
			send_after = CASE WHEN ` + st + ` = 'pending' THEN ` + arg(f.SendAfter) + `::timestamptz ELSE send_after END,
			digest_count = CASE WHEN ` + count + `::int > 1 THEN ` + count + `::int ELSE digest_count END,
			wechat_msgid = COALESCE(NULLIF(` + arg(f.MsgID) + `::bigint, 0), wechat_msgid)
		WHERE tenant_id = $1 AND id = $2 AND ` + whenSending
	if len(ctes) > 0 {
		sql = "WITH " + strings.Join(ctes, ",\n\t\t") + "\n\t\t" + sql
	}
	return s.pipe.do(func(b *pgx.Batch) { b.Queue(sql, args...) })
}

// NextPending implements notify.DeliveryStore.
func (s *NotifyStore) NextPending(ctx context.Context, tenantID int64, noticeIDs []int64) ([]notify.Delivery, error) {
	return collectDeliveries(s.pool.Query(ctx, `SELECT DISTINCT ON (d.notice_id) `+deliveryCols+` FROM deliveries d
		WHERE d.tenant_id = $1 AND d.notice_id = ANY($2) AND d.`+whenPending+` AND d.channel <> 'inapp'
		ORDER BY d.notice_id, d.seq`, tenantID, noticeIDs))
}

// ClearCredit implements notify.DeliveryStore (after 43101).
func (s *NotifyStore) ClearCredit(ctx context.Context, tenantID, deputyID int64, templateID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE notify_credits SET one_time = 0, long_term = false, updated_at = now()
		WHERE tenant_id = $1 AND deputy_id = $2 AND template_id = $3`, tenantID, deputyID, templateID)
	return err
}

// ClearFollowing implements notify.DeliveryStore (after 43004).
func (s *NotifyStore) ClearFollowing(ctx context.Context, tenantID, deputyID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE deputies SET oa_following = false WHERE tenant_id = $1 AND id = $2`, tenantID, deputyID)
	return err
}

// RecordTemplateResult implements notify.DeliveryStore.
func (s *NotifyStore) RecordTemplateResult(ctx context.Context, tenantID, msgID int64, result, failedReason string) error {
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET wechat_result = $3, updated_at = now(),
			status = CASE WHEN $4 <> '' THEN 'failed' ELSE status END,
			reason = CASE WHEN $4 <> '' THEN $4 ELSE reason END
		WHERE tenant_id = $1 AND wechat_msgid = $2 AND channel IN ('oa_template', 'oa_staff')`,
		tenantID, msgID, result, failedReason)
	return err
}

// Runnable implements notify.DeliveryStore.
func (s *NotifyStore) Runnable(ctx context.Context, quietSince, until time.Time, limit int) ([]notify.Job, error) {
	// The first open delivery of each notice, in one pass over the open deliveries (a NOT
	// EXISTS probe per row degrades to O(open²) when the planner misjudges the open count).
	rows, err := s.pool.Query(ctx, `SELECT f.tenant_id, f.id, f.send_after, f.updated_at FROM (
			SELECT DISTINCT ON (tenant_id, notice_id) tenant_id, id, status, send_after, updated_at FROM deliveries
			WHERE status IN ('pending', 'sending') ORDER BY tenant_id, notice_id, seq) f
		WHERE f.status = 'pending' AND f.send_after <= $1 AND f.updated_at < $3
		ORDER BY f.send_after, f.id LIMIT $2`, until, limit, quietSince)
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
			WHERE d.tenant_id = x.tenant_id AND d.notice_id = x.notice_id AND d.`+whenPending+` AND d.channel <> 'inapp'`,
			tenants, notices)
		return err
	})
	return n, err
}
