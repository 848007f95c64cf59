package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"jianyi/internal/notify"
)

// notifyTx implements notify.PublishTx and notify.DeliveryTx on one transaction.
type notifyTx struct {
	tx       pgx.Tx
	settings map[int64]notify.Settings // per transaction
	facts    map[[2]int64]notify.SuggestionFacts
}

// RelayBatch implements notify.RelayStore.
func (s *NotifyStore) RelayBatch(ctx context.Context, limit int, fn func(context.Context, notify.PublishTx, notify.OutboxEvent) error) (int, error) {
	n := 0
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT tenant_id, id, event, suggestion_id, payload, created_at FROM outbox
			WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.OutboxEvent, error) {
			var ev notify.OutboxEvent
			var raw []byte
			if err := r.Scan(&ev.TenantID, &ev.ID, &ev.Event, &ev.SuggestionID, &raw, &ev.CreatedAt); err != nil {
				return ev, err
			}
			if len(raw) > 0 {
				// A payload that is not an object must not block the relay: the event is
				// planned without it (texts then omit numbers and reasons).
				if err := json.Unmarshal(raw, &ev.Payload); err != nil {
					ev.Payload = nil
				}
			}
			return ev, nil
		})
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		if len(evs) == 0 {
			return nil
		}
		ntx := &notifyTx{tx: tx}
		tenants := make([]int64, len(evs))
		ids := make([]int64, len(evs))
		for i, ev := range evs {
			if err := fn(ctx, ntx, ev); err != nil {
				return err
			}
			tenants[i], ids[i] = ev.TenantID, ev.ID
		}
		if _, err := tx.Exec(ctx, `UPDATE outbox o SET dispatched_at = now()
			FROM unnest($1::bigint[], $2::bigint[]) AS x(tenant_id, id)
			WHERE o.tenant_id = x.tenant_id AND o.id = x.id`, tenants, ids); err != nil {
			return fmt.Errorf("mark outbox dispatched: %w", err)
		}
		n = len(evs)
		return nil
	})
	return n, err
}

// PublishTx implements notify.PublishStore.
func (s *NotifyStore) PublishTx(ctx context.Context, fn func(notify.PublishTx) error) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error { return fn(&notifyTx{tx: tx}) })
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, notify.ErrNotFound)
	}
	return err
}

func (t *notifyTx) Suggestion(ctx context.Context, tenantID, id int64) (notify.SuggestionFacts, error) {
	if f, ok := t.facts[[2]int64{tenantID, id}]; ok {
		return f, nil
	}
	f, err := t.suggestion(ctx, tenantID, id)
	if err == nil {
		if t.facts == nil {
			t.facts = map[[2]int64]notify.SuggestionFacts{}
		}
		t.facts[[2]int64{tenantID, id}] = f
	}
	return f, err
}

func (t *notifyTx) suggestion(ctx context.Context, tenantID, id int64) (notify.SuggestionFacts, error) {
	var f notify.SuggestionFacts
	err := t.tx.QueryRow(ctx, `SELECT title, COALESCE(number, 0), lead_deputy_id, COALESCE(leader_user_id, 0)
		FROM suggestions WHERE tenant_id = $1 AND id = $2`, tenantID, id).
		Scan(&f.Title, &f.Number, &f.LeadDeputyID, &f.LeaderUserID)
	return f, notFound(err, fmt.Sprintf("suggestion %d", id))
}

func (t *notifyTx) Assignment(ctx context.Context, tenantID, id int64) (notify.AssignmentFacts, error) {
	var f notify.AssignmentFacts
	err := t.tx.QueryRow(ctx, `SELECT a.unit_id, u.name, a.role::text, a.handler_name, a.handler_phone
		FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
		WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id).
		Scan(&f.UnitID, &f.UnitName, &f.Role, &f.HandlerName, &f.HandlerPhone)
	return f, notFound(err, fmt.Sprintf("assignment %d", id))
}

func (t *notifyTx) UnitNames(ctx context.Context, tenantID int64, ids []int64) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT name FROM units WHERE tenant_id = $1 AND id = ANY($2)
		ORDER BY array_position($2, id)`, tenantID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (t *notifyTx) LeadUnits(ctx context.Context, tenantID, suggestionID int64) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT unit_id FROM assignments
		WHERE tenant_id = $1 AND suggestion_id = $2 AND active AND role = 'lead' ORDER BY id`, tenantID, suggestionID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func (t *notifyTx) ContactAssignment(ctx context.Context, tenantID, contactID int64) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT assignment_id FROM contacts WHERE tenant_id = $1 AND id = $2`, tenantID, contactID).Scan(&id)
	return id, notFound(err, fmt.Sprintf("contact %d", contactID))
}

// Recipients resolves an audience: deputies first, then staff, each by id, no duplicates;
// inactive deputies and users are left out.
func (t *notifyTx) Recipients(ctx context.Context, tenantID, suggestionID int64, a notify.Audience) ([]notify.Recipient, error) {
	var deputies, users []int64
	if a.Deputies || len(a.DeputyIDs) > 0 {
		ids := a.DeputyIDs
		if ids == nil {
			ids = []int64{}
		}
		rows, err := t.tx.Query(ctx, `SELECT d.id FROM deputies d
			WHERE d.tenant_id = $1 AND d.active AND (
			   d.id = ANY($3)
			   OR ($4 AND (d.id = (SELECT lead_deputy_id FROM suggestions WHERE tenant_id = $1 AND id = $2)
			     OR d.id IN (SELECT deputy_id FROM suggestion_cosigners
			                 WHERE tenant_id = $1 AND suggestion_id = $2 AND state IN ('accepted', 'merged')))))
			ORDER BY d.id`, tenantID, suggestionID, ids, a.Deputies)
		if err != nil {
			return nil, fmt.Errorf("deputy recipients: %w", err)
		}
		if deputies, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, err
		}
	}
	if len(a.UnitIDs) > 0 || len(a.Roles) > 0 || a.KeyLeader || len(a.UserIDs) > 0 {
		unitRoles, roles, userIDs, unitIDs := nz(a.UnitRoles), nz(a.Roles), nzi(a.UserIDs), nzi(a.UnitIDs)
		rows, err := t.tx.Query(ctx, `SELECT u.id FROM users u
			WHERE u.tenant_id = $1 AND u.active AND (
			   u.id = ANY($3)
			   OR ($6 AND u.id = (SELECT leader_user_id FROM suggestions WHERE tenant_id = $1 AND id = $2))
			   OR EXISTS (SELECT 1 FROM user_roles r WHERE r.tenant_id = u.tenant_id AND r.user_id = u.id
			              AND (r.role::text = ANY($4) OR (u.unit_id = ANY($5) AND r.role::text = ANY($7)))))
			ORDER BY u.id`, tenantID, suggestionID, userIDs, roles, unitIDs, a.KeyLeader, unitRoles)
		if err != nil {
			return nil, fmt.Errorf("staff recipients: %w", err)
		}
		if users, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, err
		}
	}
	out := make([]notify.Recipient, 0, len(deputies)+len(users))
	for _, id := range slices.Compact(deputies) {
		out = append(out, notify.Recipient{Kind: notify.RecipientDeputy, ID: id})
	}
	for _, id := range slices.Compact(users) {
		out = append(out, notify.Recipient{Kind: notify.RecipientUser, ID: id})
	}
	return out, nil
}

func nz(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nzi(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func (t *notifyTx) Settings(ctx context.Context, tenantID int64) (notify.Settings, error) {
	if s, ok := t.settings[tenantID]; ok {
		return s, nil
	}
	s, err := t.loadSettings(ctx, tenantID)
	if err == nil {
		if t.settings == nil {
			t.settings = map[int64]notify.Settings{}
		}
		t.settings[tenantID] = s
	}
	return s, err
}

func (t *notifyTx) loadSettings(ctx context.Context, tenantID int64) (notify.Settings, error) {
	s := notify.DefaultSettings()
	var mins int
	err := t.tx.QueryRow(ctx, `SELECT digest_minutes, quiet_start, quiet_end FROM notify_settings WHERE tenant_id = $1`,
		tenantID).Scan(&mins, &s.QuietStart, &s.QuietEnd)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	s.DigestWindow = time.Duration(mins) * time.Minute
	return s, err
}

func (t *notifyTx) LastPush(ctx context.Context, tenantID int64, r notify.Recipient) (time.Time, time.Time, error) {
	var pending, sent *time.Time
	err := t.tx.QueryRow(ctx, `SELECT
		(SELECT max(send_after) FROM deliveries WHERE tenant_id = $1 AND recipient_kind = $2 AND recipient_id = $3
		   AND channel <> 'inapp' AND status = 'pending'),
		(SELECT max(sent_at) FROM deliveries WHERE tenant_id = $1 AND recipient_kind = $2 AND recipient_id = $3
		   AND channel <> 'inapp' AND status = 'sent')`, tenantID, r.Kind, r.ID).Scan(&pending, &sent)
	var p, s time.Time
	if pending != nil {
		p = *pending
	}
	if sent != nil {
		s = *sent
	}
	return p, s, err
}

func (t *notifyTx) InsertNotice(ctx context.Context, n *notify.Notice, channels []string, sendAfter, now time.Time) (bool, *notify.Delivery, error) {
	fields, err := json.Marshal(n.Fields)
	if err != nil {
		return false, nil, err
	}
	rows, err := t.tx.Query(ctx, `WITH n AS (
			INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, page,
				suggestion_id, fields, delivery_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (tenant_id, delivery_key) DO NOTHING RETURNING id)
		INSERT INTO deliveries (tenant_id, notice_id, channel, seq, recipient_kind, recipient_id,
			status, send_after, sent_at, created_at, updated_at)
		SELECT $1, n.id, c.ch, c.ord, $2, $3,
		       CASE WHEN c.ch = 'inapp' THEN 'sent' ELSE 'pending' END,
		       CASE WHEN c.ch = 'inapp' THEN $11::timestamptz ELSE $12::timestamptz END,
		       CASE WHEN c.ch = 'inapp' THEN $11::timestamptz END, $11, $11
		FROM n, unnest($13::text[]) WITH ORDINALITY AS c(ch, ord)
		RETURNING notice_id, id, channel, seq, send_after`,
		n.TenantID, n.RecipientKind, n.RecipientID, n.Kind, n.Title, n.Body, n.Page, n.SuggestionID, fields,
		n.DeliveryKey, now, sendAfter, channels)
	if err != nil {
		return false, nil, fmt.Errorf("insert notice: %w", err)
	}
	var first *notify.Delivery
	created := false
	for rows.Next() {
		d := notify.Delivery{TenantID: n.TenantID, RecipientKind: n.RecipientKind,
			RecipientID: n.RecipientID, Status: notify.StatusPending}
		if err := rows.Scan(&d.NoticeID, &d.ID, &d.Channel, &d.Seq, &d.SendAfter); err != nil {
			rows.Close()
			return false, nil, err
		}
		created, n.ID, n.CreatedAt = true, d.NoticeID, now
		if d.Channel != notify.ChannelInApp && (first == nil || d.Seq < first.Seq) {
			first = &d
		}
	}
	if err := rows.Err(); err != nil {
		return false, nil, err
	}
	return created, first, nil
}

var (
	_ notify.PublishTx     = (*notifyTx)(nil)
	_ notify.RelayStore    = (*NotifyStore)(nil)
	_ notify.DeliveryStore = (*NotifyStore)(nil)
	_ notify.PublishStore  = (*NotifyStore)(nil)
	_ notify.InboxStore    = (*NotifyStore)(nil)
	_ notify.CreditStore   = (*NotifyStore)(nil)
	_ notify.TemplateStore = (*NotifyStore)(nil)
)
