package notify_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/wechat/wechattest"
)

// rulesSetup: one deputy bound on both apps, no digest, no quiet hours unless a test sets them.
func rulesSetup(t *testing.T, digestMinutes int, quiet bool) (*bundle, *notify.Publisher, int64) {
	t.Helper()
	b := setup(t)
	qs, qe := 0, 0
	if quiet {
		qs, qe = 22*60, 7*60+30
	}
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes, quiet_start, quiet_end) VALUES ($1, $2, $3, $4)`, b.tn.ID, digestMinutes, qs, qe)
	dep := b.tn.Deputies[0]
	b.exec(t, `UPDATE deputies SET mp_openid = 'mp-x', oa_openid = 'oa-x', oa_following = true WHERE tenant_id = $1 AND id = $2`, b.tn.ID, dep)
	return b, notify.NewPublisher(b.store, b.queue, b.clock, nil), dep
}

func (b *bundle) publish(t *testing.T, pub *notify.Publisher, key string, dep int64) {
	t.Helper()
	spec := notify.NoticeSpec{Audience: notify.Audience{DeputyIDs: []int64{dep}}, Kind: notify.KindProgress,
		Title: "建议办理有新进展" + key, Body: "正文", Page: "pages/suggestion/detail?id=1",
		Fields: map[string]string{notify.FieldThing: "关于民政路的建议", notify.FieldPhrase: "有进展", notify.FieldNote: "点击查看", notify.FieldTime: "2026-03-23 10:00"}}
	if _, err := pub.Publish(b.ctx, b.tn.ID, 0, key, []notify.NoticeSpec{spec}); err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) channelStatus(t *testing.T, key string) string {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT d.channel, d.status, d.reason, d.wechat_code FROM deliveries d
		JOIN notices n ON n.tenant_id = d.tenant_id AND n.id = d.notice_id
		WHERE n.tenant_id = $1 AND n.delivery_key LIKE $2 || ':%' ORDER BY d.seq`, b.tn.ID, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ch, st, reason string
		var code int
		_ = rows.Scan(&ch, &st, &reason, &code)
		s := ch + "=" + st
		if reason != "" {
			s += "/" + reason
		}
		if code != 0 {
			s += "/" + strconv.Itoa(code)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestOneTimeCreditConsumedThenFallback(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 0, false)
	if err := b.credit.Record(b.ctx, b.tn.ID, dep, "TPL_mp_subscribe", false, true); err != nil {
		t.Fatal(err)
	}
	b.publish(t, pub, "a", dep)
	b.drain(t)
	b.publish(t, pub, "b", dep)
	b.drain(t)
	if got := b.channelStatus(t, "a"); got != "inapp=sent mp_subscribe=sent oa_template=skipped/sent_via_mp_subscribe" {
		t.Errorf("first: %s", got)
	}
	if got := b.channelStatus(t, "b"); got != "inapp=sent mp_subscribe=skipped/no_credit oa_template=sent" {
		t.Errorf("second (credit used up): %s", got)
	}
	if n := b.count(t, `SELECT one_time FROM notify_credits WHERE tenant_id = $1 AND deputy_id = $2`, b.tn.ID, dep); n != 0 {
		t.Errorf("one-time credits left %d", n)
	}
	// The channel is claimed as it is read, then skipped: it must read as never tried.
	if n := b.count(t, `SELECT count(*) FROM deliveries WHERE tenant_id = $1 AND status = 'skipped' AND reason = 'no_credit'
		AND attempts = 0 AND claimed_at IS NULL`, b.tn.ID); n != 1 {
		t.Errorf("skipped no_credit deliveries that read as never claimed: %d, want 1", n)
	}
}

func TestWeChatRefusalsFallBackAndAreRecorded(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 0, false)
	if err := b.credit.Record(b.ctx, b.tn.ID, dep, "TPL_mp_subscribe", true, true); err != nil {
		t.Fatal(err)
	}
	b.app.FailNext(wechattest.APISubscribeSend, 43101, 1)
	b.app.SetNotFollowing("oa-x")
	b.publish(t, pub, "a", dep)
	b.drain(t)
	if got := b.channelStatus(t, "a"); got != "inapp=sent mp_subscribe=failed/no_credit/43101 oa_template=failed/not_following/43004" {
		t.Errorf("statuses: %s", got)
	}
	if n := b.count(t, `SELECT count(*) FROM notify_credits WHERE tenant_id = $1 AND deputy_id = $2 AND (long_term OR one_time > 0)`, b.tn.ID, dep); n != 0 {
		t.Error("43101 must clear the credit")
	}
	if n := b.count(t, `SELECT count(*) FROM deputies WHERE tenant_id = $1 AND id = $2 AND oa_following`, b.tn.ID, dep); n != 0 {
		t.Error("43004 must clear the follow status")
	}
	// The in-app notice is there whatever WeChat said.
	if n, _ := b.inbox.UnreadCount(b.ctx, b.tn.ID, notify.RecipientDeputy, dep); n != 1 {
		t.Errorf("unread = %d", n)
	}
}

func TestQuotaPausesChannelAndRetriesLater(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 0, false)
	if err := b.credit.Record(b.ctx, b.tn.ID, dep, "TPL_mp_subscribe", true, true); err != nil {
		t.Fatal(err)
	}
	b.app.FailNext(wechattest.APISubscribeSend, 45009, 1)
	b.publish(t, pub, "a", dep)
	b.drain(t)
	if got := b.channelStatus(t, "a"); got != "inapp=sent mp_subscribe=pending/quota/45009 oa_template=pending" {
		t.Fatalf("after 45009: %s", got)
	}
	if left, _ := b.pause.Paused(b.ctx, b.tn.ID, notify.ChannelMPSubscribe); left <= 0 {
		t.Fatal("channel not paused")
	}
	b.publish(t, pub, "b", dep) // waits for the pause too
	b.drain(t)
	if b.app.Count(wechattest.APISubscribeSend) != 1 {
		t.Fatalf("sent during the pause: %d calls", b.app.Count(wechattest.APISubscribeSend))
	}
	// The pause ends (the key expires) and the clock passes send_after.
	if err := b.pause.Pause(b.ctx, b.tn.ID, notify.ChannelMPSubscribe, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for left, _ := b.pause.Paused(b.ctx, b.tn.ID, notify.ChannelMPSubscribe); left > 0; left, _ = b.pause.Paused(b.ctx, b.tn.ID, notify.ChannelMPSubscribe) {
		time.Sleep(time.Millisecond)
	}
	b.clock.Add(31 * time.Minute)
	b.drain(t)
	if got := b.channelStatus(t, "a"); got != "inapp=sent mp_subscribe=sent oa_template=skipped/sent_via_mp_subscribe" {
		t.Errorf("after the pause: %s", got)
	}
	if got := b.channelStatus(t, "b"); !strings.Contains(got, "mp_subscribe=sent") {
		t.Errorf("second after the pause: %s", got)
	}
}

func TestDigestAndQuietHours(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 10, true)
	if err := b.credit.Record(b.ctx, b.tn.ID, dep, "TPL_mp_subscribe", true, true); err != nil {
		t.Fatal(err)
	}
	b.clock.Set(time.Date(2026, 3, 23, 10, 0, 0, 0, deadline.Shanghai))
	b.publish(t, pub, "a", dep) // leading edge: at once
	b.drain(t)
	b.clock.Add(2 * time.Minute)
	b.publish(t, pub, "b", dep)
	b.clock.Add(time.Minute)
	b.publish(t, pub, "c", dep)
	b.drain(t)
	if n := b.app.Count(wechattest.APISubscribeSend); n != 1 {
		t.Fatalf("pushes inside the window: %d, want 1", n)
	}
	if n, _ := b.inbox.UnreadCount(b.ctx, b.tn.ID, notify.RecipientDeputy, dep); n != 3 {
		t.Fatalf("in-app notices must be immediate: %d", n)
	}
	b.clock.Set(time.Date(2026, 3, 23, 10, 10, 0, 0, deadline.Shanghai))
	b.drain(t)
	calls := b.app.Calls(wechattest.APISubscribeSend)
	if len(calls) != 2 || !strings.Contains(string(calls[1].Body), "您有2条新通知") || !strings.Contains(string(calls[1].Body), notify.PageInbox) {
		t.Fatalf("want one digest of 2 at the window's end; calls %d: %s", len(calls), calls[len(calls)-1].Body)
	}
	if n := b.count(t, `SELECT count(*) FROM deliveries WHERE tenant_id = $1 AND channel = 'mp_subscribe' AND status = 'sent'`, b.tn.ID); n != 3 {
		t.Errorf("sent rows %d, want 3 (one folded into the digest)", n)
	}
	if n := b.count(t, `SELECT count(*) FROM deliveries WHERE tenant_id = $1 AND digest_of IS NOT NULL`, b.tn.ID); n != 1 {
		t.Errorf("digest_of rows %d, want 1", n)
	}

	// 23:00: in-app now, the push at 07:30.
	b.clock.Set(time.Date(2026, 3, 23, 23, 0, 0, 0, deadline.Shanghai))
	b.publish(t, pub, "night", dep)
	b.drain(t)
	if n := b.app.Count(wechattest.APISubscribeSend); n != 2 {
		t.Fatalf("pushed during quiet hours: %d", n)
	}
	var after time.Time
	_ = b.pool.QueryRow(b.ctx, `SELECT d.send_after FROM deliveries d JOIN notices n ON n.tenant_id = d.tenant_id AND n.id = d.notice_id
		WHERE n.tenant_id = $1 AND n.delivery_key LIKE 'night:%' AND d.channel = 'mp_subscribe'`, b.tn.ID).Scan(&after)
	if got := after.In(deadline.Shanghai).Format("01-02 15:04"); got != "03-24 07:30" {
		t.Errorf("night push scheduled %s, want 03-24 07:30", got)
	}
	b.clock.Set(time.Date(2026, 3, 24, 7, 31, 0, 0, deadline.Shanghai))
	b.drain(t)
	if n := b.app.Count(wechattest.APISubscribeSend); n != 3 {
		t.Errorf("morning push not sent: %d calls", n)
	}
}

func TestDuplicateTasksSendOnce(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 0, false)
	if err := b.credit.Record(b.ctx, b.tn.ID, dep, "TPL_mp_subscribe", true, true); err != nil {
		t.Fatal(err)
	}
	b.publish(t, pub, "a", dep)
	var id int64
	_ = b.pool.QueryRow(b.ctx, `SELECT id FROM deliveries WHERE tenant_id = $1 AND channel = 'mp_subscribe'`, b.tn.ID).Scan(&id)
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- b.deliv.Deliver(b.ctx, b.tn.ID, id) }()
	}
	for range 8 {
		<-errs
	}
	if err := b.deliv.Deliver(b.ctx, b.tn.ID, id); err != nil {
		t.Fatal(err)
	}
	if n := b.app.Count(wechattest.APISubscribeSend); n != 1 {
		t.Fatalf("8 concurrent tasks for one delivery made %d sends", n)
	}
}

func TestTemplateSendJobFinishRecorded(t *testing.T) {
	t.Parallel()
	b, pub, _ := rulesSetup(t, 0, false)
	dep := b.tn.Deputies[0] // no subscribe credit: the official account carries it
	b.publish(t, pub, "a", dep)
	b.drain(t)
	var msgID int64
	if err := b.pool.QueryRow(b.ctx, `SELECT COALESCE(wechat_msgid, 0) FROM deliveries WHERE tenant_id = $1 AND channel = 'oa_template' AND status = 'sent'`, b.tn.ID).Scan(&msgID); err != nil || msgID == 0 {
		t.Fatalf("template msgid not kept: %d %v", msgID, err)
	}
	ds := notify.NewDeliveries(b.store)
	if err := ds.RecordOATemplateResult(b.ctx, b.tn.ID, msgID+12345, "success"); err != nil {
		t.Fatalf("unknown msgid must be a no-op: %v", err)
	}
	if err := ds.RecordOATemplateResult(b.ctx, b.tn.ID+1, msgID, "failed:user block"); err != nil {
		t.Fatal(err)
	}
	if got := b.channelStatus(t, "a"); !strings.Contains(got, "oa_template=sent") {
		t.Fatalf("another tenant's report changed this one: %s", got)
	}
	if err := ds.RecordOATemplateResult(b.ctx, b.tn.ID, msgID, "failed:user block"); err != nil {
		t.Fatal(err)
	}
	if got := b.channelStatus(t, "a"); !strings.Contains(got, "oa_template=failed/user_block") {
		t.Fatalf("after the report: %s", got)
	}
}

// perKindTemplates gives progress notices their own subscribe template (the `*` fallback stays)
// and the deputy one-time credits for that template only, plus digestCredits for the digest
// template when digestTpl is set.
func perKindTemplates(t *testing.T, b *bundle, dep int64, progressCredits int, digestTpl string, digestCredits int) {
	t.Helper()
	tpls := notify.NewTemplates(b.store)
	set := []notify.TemplateID{{Kind: notify.KindProgress, Channel: notify.ChannelMPSubscribe, TemplateID: "TPL_progress"}}
	if digestTpl != "" {
		set = append(set, notify.TemplateID{Kind: notify.KindDigest, Channel: notify.ChannelMPSubscribe, TemplateID: digestTpl})
	}
	for _, x := range set {
		if err := tpls.Set(b.ctx, b.tn.ID, x); err != nil {
			t.Fatal(err)
		}
	}
	for range progressCredits {
		if err := b.credit.Record(b.ctx, b.tn.ID, dep, "TPL_progress", false, true); err != nil {
			t.Fatal(err)
		}
	}
	for range digestCredits {
		if err := b.credit.Record(b.ctx, b.tn.ID, dep, digestTpl, false, true); err != nil {
			t.Fatal(err)
		}
	}
}

func (b *bundle) credits(t *testing.T, dep int64, tpl string) int {
	t.Helper()
	return b.count(t, `SELECT coalesce(sum(one_time), 0) FROM notify_credits WHERE tenant_id = $1 AND deputy_id = $2
		AND template_id = $3`, b.tn.ID, dep, tpl)
}

// TestDigestWithoutDigestCreditSendsAlone: the deputy holds credits only for the progress
// template; the digest (which would use the `*` template) cannot be paid for, so each push goes
// alone with its own template and credit instead of being lost as no_credit.
func TestDigestWithoutDigestCreditSendsAlone(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 10, false)
	perKindTemplates(t, b, dep, 3, "", 0)
	b.publish(t, pub, "a", dep) // leading edge: at once
	b.drain(t)
	b.clock.Add(2 * time.Minute)
	b.publish(t, pub, "b", dep)
	b.publish(t, pub, "c", dep)
	for _, m := range []int{10, 20, 30, 40} {
		b.clock.Set(monday10.Add(time.Duration(m) * time.Minute))
		b.drain(t)
	}
	for _, key := range []string{"a", "b", "c"} {
		if got := b.channelStatus(t, key); got != "inapp=sent mp_subscribe=sent oa_template=skipped/sent_via_mp_subscribe" {
			t.Errorf("%s: %s", key, got)
		}
	}
	calls := b.app.Calls(wechattest.APISubscribeSend)
	if len(calls) != 3 {
		t.Fatalf("subscribe sends %d, want 3", len(calls))
	}
	for _, c := range calls {
		if !strings.Contains(string(c.Body), `"template_id":"TPL_progress"`) || strings.Contains(string(c.Body), "新通知") {
			t.Errorf("push not sent alone with its own template: %s", c.Body)
		}
	}
	if n := b.credits(t, dep, "TPL_progress"); n != 0 {
		t.Errorf("progress credits left %d, want 0", n)
	}
}

// claimNothing makes every batch claim lose the race, as when another worker took the rows.
type claimNothing struct{ notify.DeliveryStore }

func (claimNothing) Claim(context.Context, int64, []int64, time.Time) ([]int64, error) {
	return nil, nil
}

// TestDigestBatchLostSendsLeadWithItsOwnTemplate: the digest was planned (digest template and
// credit) but the batch rows were claimed by another worker; the lead then goes alone with its
// own template and credit, and the digest credit stays.
func TestDigestBatchLostSendsLeadWithItsOwnTemplate(t *testing.T) {
	t.Parallel()
	b, pub, dep := rulesSetup(t, 10, false)
	perKindTemplates(t, b, dep, 2, "TPL_digest", 1)
	b.publish(t, pub, "a", dep)
	b.drain(t)
	b.clock.Add(2 * time.Minute)
	b.publish(t, pub, "b", dep)
	b.publish(t, pub, "c", dep)
	b.clock.Set(monday10.Add(10 * time.Minute))
	if err := b.relay.Drain(b.ctx); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := b.pool.QueryRow(b.ctx, `SELECT d.id FROM deliveries d JOIN notices n ON n.tenant_id = d.tenant_id AND n.id = d.notice_id
		WHERE n.tenant_id = $1 AND n.delivery_key LIKE 'b:%' AND d.channel = 'mp_subscribe'`, b.tn.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	deliv := notify.NewDeliverer(claimNothing{b.store}, b.queue, &notify.WeChatSender{Client: b.wx, MiniAppID: b.app.MiniAppID}, b.pause, b.clock, nil)
	if err := deliv.Deliver(b.ctx, b.tn.ID, id); err != nil {
		t.Fatal(err)
	}
	calls := b.app.Calls(wechattest.APISubscribeSend)
	last := string(calls[len(calls)-1].Body)
	if len(calls) != 2 || !strings.Contains(last, `"template_id":"TPL_progress"`) || strings.Contains(last, "新通知") {
		t.Fatalf("lead not sent alone with its own template (%d calls): %s", len(calls), last)
	}
	if got := b.channelStatus(t, "b"); got != "inapp=sent mp_subscribe=sent oa_template=skipped/sent_via_mp_subscribe" {
		t.Errorf("b: %s", got)
	}
	if got := b.channelStatus(t, "c"); !strings.Contains(got, "mp_subscribe=pending") {
		t.Errorf("c must stay with its own task: %s", got)
	}
	if n := b.credits(t, dep, "TPL_digest"); n != 1 {
		t.Errorf("digest credit used for a single notice: %d left, want 1", n)
	}
	if n := b.credits(t, dep, "TPL_progress"); n != 0 {
		t.Errorf("progress credits left %d, want 0", n)
	}
}
