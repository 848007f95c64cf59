package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
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
func (s *NotifyStore) RelayBatch(ctx context.Context, limit int, fn func(context.Context, notify.PublishTx, []notify.OutboxEvent) error) (int, error) {
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
		sugs := make([]int64, len(evs))
		for i, ev := range evs {
			tenants[i], ids[i], sugs[i] = ev.TenantID, ev.ID, ev.SuggestionID
		}
		if err := ntx.prefetchSuggestions(ctx, tenants, sugs); err != nil {
			return err
		}
		if err := fn(ctx, ntx, evs); err != nil {
			return err
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
	err := t.tx.QueryRow(ctx, `SELECT s.title, COALESCE(s.number, 0), s.lead_deputy_id, COALESCE(d.name, ''), COALESCE(s.leader_user_id, 0)
		FROM suggestions s LEFT JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
		WHERE s.tenant_id = $1 AND s.id = $2`, tenantID, id).
		Scan(&f.Title, &f.Number, &f.LeadDeputyID, &f.LeadDeputyName, &f.LeaderUserID)
	return f, notFound(err, fmt.Sprintf("suggestion %d", id))
}

// prefetchSuggestions reads the facts of every suggestion of a relay batch in one query
// (missing ones are left to Suggestion, which reports them not found).
func (t *notifyTx) prefetchSuggestions(ctx context.Context, tenants, ids []int64) error {
	rows, err := t.tx.Query(ctx, `SELECT s.tenant_id, s.id, s.title, COALESCE(s.number, 0), s.lead_deputy_id, COALESCE(d.name, ''),
		  COALESCE(s.leader_user_id, 0)
		FROM suggestions s JOIN (SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[])) AS x(tenant_id, id)
		  ON s.tenant_id = x.tenant_id AND s.id = x.id
		LEFT JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id`, tenants, ids)
	if err != nil {
		return fmt.Errorf("suggestions of the batch: %w", err)
	}
	defer rows.Close()
	if t.facts == nil {
		t.facts = map[[2]int64]notify.SuggestionFacts{}
	}
	for rows.Next() {
		var tid, id int64
		var f notify.SuggestionFacts
		if err := rows.Scan(&tid, &id, &f.Title, &f.Number, &f.LeadDeputyID, &f.LeadDeputyName, &f.LeaderUserID); err != nil {
			return err
		}
		t.facts[[2]int64{tid, id}] = f
	}
	return rows.Err()
}

func (t *notifyTx) Assignment(ctx context.Context, tenantID, id int64) (notify.AssignmentFacts, error) {
	var f notify.AssignmentFacts
	err := t.tx.QueryRow(ctx, `SELECT a.unit_id, u.name, a.role::text, a.handler_name, a.handler_phone, a.due_at
		FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
		WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id).
		Scan(&f.UnitID, &f.UnitName, &f.Role, &f.HandlerName, &f.HandlerPhone, &f.DueAt)
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

const setGenericPlans = `set_config('plan_cache_mode', 'force_generic_plan', true)`

// deputyRecipientsSQL looks the candidates up by key, one deputy at a time (an OR of the three
// sources, or a semi-join the planner may turn around, scans every deputy of the tenant).
const deputyRecipientsSQL = `SELECT DISTINCT c.id FROM (
	   SELECT unnest($3::bigint[])
	   UNION ALL SELECT lead_deputy_id FROM suggestions WHERE $4 AND tenant_id = $1 AND id = $2
	   UNION ALL SELECT deputy_id FROM suggestion_cosigners
	             WHERE $4 AND tenant_id = $1 AND suggestion_id = $2 AND state IN ('accepted', 'merged')) AS c(id),
	LATERAL (SELECT 1 FROM deputies d WHERE d.tenant_id = $1 AND d.id = c.id AND d.active LIMIT 1) AS x
	ORDER BY c.id`

const staffRecipientsSQL = `SELECT u.id FROM users u
	WHERE u.tenant_id = $1 AND u.active AND (
	   u.id = ANY($3)
	   OR ($6 AND u.id = (SELECT leader_user_id FROM suggestions WHERE tenant_id = $1 AND id = $2))
	   OR EXISTS (SELECT 1 FROM user_roles r WHERE r.tenant_id = u.tenant_id AND r.user_id = u.id
	              AND (r.role::text = ANY($4) OR (u.unit_id = ANY($5) AND r.role::text = ANY($7)))))
	ORDER BY u.id`

// audienceQuery is an audience's one or two recipient queries; run them with a pgx.Batch.
type audienceQuery struct {
	deputies, users []int64
}

// queue adds the queries of audience a to b; their results land in q once b is run.
func (q *audienceQuery) queue(b *pgx.Batch, tenantID, suggestionID int64, a notify.Audience) {
	if a.Deputies || len(a.DeputyIDs) > 0 {
		b.Queue(deputyRecipientsSQL, tenantID, suggestionID, nzi(a.DeputyIDs), a.Deputies).Query(func(rows pgx.Rows) error {
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return fmt.Errorf("deputy recipients: %w", err)
			}
			q.deputies = ids
			return nil
		})
	}
	if len(a.UnitIDs) > 0 || len(a.Roles) > 0 || a.KeyLeader || len(a.UserIDs) > 0 {
		b.Queue(staffRecipientsSQL, tenantID, suggestionID, nzi(a.UserIDs), nz(a.Roles), nzi(a.UnitIDs), a.KeyLeader,
			nz(a.UnitRoles)).Query(func(rows pgx.Rows) error {
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return fmt.Errorf("staff recipients: %w", err)
			}
			q.users = ids
			return nil
		})
	}
}

// recipients: deputies first, then staff, each by id, no duplicates.
func (q *audienceQuery) recipients() []notify.Recipient {
	out := make([]notify.Recipient, 0, len(q.deputies)+len(q.users))
	for _, id := range slices.Compact(q.deputies) {
		out = append(out, notify.Recipient{Kind: notify.RecipientDeputy, ID: id})
	}
	for _, id := range slices.Compact(q.users) {
		out = append(out, notify.Recipient{Kind: notify.RecipientUser, ID: id})
	}
	return out
}

// Recipients resolves an audience: deputies first, then staff, each by id, no duplicates;
// inactive deputies and users are left out.
func (t *notifyTx) Recipients(ctx context.Context, tenantID, suggestionID int64, a notify.Audience) ([]notify.Recipient, error) {
	out, err := t.RecipientsOf(ctx, []notify.AudienceOf{{TenantID: tenantID, SuggestionID: suggestionID, Audience: a}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// RecipientsOf resolves several audiences with one pipelined batch of queries.
func (t *notifyTx) RecipientsOf(ctx context.Context, qs []notify.AudienceOf) ([][]notify.Recipient, error) {
	aq := make([]audienceQuery, len(qs))
	b := &pgx.Batch{}
	// Generic plans for the recipient queries only: they are lookups by key whose plan shape
	// is fixed (LATERAL ... LIMIT 1), but PostgreSQL would re-plan them for every event, as a
	// custom plan can fold the boolean and the array's length and so looks cheaper, paying
	// more to plan than to run them. Then the mode the transaction had, kept meanwhile in a
	// setting of our own.
	b.Queue(`SELECT set_config('jianyi.plan_cache_mode', current_setting('plan_cache_mode'), true), ` + setGenericPlans)
	for i, q := range qs {
		aq[i].queue(b, q.TenantID, q.SuggestionID, q.Audience)
	}
	if b.Len() > 1 {
		b.Queue(`SELECT set_config('plan_cache_mode', current_setting('jianyi.plan_cache_mode'), true)`)
		if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, err
		}
	}
	out := make([][]notify.Recipient, len(qs))
	for i := range aq {
		out[i] = aq[i].recipients()
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

// LastPushes implements notify.PublishTx in one query.
func (t *notifyTx) LastPushes(ctx context.Context, rs []notify.TenantRecipient) (map[notify.TenantRecipient]notify.PushState, error) {
	tenants, kinds, ids := make([]int64, len(rs)), make([]string, len(rs)), make([]int64, len(rs))
	for i, r := range rs {
		tenants[i], kinds[i], ids[i] = r.TenantID, r.Kind, r.ID
	}
	rows, err := t.tx.Query(ctx, `SELECT x.tenant_id, x.kind, x.id,
		(SELECT max(send_after) FROM deliveries d WHERE d.tenant_id = x.tenant_id AND d.recipient_kind = x.kind
		   AND d.recipient_id = x.id AND d.channel <> 'inapp' AND d.status = 'pending'),
		(SELECT max(sent_at) FROM deliveries d WHERE d.tenant_id = x.tenant_id AND d.recipient_kind = x.kind
		   AND d.recipient_id = x.id AND d.channel <> 'inapp' AND d.status = 'sent')
		FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x(tenant_id, kind, id)`, tenants, kinds, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[notify.TenantRecipient]notify.PushState, len(rs))
	for rows.Next() {
		var r notify.TenantRecipient
		var pending, sent *time.Time
		if err := rows.Scan(&r.TenantID, &r.Kind, &r.ID, &pending, &sent); err != nil {
			return nil, err
		}
		var ps notify.PushState
		if pending != nil {
			ps.PendingAt = *pending
		}
		if sent != nil {
			ps.LastSentAt = *sent
		}
		out[r] = ps
	}
	return out, rows.Err()
}

// InsertNotices implements notify.PublishTx in one statement: the notices (ON CONFLICT on
// the delivery key DO NOTHING) and, for those inserted, a delivery per channel.
func (t *notifyTx) InsertNotices(ctx context.Context, ns []notify.NewNotice, now time.Time) ([]notify.Delivery, error) {
	k := len(ns)
	var (
		tenants, rids, sugs           = make([]int64, k), make([]int64, k), make([]int64, k)
		rkinds, kinds, titles, bodies = make([]string, k), make([]string, k), make([]string, k), make([]string, k)
		pages, fields, keys, chans    = make([]string, k), make([]string, k), make([]string, k), make([]string, k)
		sendAfter                     = make([]time.Time, k)
	)
	for i, x := range ns {
		n := x.Notice
		f, err := json.Marshal(n.Fields)
		if err != nil {
			return nil, err
		}
		tenants[i], rkinds[i], rids[i], kinds[i], titles[i], bodies[i] = n.TenantID, n.RecipientKind, n.RecipientID, n.Kind, n.Title, n.Body
		pages[i], sugs[i], fields[i], keys[i] = n.Page, n.SuggestionID, string(f), n.DeliveryKey
		chans[i], sendAfter[i] = strings.Join(x.Channels, ","), x.SendAfter
	}
	rows, err := t.tx.Query(ctx, `WITH x AS (
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::bigint[], $9::text[], $10::text[], $11::text[], $12::timestamptz[]) WITH ORDINALITY
				AS x(tenant_id, rkind, rid, kind, title, body, page, suggestion_id, fields, key, chans, send_after, ord)),
		n AS (
			INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, page,
				suggestion_id, fields, delivery_key, created_at)
			SELECT tenant_id, rkind, rid, kind, title, body, page, suggestion_id, fields::jsonb, key, $13 FROM x ORDER BY ord
			ON CONFLICT (tenant_id, delivery_key) DO NOTHING RETURNING tenant_id, id, delivery_key)
		INSERT INTO deliveries (tenant_id, notice_id, channel, seq, recipient_kind, recipient_id,
			status, send_after, sent_at, created_at, updated_at)
		SELECT x.tenant_id, n.id, c.ch, c.ord, x.rkind, x.rid,
		       CASE WHEN c.ch = 'inapp' THEN 'sent' ELSE 'pending' END,
		       CASE WHEN c.ch = 'inapp' THEN $13::timestamptz ELSE x.send_after END,
		       CASE WHEN c.ch = 'inapp' THEN $13::timestamptz END, $13, $13
		FROM n JOIN x ON x.tenant_id = n.tenant_id AND x.key = n.delivery_key,
		     unnest(string_to_array(x.chans, ',')) WITH ORDINALITY AS c(ch, ord)
		ORDER BY x.ord, c.ord
		RETURNING tenant_id, notice_id, id, channel, seq, send_after, recipient_kind, recipient_id`,
		tenants, rkinds, rids, kinds, titles, bodies, pages, sugs, fields, keys, chans, sendAfter, now)
	if err != nil {
		return nil, fmt.Errorf("insert notices: %w", err)
	}
	defer rows.Close()
	first := map[[2]int64]int{} // (tenant, notice) → index in out
	var out []notify.Delivery
	for rows.Next() {
		d := notify.Delivery{Status: notify.StatusPending}
		if err := rows.Scan(&d.TenantID, &d.NoticeID, &d.ID, &d.Channel, &d.Seq, &d.SendAfter, &d.RecipientKind, &d.RecipientID); err != nil {
			return nil, err
		}
		if d.Channel == notify.ChannelInApp {
			continue
		}
		key := [2]int64{d.TenantID, d.NoticeID}
		if i, ok := first[key]; !ok {
			first[key] = len(out)
			out = append(out, d)
		} else if d.Seq < out[i].Seq {
			out[i] = d
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
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

// OutboxBacklog is how many workflow events wait for the relay, over every tenant, and how
// long the oldest has waited (0 when none): the operator's sign that notices are stuck. It
// reads the outbox_pending index only.
func (s *NotifyStore) OutboxBacklog(ctx context.Context, now time.Time) (int64, time.Duration, error) {
	var n int64
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE dispatched_at IS NULL`).Scan(&n, &oldest)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox backlog: %w", err)
	}
	if oldest == nil || now.Before(*oldest) {
		return n, 0, nil
	}
	return n, now.Sub(*oldest), nil
}
