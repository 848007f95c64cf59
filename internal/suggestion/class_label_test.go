package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// A tenant that names its reply classes its own way (管理 → 答复分类) is read with its names on
// every page that shows a reply: the deputy's (mini-program, bot) as well as staff's; a class
// it did not rename keeps PRODUCT.md's label.
func TestReplyCarriesTheTenantsClassLabel(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	pgtest.MustExec(t, b.pool, `UPDATE tenants SET reply_labels = '{"B":"已列入年度计划"}' WHERE id = $1`, b.tn.ID)
	renamed, _ := b.replied(t, "关于民政路拓宽的建议", suggestion.ClassB)
	kept, _ := b.replied(t, "关于口袋公园建设的建议", suggestion.ClassA)
	for _, c := range []struct {
		s    *suggestion.Suggestion
		want string
	}{{renamed, "已列入年度计划"}, {kept, suggestion.DefaultClassLabels[suggestion.ClassA]}} {
		for who, d := range map[string]*suggestion.Detail{
			"lead deputy": must(b.svc.Detail(b.ctx, b.deputy(0), c.s.ID)),
			"reviewer":    must(b.svc.Detail(b.ctx, b.reviewer(), c.s.ID)),
		} {
			if len(d.Replies) != 1 || d.Replies[0].ClassLabel != c.want {
				t.Errorf("%s reads %+v, want the label %q", who, d.Replies, c.want)
			}
		}
	}
}
