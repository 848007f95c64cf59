package mpapi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	mpapi "jianyi/miniprogram-api"
)

// TestFindDeputiesToCosign: a bound deputy finds colleagues by a part of the name and
// invites the one found by id. Only active deputies of the caller's own tenant come back,
// never the caller; each is id, name and 代表团 only (no phone number, no openid). Bad
// queries get their codes, an unbound or signed-out phone is refused, and the route counts
// against the per-user rate limit like every other.
func TestFindDeputiesToCosign(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{limiterPrefix: fmt.Sprintf("dep%d:", time.Now().UnixNano()),
		limits: mpapi.Limits{Window: time.Minute, PerIP: 1000, PerUser: 30, LoginPerIP: 1000, JSONBody: 64 << 10}})
	b.exec(`INSERT INTO delegations (tenant_id, id, name) VALUES (1, 1, '雄关区代表团')`)
	b.exec(`INSERT INTO deputies (tenant_id, id, name, phone, delegation_id, active, mp_openid) VALUES
		(1, 12, '张三丰', '13800000012', 1, true, 'openid-zsf'), (1, 13, '张停', '13800000013', 1, false, NULL),
		(2, 21, '张外', '13800000021', NULL, true, NULL)`)
	tok := b.deputy("openid-zhang", "jyg", "13800000001")

	find := func(q string) resp {
		return b.do("GET", "/api/v1/deputies?q="+url.QueryEscape(q), tok, nil)
	}
	r := find("张")
	b.want(r, 200, "find 张")
	var raw struct{ Items []map[string]any }
	r.json(t, &raw)
	if len(raw.Items) != 1 || raw.Items[0]["id"] != float64(12) || raw.Items[0]["name"] != "张三丰" ||
		raw.Items[0]["delegation"] != "雄关区代表团" || len(raw.Items[0]) != 3 {
		t.Fatalf("张: %s (want 张三丰 only: not the caller 张三, the stopped 张停 or another tenant's 张外)", r.Body)
	}
	for _, leak := range []string{"138000", "openid", "phone"} {
		if strings.Contains(string(r.Body), leak) {
			t.Fatalf("%q in the answer: %s", leak, r.Body)
		}
	}
	r = find("四")
	b.want(r, 200, "find 四")
	var list struct{ Items []struct{ ID int64 } }
	r.json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != 11 {
		t.Fatalf("四: %s", r.Body)
	}
	if r := find("何"); r.Status != 200 || string(r.Body) != `{"items":[]}` {
		t.Fatalf("nobody: %d %s", r.Status, r.Body)
	}

	// The one found is invited by id, as the phone does next.
	id := b.draft(tok, "关于增设公交站台的建议")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosigners", id), tok, map[string]any{"deputy_ids": []int64{12}}), 204, "invite the deputy found")
	if n := b.count(`SELECT count(*) FROM suggestion_cosigners WHERE tenant_id = 1 AND suggestion_id = $1 AND deputy_id = 12`, id); n != 1 {
		t.Fatalf("%d invitations", n)
	}

	for _, tc := range []struct {
		query  string
		status int
		code   string
	}{
		{"", 422, "query_required"},
		{"q=", 422, "query_required"},
		{"q=%20%20", 422, "query_required"},
		{"q=%E5%BC%A0%00", 422, "bad_text"},
		{"q=%E5%BC%A0%0A%E4%B8%89", 422, "bad_text"},
		{"q=%FF", 422, "bad_text"},
		{"q=" + url.QueryEscape(strings.Repeat("张", 21)), 422, "query_too_long"},
		{"q=%E5%BC%A0&limit=5", 400, "bad_filter"},
		{"q=a&q=b", 400, "bad_filter"},
	} {
		r := b.do("GET", "/api/v1/deputies?"+tc.query, tok, nil)
		if r.Status != tc.status || r.code() != tc.code {
			t.Errorf("?%s: %d %s, want %d %s", tc.query, r.Status, r.Body, tc.status, tc.code)
		}
		var e mpapi.ErrorBody
		if json.Unmarshal(r.Body, &e) != nil || e.Message == "" {
			t.Errorf("?%s: no Chinese message: %s", tc.query, r.Body)
		}
	}

	unbound, lr := b.login("openid-nobody", "jyg")
	b.want(lr, 200, "login unbound")
	if r := b.do("GET", "/api/v1/deputies?q=%E5%BC%A0", unbound, nil); r.Status != 403 || r.code() != "not_bound" {
		t.Fatalf("unbound: %d %s", r.Status, r.Body)
	}
	if r := b.do("GET", "/api/v1/deputies?q=%E5%BC%A0", "", nil); r.Status != 401 {
		t.Fatalf("signed out: %d %s", r.Status, r.Body)
	}

	limited := false
	for i := 0; i < 40 && !limited; i++ {
		r := find("张")
		switch {
		case r.Status == 429 && r.code() == "rate_limited" && r.Header.Get("Retry-After") != "":
			limited = true
		case r.Status != 200:
			t.Fatalf("search %d: %d %s", i, r.Status, r.Body)
		}
	}
	if !limited {
		t.Fatal("40 searches a minute were never rate limited (per-user limit 30)")
	}
}
