package notify_test

import (
	"fmt"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
)

// TestCosignInvitationNamesTheLeadDeputy: the invited deputy reads who asks.
func TestCosignInvitationNamesTheLeadDeputy(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	lead := auth.Deputy(b.tn.ID, b.tn.Deputies[0])
	var name string
	if err := b.pool.QueryRow(b.ctx, `SELECT name FROM deputies WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Deputies[0]).Scan(&name); err != nil {
		t.Fatal(err)
	}
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: drainTitle, Body: "雨季老旧小区积水严重，建议改造排水管网。"}))
	if err := b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1]}); err != nil {
		t.Fatal(err)
	}
	b.drain(t)
	title, body, page, note := noticeOf(t, b, "deputy", b.tn.Deputies[1], notify.KindCosignInvited)
	wantText(t, "title", title, "联名邀请")
	wantText(t, "invitation", body, name+"代表邀请您联名提出建议《"+drainTitle+"》，请确认。")
	wantText(t, "note", note, name+"代表邀请您联名")
	wantText(t, "page", page, fmt.Sprintf("pages/suggestion/detail?id=%d", d.ID))
}
