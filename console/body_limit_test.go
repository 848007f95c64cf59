package console_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// countingBody streams n bytes of a multipart form (a field, then one file) without holding
// them, and counts how many the server took.
type countingBody struct {
	head, tail []byte
	n, read    int64
	sent       atomic.Int64
}

func newCountingBody(field, value string, n int64) (*countingBody, string) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	_ = w.WriteField(field, value)
	_, _ = w.CreateFormFile("file", "big.bin")
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	return &countingBody{head: head.Bytes(), tail: []byte(tail), n: n}, w.FormDataContentType()
}

func (b *countingBody) Read(p []byte) (int, error) {
	total := int64(len(b.head)) + b.n + int64(len(b.tail))
	if b.read >= total {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && b.read < total {
		switch {
		case b.read < int64(len(b.head)):
			p[k] = b.head[b.read]
		case b.read < int64(len(b.head))+b.n:
			p[k] = 'x'
		default:
			p[k] = b.tail[b.read-int64(len(b.head))-b.n]
		}
		k++
		b.read++
	}
	b.sent.Add(int64(k))
	return k, nil
}

// A POST body is bounded before anything reads it: a huge multipart upload (no length
// announced) to the sign-in form, which anyone may send, or to an ordinary form of a signed-in
// user, is refused with 413 and a Chinese reason once the limit is passed, instead of being
// read whole and its file spooled to the server's disk.
func TestHugeBodiesAreRefusedUnread(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rev := b.desk("shencha")
	const huge = 256 << 20
	for _, tc := range []struct {
		name, path string
		c          *client
		field      string
		value      string
	}{
		{"sign-in, not signed in", "/login", b.client(), "tenant", "jyg"},
		{"a progress note, signed in", suggestionURL(b.sid) + "/progress", rev.c, "csrf", rev.tok},
	} {
		body, ct := newCountingBody(tc.field, tc.value, huge)
		req, err := http.NewRequest(http.MethodPost, tc.c.base+tc.path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = -1 // chunked: the size is not announced
		req.Header.Set("Content-Type", ct)
		resp, err := tc.c.hc.Do(req)
		// The server answers 413 and closes the connection while the client is still
		// sending: the client may see the reset before it reads the answer.
		if err == nil {
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "提交的内容过大") {
				t.Fatalf("%s: %d, want 413 with the reason\n%.500s", tc.name, resp.StatusCode, page)
			}
		}
		if sent := body.sent.Load(); sent > 64<<20 {
			t.Fatalf("%s: the server read %d MB of a body it refuses (%v)", tc.name, sent>>20, err)
		}
	}
	// A body just over the limit (small enough to be sent whole before the answer) is told why.
	for _, tc := range []struct {
		name, path string
		c          *client
		n          int
	}{
		{"sign-in", "/login", b.client(), 70 << 10},
	} {
		form := "csrf=" + rev.tok + "&body=" + strings.Repeat("x", tc.n)
		resp, err := tc.c.hc.Post(tc.c.base+tc.path, "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "提交的内容过大") {
			t.Fatalf("%s just over the limit: %d, want 413 with the reason\n%.500s", tc.name, resp.StatusCode, page)
		}
	}
	if n := b.count(`SELECT count(*) FROM progress_notes`); n != 0 {
		t.Fatalf("progress notes written: %d", n)
	}
}

// The deputy import says its limit (10 MB) and keeps it: a larger file is refused with that
// reason, not read as a workbook.
func TestDeputyImportOverTenMegabytes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.desk("admin")
	before := b.changes()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", admin.tok)
	fw, _ := w.CreateFormFile("file", "代表名册.xlsx")
	_, _ = fw.Write(bytes.Repeat([]byte{'P'}, 10<<20+512<<10)) // 10.5 MB
	_ = w.Close()
	resp, err := admin.c.hc.Post(admin.c.base+"/admin/deputies/import", w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/deputies" {
		t.Fatalf("import: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := admin.c.get("/admin/deputies")
	contains(t, page, "导入文件不能超过10MB")
	if after := b.changes(); after != before {
		t.Fatalf("the refused import wrote:\n%s\n%s", before, after)
	}
}
