package postgres_test

import (
	"context"
	"slices"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// The deputy's "my suggestions" merges the led and the co-signed arms newest first and stops
// after one page: check paging, roles, de-duplication and tenant scoping.
func TestDeputyListPagesLedAndCosigned(t *testing.T) {
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'a', '甲'), (2, 'b', '乙')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on) VALUES (1, 1, 'm', 2026, '2026-01-01', '2026-01-05'), (2, 2, 'm', 2026, '2026-01-01', '2026-01-05')`)
	ex(`INSERT INTO categories (tenant_id, id, name) VALUES (1, 1, '城建')`)
	ex(`INSERT INTO deputies (tenant_id, id, name) VALUES (1, 1, '张三'), (1, 2, '李四'), (2, 3, '王五')`)
	// Deputy 1 leads 1..10 (odd ones in category 1); deputy 2 leads 11..20; deputy 1 co-signs
	// 12 (accepted), 14 (invited), 16 (declined: not listed), and co-signs its own 5 as well.
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status, category_id)
		SELECT 1, g, 1, CASE WHEN g <= 10 THEN 1 ELSE 2 END, '建议' || g, 'b', 'submitted',
			CASE WHEN g % 2 = 1 THEN 1 END FROM generate_series(1, 20) g`)
	ex(`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status) VALUES (2, 21, 2, 3, '别家', 'b', 'submitted')`)
	ex(`INSERT INTO suggestion_cosigners (tenant_id, suggestion_id, deputy_id, state) VALUES
		(1, 12, 1, 'accepted'), (1, 14, 1, 'invited'), (1, 16, 1, 'declined'), (1, 5, 1, 'accepted')`)

	ctx := context.Background()
	st := postgres.NewSuggestionStore(pool)
	me := auth.Deputy(1, 1)
	ids := func(f suggestion.ListFilter) []int64 {
		t.Helper()
		xs, err := st.List(ctx, me, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var out []int64
		for _, x := range xs {
			out = append(out, x.ID)
			if want := map[int64]string{1: "张三", 2: "李四"}[x.LeadDeputyID]; x.LeadName != want {
				t.Errorf("%d: lead name %q, want %q", x.ID, x.LeadName, want)
			}
			if (x.CategoryID == 1) != (x.Category == "城建") {
				t.Errorf("%d: category %q", x.ID, x.Category)
			}
		}
		return out
	}
	for _, tc := range []struct {
		f    suggestion.ListFilter
		want []int64
	}{
		{suggestion.ListFilter{Limit: 20}, []int64{14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{suggestion.ListFilter{Limit: 3}, []int64{14, 12, 10}},
		{suggestion.ListFilter{Limit: 3, Before: 10}, []int64{9, 8, 7}},
		{suggestion.ListFilter{Limit: 4, Before: 6}, []int64{5, 4, 3, 2}},
		{suggestion.ListFilter{Limit: 20, Role: "lead"}, []int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{suggestion.ListFilter{Limit: 2, Role: "lead", Before: 3}, []int64{2, 1}},
		{suggestion.ListFilter{Limit: 20, Role: "cosigned"}, []int64{14, 12, 5}},
		{suggestion.ListFilter{Limit: 1, Role: "cosigned", Before: 14}, []int64{12}},
		// With a filter the arms are not cut before filtering.
		{suggestion.ListFilter{Limit: 3, CategoryID: 1}, []int64{9, 7, 5}},
		{suggestion.ListFilter{Limit: 20, Query: "建议1"}, []int64{14, 12, 10, 1}},
	} {
		if got := ids(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.f, got, tc.want)
		}
	}
	// Another tenant's deputy with the same id sees nothing of tenant 1.
	xs, err := st.List(ctx, auth.Deputy(2, 1), suggestion.ListFilter{Limit: 20})
	if err != nil || len(xs) != 0 {
		t.Fatalf("other tenant: %v %v", xs, err)
	}
}
