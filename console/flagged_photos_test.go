package console_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/internal/suggestion"
)

func testPNG(w, h int, c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

type photoCase struct {
	att, sid int64
	trace    string
}

// flaggedPhoto has a deputy put a photo on a new draft (through media intake, as the phone
// does), submits the draft unless draft is set, and applies WeChat's verdict as the push does.
func (b *bundle) flaggedPhoto(tenant, deputy int64, title, verdict string, label int, draft bool) photoCase {
	b.t.Helper()
	ctx := context.Background()
	a := auth.Deputy(tenant, deputy)
	sg, err := b.sugg.CreateDraft(ctx, a, suggestion.DraftInput{Title: title, Body: title + "：请有关部门尽快研究解决这个问题。"})
	if err != nil {
		b.t.Fatal(err)
	}
	at, err := b.photos.Upload(ctx, a, "", media.Target{Kind: media.KindSuggestion, ID: sg.ID}, bytes.NewReader(testPNG(640, 400, color.RGBA{200, 60, 40, 255})))
	if err != nil {
		b.t.Fatal(err)
	}
	pc := photoCase{att: at.ID, sid: sg.ID, trace: fmt.Sprintf("trace-%d-%d", tenant, at.ID)}
	b.exec(`UPDATE attachments SET check_trace_id = $2 WHERE id = $1`, at.ID, pc.trace)
	if err := b.photos.ApplyCheck(ctx, pc.trace, verdict, label); err != nil {
		b.t.Fatal(err)
	}
	if !draft {
		if _, err := b.sugg.Submit(ctx, a, sg.ID, sg.Version); err != nil {
			b.t.Fatal(err)
		}
	}
	return pc
}

func (b *bundle) exec(sql string, args ...any) {
	b.t.Helper()
	if _, err := b.pool.Exec(context.Background(), sql, args...); err != nil {
		b.t.Fatal(err)
	}
}

type photoRow struct {
	Status  string
	Hidden  bool
	Flagged bool
	Trace   string
}

func (b *bundle) photoRow(id int64) photoRow {
	b.t.Helper()
	var r photoRow
	if err := b.pool.QueryRow(context.Background(), `SELECT check_status, hidden, flagged_at IS NOT NULL, check_trace_id
		FROM attachments WHERE id = $1`, id).Scan(&r.Status, &r.Hidden, &r.Flagged, &r.Trace); err != nil {
		b.t.Fatal(err)
	}
	return r
}

// shown says whether the photo is among those the deputy's phone (and everyone else) sees.
func (b *bundle) shown(tenant int64, pc photoCase) (string, bool) {
	b.t.Helper()
	ps, err := b.photos.Photos(context.Background(), tenant, media.Target{Kind: media.KindSuggestion, ID: pc.sid})
	if err != nil {
		b.t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == pc.att {
			return p.CheckStatus, true
		}
	}
	return "", false
}

type auditLine struct {
	Action, ActorKind, Reason string
	ActorID                   int64
}

func (b *bundle) photoAudit(sid int64) []auditLine {
	b.t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT action, actor_kind, actor_id, reason FROM audit_events
		WHERE suggestion_id = $1 AND action LIKE 'photo%' ORDER BY id`, sid)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditLine
	for rows.Next() {
		var l auditLine
		if err := rows.Scan(&l.Action, &l.ActorKind, &l.ActorID, &l.Reason); err != nil {
			b.t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func photoPath(id int64) string { return fmt.Sprintf("/review/flagged/photos/%d", id) }

// The reviewers' queue of photos WeChat's image check flagged: each with its thumbnail, its
// suggestion (and snap), the deputy, the verdict and time; 通过 shows a photo again, 隐藏
// keeps it from every copy shown, both on the suggestion's timeline and final against a
// later push. Drafts, other tenants and other roles see nothing of it.
func TestFlaggedPhotoQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	review := b.flaggedPhoto(1, 1, "关于修缮人行道破损路面的建议", "review", 21000, false)
	risky := b.flaggedPhoto(1, 2, "关于清理河道垃圾的建议", "risky", 20002, false)
	visible := b.flaggedPhoto(1, 2, "关于增设公交站台遮雨棚的建议", "review", 21000, false)
	draft := b.flaggedPhoto(1, 1, "还在写的草稿建议", "risky", 20002, true)
	other := b.flaggedPhoto(2, 3, "别家的图片建议", "review", 21000, false)
	passed := b.flaggedPhoto(1, 1, "检测通过的图片建议", "pass", 100, false)
	// The risky photo came from a 随手拍 turned into its suggestion.
	b.exec(`INSERT INTO snaps (tenant_id, id, deputy_id, note, suggestion_id) VALUES (1, 900, 2, '河道里堆满了垃圾', $1)`, risky.sid)
	b.exec(`UPDATE attachments SET snap_id = 900 WHERE id = $1`, risky.att)
	// And the bundle's suggestion was flagged by the text check.
	b.exec(`UPDATE suggestions SET content_flag = 'review' WHERE id = $1`, b.sid)

	if st, ok := b.shown(1, review); !ok || st != "review" {
		t.Fatalf("a review photo before the decision: %q %v", st, ok)
	}
	if _, ok := b.shown(1, risky); ok {
		t.Fatal("a risky photo is shown before the decision")
	}

	rev := b.client()
	csrf := rev.login("jyg", "shencha", testPassword)
	status, page := rev.get("/review/flagged")
	if status != http.StatusOK {
		t.Fatalf("queue: %d %.500s", status, page)
	}
	for _, want := range []string{
		fmt.Sprintf(`id="photo-%d"`, review.att), fmt.Sprintf(`id="photo-%d"`, risky.att), fmt.Sprintf(`id="photo-%d"`, visible.att),
		fmt.Sprintf(`src="/review/flagged/photos/%d/thumb"`, review.att),
		"关于修缮人行道破损路面的建议", "关于清理河道垃圾的建议", fmt.Sprintf(`href="/suggestions/%d"`, review.sid),
		"张建国", "李秀英", "需人工复核", "疑似违规（已自动隐藏）", "类别：色情", "来自随手拍：河道里堆满了垃圾",
		fmt.Sprintf(`action="/review/flagged/photos/%d"`, review.att), `name="decision" value="pass"`, `name="decision" value="hide"`,
		`id="flagged-suggestions"`, "关于加强老旧小区物业管理的建议", // the text-flagged suggestion, still on the page
	} {
		contains(t, page, want)
	}
	for _, not := range []string{fmt.Sprintf(`id="photo-%d"`, draft.att), fmt.Sprintf(`id="photo-%d"`, other.att),
		fmt.Sprintf(`id="photo-%d"`, passed.att), "还在写的草稿建议", "别家"} {
		if strings.Contains(page, not) {
			t.Fatalf("the queue shows %q", not)
		}
	}

	// The thumbnail: the re-encoded JPEG from the bucket, through the console.
	resp, body := rev.getResp(photoPath(review.att) + "/thumb")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumb: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if img, err := jpeg.Decode(bytes.NewReader(body)); err != nil || img.Bounds().Dx() > media.ThumbSide {
		t.Fatalf("thumb is not the thumbnail: %v", err)
	}
	for name, id := range map[string]int64{"draft": draft.att, "other tenant": other.att, "not flagged": passed.att, "unknown": 987654} {
		if status, _ := rev.get(photoPath(id) + "/thumb"); status != http.StatusNotFound {
			t.Fatalf("thumb of the %s photo: %d, want 404", name, status)
		}
	}

	// Other roles, and another tenant's reviewer, see no queue, no thumbnail, and change nothing.
	before := map[int64]photoRow{review.att: b.photoRow(review.att), other.att: b.photoRow(other.att)}
	for _, u := range []struct{ tenant, user string }{{"jyg", "zhujian"}, {"jyg", "lingdao"}, {"other", "shencha"}} {
		c := b.client()
		tok := c.login(u.tenant, u.user, testPassword)
		if u.tenant == "jyg" {
			if status, _ := c.get("/review/flagged"); status != http.StatusNotFound {
				t.Fatalf("%s/%s: queue %d, want 404", u.tenant, u.user, status)
			}
		}
		if status, _ := c.get(photoPath(review.att) + "/thumb"); status != http.StatusNotFound {
			t.Fatalf("%s/%s: thumb %d, want 404", u.tenant, u.user, status)
		}
		for _, d := range []string{"pass", "hide"} {
			if status, _, _ := c.post(photoPath(review.att), url.Values{"csrf": {tok}, "decision": {d}}); status != http.StatusNotFound {
				t.Fatalf("%s/%s: %s %d, want 404", u.tenant, u.user, d, status)
			}
		}
	}
	// Tenant 2's reviewer has a queue of its own photo only; tenant 1's cannot act on it.
	oc := b.client()
	oc.login("other", "shencha", testPassword)
	_, opage := oc.get("/review/flagged")
	contains(t, opage, fmt.Sprintf(`id="photo-%d"`, other.att))
	if strings.Contains(opage, fmt.Sprintf(`id="photo-%d"`, review.att)) {
		t.Fatal("tenant 2's queue shows tenant 1's photo")
	}
	if status, _, _ := rev.post(photoPath(other.att), url.Values{"csrf": {csrf}, "decision": {"pass"}}); status != http.StatusNotFound {
		t.Fatalf("pass another tenant's photo: %d", status)
	}
	// Without the form token, or with no such decision, nothing happens.
	if status, _, _ := rev.post(photoPath(review.att), url.Values{"decision": {"pass"}}); status != http.StatusForbidden {
		t.Fatalf("no csrf: %d", status)
	}
	if status, loc, _ := rev.post(photoPath(review.att), url.Values{"csrf": {csrf}, "decision": {"delete"}}); status != http.StatusSeeOther || loc != "/review/flagged" {
		t.Fatalf("bad decision: %d %s", status, loc)
	}
	_, page = rev.get("/review/flagged")
	contains(t, page, "请选择通过或隐藏")
	for id, was := range before {
		if now := b.photoRow(id); now != was {
			t.Fatalf("photo %d changed by refused requests: %+v → %+v", id, was, now)
		}
	}
	if l := b.photoAudit(review.sid); len(l) != 0 {
		t.Fatalf("timeline lines from refused requests: %+v", l)
	}

	// 通过 on the review photo: cleared, shown as passed, on the timeline.
	if status, loc, _ := rev.post(photoPath(review.att), url.Values{"csrf": {csrf}, "decision": {"pass"}}); status != http.StatusSeeOther || loc != "/review/flagged" {
		t.Fatalf("pass: %d %s", status, loc)
	}
	_, page = rev.get("/review/flagged")
	contains(t, page, "已通过，图片恢复显示")
	if strings.Contains(page, fmt.Sprintf(`id="photo-%d"`, review.att)) {
		t.Fatal("a passed photo is still in the queue")
	}
	if r := b.photoRow(review.att); r.Status != "pass" || r.Hidden || r.Flagged {
		t.Fatalf("after pass: %+v", r)
	}
	if st, ok := b.shown(1, review); !ok || st != "pass" {
		t.Fatalf("a passed photo shown: %q %v", st, ok)
	}
	if l := b.photoAudit(review.sid); len(l) != 1 || l[0] != (auditLine{Action: media.ActPhotoPassed, ActorKind: "staff", ActorID: 1, Reason: "内容安全复核：图片经人工复核通过，恢复显示"}) {
		t.Fatalf("timeline after pass: %+v", l)
	}
	_, detail := rev.get(fmt.Sprintf("/suggestions/%d", review.sid))
	contains(t, detail, "图片经人工复核通过")

	// 通过 on the risky photo: hidden no more.
	if status, _, _ := rev.post(photoPath(risky.att), url.Values{"csrf": {csrf}, "decision": {"pass"}}); status != http.StatusSeeOther {
		t.Fatalf("pass risky: %d", status)
	}
	if st, ok := b.shown(1, risky); !ok || st != "pass" {
		t.Fatalf("a passed risky photo shown: %q %v", st, ok)
	}

	// 隐藏 on a photo that was still shown: gone from every copy shown, on the timeline.
	if status, _, _ := rev.post(photoPath(visible.att), url.Values{"csrf": {csrf}, "decision": {"hide"}}); status != http.StatusSeeOther {
		t.Fatalf("hide: %d", status)
	}
	_, page = rev.get("/review/flagged")
	contains(t, page, "已隐藏该图片")
	if r := b.photoRow(visible.att); !r.Hidden || r.Flagged || r.Status != "review" {
		t.Fatalf("after hide: %+v", r)
	}
	if _, ok := b.shown(1, visible); ok {
		t.Fatal("a hidden photo is still shown")
	}
	if l := b.photoAudit(visible.sid); len(l) != 1 || l[0].Action != media.ActPhotoHidden || l[0].ActorID != 1 {
		t.Fatalf("timeline after hide: %+v", l)
	}

	// WeChat's late or retried pushes do not undo a reviewer's decision.
	for _, p := range []struct {
		pc      photoCase
		suggest string
	}{{review, "risky"}, {visible, "pass"}} {
		if err := b.photos.ApplyCheck(ctx, p.pc.trace, p.suggest, 100); err != nil {
			t.Fatal(err)
		}
	}
	if r := b.photoRow(review.att); r.Hidden || r.Flagged || r.Status != "pass" {
		t.Fatalf("a late push undid the pass: %+v", r)
	}
	if r := b.photoRow(visible.att); !r.Hidden || r.Flagged {
		t.Fatalf("a late push undid the hide: %+v", r)
	}

	// A decision on a photo already decided is refused with a reason, and changes nothing.
	if status, loc, _ := rev.post(photoPath(review.att), url.Values{"csrf": {csrf}, "decision": {"hide"}}); status != http.StatusSeeOther || loc != "/review/flagged" {
		t.Fatalf("second decision: %d %s", status, loc)
	}
	_, page = rev.get("/review/flagged")
	contains(t, page, "已由他人复核")
	if r := b.photoRow(review.att); r.Hidden {
		t.Fatal("a second decision hid a passed photo")
	}
	if status, _ := rev.get(photoPath(review.att) + "/thumb"); status != http.StatusNotFound {
		t.Fatalf("thumb of a decided photo: %d", status)
	}
	if _, empty := rev.get("/review/flagged"); !strings.Contains(empty, "没有待复核的图片") {
		t.Fatalf("queue after every decision:\n%.2000s", empty)
	}
}

// Two reviewers deciding one photo at once: exactly one decision is recorded.
func TestFlaggedPhotoDecidedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pc := b.flaggedPhoto(1, 1, "两人同时复核的图片", "review", 21000, false)
	c1, c2 := b.client(), b.client()
	tok1, tok2 := c1.login("jyg", "shencha", testPassword), c2.login("jyg", "admin", testPassword)
	var wg sync.WaitGroup
	for _, x := range []struct {
		c        *client
		tok, how string
	}{{c1, tok1, "pass"}, {c2, tok2, "hide"}} {
		wg.Go(func() {
			if status, _, _ := x.c.post(photoPath(pc.att), url.Values{"csrf": {x.tok}, "decision": {x.how}}); status != http.StatusSeeOther {
				t.Errorf("%s: %d", x.how, status)
			}
		})
	}
	wg.Wait()
	l := b.photoAudit(pc.sid)
	if len(l) != 1 {
		t.Fatalf("%d decisions recorded: %+v", len(l), l)
	}
	r := b.photoRow(pc.att)
	if r.Flagged || r.Hidden != (l[0].Action == media.ActPhotoHidden) {
		t.Fatalf("the photo %+v does not match the recorded decision %+v", r, l[0])
	}
}
