package mpapi

import (
	"context"
	"strconv"
	"strings"
	"time"

	"jianyi/internal/suggestion"
)

// Documents reads the signed reply letters (答复函 PDFs) units upload with their replies
// through the console (objects.MediaAdapter). The API does not stream them: like photos, the
// phone gets a short-lived presigned GET of the private bucket and opens it with
// wx.downloadFile + wx.openDocument.
type Documents interface {
	Stat(ctx context.Context, key string) (size int64, err error)
	PresignedGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// DocumentURLTTL is how long a reply letter's URL works, as long as a photo's
// (media.ViewURLTTL). The URL goes only into detail answers, which are never kept: they are
// sent no-store, the list cache keeps list pages only (list_cache.go: no replies on them)
// and the Idempotency-Key store keeps change answers only (a suggestion without replies).
// A phone holding an expired URL reads the detail again for a fresh one.
const DocumentURLTTL = 15 * time.Minute

type documentJSON struct {
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// replyDocuments signs a URL for the letter of each reply of d that has one, by reply id.
// The caller has let the reader see d (suggestion.Service.Detail: the lead deputy and the
// co-signers who can see it). A letter that cannot be found or signed (object missing,
// storage down) is left out and logged: the page, with the reply's text, still answers.
func (a *API) replyDocuments(ctx context.Context, tenantID int64, d *suggestion.Detail) map[int64]*documentJSON {
	if a.Documents == nil {
		return nil
	}
	prefix := "tenant/" + strconv.FormatInt(tenantID, 10) + "/"
	var out map[int64]*documentJSON
	for i := range d.Replies {
		r := &d.Replies[i]
		if r.DocumentKey == "" {
			continue
		}
		if !strings.HasPrefix(r.DocumentKey, prefix) { // never another tenant's object
			a.log.ErrorContext(ctx, "reply document outside its tenant", "tenant_id", tenantID, "reply_id", r.ID)
			continue
		}
		size, err := a.Documents.Stat(ctx, r.DocumentKey)
		if err != nil {
			a.log.WarnContext(ctx, "reply document unavailable", "tenant_id", tenantID, "reply_id", r.ID, "error", err)
			continue
		}
		expires := time.Now().Add(DocumentURLTTL)
		u, err := a.Documents.PresignedGet(ctx, r.DocumentKey, DocumentURLTTL)
		if err != nil {
			a.log.WarnContext(ctx, "sign reply document", "tenant_id", tenantID, "reply_id", r.ID, "error", err)
			continue
		}
		if out == nil {
			out = map[int64]*documentJSON{}
		}
		out[r.ID] = &documentJSON{Name: documentName(&d.Suggestion, r), Size: size, URL: u,
			ExpiresAt: expires.UTC().Truncate(time.Second)}
	}
	return out
}

// documentName is the letter's file name as the phone shows and saves it:
// 第0012号建议答复函.pdf, with the round from the second one on.
func documentName(s *suggestion.Suggestion, r *suggestion.Reply) string {
	var b strings.Builder
	b.WriteString(s.NumberLabel())
	b.WriteString("建议")
	if r.Round > 1 {
		b.WriteString("第" + strconv.Itoa(r.Round) + "轮")
	}
	b.WriteString("答复函.pdf")
	return b.String()
}
