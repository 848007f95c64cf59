package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/notify"
)

// NotifyStore is the PostgreSQL side of internal/notify and internal/remind: notices,
// deliveries, credits, templates, settings, the outbox relay and recipient resolution.
type NotifyStore struct {
	pool *pgxpool.Pool
	pipe *pipeline // a delivery's load, claim and finish, pipelined with other deliveries'
}

// NewNotifyStore wraps pool.
func NewNotifyStore(pool *pgxpool.Pool) *NotifyStore {
	return &NotifyStore{pool: pool, pipe: newPipeline(pool, 64, 2)}
}

const noticeCols = `tenant_id, id, recipient_kind, recipient_id, kind, title, body, page, suggestion_id,
	fields, delivery_key, created_at, read_at`

func scanNotice(row pgx.Row) (notify.Notice, error) {
	var n notify.Notice
	var fields []byte
	err := row.Scan(&n.TenantID, &n.ID, &n.RecipientKind, &n.RecipientID, &n.Kind, &n.Title, &n.Body,
		&n.Page, &n.SuggestionID, &fields, &n.DeliveryKey, &n.CreatedAt, &n.ReadAt)
	if err != nil {
		return n, err
	}
	if len(fields) > 0 {
		if err := json.Unmarshal(fields, &n.Fields); err != nil {
			return n, fmt.Errorf("notice %d fields: %w", n.ID, err)
		}
	}
	return n, nil
}

// ListNotices returns the recipient's notices with id < before (0: no bound), newest first.
func (s *NotifyStore) ListNotices(ctx context.Context, tenantID int64, kind string, id int64, before int64, limit int) ([]notify.Notice, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT `+noticeCols+` FROM notices
		WHERE tenant_id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND id < $4
		ORDER BY id DESC LIMIT $5`, tenantID, kind, id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("query notices: %w", err)
	}
	defer rows.Close()
	var out []notify.Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, fmt.Errorf("scan notice: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadCount counts the recipient's unread notices.
func (s *NotifyStore) UnreadCount(ctx context.Context, tenantID int64, kind string, id int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notices
		WHERE tenant_id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND read_at IS NULL`,
		tenantID, kind, id).Scan(&n)
	return n, err
}

// MarkRead sets read_at on the recipient's unread notices among ids (all when ids is empty).
func (s *NotifyStore) MarkRead(ctx context.Context, tenantID int64, kind string, id int64, ids []int64, at time.Time) (int, error) {
	var (
		tag interface{ RowsAffected() int64 }
		err error
	)
	if len(ids) == 0 {
		tag, err = s.pool.Exec(ctx, `UPDATE notices SET read_at = $4
			WHERE tenant_id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND read_at IS NULL`,
			tenantID, kind, id, at)
	} else {
		tag, err = s.pool.Exec(ctx, `UPDATE notices SET read_at = $4
			WHERE tenant_id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND read_at IS NULL
			  AND id = ANY($5)`, tenantID, kind, id, at, ids)
	}
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// RecordCredit adds a one-time credit or sets/clears the long-term flag.
func (s *NotifyStore) RecordCredit(ctx context.Context, tenantID, deputyID int64, templateID string, longTerm, accepted bool) error {
	var err error
	switch {
	case longTerm:
		_, err = s.pool.Exec(ctx, `INSERT INTO notify_credits (tenant_id, deputy_id, template_id, long_term)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, deputy_id, template_id)
			DO UPDATE SET long_term = EXCLUDED.long_term, updated_at = now()`,
			tenantID, deputyID, templateID, accepted)
	case accepted:
		_, err = s.pool.Exec(ctx, `INSERT INTO notify_credits (tenant_id, deputy_id, template_id, one_time)
			VALUES ($1, $2, $3, 1)
			ON CONFLICT (tenant_id, deputy_id, template_id)
			DO UPDATE SET one_time = notify_credits.one_time + 1, updated_at = now()`,
			tenantID, deputyID, templateID)
	}
	return err
}

// RecordCredits records every answer of one subscribe dialog in one statement, so they are
// stored all or none: a request that fails half-way leaves no credit that its retry would
// count again. Each accepted one-time answer adds one send; a long-term answer sets the flag
// (the last one of a template wins). One row per template: an upsert may touch a row once.
func (s *NotifyStore) RecordCredits(ctx context.Context, tenantID, deputyID int64, answers []notify.CreditAnswer) error {
	type credit struct {
		oneTime  int32
		longTerm *bool
	}
	byTpl := map[string]*credit{}
	var order []string
	for _, a := range answers {
		c := byTpl[a.TemplateID]
		if c == nil {
			c = &credit{}
			byTpl[a.TemplateID] = c
			order = append(order, a.TemplateID)
		}
		switch {
		case a.LongTerm:
			on := a.Accepted
			c.longTerm = &on
		case a.Accepted:
			c.oneTime++
		}
	}
	if len(order) == 0 {
		return nil
	}
	oneTime := make([]int32, len(order))
	longTerm := make([]*bool, len(order))
	for i, t := range order {
		oneTime[i], longTerm[i] = byTpl[t].oneTime, byTpl[t].longTerm
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO notify_credits (tenant_id, deputy_id, template_id, one_time, long_term)
		SELECT $1, $2, a.template_id, a.one_time, coalesce(a.long_term, false)
		FROM unnest($3::text[], $4::int[], $5::boolean[]) AS a(template_id, one_time, long_term)
		ON CONFLICT (tenant_id, deputy_id, template_id) DO UPDATE SET
			one_time = notify_credits.one_time + EXCLUDED.one_time,
			long_term = CASE WHEN (SELECT b.long_term IS NULL FROM unnest($3::text[], $5::boolean[]) AS b(template_id, long_term)
				WHERE b.template_id = EXCLUDED.template_id) THEN notify_credits.long_term ELSE EXCLUDED.long_term END,
			updated_at = now()`,
		tenantID, deputyID, order, oneTime, longTerm)
	return err
}

// TemplateIDs lists the tenant's configured templates.
func (s *NotifyStore) TemplateIDs(ctx context.Context, tenantID int64) ([]notify.TemplateID, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, channel, template_id FROM notify_templates
		WHERE tenant_id = $1 ORDER BY kind, channel`, tenantID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.TemplateID, error) {
		var t notify.TemplateID
		err := r.Scan(&t.Kind, &t.Channel, &t.TemplateID)
		return t, err
	})
}

// SetTemplateID upserts (or with an empty id deletes) one template id.
func (s *NotifyStore) SetTemplateID(ctx context.Context, tenantID int64, t notify.TemplateID) error {
	if t.TemplateID == "" {
		_, err := s.pool.Exec(ctx, `DELETE FROM notify_templates WHERE tenant_id = $1 AND kind = $2 AND channel = $3`,
			tenantID, t.Kind, t.Channel)
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO notify_templates (tenant_id, kind, channel, template_id)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, kind, channel) DO UPDATE SET template_id = EXCLUDED.template_id, updated_at = now()`,
		tenantID, t.Kind, t.Channel, t.TemplateID)
	return err
}
