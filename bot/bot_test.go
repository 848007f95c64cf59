package bot_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jianyi/bot"
	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
)

func TestEndpointRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body, _ := xml.Marshal(b.text("o-sec", "帮助"))

	// URL check.
	q, _ := wechattest.SignQuery(b.app.OAToken, nil, false, "", "")
	q.Set("echostr", "echo-42")
	req := httptest.NewRequest(http.MethodGet, "/wechat/oa/"+b.tn.Code+"?"+q.Encode(), nil)
	rec := httptest.NewRecorder()
	b.engine.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "echo-42" {
		t.Fatalf("echostr: %d %q", rec.Code, rec.Body.String())
	}

	// Bad signature.
	q, out := wechattest.SignQuery(b.app.OAToken, body, true, b.app.OAAESKey, b.app.OAAppID)
	q.Set("signature", strings.Repeat("a", 40))
	if rec := b.raw(q.Encode(), out); rec.Code != http.StatusForbidden {
		t.Fatalf("bad signature: %d", rec.Code)
	}
	// Bad msg_signature in safe mode.
	q, out = wechattest.SignQuery(b.app.OAToken, body, true, b.app.OAAESKey, b.app.OAAppID)
	q.Set("msg_signature", strings.Repeat("a", 40))
	if rec := b.raw(q.Encode(), out); rec.Code != http.StatusForbidden {
		t.Fatalf("bad msg_signature: %d", rec.Code)
	}
	// A correctly signed body that was tampered with.
	q, out = wechattest.SignQuery(b.app.OAToken, body, true, b.app.OAAESKey, b.app.OAAppID)
	if rec := b.raw(q.Encode(), bytes.Replace(out, []byte("<Encrypt><![CDATA["), []byte("<Encrypt><![CDATA[AAAA"), 1)); rec.Code != http.StatusForbidden {
		t.Fatalf("tampered: %d", rec.Code)
	}
	// Plaintext while an EncodingAESKey is configured.
	q, out = wechattest.SignQuery(b.app.OAToken, body, false, "", "")
	if rec := b.raw(q.Encode(), out); rec.Code != http.StatusForbidden {
		t.Fatalf("plaintext in safe mode: %d", rec.Code)
	}

	// Old timestamp: the same valid request, six minutes later.
	q, out = wechattest.SignQuery(b.app.OAToken, body, true, b.app.OAAESKey, b.app.OAAppID)
	b.srv.SetClock(func() time.Time { return time.Now().Add(6 * time.Minute) })
	if rec := b.raw(q.Encode(), out); rec.Code != http.StatusForbidden {
		t.Fatalf("old timestamp: %d", rec.Code)
	}
	b.srv.SetClock(time.Now)

	// DOCTYPE and entities: 400 encrypted; in clear the push is refused before (403).
	for _, evil := range []string{
		`<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>o-sec</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`,
		`<xml><!ENTITY lol "lol"><FromUserName>o-sec</FromUserName><MsgType>text</MsgType><Content>&lol;</Content></xml>`,
	} {
		for _, aes := range []bool{false, true} {
			q, out = wechattest.SignQuery(b.app.OAToken, []byte(evil), aes, b.app.OAAESKey, b.app.OAAppID)
			want := http.StatusBadRequest
			if !aes {
				want = http.StatusForbidden
			}
			if rec := b.raw(q.Encode(), out); rec.Code != want {
				t.Fatalf("entity xml (aes=%v): %d", aes, rec.Code)
			}
		}
	}

	// Oversize body.
	big, _ := xml.Marshal(b.text("o-sec", strings.Repeat("大", wechat.OAMaxBody/3+1)))
	q, out = wechattest.SignQuery(b.app.OAToken, big, false, "", "")
	if rec := b.raw(q.Encode(), out); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: %d", rec.Code)
	}

	// Unknown tenant.
	q, out = wechattest.SignQuery(b.app.OAToken, body, true, b.app.OAAESKey, b.app.OAAppID)
	req = httptest.NewRequest(http.MethodPost, "/wechat/oa/nosuchtenant?"+q.Encode(), bytes.NewReader(out))
	rec = httptest.NewRecorder()
	b.engine.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("unknown tenant: %d", rec.Code)
	}
}

func TestUnlinkedUserGetsOnlyTheGuide(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.registered(0, "关于民政路拓宽的建议")
	const who = "o-stranger"
	for _, msg := range []string{"帮助", "我的建议", "查询 1", "评价 1 满意", "催办 1", "民政路那个建议怎么样了", "随手拍"} {
		contains(t, b.say(who, msg), "绑定公众号", "绑定 123456")
	}
	contains(t, b.send(b.image(who, "m1")), "绑定 123456")
	contains(t, b.send(b.event(who, "CLICK", "BOT_MINE")), "绑定 123456")
	contains(t, b.send(b.location(who, 39.8, 98.3, "民政路")), "绑定 123456")
	contains(t, b.say(who, "评价 1 不满意"), "绑定 123456")
	contains(t, b.send(b.event(who, "subscribe", "")), "欢迎关注", "绑定 123456")
	if got := b.send(b.event(who, "unsubscribe", "")); got != "" {
		t.Fatalf("unsubscribe answered %q", got)
	}
	tf := b.event(who, "TEMPLATESENDJOBFINISH", "")
	tf.TemplMsgID, tf.Status = 7, c("failed:user block")
	if got := b.send(tf); got != "" {
		t.Fatalf("template finish answered %q", got)
	}
	if n := b.count(`SELECT count(*) FROM snaps WHERE tenant_id=$1`, b.tn.ID) + b.count(`SELECT count(*) FROM nudges WHERE tenant_id=$1`, b.tn.ID) +
		b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1`, b.tn.ID); n != 0 {
		t.Fatalf("an unlinked user changed %d rows", n)
	}
	contains(t, b.say(who, "绑定"), "6位绑定码")
	contains(t, b.say(who, "绑定 000000"), "绑定码无效")
	if n := b.count(`SELECT count(*) FROM deputies WHERE tenant_id=$1 AND oa_openid IS NOT NULL`, b.tn.ID); n != 0 {
		t.Fatalf("linked %d deputies", n)
	}
	// Guessing codes is limited.
	for range 5 {
		b.say(who, "绑定 111111")
	}
	contains(t, b.say(who, "绑定 222222"), "次数过多")
}

// Guessing bind codes under ever new openids is capped per tenant, not only per user.
func TestBindGuessesCappedPerTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := range 30 {
		contains(t, b.say("o-guess-"+itoa(i), "绑定 "+fmt.Sprintf("%06d", 100000+i)), "绑定码无效")
	}
	code, _, err := b.accounts.IssueOABindCode(b.ctx, b.tn.ID, b.tn.Deputies[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, b.say("o-guess-last", "绑定 "+code), "稍后再试")
	if n := b.count(`SELECT count(*) FROM deputies WHERE tenant_id=$1 AND oa_openid IS NOT NULL`, b.tn.ID); n != 0 {
		t.Fatalf("linked %d deputies while paused", n)
	}
}

func TestLinkedConversations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me, other = "o-zhang", "o-li"
	s1 := b.handling(0, "关于民政路拓宽改造的建议")
	s2 := b.replied(0, "关于增加学校周边停车位的建议")
	s3 := b.replied(0, "关于新华路路灯维修的建议")
	s4 := b.registered(1, "关于公园厕所改造的建议") // another deputy's

	b.link(me, 0)
	b.link(other, 1)
	if n := b.count(`SELECT count(*) FROM deputies WHERE tenant_id=$1 AND id=$2 AND oa_openid IS NOT NULL AND oa_following`, b.tn.ID, b.tn.Deputies[0]); n != 1 {
		t.Fatal("not linked")
	}
	contains(t, b.say(me, "绑定 123456"), "已绑定")

	contains(t, b.say(me, "帮助"), "我的建议", "查询 编号", "催办")
	contains(t, b.say(me, "菜单"), "评价 编号")

	mine := b.say(me, "我的建议")
	contains(t, mine, "民政路拓宽改造", "学校周边停车位", "办理中", "答复期限", "待您评价")
	if strings.Contains(mine, "公园厕所") {
		t.Fatal("another deputy's suggestion listed")
	}
	contains(t, b.send(b.event(me, "CLICK", "BOT_MINE")), "民政路拓宽改造")

	// 查询 by number, in every spelling.
	n1 := s1.Number
	for _, q := range []string{"查询 " + itoa(n1), "查询 " + pad(n1), "查询第" + pad(n1) + "号", "查询：" + itoa(n1), "查询 " + fullWidth(itoa(n1))} {
		contains(t, b.say(me, q), s1.NumberLabel(), "办理中", "主办 市住房和城乡建设局", "协办 市教育局", "等待：", "市住房和城乡建设局答复")
	}
	contains(t, b.say(me, "查询 "+itoa(s2.Number)), "答复：B类", "您评价答复")
	contains(t, b.say(me, "查询 "+itoa(s4.Number)), "未找到")
	contains(t, b.say(me, "查询 9999"), "未找到")
	contains(t, b.say(me, "查询"), "例如：查询 12")

	// Free text.
	contains(t, b.say(me, "民政路那个建议怎么样了"), s1.NumberLabel(), "民政路拓宽改造")
	contains(t, b.say(me, "停车位的建议进展如何？"), s2.NumberLabel())
	contains(t, b.say(me, "天气不错"), "没有找到")
	contains(t, b.say(other, "民政路那个建议怎么样了"), "没有找到")

	// 评价 满意.
	contains(t, b.say(me, "评价 "+itoa(s2.Number)+" 满意"), "已记录", "满意")
	contains(t, b.say(me, "评价 "+itoa(s2.Number)+" 满意"), "您已评价过本轮答复")
	contains(t, b.say(me, "评价 "+itoa(s1.Number)+" 满意"), "当前没有待评价的答复")
	contains(t, b.say(me, "评价 "+itoa(s4.Number)+" 满意"), "未找到")
	contains(t, b.say(me, "评价 12 很好"), "评价 编号 满意")

	// 评价 不满意: the reason is asked for, the next message is the reason.
	contains(t, b.say(me, "评价 "+pad(s3.Number)+" 不满意"), "不满意的理由")
	contains(t, b.say(me, "路灯只修了一半，另一半还是黑的"), "已记录", "不满意", "重新办理")
	var reason, rating string
	if err := b.pool.QueryRow(b.ctx, `SELECT reason, rating::text FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s3.ID).Scan(&reason, &rating); err != nil {
		t.Fatal(err)
	}
	if rating != "unsatisfied" || reason != "路灯只修了一半，另一半还是黑的" {
		t.Fatalf("evaluation %q %q", rating, reason)
	}
	// 不满意 with the reason inline; then 取消 of a pending question.
	s5 := b.replied(0, "关于菜市场改造的建议")
	contains(t, b.say(me, "评价 "+itoa(s5.Number)+" 不满意"), "不满意的理由")
	contains(t, b.say(me, "取消"), "已取消")
	contains(t, b.say(me, "取消"), "没有进行中")
	contains(t, b.say(me, "评价 "+itoa(s5.Number)+" 不满意 摊位还是不够"), "已记录")

	// 催办: once a week per suggestion, whoever nudges.
	contains(t, b.say(me, "催办 "+itoa(n1)), "已向", "市住房和城乡建设局", "发出催办提醒")
	contains(t, b.say(me, "催办 "+itoa(n1)), "每周最多催办一次")
	if n := b.count(`SELECT count(DISTINCT created_at) FROM nudges WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s1.ID); n != 1 {
		t.Fatalf("nudges %d", n)
	}
	if n := b.count(`SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event='suggestion.nudged'`, b.tn.ID, s1.ID); n != 1 {
		t.Fatalf("nudge outbox %d", n)
	}
	contains(t, b.say(me, "催办 "+itoa(s4.Number)), "未找到")
	contains(t, b.say(other, "催办 "+itoa(s4.Number)), "无需催办")

	// Menu keys.
	contains(t, b.send(b.event(me, "CLICK", "BOT_QUERY")), "查询 编号")
	contains(t, b.send(b.event(me, "CLICK", "BOT_SNAP")), "照片")
	contains(t, b.send(b.event(me, "CLICK", "BOT_HELP")), "我的建议")

	// Follow status.
	contains(t, b.send(b.event(me, "subscribe", "")), "欢迎关注", "我的建议")
	if got := b.send(b.event(me, "unsubscribe", "")); got != "" {
		t.Fatalf("unsubscribe answered %q", got)
	}
	if n := b.count(`SELECT count(*) FROM deputies WHERE tenant_id=$1 AND id=$2 AND oa_following`, b.tn.ID, b.tn.Deputies[0]); n != 0 {
		t.Fatal("following not cleared")
	}
	contains(t, b.send(b.event(me, "subscribe", "")), "欢迎关注")
	if n := b.count(`SELECT count(*) FROM deputies WHERE tenant_id=$1 AND id=$2 AND oa_following`, b.tn.ID, b.tn.Deputies[0]); n != 1 {
		t.Fatal("following not set")
	}

	// Template delivery report: nothing to say.
	p := b.event(me, "TEMPLATESENDJOBFINISH", "")
	p.TemplMsgID, p.Status = 200163836, c("success")
	if got := b.send(p); got != "" {
		t.Fatalf("template finish answered %q", got)
	}

	// Unsupported message types.
	v := b.base(me, "voice")
	v.MediaID, v.MsgID = c("voice1"), b.msgID.Add(1)
	contains(t, b.send(v), "暂不支持")

	// Nothing from the deputies' messages, nor their openids, reached the logs.
	logs := b.logs.String()
	for _, secret := range []string{me, other, "路灯只修了一半", "民政路", "摊位", "天气"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log holds %q", secret)
		}
	}
}

func TestSafeModeConversation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.aes = true
	s := b.handling(0, "关于民政路拓宽改造的建议")
	b.link("o-aes", 0)
	contains(t, b.say("o-aes", "查询 "+itoa(s.Number)), s.NumberLabel(), "办理中")
	if got := b.send(b.event("o-aes", "unsubscribe", "")); got != "" {
		t.Fatalf("unsubscribe: %q", got)
	}

	// Compatible and safe modes: WeChat always sends encrypt_type=aes and msg_signature, so a
	// push in clear is a captured signed URL stripped of them, with a body nobody signed.
	r := b.replied(0, "关于新华路路灯维修的建议")
	b.link("o-victim", 0)
	captured, _ := wechattest.SignQuery(b.app.OAToken, mustXML(t, b.text("o-victim", "帮助")), true, b.app.OAAESKey, b.app.OAAppID)
	captured.Del("msg_signature")
	captured.Del("encrypt_type")
	forged := mustXML(t, b.text("o-victim", "评价 "+itoa(r.Number)+" 不满意 伪造的理由"))
	if rec := b.raw(captured.Encode(), forged); rec.Code != http.StatusForbidden {
		t.Fatalf("downgraded push answered %d", rec.Code)
	}
	// Nor may one stranger after another guess bind codes with such pushes.
	bind := mustXML(t, b.text("o-attacker", "绑定 123456"))
	if rec := b.raw(captured.Encode(), bind); rec.Code != http.StatusForbidden {
		t.Fatalf("downgraded bind answered %d", rec.Code)
	}
	if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, r.ID); n != 0 {
		t.Fatalf("forged rating recorded: %d", n)
	}
}

// In plain mode the signature does not cover the body: an accepted signed query may come
// again only with its own body (WeChat's retry, answered as the first time).
func TestPlainModeReplay(t *testing.T) {
	t.Parallel()
	b := setupPlain(t)
	s := b.replied(0, "关于新华路路灯维修的建议")
	b.link("o-plain", 0)
	body := mustXML(t, b.text("o-plain", "查询 "+itoa(s.Number)))
	q, out := wechattest.SignQuery(b.app.OAToken, body, false, "", "")
	first := b.raw(q.Encode(), out)
	if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), "新华路") {
		t.Fatalf("plain push: %d %s", first.Code, first.Body.String())
	}
	if again := b.raw(q.Encode(), out); again.Code != http.StatusOK || !strings.Contains(again.Body.String(), "新华路") {
		t.Fatalf("retry: %d %s", again.Code, again.Body.String())
	}
	forged := mustXML(t, b.text("o-plain", "评价 "+itoa(s.Number)+" 不满意 伪造的理由"))
	if rec := b.raw(q.Encode(), forged); rec.Code != http.StatusForbidden {
		t.Fatalf("replay with another body answered %d", rec.Code)
	}
	if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID); n != 0 {
		t.Fatalf("forged rating recorded: %d", n)
	}
}

func mustXML(t testing.TB, p any) []byte {
	t.Helper()
	b, err := xml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRetriesHaveOneEffect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := b.handling(0, "关于民政路拓宽改造的建议")
	r := b.replied(0, "关于新华路路灯维修的建议")
	b.link("o-retry", 0)

	p := b.text("o-retry", "催办 "+itoa(s.Number))
	first := b.send(p)
	contains(t, first, "发出催办提醒")
	for range 3 { // WeChat retries the same MsgId up to three times
		if got := b.send(p); got != first {
			t.Fatalf("retry answered %q, first %q", got, first)
		}
	}
	if n := b.count(`SELECT count(DISTINCT created_at) FROM nudges WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID); n != 1 {
		t.Fatalf("nudges %d", n)
	}

	p = b.text("o-retry", "评价 "+itoa(r.Number)+" 基本满意")
	first = b.send(p)
	contains(t, first, "已记录")
	if got := b.send(p); got != first {
		t.Fatalf("rating retry answered %q", got)
	}
	if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, r.ID); n != 1 {
		t.Fatalf("evaluations %d", n)
	}

	// Events: sender + CreateTime.
	ev := b.event("o-retry", "subscribe", "")
	b.send(ev)
	b.send(ev)
	b.send(b.event("o-retry", "unsubscribe", ""))
	b.send(ev) // a retry of the old subscribe must not set following again
	if n := b.count(`SELECT count(*) FROM deputies WHERE tenant_id=$1 AND id=$2 AND oa_following`, b.tn.ID, b.tn.Deputies[0]); n != 0 {
		t.Fatal("retried subscribe had an effect")
	}
}

func TestSnapFlow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-snap"
	b.link(me, 0)
	photo := jpegBytes(t)
	b.app.AddMedia("media-1", "image/jpeg", photo)
	b.app.AddMedia("media-2", "image/jpeg", photo)
	b.app.AddMedia("not-a-photo", "image/jpeg", []byte("%PDF-1.4 not an image"))

	contains(t, b.send(b.location(me, 39.8, 98.3, "民政路")), "请先发送照片")
	contains(t, b.send(b.image(me, "media-1")), "已收到照片", "位置")
	contains(t, b.say(me, "我的建议"), "您还没有建议") // commands still work while waiting for the location
	contains(t, b.say(me, "这里的井盖坏了"), "请发送问题所在的位置")
	contains(t, b.send(b.location(me, 39.8, 98.3, "嘉峪关市民政路12号")), "嘉峪关市民政路12号", "几句话")
	contains(t, b.send(b.image(me, "media-2")), "第2张照片")
	words := b.text(me, "井盖缺失，夜间很危险")
	contains(t, b.send(words), "随手拍线索已记录", "小程序")
	b.send(words) // a retry creates nothing more
	b.bot.Wait()

	var (
		id         int64
		note, addr string
		lat, lng   float64
		source     string
	)
	if err := b.pool.QueryRow(b.ctx, `SELECT id, note, address, lat, lng, source FROM snaps WHERE tenant_id=$1 AND deputy_id=$2`,
		b.tn.ID, b.tn.Deputies[0]).Scan(&id, &note, &addr, &lat, &lng, &source); err != nil {
		t.Fatal(err)
	}
	if note != "井盖缺失，夜间很危险" || addr != "嘉峪关市民政路12号" || lat != 39.8 || lng != 98.3 || source != "bot" {
		t.Fatalf("snap %q %q %v %v %q", note, addr, lat, lng, source)
	}
	rows, err := b.pool.Query(b.ctx, `SELECT object_key, thumb_key, content_type, owner_deputy_id FROM attachments WHERE tenant_id=$1 AND snap_id=$2`, b.tn.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var key, thumb, ct string
		var owner int64
		if err := rows.Scan(&key, &thumb, &ct, &owner); err != nil {
			t.Fatal(err)
		}
		if ct != "image/jpeg" || owner != b.tn.Deputies[0] || !strings.HasPrefix(key, "tenant/"+itoa64(b.tn.ID)+"/snaps/"+itoa64(id)+"/") {
			t.Fatalf("attachment %q %q %d", key, ct, owner)
		}
		keys = append(keys, key, thumb)
	}
	if len(keys) != 4 {
		t.Fatalf("attachments %d", len(keys)/2)
	}
	for _, k := range keys {
		if info, err := b.objs.Stat(b.ctx, k); err != nil || info.Size == 0 {
			t.Fatalf("object %s: %v", k, err)
		}
	}
	if n := b.app.Count(wechattest.APICustomSend); n != 1 {
		t.Fatalf("customer-service messages %d", n)
	}
	if body := string(b.app.Calls(wechattest.APICustomSend)[0].Body); !strings.Contains(body, "2张") {
		t.Fatalf("answer %s", body)
	}

	// A media WeChat no longer has, and one that is no photo: the clue is kept, the deputy is
	// told to upload again.
	contains(t, b.send(b.image(me, "gone")), "已收到照片")
	contains(t, b.send(b.image(me, "not-a-photo")), "已收到照片")
	contains(t, b.send(b.location(me, 39.8, 98.3, "")), "几句话")
	contains(t, b.say(me, "路灯不亮"), "随手拍线索已记录")
	b.bot.Wait()
	if n := b.app.Count(wechattest.APICustomSend); n != 2 {
		t.Fatalf("customer-service messages %d", n)
	}
	if body := string(b.app.Calls(wechattest.APICustomSend)[1].Body); !strings.Contains(body, "重新上传") {
		t.Fatalf("answer %s", body)
	}
	if strings.Contains(b.logs.String(), "井盖") || strings.Contains(b.logs.String(), me) {
		t.Fatal("snap content logged")
	}
}

// slowList makes 我的建议 wait for its context, as a stuck database would.
type slowList struct{ bot.Suggestions }

func (s slowList) List(ctx context.Context, a auth.Actor, f suggestion.ListFilter) ([]suggestion.Summary, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("list: %w", ctx.Err())
}

func TestSlowWorkStillAnswersInTime(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(d *bot.Deps) { d.Suggestions = slowList{d.Suggestions} })
	b.srv.SetAnswerWithin(200 * time.Millisecond)
	b.link("o-slow", 0)
	p := b.text("o-slow", "我的建议")
	contains(t, b.send(p), "系统繁忙")
	contains(t, b.send(p), "系统繁忙") // the retry gets the same answer, no second attempt
	contains(t, b.say("o-slow", "帮助"), "我的建议")
}

// flakyState is the Redis state with a switch that makes every call fail, as when Redis is down.
type flakyState struct {
	bot.State
	down *atomic.Bool
}

var errRedisDown = errors.New("redis: connection refused")

func (f flakyState) Claim(ctx context.Context, tn int64, id string, ttl time.Duration) (bool, string, error) {
	if f.down.Load() {
		return false, "", errRedisDown
	}
	return f.State.Claim(ctx, tn, id, ttl)
}

func (f flakyState) Remember(ctx context.Context, tn int64, id, a string, ttl time.Duration) error {
	if f.down.Load() {
		return errRedisDown
	}
	return f.State.Remember(ctx, tn, id, a, ttl)
}

func (f flakyState) Conversation(ctx context.Context, tn int64, openid string) ([]byte, error) {
	if f.down.Load() {
		return nil, errRedisDown
	}
	return f.State.Conversation(ctx, tn, openid)
}

func TestRedisDownStillAnswers(t *testing.T) {
	t.Parallel()
	down := &atomic.Bool{}
	b := setupWith(t, func(d *bot.Deps) { d.State = flakyState{d.State, down} })
	s := b.handling(0, "关于民政路拓宽改造的建议")
	b.link("o-flaky", 0)
	down.Store(true)
	contains(t, b.say("o-flaky", "我的建议"), "民政路拓宽改造")
	p := b.text("o-flaky", "催办 "+itoa(s.Number))
	contains(t, b.send(p), "发出催办提醒")
	contains(t, b.send(p), "每周最多催办一次") // without dedupe PostgreSQL still keeps one nudge
	if n := b.count(`SELECT count(DISTINCT created_at) FROM nudges WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID); n != 1 {
		t.Fatalf("nudges %d", n)
	}
}

func TestLinkByUnionID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := b.handling(2, "关于民政路拓宽改造的建议")
	if _, err := b.pool.Exec(b.ctx, `UPDATE deputies SET unionid='union-wang' WHERE tenant_id=$1 AND id=$2`, b.tn.ID, b.tn.Deputies[2]); err != nil {
		t.Fatal(err)
	}
	b.app.SetUnionID("o-wang", "union-wang")
	b.app.SetUnionID("o-nobody", "union-unknown")
	// No "绑定" needed: the platform's unionid links the follower to the deputy.
	contains(t, b.say("o-wang", "我的建议"), "民政路拓宽改造")
	contains(t, b.say("o-wang", "查询 "+itoa(s.Number)), "办理中")
	calls := b.app.Count(wechattest.APIUserInfo)
	b.say("o-wang", "帮助")
	if b.app.Count(wechattest.APIUserInfo) != calls {
		t.Fatal("unionid looked up again instead of cached")
	}
	// The link is kept on the deputy, so official-account template messages reach them.
	var oa string
	var following bool
	if err := b.pool.QueryRow(b.ctx, `SELECT coalesce(oa_openid,''), oa_following FROM deputies WHERE tenant_id=$1 AND id=$2`,
		b.tn.ID, b.tn.Deputies[2]).Scan(&oa, &following); err != nil || oa != "o-wang" || !following {
		t.Fatalf("unionid link not stored: oa_openid=%q following=%v err=%v", oa, following, err)
	}
	// A unionid no deputy has, and no unionid at all: the binding guide.
	contains(t, b.say("o-nobody", "我的建议"), "绑定 123456")
	contains(t, b.say("o-none", "我的建议"), "绑定 123456")
	if strings.Contains(b.logs.String(), "union-wang") {
		t.Fatal("unionid logged")
	}
}
