package mpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"jianyi/internal/deadline"
	"jianyi/internal/suggestion"
	mpapi "jianyi/miniprogram-api"
)

type replyDocPage struct {
	Status  string
	Replies []struct {
		Round    int
		Document *struct {
			Name      string
			Size      int64
			URL       string
			ExpiresAt time.Time `json:"expires_at"`
		}
	}
	ReplyUntil *time.Time `json:"reply_rating_until"`
	ImplUntil  *time.Time `json:"implementation_rating_until"`
}

// TestReplyDocumentOnThePhone: the signed reply letter a unit uploaded is reachable from the
// mini-program. The lead deputy and an accepted co-signer get replies[].document with the
// name, the size and a presigned URL that serves the very PDF (from the real MinIO) for
// about DocumentURLTTL; a deputy who declined to co-sign and a deputy of another tenant get
// 404 for the whole suggestion; the list (the cached answer) never carries the URL; a letter
// gone from the bucket leaves the reply without it instead of failing the page. Every time
// of every page on the way (the co-signer's reply_rating_until from the calendar, the lead's
// implementation_rating_until once the commitment is done) is UTC to the microsecond.
func TestReplyDocumentOnThePhone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.exec(`INSERT INTO deputies (tenant_id, id, name, phone) VALUES (1, 12, '王小明', '13800000004')`)
	lead := b.deputy("openid-zhang", "jyg", "13800000001")
	co := b.deputy("openid-li", "jyg", "13800000002")
	declined := b.deputy("openid-wang", "jyg", "13800000004")
	stranger := b.deputy("openid-other", "other", "13800000003")

	id := b.draft(lead, "关于修复雄关路路灯的建议")
	path := fmt.Sprintf("/api/v1/suggestions/%d", id)
	b.want(b.do("POST", path+"/cosigners", lead, map[string]any{"deputy_ids": []int64{11, 12}}), 204, "invite")
	b.want(b.do("POST", path+"/cosign", co, map[string]any{"accept": true}), 204, "accept")
	b.want(b.do("POST", path+"/cosign", declined, map[string]any{"accept": false}), 204, "decline")
	b.want(b.do("POST", path+"/submit", lead, map[string]any{}, "Idempotency-Key", "submit-doc"), 200, "submit")
	asg := b.accepted(id)
	if _, err := b.sugg.RecordContact(ctx, handler, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "赵经办、张三", Summary: "沟通了路灯修复方案"}); err != nil {
		t.Fatal(err)
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("答复函正文 "), 500)...)
	key := fmt.Sprintf("tenant/1/suggestions/%d/replies/0123456789abcdef.pdf", id)
	if _, err := b.objects.Put(ctx, key, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().In(deadline.Shanghai).AddDate(0, 1, 0).Date()
	if _, err := b.sugg.Reply(ctx, handler, asg, suggestion.ReplyInput{Class: suggestion.ClassB, Body: "西段路灯已列入今年计划。",
		DocumentKey: key, Commitments: []suggestion.CommitmentInput{{What: "修复西段路灯", DueOn: time.Date(y, m, d, 0, 0, 0, 0, deadline.Shanghai)}}}); err != nil {
		t.Fatal(err)
	}

	page := func(tok string) (replyDocPage, resp) {
		t.Helper()
		r := b.do("GET", path, tok, nil)
		b.want(r, 200, "detail")
		var p replyDocPage
		r.json(t, &p)
		if mpapi.CheckAPITimes(t, r.Body) == 0 {
			t.Fatalf("no times on the page: %s", r.Body)
		}
		return p, r
	}
	for who, tok := range map[string]string{"lead": lead, "co-signer": co} {
		before := time.Now()
		p, _ := page(tok)
		if len(p.Replies) != 1 || p.Replies[0].Document == nil {
			t.Fatalf("%s: no document on the reply: %+v", who, p.Replies)
		}
		doc := p.Replies[0].Document
		if doc.Name != "第0001号建议答复函.pdf" || doc.Size != int64(len(pdf)) {
			t.Errorf("%s: document %q of %d bytes, want 第0001号建议答复函.pdf of %d", who, doc.Name, doc.Size, len(pdf))
		}
		if lo, hi := before.Add(mpapi.DocumentURLTTL-time.Minute), time.Now().Add(mpapi.DocumentURLTTL); doc.ExpiresAt.Before(lo) || doc.ExpiresAt.After(hi) {
			t.Errorf("%s: expires_at %v, want about %v from now", who, doc.ExpiresAt, mpapi.DocumentURLTTL)
		}
		res, err := http.Get(doc.URL) // as wx.downloadFile: no session, the URL is the permission
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(got, pdf) || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s: the URL answers %d %q with %d bytes, want the PDF", who, res.StatusCode, res.Header.Get("Content-Type"), len(got))
		}
	}
	// The co-signer's rating deadline is computed in Shanghai (end of day); it leaves in UTC.
	if p, _ := page(co); p.ReplyUntil == nil || p.ReplyUntil.Location() != time.UTC {
		t.Fatalf("co-signer's reply_rating_until: %v", p.ReplyUntil)
	}

	for who, tok := range map[string]string{"declined co-signer": declined, "other tenant": stranger} {
		r := b.do("GET", path, tok, nil)
		b.want(r, 404, who)
		if strings.Contains(string(r.Body), "X-Amz") || strings.Contains(string(r.Body), key) {
			t.Fatalf("%s: %s", who, r.Body)
		}
	}
	for _, tok := range []string{lead, lead, co} { // the second read of the lead's list is the cached page
		r := b.do("GET", "/api/v1/suggestions", tok, nil)
		b.want(r, 200, "list")
		if strings.Contains(string(r.Body), "X-Amz") || strings.Contains(string(r.Body), ".pdf") {
			t.Fatalf("a document URL in the list: %s", r.Body)
		}
	}

	// Rated 满意 with a commitment the case goes to 跟踪; once the unit reports it done the
	// lead is offered the implementation rating, whose deadline is a Shanghai end of day too.
	b.want(b.do("POST", path+"/ratings", lead, map[string]any{"kind": "reply", "rating": "satisfied"}), 200, "lead rates")
	sd, err := b.sugg.Detail(ctx, reviewer, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.sugg.CompleteCommitment(ctx, handler, sd.Replies[0].Commitments[0].ID, "西段路灯已修复"); err != nil {
		t.Fatal(err)
	}
	p, r := page(lead)
	if p.Status != "tracking" || p.ImplUntil == nil || p.ImplUntil.Location() != time.UTC {
		t.Fatalf("lead's page in tracking: %s", r.Body)
	}
	if !strings.Contains(string(r.Body), `"implementation_rating_until":"`+p.ImplUntil.Format("2006-01-02T15:04:05.999999Z")+`"`) ||
		p.ImplUntil.In(deadline.Shanghai).Format("15:04:05") != "23:59:59" {
		t.Fatalf("implementation_rating_until not the Shanghai end of day in UTC: %s", r.Body)
	}

	if err := b.objects.Remove(ctx, key); err != nil {
		t.Fatal(err)
	}
	if p, _ := page(co); len(p.Replies) != 1 || p.Replies[0].Document != nil {
		t.Fatalf("a vanished letter still offered: %+v", p.Replies)
	}
}
