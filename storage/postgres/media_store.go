package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/media"
)

// MediaStore implements media.Store and media.SnapStore.
type MediaStore struct {
	pool *pgxpool.Pool
}

// NewMediaStore returns the media store on pool.
func NewMediaStore(pool *pgxpool.Pool) *MediaStore { return &MediaStore{pool: pool} }

var (
	_ media.Store     = (*MediaStore)(nil)
	_ media.SnapStore = (*MediaStore)(nil)
)

// TargetOwner says who owns a suggestion or snap and whether photos may still be added.
func (s *MediaStore) TargetOwner(ctx context.Context, tenantID int64, t media.Target) (int64, bool, error) {
	var owner int64
	var editable bool
	var err error
	switch t.Kind {
	case media.KindSuggestion:
		err = s.pool.QueryRow(ctx, `SELECT lead_deputy_id, status IN ('draft','returned') FROM suggestions
			WHERE tenant_id = $1 AND id = $2`, tenantID, t.ID).Scan(&owner, &editable)
	case media.KindSnap:
		err = s.pool.QueryRow(ctx, `SELECT deputy_id, suggestion_id IS NULL FROM snaps
			WHERE tenant_id = $1 AND id = $2`, tenantID, t.ID).Scan(&owner, &editable)
	default:
		return 0, false, media.ErrNotFound
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, media.ErrNotFound
	}
	if err != nil {
		return 0, false, fmt.Errorf("photo target: %w", err)
	}
	return owner, editable, nil
}

func targetCol(t media.Target) string {
	if t.Kind == media.KindSnap {
		return "snap_id"
	}
	return "suggestion_id"
}

// CountAttachments counts the target's photos.
func (s *MediaStore) CountAttachments(ctx context.Context, tenantID int64, t media.Target) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM attachments WHERE tenant_id = $1 AND `+targetCol(t)+` = $2`, tenantID, t.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count attachments: %w", err)
	}
	return n, nil
}

// InsertAttachment records a photo if its target still takes it. The target's row is
// locked first (FOR NO KEY UPDATE: what a submission's or a snap conversion's UPDATE takes
// too), so its state and its photo count are read after any submission, conversion or other
// insert that got there first, and none can slip in before this insert commits: of two
// uploads racing for the ninth place one wins, and a photo decoded while the suggestion was
// submitted is refused (media.ErrTargetClosed) instead of landing on the submitted case.
func (s *MediaStore) InsertAttachment(ctx context.Context, a *media.Attachment) error {
	var sugg, snap *int64
	id := a.Target.ID
	lock := `SELECT status IN ('draft','returned') FROM suggestions WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE`
	if a.Target.Kind == media.KindSnap {
		snap = &id
		// A snap claimed for conversion (a negative suggestion_id) takes no more photos either.
		lock = `SELECT suggestion_id IS NULL FROM snaps WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE`
	} else {
		sugg = &id
	}
	var lat, lng *float64
	if a.GPS != nil {
		lat, lng = &a.GPS.Lat, &a.GPS.Lng
	}
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var open bool
		err := tx.QueryRow(ctx, lock, a.TenantID, id).Scan(&open)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("insert attachment: %w", media.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("lock photo target: %w", err)
		}
		if !open {
			return fmt.Errorf("insert attachment: %w", media.ErrTargetClosed)
		}
		// A photo already stored from the same WeChat media id is that one (a concurrent run
		// of the job), even when it was the ninth: ErrSourceStored, not ErrTargetFull.
		var n int
		var sourced bool
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(bool_or(source_media_id = NULLIF($3, '')), false)
			FROM attachments WHERE tenant_id = $1 AND `+targetCol(a.Target)+` = $2`,
			a.TenantID, id, a.SourceMediaID).Scan(&n, &sourced); err != nil {
			return fmt.Errorf("count attachments: %w", err)
		}
		if sourced && snap != nil {
			return fmt.Errorf("insert attachment: %w", media.ErrSourceStored)
		}
		if n >= media.MaxPhotos {
			return fmt.Errorf("insert attachment: %w", media.ErrTargetFull)
		}
		err = tx.QueryRow(ctx, `INSERT INTO attachments (tenant_id, suggestion_id, snap_id, owner_deputy_id, kind,
			object_key, thumb_key, content_type, size_bytes, width, height, exif_lat, exif_lng, check_trace_id, check_status, created_at, source_type,
			source_media_id)
			VALUES ($1, $2, $3, $4, 'photo', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULLIF($17, '')) RETURNING id`,
			a.TenantID, sugg, snap, a.OwnerDeputy, a.ObjectKey, a.ThumbKey, a.ContentType, a.SizeBytes, a.Width, a.Height,
			lat, lng, a.CheckTraceID, a.CheckStatus, a.CreatedAt, a.SourceType, a.SourceMediaID).Scan(&a.ID)
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "attachments_snap_source" {
			return fmt.Errorf("insert attachment: %w", media.ErrSourceStored)
		}
		if err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		return nil
	})
}

// SetCheck records the submitted image check; a pending one counts as a submission at at.
func (s *MediaStore) SetCheck(ctx context.Context, tenantID, id int64, traceID, status string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE attachments SET check_trace_id = $3, check_status = $4,
		check_sent_at = CASE WHEN $4 = 'pending' THEN $5 ELSE check_sent_at END,
		check_attempts = check_attempts + CASE WHEN $4 = 'pending' THEN 1 ELSE 0 END
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, traceID, status, at)
	if err != nil {
		return fmt.Errorf("set attachment check: %w", err)
	}
	return nil
}

// ApplyCheck records a check result. The push carries no tenant, so the lookup walks the
// tenants (few) and uses the (tenant_id, check_trace_id) index of each. risky and review
// flag the photo for staff (keeping the first flag time); the latest result decides, so a
// pass clears the flag as it clears hidden. A photo a reviewer has decided no longer
// answers to its trace id (DecidePhoto keeps it as "staff:<trace>"), so WeChat's retries
// cannot undo the decision.
func (s *MediaStore) ApplyCheck(ctx context.Context, traceID, suggest string, label int, at time.Time) (bool, error) {
	if traceID == "" {
		return false, nil
	}
	tag, err := s.pool.Exec(ctx, `UPDATE attachments SET check_status = $2, check_label = $3, checked_at = $4,
		hidden = ($2 = 'risky'),
		flagged_at = CASE WHEN $2 IN ('risky','review') THEN coalesce(flagged_at, $4) END
		WHERE tenant_id IN (SELECT id FROM tenants) AND check_trace_id = $1`, traceID, suggest, label, at)
	if err != nil {
		return false, fmt.Errorf("apply check: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// RetryCheck puts the photo waiting for traceID back to "unchecked". A photo whose result
// already arrived keeps it.
func (s *MediaStore) RetryCheck(ctx context.Context, traceID string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE attachments SET check_status = 'unchecked', check_trace_id = ''
		WHERE tenant_id IN (SELECT id FROM tenants) AND check_trace_id = $1 AND check_status = 'pending'`, traceID)
	if err != nil {
		return false, fmt.Errorf("retry check: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// Attachments lists the target's photos, oldest first.
func (s *MediaStore) Attachments(ctx context.Context, tenantID int64, t media.Target) ([]media.Attachment, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(owner_deputy_id, 0), object_key, thumb_key, content_type, size_bytes,
		width, height, exif_lat, exif_lng, check_trace_id, check_status, hidden, created_at, source_type, coalesce(source_media_id, '')
		FROM attachments WHERE tenant_id = $1 AND `+targetCol(t)+` = $2 ORDER BY id`, tenantID, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var out []media.Attachment
	for rows.Next() {
		a := media.Attachment{TenantID: tenantID, Target: t}
		var lat, lng *float64
		if err := rows.Scan(&a.ID, &a.OwnerDeputy, &a.ObjectKey, &a.ThumbKey, &a.ContentType, &a.SizeBytes, &a.Width, &a.Height,
			&lat, &lng, &a.CheckTraceID, &a.CheckStatus, &a.Hidden, &a.CreatedAt, &a.SourceType, &a.SourceMediaID); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		if lat != nil && lng != nil {
			a.GPS = &media.GPS{Lat: *lat, Lng: *lng}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Unchecked lists photos whose image check was never submitted, or whose result has not
// arrived since sentBefore after fewer than attempts submissions, across tenants (tenant by
// tenant through attachments_awaiting_check, migration 00081), with their owner's openid.
func (s *MediaStore) Unchecked(ctx context.Context, limit int, sentBefore time.Time, attempts int) ([]media.Unchecked, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.tenant_id, a.id, coalesce(a.suggestion_id, 0), coalesce(a.snap_id, 0),
		coalesce(a.owner_deputy_id, 0), a.object_key, a.thumb_key, d.mp_openid
		FROM attachments a JOIN deputies d ON d.tenant_id = a.tenant_id AND d.id = a.owner_deputy_id
		WHERE a.tenant_id IN (SELECT id FROM tenants) AND a.check_status IN ('unchecked', 'pending')
		  AND (a.check_status = 'unchecked' OR (a.check_sent_at < $2 AND a.check_attempts < $3))
		  AND d.mp_openid IS NOT NULL
		ORDER BY a.created_at LIMIT $1`, limit, sentBefore, attempts)
	if err != nil {
		return nil, fmt.Errorf("list unchecked attachments: %w", err)
	}
	defer rows.Close()
	var out []media.Unchecked
	for rows.Next() {
		var u media.Unchecked
		var sugg, snap int64
		a := &u.Attachment
		if err := rows.Scan(&a.TenantID, &a.ID, &sugg, &snap, &a.OwnerDeputy, &a.ObjectKey, &a.ThumbKey, &u.OpenID); err != nil {
			return nil, fmt.Errorf("scan unchecked attachment: %w", err)
		}
		a.Target = media.Target{Kind: media.KindSuggestion, ID: sugg}
		if snap != 0 && sugg == 0 {
			a.Target = media.Target{Kind: media.KindSnap, ID: snap}
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// InsertUpload records a presigned POST.
func (s *MediaStore) InsertUpload(ctx context.Context, u media.Upload) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO mp_uploads (tenant_id, object_key, deputy_id, target_kind, target_id, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, u.TenantID, u.Key, u.DeputyID, u.Target.Kind, u.Target.ID, u.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert upload: %w", err)
	}
	return nil
}

// Upload reads a presigned POST record.
func (s *MediaStore) Upload(ctx context.Context, tenantID int64, key string) (media.Upload, error) {
	u := media.Upload{TenantID: tenantID, Key: key}
	var att *int64
	err := s.pool.QueryRow(ctx, `SELECT deputy_id, target_kind, target_id, expires_at, attachment_id FROM mp_uploads
		WHERE tenant_id = $1 AND object_key = $2`, tenantID, key).Scan(&u.DeputyID, &u.Target.Kind, &u.Target.ID, &u.ExpiresAt, &att)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, media.ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("read upload: %w", err)
	}
	if att != nil {
		u.AttachmentID = *att
	}
	return u, nil
}

// CompleteUpload links the upload to the attachment it became.
func (s *MediaStore) CompleteUpload(ctx context.Context, tenantID int64, key string, attachmentID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE mp_uploads SET attachment_id = $3 WHERE tenant_id = $1 AND object_key = $2`, tenantID, key, attachmentID)
	if err != nil {
		return fmt.Errorf("complete upload: %w", err)
	}
	return nil
}

// InsertSnap records a 随手拍.
func (s *MediaStore) InsertSnap(ctx context.Context, sn *media.Snap) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO snaps (tenant_id, deputy_id, source, note, lat, lng, address, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		sn.TenantID, sn.DeputyID, sn.Source, sn.Note, sn.Lat, sn.Lng, sn.Address, sn.CreatedAt).Scan(&sn.ID)
	if err != nil {
		return fmt.Errorf("insert snap: %w", err)
	}
	return nil
}

// snapCols reads a snap; a claimed one (a negative suggestion_id, see ClaimSnap) reads as
// not converted.
const snapCols = `tenant_id, id, deputy_id, source, note, lat, lng, address, greatest(coalesce(suggestion_id, 0), 0), created_at`

func scanSnap(row pgx.Row) (media.Snap, error) {
	var sn media.Snap
	err := row.Scan(&sn.TenantID, &sn.ID, &sn.DeputyID, &sn.Source, &sn.Note, &sn.Lat, &sn.Lng, &sn.Address, &sn.SuggestionID, &sn.CreatedAt)
	return sn, err
}

// Snap reads one snap.
func (s *MediaStore) Snap(ctx context.Context, tenantID, id int64) (*media.Snap, error) {
	sn, err := scanSnap(s.pool.QueryRow(ctx, `SELECT `+snapCols+` FROM snaps WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, media.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read snap: %w", err)
	}
	return &sn, nil
}

// Snaps lists a deputy's snaps below the cursor.
func (s *MediaStore) Snaps(ctx context.Context, tenantID, deputyID, before int64, limit int) ([]media.Snap, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT `+snapCols+` FROM snaps WHERE tenant_id = $1 AND deputy_id = $2 AND id < $3
		ORDER BY id DESC LIMIT $4`, tenantID, deputyID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list snaps: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (media.Snap, error) { return scanSnap(r) })
	if err != nil {
		return nil, fmt.Errorf("list snaps: %w", err)
	}
	return out, nil
}

// ClaimSnap marks the snap as being converted: suggestion_id holds minus the claim's Unix
// time (no suggestion has a negative id) until LinkSnap sets the draft or ReleaseSnap clears
// it. A claim older than media.SnapClaimTTL may be taken again.
func (s *MediaStore) ClaimSnap(ctx context.Context, tenantID, snapID int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE snaps SET suggestion_id = -floor(extract(epoch FROM clock_timestamp()))::bigint
		WHERE tenant_id = $1 AND id = $2 AND (suggestion_id IS NULL
			OR (suggestion_id < 0 AND -suggestion_id < floor(extract(epoch FROM clock_timestamp())) - $3))`,
		tenantID, snapID, int64(media.SnapClaimTTL/time.Second))
	if err != nil {
		return false, fmt.Errorf("claim snap: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseSnap clears a claim (never a link).
func (s *MediaStore) ReleaseSnap(ctx context.Context, tenantID, snapID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE snaps SET suggestion_id = NULL WHERE tenant_id = $1 AND id = $2 AND suggestion_id < 0`,
		tenantID, snapID)
	if err != nil {
		return fmt.Errorf("release snap: %w", err)
	}
	return nil
}

// LinkSnap marks the snap converted and moves its photos to the suggestion.
func (s *MediaStore) LinkSnap(ctx context.Context, tenantID, snapID, suggestionID int64) (bool, error) {
	linked := false
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE snaps SET suggestion_id = $3
			WHERE tenant_id = $1 AND id = $2 AND (suggestion_id IS NULL OR suggestion_id < 0)`,
			tenantID, snapID, suggestionID)
		if err != nil {
			return fmt.Errorf("link snap: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		linked = true
		_, err = tx.Exec(ctx, `UPDATE attachments SET suggestion_id = $3 WHERE tenant_id = $1 AND snap_id = $2`, tenantID, snapID, suggestionID)
		if err != nil {
			return fmt.Errorf("move snap photos: %w", err)
		}
		return nil
	})
	return linked, err
}

// ClaimSnapAnswer marks the answer to a 随手拍 sent to the official account as sent (the
// customer-service message that says how many photos were stored) and returns the deputy's
// official-account openid, read now ("" when the deputy unlinked since). claimed is false
// when the mark was set already (or the snap is gone): the answer must not go out again.
func (s *MediaStore) ClaimSnapAnswer(ctx context.Context, tenantID, snapID int64) (string, bool, error) {
	var openid string
	err := s.pool.QueryRow(ctx, `UPDATE snaps s SET photos_answered_at = now()
		FROM deputies d
		WHERE s.tenant_id = $1 AND s.id = $2 AND s.photos_answered_at IS NULL
			AND d.tenant_id = s.tenant_id AND d.id = s.deputy_id
		RETURNING coalesce(d.oa_openid, '')`, tenantID, snapID).Scan(&openid)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("claim snap answer: %w", err)
	}
	return openid, true, nil
}

// ReleaseSnapAnswer takes the mark back: the answer could not be sent and will be tried again.
func (s *MediaStore) ReleaseSnapAnswer(ctx context.Context, tenantID, snapID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE snaps SET photos_answered_at = NULL WHERE tenant_id = $1 AND id = $2`, tenantID, snapID)
	if err != nil {
		return fmt.Errorf("release snap answer: %w", err)
	}
	return nil
}

// flaggedCols reads a media.FlaggedPhoto from attachments a joined to its suggestion s, its
// snap sn and its deputy d. Only photos on a suggestion past its draft are staff's to see.
const flaggedCols = `a.id, s.id, coalesce(s.number, 0), s.title, s.status::text, coalesce(sn.id, 0), coalesce(sn.note, ''),
	coalesce(a.owner_deputy_id, 0), coalesce(d.name, ''), a.check_status, a.check_label, a.hidden, a.flagged_at,
	coalesce(a.checked_at, a.flagged_at), a.thumb_key`

const flaggedFrom = `FROM attachments a
	JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id AND s.status <> 'draft'
	LEFT JOIN snaps sn ON sn.tenant_id = a.tenant_id AND sn.id = a.snap_id
	LEFT JOIN deputies d ON d.tenant_id = a.tenant_id AND d.id = a.owner_deputy_id`

func scanFlagged(row pgx.Row, tenantID int64) (media.FlaggedPhoto, *time.Time, error) {
	p := media.FlaggedPhoto{TenantID: tenantID}
	var flagged, checked *time.Time
	err := row.Scan(&p.ID, &p.SuggestionID, &p.Number, &p.Title, &p.Status, &p.SnapID, &p.SnapNote, &p.DeputyID, &p.DeputyName,
		&p.CheckStatus, &p.CheckLabel, &p.Hidden, &flagged, &checked, &p.ThumbKey)
	if flagged != nil {
		p.FlaggedAt = *flagged
	}
	if checked != nil {
		p.CheckedAt = *checked
	}
	return p, flagged, err
}

// FlaggedPhotos lists the tenant's flagged photos staff may see, by id after the cursor,
// through the partial index attachments_flagged.
func (s *MediaStore) FlaggedPhotos(ctx context.Context, tenantID, after int64, limit int) ([]media.FlaggedPhoto, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+flaggedCols+` `+flaggedFrom+`
		WHERE a.tenant_id = $1 AND a.flagged_at IS NOT NULL AND a.id > $2
		ORDER BY a.id LIMIT $3`, tenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list flagged photos: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (media.FlaggedPhoto, error) {
		p, _, err := scanFlagged(r, tenantID)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("list flagged photos: %w", err)
	}
	return out, nil
}

// FlaggedPhoto reads one flagged photo staff may see; media.ErrNotFound otherwise.
func (s *MediaStore) FlaggedPhoto(ctx context.Context, tenantID, id int64) (*media.FlaggedPhoto, error) {
	p, _, err := scanFlagged(s.pool.QueryRow(ctx, `SELECT `+flaggedCols+` `+flaggedFrom+`
		WHERE a.tenant_id = $1 AND a.id = $2 AND a.flagged_at IS NOT NULL`, tenantID, id), tenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, media.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read flagged photo: %w", err)
	}
	return &p, nil
}

// DecidePhoto records a reviewer's verdict with its timeline line in one transaction. The
// row is locked first, so of two reviewers the second finds it decided (media.ErrConflict).
// It returns the photo as it was flagged.
func (s *MediaStore) DecidePhoto(ctx context.Context, d media.PhotoDecision) (*media.FlaggedPhoto, error) {
	var out *media.FlaggedPhoto
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		p, flagged, err := scanFlagged(tx.QueryRow(ctx, `SELECT `+flaggedCols+` `+flaggedFrom+`
			WHERE a.tenant_id = $1 AND a.id = $2 FOR UPDATE OF a`, d.TenantID, d.ID), d.TenantID)
		if errors.Is(err, pgx.ErrNoRows) {
			return media.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock photo: %w", err)
		}
		if flagged == nil {
			return media.ErrConflict
		}
		hide := d.Verdict == media.VerdictHide
		if _, err := tx.Exec(ctx, `UPDATE attachments SET flagged_at = NULL, hidden = $3,
			check_status = CASE WHEN $3 THEN check_status ELSE 'pass' END,
			check_trace_id = CASE WHEN check_trace_id = '' OR check_trace_id LIKE 'staff:%' THEN check_trace_id
				ELSE 'staff:' || check_trace_id END
			WHERE tenant_id = $1 AND id = $2`, d.TenantID, d.ID, hide); err != nil {
			return fmt.Errorf("decide photo: %w", err)
		}
		action := media.ActPhotoPassed
		if hide {
			action = media.ActPhotoHidden
		}
		data, _ := json.Marshal(map[string]any{"attachment_id": p.ID, "check_status": p.CheckStatus, "check_label": p.CheckLabel})
		if _, err := tx.Exec(ctx, `INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, actor_id, action, reason, data, created_at)
			VALUES ($1, $2, 'staff', $3, $4, $5, $6, $7)`, d.TenantID, p.SuggestionID, d.ActorID, action, d.Reason, data, d.At); err != nil {
			return fmt.Errorf("record photo decision: %w", err)
		}
		out = &p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
