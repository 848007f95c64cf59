package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The roster can be corrected and a deputy stopped from the 代表名册 page: each row has a
// form filled with the deputy's current values for the administrator (not for a reviewer,
// who may only read and issue invites). Another tenant's deputy cannot be edited.
func TestAdminEditsAndStopsADeputy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	admin := b.client()
	tok := admin.login("jyg", "admin", testPassword)

	_, page := admin.get("/admin/deputies")
	contains(t, page, `id="deputy-2"`)
	contains(t, page, `name="name" value="李秀英"`)
	contains(t, page, `<option value="1" selected>雄关区代表团</option>`)
	if strings.Contains(page, "王别家") || strings.Contains(page, `id="deputy-3"`) {
		t.Fatal("another tenant's deputy is on the roster")
	}

	status, loc, _ := admin.post("/admin/deputies", url.Values{"csrf": {tok}, "id": {"2"}, "name": {"李秀英"},
		"phone": {"13900000022"}, "delegation": {"1"}, "active": {"0"}})
	if status != http.StatusSeeOther || loc != "/admin/deputies" {
		t.Fatalf("save: %d %s", status, loc)
	}
	_, page = admin.get("/admin/deputies")
	contains(t, page, "已保存代表：李秀英")
	var phone string
	var active bool
	if err := b.pool.QueryRow(ctx, `SELECT phone, active FROM deputies WHERE tenant_id = 1 AND id = 2`).Scan(&phone, &active); err != nil {
		t.Fatal(err)
	}
	if phone != "13900000022" || active {
		t.Fatalf("deputy 2 after the edit: phone %s active %v", phone, active)
	}
	contains(t, page, "停用")

	// Another tenant's deputy: not found, and unchanged.
	status, _, _ = admin.post("/admin/deputies", url.Values{"csrf": {tok}, "id": {"3"}, "name": {"改名"}, "active": {"0"}})
	if status != http.StatusNotFound {
		t.Fatalf("editing another tenant's deputy: %d, want 404", status)
	}
	var name string
	if err := b.pool.QueryRow(ctx, `SELECT name, active FROM deputies WHERE id = 3`).Scan(&name, &active); err != nil || name != "王别家" || !active {
		t.Fatalf("another tenant's deputy changed: %s %v %v", name, active, err)
	}

	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	_, page = rev.get("/admin/deputies")
	contains(t, page, "李秀英")
	if strings.Contains(page, `id="deputy-2"`) {
		t.Fatal("a reviewer is offered the roster edit form")
	}
}
