package console_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/console"
	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/internal/export"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
	"jianyi/storage/objects"
	"jianyi/storage/objects/objtest"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

const testPassword = "desk-pass-2026"

// bundle is one test's console on a real database and object store.
type bundle struct {
	t      *testing.T
	pool   *pgxpool.Pool
	srv    *httptest.Server
	sugg   *suggestion.Service
	objs   *objects.Store
	docs   *documents
	photos *media.Service
	sid    int64 // the submitted suggestion of tenant 1
	otherS int64 // a suggestion of tenant 2
	cfg    console.Config
}

// remount serves the console again from the bundle's configuration as edit changes it, with
// opts (as cmd/jianyi wires the optional parts).
func (b *bundle) remount(edit func(*console.Config), opts ...console.Option) {
	b.t.Helper()
	cfg := b.cfg
	if edit != nil {
		edit(&cfg)
	}
	r := gin.New()
	if err := console.Mount(r, cfg, opts...); err != nil {
		b.t.Fatal(err)
	}
	b.srv.Close()
	b.srv = httptest.NewServer(r)
	b.t.Cleanup(b.srv.Close)
}

var (
	hashOnce sync.Once
	hash     string
)

func passwordHash(t testing.TB) string {
	hashOnce.Do(func() {
		h, err := auth.HashPassword(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		hash = h
	})
	return hash
}

// documents adapts the object store to console.Documents (as cmd/jianyi does) and keeps the
// keys it was asked to store, so a test can tell which files are left.
type documents struct {
	s    *objects.Store
	mu   sync.Mutex
	keys []string
}

func (d *documents) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	d.mu.Lock()
	d.keys = append(d.keys, key)
	d.mu.Unlock()
	_, err := d.s.Put(ctx, key, r, size, ct)
	return err
}

func (d *documents) Delete(ctx context.Context, key string) error { return d.s.Remove(ctx, key) }

// stored returns the keys put so far that are still in the object store.
func (d *documents) stored(t *testing.T) []string {
	t.Helper()
	d.mu.Lock()
	keys := append([]string(nil), d.keys...)
	d.mu.Unlock()
	var out []string
	for _, k := range keys {
		_, err := d.s.Stat(context.Background(), k)
		switch {
		case err == nil:
			out = append(out, k)
		case !errors.Is(err, objects.ErrNotFound):
			t.Fatal(err)
		}
	}
	return out
}

func (d *documents) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	rc, info, err := d.s.Get(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	return rc, info.Size, nil
}

// setup builds two tenants: jyg (reviewer "shencha", admin "admin", unit handlers "zhujian"
// for 住建局 and "jiaotong" for 交通局, leader "lingdao") with one submitted suggestion, and
// "other" (reviewer "shencha") with one submitted suggestion of its own.
func setup(t *testing.T) *bundle {
	t.Helper()
	gin.SetMode(gin.TestMode)
	pool := pgtest.New(t)
	ex := func(sql string, args ...any) { pgtest.MustExec(t, pool, sql, args...) }
	h := passwordHash(t)
	ex(`INSERT INTO tenants (id, code, name) VALUES (1, 'jyg', '嘉峪关市人大常委会'), (2, 'other', '另一个常委会')`)
	ex(`INSERT INTO meetings (tenant_id, id, name, year, starts_on, ends_on, is_current) VALUES
	    (1, 1, '市十届人大五次会议', 2026, '2026-01-10', '2026-01-14', true), (2, 2, '别家会议', 2026, '2026-01-10', '2026-01-14', true)`)
	ex(`INSERT INTO categories (tenant_id, id, name) VALUES (1, 1, '城乡建设'), (1, 2, '交通运输'), (2, 3, '别家类别')`)
	ex(`INSERT INTO delegations (tenant_id, id, name) VALUES (1, 1, '雄关区代表团'), (2, 2, '别家代表团')`)
	ex(`INSERT INTO deputies (tenant_id, id, name, phone, delegation_id) VALUES (1, 1, '张建国', '13900000001', 1), (1, 2, '李秀英', '13900000002', 1), (2, 3, '王别家', '13900000003', 2)`)
	ex(`INSERT INTO units (tenant_id, id, name) VALUES (1, 1, '市住房和城乡建设局'), (1, 2, '市交通运输局'), (2, 3, '别家住建局')`)
	users := []struct {
		tenant, id int64
		username   string
		name       string
		unit       *int64
		roles      []string
	}{
		{1, 1, "shencha", "代表工委 王审查", nil, []string{"reviewer"}},
		{1, 2, "admin", "管理员", nil, []string{"admin", "reviewer"}},
		{1, 3, "zhujian", "住建局 刘经办", ptr(1), []string{"unit_handler"}},
		{1, 4, "jiaotong", "交通局 陈经办", ptr(2), []string{"unit_handler"}},
		{1, 5, "lingdao", "常委会 赵领导", nil, []string{"leader"}},
		{2, 6, "shencha", "别家审查", nil, []string{"reviewer"}},
	}
	for _, u := range users {
		ex(`INSERT INTO users (tenant_id, id, username, display_name, password_hash, unit_id) VALUES ($1, $2, $3, $4, $5, $6)`,
			u.tenant, u.id, u.username, u.name, h, u.unit)
		for _, r := range u.roles {
			ex(`INSERT INTO user_roles (tenant_id, user_id, role) VALUES ($1, $2, $3)`, u.tenant, u.id, r)
		}
	}
	ex(`SELECT setval(pg_get_serial_sequence('users', 'id'), 100)`)
	ex(`SELECT setval(pg_get_serial_sequence('units', 'id'), 100)`)
	ex(`SELECT setval(pg_get_serial_sequence('deputies', 'id'), 100)`)
	ex(`SELECT setval(pg_get_serial_sequence('categories', 'id'), 100)`)
	ex(`SELECT setval(pg_get_serial_sequence('delegations', 'id'), 100)`)
	ex(`SELECT setval(pg_get_serial_sequence('meetings', 'id'), 100)`)

	objs := objtest.New(t)
	docs := &documents{s: objs}
	sugg := suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	notifyStore := postgres.NewNotifyStore(pool)
	photos := media.NewService(postgres.NewMediaStore(pool), objects.MediaAdapter{S: objs}, nil, nil, nil)
	cfg := console.Config{
		Sessions:    auth.NewSessions(postgres.NewConsoleAuthStore(pool), auth.DefaultPolicy(), nil),
		Suggestions: sugg,
		Directory:   directory.NewService(postgres.NewDirectoryStore(pool)),
		Stats:       stats.NewService(postgres.NewStatsStore(pool), nil),
		Supervise:   supervise.NewService(postgres.NewSuperviseStore(pool), nil),
		Export:      export.NewService(postgres.NewExportStore(pool), nil),
		Templates:   notify.NewTemplates(notifyStore),
		Inbox:       notify.NewInbox(notifyStore, nil),
		Documents:   docs,
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Photos:      photos,
	}
	r := gin.New()
	if err := console.Mount(r, cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	// Whatever the test did through the real workflow, the dashboard's rollup (kept by
	// triggers) must still equal a recount of the workflow tables.
	t.Cleanup(func() {
		if err := postgres.NewStatsStore(pool).VerifyRollup(context.Background(), 0); err != nil {
			t.Errorf("after %s: %v", t.Name(), err)
		}
	})
	b := &bundle{t: t, pool: pool, srv: srv, sugg: sugg, objs: objs, docs: docs, photos: photos, cfg: cfg}
	b.sid = b.submit(1, 1, "关于加强老旧小区物业管理的建议", "部分老旧小区物业服务质量不高、收费不透明，建议厘清监管职责、公开收费标准并常态化监督检查。")
	b.otherS = b.submit(2, 3, "别家的机密建议", "这是另一个常委会的建议内容，绝不能出现在嘉峪关的页面上。")
	return b
}

func ptr(v int64) *int64 { return &v }

// submit creates and submits a suggestion as a deputy through the workflow.
func (b *bundle) submit(tenant, deputy int64, title, body string) int64 {
	b.t.Helper()
	ctx := context.Background()
	a := auth.Deputy(tenant, deputy)
	sg, err := b.sugg.CreateDraft(ctx, a, suggestion.DraftInput{Title: title, Body: body})
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.sugg.Submit(ctx, a, sg.ID, sg.Version); err != nil {
		b.t.Fatal(err)
	}
	return sg.ID
}

// client is a browser-like HTTP client with a cookie jar that does not follow redirects.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (b *bundle) client() *client { return newClient(b.t, b.srv.URL) }

func newClient(tb testing.TB, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: tb, base: base, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, body := c.getResp(path)
	return resp.StatusCode, string(body)
}

// getResp is get with the whole response (headers) and the body as read.
func (c *client) getResp(path string) (*http.Response, []byte) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// csrf reads the form token from a page.
func (c *client) csrf(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

// login signs in and returns the session's csrf token; it fails the test unless it works.
func (c *client) login(tenant, username, password string) string {
	c.t.Helper()
	status, loc, body := c.tryLogin(tenant, username, password)
	if status != http.StatusSeeOther || loc != "/" {
		c.t.Fatalf("login %s/%s: %d %s %.300s", tenant, username, status, loc, body)
	}
	return c.csrf("/")
}

func (c *client) tryLogin(tenant, username, password string) (int, string, string) {
	c.t.Helper()
	tok := c.csrf("/login")
	return c.post("/login", url.Values{"csrf": {tok}, "tenant": {tenant}, "username": {username}, "password": {password}, "next": {"/"}})
}

func contains(t *testing.T, body, want string) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Fatalf("page lacks %q:\n%.2000s", want, body)
	}
}

func shanghaiTZ() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}
