package suggestion_test

import (
	"jianyi/internal/auth"
	"testing"

	"jianyi/internal/remind"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
)

// 答复公开: a reviewer publishes a reply once; from then on the tenant's public page lists it
// with phone and identity numbers masked and without the deputy, the timeline records it, and
// the publication clock stops asking the reviewers. Nobody else can publish, and another
// tenant's page never shows it.
func TestPublishReply(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.replied(t, "关于民政路拓宽的建议", suggestion.ClassA)
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	reply := det.Replies[0]
	if reply.PublishedAt != nil {
		t.Fatal("a new reply is already public")
	}
	publishDue := func() bool {
		t.Helper()
		_, ok, err := postgres.NewRemindStore(b.pool).Obligation(b.ctx, b.tn.ID, remind.ClockPublish, reply.ID, reply.Round)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !publishDue() {
		t.Fatal("an unpublished reply owes no publication")
	}
	code := b.tenantCode(t)
	if got := must(b.svc.PublishedReplies(b.ctx, code, 0, 20)); len(got) != 0 {
		t.Fatalf("unpublished reply on the public page: %+v", got)
	}

	for _, who := range []auth.Actor{b.unit(0), b.leader(), b.coordinator(), b.deputy(0)} {
		wantErr(t, b.svc.PublishReply(b.ctx, who, s.ID, reply.ID), suggestion.ErrForbidden, "")
	}
	wantErr(t, b.svc.PublishReply(b.ctx, b.reviewer(), s.ID, reply.ID+1000), suggestion.ErrNotFound, "reply_not_found")
	other, _ := b.replied(t, "关于公园厕所改造的建议", suggestion.ClassA)
	wantErr(t, b.svc.PublishReply(b.ctx, b.reviewer(), other.ID, reply.ID), suggestion.ErrNotFound, "reply_not_found")

	noErr(b.svc.PublishReply(b.ctx, b.reviewer(), s.ID, reply.ID))
	wantErr(t, b.svc.PublishReply(b.ctx, b.reviewer(), s.ID, reply.ID), suggestion.ErrConflict, "already_published")
	det = must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	if det.Replies[0].PublishedAt == nil || !det.Replies[0].PublishedAt.Equal(b.now) {
		t.Fatalf("published at %v, want %v", det.Replies[0].PublishedAt, b.now)
	}
	if last := det.Timeline[len(det.Timeline)-1]; last.Action != string(suggestion.ActPublishReply) {
		t.Fatalf("timeline ends with %s", last.Action)
	}
	if publishDue() {
		t.Fatal("a published reply still owes its publication")
	}
	got := must(b.svc.PublishedReplies(b.ctx, code, 0, 20))
	if len(got) != 1 || got[0].ID != reply.ID || got[0].Number != s.Number || got[0].Title != s.Title || got[0].UnitName == "" {
		t.Fatalf("public page: %+v", got)
	}
	if got := must(b.svc.PublishedReplies(b.ctx, "no-such-tenant", 0, 20)); len(got) != 0 {
		t.Fatalf("another tenant's page shows %+v", got)
	}
}

func (b *bundle) tenantCode(t *testing.T) string {
	t.Helper()
	var code string
	if err := b.pool.QueryRow(b.ctx, `SELECT code FROM tenants WHERE id=$1`, b.tn.ID).Scan(&code); err != nil {
		t.Fatal(err)
	}
	return code
}

func TestMaskPersonal(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"经办人电话13912345678，欢迎监督", "经办人电话139****5678，欢迎监督"},
		{"联系电话：0937-6200000或13800001111、13800002222", "联系电话：0937-*******或138****1111、138****2222"},
		{"身份证号620200199001011234", "身份证号620200********1234"},
		{"身份证号62020019900101123X。", "身份证号620200********123X。"},
		{"共投入资金2000000元，完成120000平方米", "共投入资金2000000元，完成120000平方米"},
		{"订单号12345678901234567890不是电话", "订单号12345678901234567890不是电话"},
		{"2026年3月20日已完成", "2026年3月20日已完成"},
		{"没有数字", "没有数字"},
		{"电话139 1234 5678。", "电话139****5678。"},
		{"电话139-1234-5678", "电话139****5678"},
		{"电话+8613912345678", "电话139****5678"},
		{"电话+86 139 1234 5678", "电话139****5678"},
		{"电话8613912345678", "电话139****5678"},
		{"电话１３９１２３４５６７８", "电话139****5678"},
		{"电话(0937)6200000", "电话0937-*******"},
		{"电话010-12345678", "电话010-********"},
		{"身份证620200 19900101 1234", "身份证620200********1234"},
		{"两位经办人13912345678 13800001111", "两位经办人139****5678 138****1111"},
		{"2026-03-20完成，面积3.5万平方米，投资1.2亿元", "2026-03-20完成，面积3.5万平方米，投资1.2亿元"},
		{"第0001号建议", "第0001号建议"},
		{"电话0937-6200000-801", "电话0937-*******-801"},
		{"联系电话13912345678-13800001111", "联系电话139****5678-138****1111"},
		{"电话：0937-6200000，13912345678。", "电话：0937-*******，139****5678。"},
		// However the groups are separated: what an IME, a copied document or a careful
		// officer types between them.
		{"联系电话138　1234　5678 或 139—8765—4321", "联系电话138****5678 或 139****4321"},
		{"电话138/1234/5678", "电话138****5678"},
		{"电话138_1234_5678、138~1234~5678", "电话138****5678、138****5678"},
		{"电话138*1234*5678", "电话138****5678"},
		{"电话138，1234，5678。", "电话138****5678。"},
		{"电话138–1234–5678", "电话138****5678"},
		{"身份证620200　19900101　1234", "身份证620200********1234"},
		{"电话0937—6200000", "电话0937-*******"},
		{"联系电话138，1234，5678、13987654321", "联系电话138****5678、139****4321"},
		{"电话138／1234／5678", "电话138****5678"},
		{"电话138\t1234\t5678", "电话138****5678"},
		{"电话138\u200b1234\u200b5678", "电话138****5678"},
		{"电话138．1234．5678", "电话138****5678"},
		{"身份证620200—19900101—123Ｘ", "身份证620200********123X"},
		{"电话（0937）6200000", "电话0937-*******"},
		{"电话0937 620 0000，+86-139-1234-5678", "电话0937-*******，139****5678"},
		{"单号2026138000011110，QQ 12345678901", "单号2026138000011110，QQ 12345678901"},
		// Dates, amounts and lists written with the same signs are not numbers of a person.
		{"2026/03/20完成，投资1,200,000元，第1、2、3条", "2026/03/20完成，投资1,200,000元，第1、2、3条"},
		{"工期2026—2027年，已公开的电话139****5678", "工期2026—2027年，已公开的电话139****5678"},
		{"工期2026/03/15—2026/04/15", "工期2026/03/15—2026/04/15"},
		{"工期2026-03-15—2026-04-15", "工期2026-03-15—2026-04-15"},
		{"工期2026-03-15~2026-04-15", "工期2026-03-15~2026-04-15"},
		{"工期2026.03.15-2026.04.15", "工期2026.03.15-2026.04.15"},
		{"工期2026 03 15 至 2026 04 15", "工期2026 03 15 至 2026 04 15"},
		{"总投资13,800,000,000元", "总投资13,800,000,000元"},
		{"第1、3、5、7、9、11、13、15条", "第1、3、5、7、9、11、13、15条"},
		{"第01、02、03、04、05条", "第01、02、03、04、05条"},
	}
	for _, c := range cases {
		if got := suggestion.MaskPersonal(c.in); got != c.want {
			t.Errorf("MaskPersonal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
