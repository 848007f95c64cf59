package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// 不予立案 turns a submission into an opinion letter (意见函): the reviewer forwards it to the
// units it concerns, which may then read it (and only those units); an unknown or another
// tenant's unit is refused and nothing changes.
func TestNotRegisteredOpinionForwardedToUnits(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := b.submitted(t, "关于优化公交线路的建议")

	other := b.otherTenantUnit(t)
	_, err := b.svc.NotRegisterForward(b.ctx, b.reviewer(), s.ID, s.Version, "属于部门日常工作范围", []int64{other})
	wantErr(t, err, suggestion.ErrInvalid, "unit_not_found")
	_, err = b.svc.NotRegisterForward(b.ctx, b.unit(0), s.ID, s.Version, "属于部门日常工作范围", []int64{b.tn.Units[0]})
	wantErr(t, err, suggestion.ErrNotFound, "") // a unit does not see submissions
	_, err = b.svc.NotRegisterForward(b.ctx, b.leader(), s.ID, s.Version, "属于部门日常工作范围", []int64{b.tn.Units[0]})
	wantErr(t, err, suggestion.ErrForbidden, "")
	if got := must(b.svc.Get(b.ctx, b.reviewer(), s.ID)); got.Status != suggestion.StatusSubmitted {
		t.Fatalf("a refused decision moved the case to %s", got.Status)
	}
	if _, err := b.svc.Detail(b.ctx, b.unit(0), s.ID); err == nil {
		t.Fatal("a unit reads a submission nobody forwarded to it")
	}

	s = must(b.svc.NotRegisterForward(b.ctx, b.reviewer(), s.ID, s.Version, "属于部门日常工作范围", []int64{b.tn.Units[0], b.tn.Units[0]}))
	if s.Status != suggestion.StatusNotRegistered {
		t.Fatalf("status %s", s.Status)
	}
	d := must(b.svc.Detail(b.ctx, b.unit(0), s.ID))
	if d.Suggestion.Title != "关于优化公交线路的建议" {
		t.Fatalf("the forwarded unit reads %q", d.Suggestion.Title)
	}
	_, err = b.svc.Detail(b.ctx, b.unit(1), s.ID)
	wantErr(t, err, suggestion.ErrNotFound, "")
	got := must(b.svc.ForwardedOpinions(b.ctx, b.unit(0), 0))
	if len(got) != 1 || got[0].SuggestionID != s.ID || got[0].Reason != "属于部门日常工作范围" || got[0].LeadName == "" {
		t.Fatalf("unit 0's letters: %+v", got)
	}
	if got := must(b.svc.ForwardedOpinions(b.ctx, b.unit(1), 0)); len(got) != 0 {
		t.Fatalf("unit 1's letters: %+v", got)
	}
	// Forwarded or not, a letter owes nothing: the unit cannot act on it.
	_, err = b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已研究", false)
	if err == nil {
		t.Fatal("a unit wrote progress on an opinion letter")
	}
}

// otherTenantUnit is a unit of another tenant on the same database.
func (b *bundle) otherTenantUnit(t *testing.T) int64 {
	t.Helper()
	return pgtest.NewTenant(t, b.pool).Units[0]
}
