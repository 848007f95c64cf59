package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"jianyi/internal/media"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// InsertAttachment decides whether the target still takes the photo with the insert itself:
// a suggestion past its draft (or returned) takes none, a snap turned (or being turned) into
// a draft takes none, a full target takes none, and a photo from a media id the snap has is
// that photo even when the snap is full.
func TestInsertAttachmentChecksTarget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	st := postgres.NewMediaStore(pool)
	dep := tn.Deputies[0]
	n := 0
	photo := func(target media.Target, source string) *media.Attachment {
		n++
		return &media.Attachment{TenantID: tn.ID, Target: target, OwnerDeputy: dep, ObjectKey: fmt.Sprintf("k/%d.jpg", n),
			ThumbKey: fmt.Sprintf("k/%d-thumb.jpg", n), ContentType: media.TypeJPEG, CheckStatus: "pending", SourceMediaID: source}
	}
	suggestion := func(status string) media.Target {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status)
			VALUES ($1, $2, $3, '关于路灯维修的建议', '多条道路路灯损坏。', $4) RETURNING id`, tn.ID, tn.MeetingID, dep, status).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return media.Target{Kind: media.KindSuggestion, ID: id}
	}
	snap := func(suggestionID any) media.Target {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO snaps (tenant_id, deputy_id, note, suggestion_id) VALUES ($1, $2, '路灯不亮', $3) RETURNING id`,
			tn.ID, dep, suggestionID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return media.Target{Kind: media.KindSnap, ID: id}
	}
	draft := suggestion("draft")
	for _, c := range []struct {
		name   string
		target media.Target
		want   error
	}{
		{"draft", draft, nil},
		{"returned for revision", suggestion("returned"), nil},
		{"submitted", suggestion("submitted"), media.ErrTargetClosed},
		{"registered", suggestion("registered"), media.ErrTargetClosed},
		{"snap", snap(nil), nil},
		{"snap turned into a draft", snap(draft.ID), media.ErrTargetClosed},
		{"snap being turned into a draft", snap(-1), media.ErrTargetClosed},
		{"no such suggestion", media.Target{Kind: media.KindSuggestion, ID: 1 << 40}, media.ErrNotFound},
		{"no such snap", media.Target{Kind: media.KindSnap, ID: 1 << 40}, media.ErrNotFound},
	} {
		err := st.InsertAttachment(ctx, photo(c.target, ""))
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}

	full := snap(nil)
	for i := range media.MaxPhotos {
		if err := st.InsertAttachment(ctx, photo(full, fmt.Sprintf("media-%d", i))); err != nil {
			t.Fatalf("photo %d: %v", i+1, err)
		}
	}
	if err := st.InsertAttachment(ctx, photo(full, "")); !errors.Is(err, media.ErrTargetFull) {
		t.Fatalf("tenth photo: %v, want ErrTargetFull", err)
	}
	if err := st.InsertAttachment(ctx, photo(full, "media-3")); !errors.Is(err, media.ErrSourceStored) {
		t.Fatalf("a photo stored already, on a full snap: %v, want ErrSourceStored", err)
	}
	if got := pgtest.Count(t, pool, `SELECT count(*) FROM attachments WHERE snap_id = $1`, full.ID); got != media.MaxPhotos {
		t.Fatalf("%d photos on the full snap", got)
	}
}

// Twenty photos inserted at once on one draft: nine are recorded, the others refused.
func TestInsertAttachmentConcurrentCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	st := postgres.NewMediaStore(pool)
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status)
		VALUES ($1, $2, $3, '关于路灯维修的建议', '多条道路路灯损坏。', 'draft') RETURNING id`, tn.ID, tn.MeetingID, tn.Deputies[0]).Scan(&id); err != nil {
		t.Fatal(err)
	}
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = st.InsertAttachment(ctx, &media.Attachment{TenantID: tn.ID, Target: media.Target{Kind: media.KindSuggestion, ID: id},
				OwnerDeputy: tn.Deputies[0], ObjectKey: fmt.Sprintf("c/%d.jpg", i), ContentType: media.TypeJPEG, CheckStatus: "pending"})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, media.ErrTargetFull):
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if got := pgtest.Count(t, pool, `SELECT count(*) FROM attachments WHERE suggestion_id = $1`, id); ok != media.MaxPhotos || got != media.MaxPhotos {
		t.Fatalf("%d inserts succeeded, %d photos recorded, want %d", ok, got, media.MaxPhotos)
	}
}
