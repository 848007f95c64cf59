package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// partsFixture adds three submitted suggestions of tn's first deputy and returns their ids.
func partsFixture(t *testing.T, pool *pgxpool.Pool, tn *pgtest.Tenant) [3]int64 {
	t.Helper()
	var ids [3]int64
	for i := range ids {
		if err := pool.QueryRow(context.Background(), `INSERT INTO suggestions (tenant_id, meeting_id, lead_deputy_id, title, body, status)
			VALUES ($1, $2, $3, '关于路灯维修的建议', '多条道路路灯损坏，夜间出行不便，建议尽快维修。', 'submitted') RETURNING id`,
			tn.ID, tn.MeetingID, tn.Deputies[0]).Scan(&ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// The detail page reads only the parts suggestions.parts names. Rows written by any means,
// not only by the workflow, must show: a progress note inserted by hand, and photos that
// reach a draft when the snap they were taken for becomes it.
func TestDetailShowsPartsWrittenOutsideTheWorkflow(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	tn := pgtest.NewTenant(t, pool)
	st := postgres.NewSuggestionStore(pool)
	ids := partsFixture(t, pool, tn)
	pgtest.MustExec(t, pool, `UPDATE suggestions SET category_id = $2 WHERE id = $1`, ids[0], tn.Categories[0])

	d, err := st.Detail(ctx, tn.ID, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Progress) != 0 || d.HasPhotos || len(d.Cosigners) != 0 {
		t.Fatalf("a fresh suggestion has parts: %+v", d)
	}
	if d.LeadName != "张建国" || d.Category != "城市建设" {
		t.Errorf("names on the detail: lead %q, category %q", d.LeadName, d.Category)
	}
	before := d.Suggestion

	pgtest.MustExec(t, pool, `INSERT INTO progress_notes (tenant_id, suggestion_id, author_user_id, body) VALUES ($1, $2, $3, '已现场查看')`,
		tn.ID, ids[0], tn.Handlers[0])
	var snap int64
	if err := pool.QueryRow(ctx, `INSERT INTO snaps (tenant_id, deputy_id, note) VALUES ($1, $2, '路灯不亮') RETURNING id`,
		tn.ID, tn.Deputies[0]).Scan(&snap); err != nil {
		t.Fatal(err)
	}
	pgtest.MustExec(t, pool, `INSERT INTO attachments (tenant_id, snap_id, owner_deputy_id, object_key, content_type, size_bytes)
		VALUES ($1, $2, $3, 'p/1.jpg', 'image/jpeg', 1000)`, tn.ID, snap, tn.Deputies[0])
	if linked, err := postgres.NewMediaStore(pool).LinkSnap(ctx, tn.ID, snap, ids[0]); err != nil || !linked {
		t.Fatalf("link snap: %v %v", linked, err)
	}

	d, err = st.Detail(ctx, tn.ID, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Progress) != 1 || d.Progress[0].Body != "已现场查看" {
		t.Errorf("progress note written by hand is missing: %+v", d.Progress)
	}
	if !d.HasPhotos {
		t.Error("the snap's photos moved to the suggestion but the detail does not look for them")
	}
	// Marking a part is not a change of the suggestion: staff holding its version are not
	// refused, and its last change time stays.
	if d.Suggestion.Version != before.Version || !d.Suggestion.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("marking parts changed version %d→%d, updated_at %v→%v", before.Version, d.Suggestion.Version, before.UpdatedAt, d.Suggestion.UpdatedAt)
	}
	// The other suggestions have nothing.
	d, err = st.Detail(ctx, tn.ID, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Progress) != 0 || d.HasPhotos {
		t.Errorf("another suggestion's parts leaked: %+v", d)
	}
}

// Rows written before migration 00064 are marked by it.
func TestPartsMigrationMarksEarlierRows(t *testing.T) {
	ctx := context.Background()
	pool, dsn := pgtest.At(t, 63)
	tn := pgtest.NewTenant(t, pool)
	ids := partsFixture(t, pool, tn)
	pgtest.MustExec(t, pool, `INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES ($1, $2, $3, 'accepted')`,
		tn.ID, ids[0], tn.Deputies[1])
	pgtest.MustExec(t, pool, `INSERT INTO progress_notes (tenant_id, suggestion_id, author_user_id, body) VALUES ($1, $2, $3, '已受理')`,
		tn.ID, ids[1], tn.Handlers[0])
	pgtest.MustExec(t, pool, `INSERT INTO attachments (tenant_id, suggestion_id, owner_deputy_id, object_key, content_type, size_bytes)
		VALUES ($1, $2, $3, 'p/2.jpg', 'image/jpeg', 1000)`, tn.ID, ids[1], tn.Deputies[0])
	pgtest.MustExec(t, pool, `INSERT INTO assignments (tenant_id, suggestion_id, unit_id, role, due_at, return_due_at)
		VALUES ($1, $2, $3, 'lead', now() + interval '3 months', now() + interval '10 days')`, tn.ID, ids[2], tn.Units[0])
	pool.Reset() // the columns change under the cached statements

	if err := postgres.Migrate(ctx, dsn, "up"); err != nil {
		t.Fatal(err)
	}
	st := postgres.NewSuggestionStore(pool)
	for i, want := range []struct{ cosigners, progress, units int }{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}} {
		d, err := st.Detail(ctx, tn.ID, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Cosigners) != want.cosigners || len(d.Progress) != want.progress || len(d.Assignments) != want.units || d.HasPhotos != (i == 1) {
			t.Errorf("suggestion %d after the migration: %d cosigners, %d notes, %d units, photos %v",
				i, len(d.Cosigners), len(d.Progress), len(d.Assignments), d.HasPhotos)
		}
	}
}
