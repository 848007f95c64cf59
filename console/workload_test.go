package console_test

import (
	"context"
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// A unit's inbox shows who handles each case and the open work per handler, and a handler
// can keep to their own cases (只看我经办的).
func TestUnitWorkloadAndMyCases(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pgExec(t, b, `INSERT INTO users (tenant_id, id, username, display_name, password_hash, unit_id) VALUES (1, 70, 'zhujian2', '住建局 何经办', $1, 1)`, passwordHash(t))
	pgExec(t, b, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 70, 'unit_handler')`)

	first := b.registerAndAssign() // 物业 case, lead 住建局
	sid := b.submit(1, 2, "关于增设公交站台的建议", "新建小区周边缺少公交站台，居民出行不便，建议增设站台并优化线路。")
	sg, err := b.sugg.Get(ctx, reviewer(1), sid)
	if err != nil {
		t.Fatal(err)
	}
	if sg, err = b.sugg.Register(ctx, reviewer(1), sid, sg.Version, 2); err != nil {
		t.Fatal(err)
	}
	if _, err = b.sugg.Assign(ctx, reviewer(1), sid, sg.Version, suggestion.AssignInput{LeadUnitID: 1}); err != nil {
		t.Fatal(err)
	}
	var second int64
	if err := b.pool.QueryRow(ctx, `SELECT id FROM assignments WHERE tenant_id = 1 AND suggestion_id = $1`, sid).Scan(&second); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Accept(ctx, unitActor(3, 1), first, suggestion.AcceptInput{HandlerName: "刘经办"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Accept(ctx, unitActor(70, 1), second, suggestion.AcceptInput{HandlerName: "何经办"}); err != nil {
		t.Fatal(err)
	}

	he := b.client()
	he.login("jyg", "zhujian2", testPassword)
	_, page := he.get("/unit")
	contains(t, page, `id="workload"`)
	contains(t, page, "住建局 刘经办</td><td>1</td>")
	contains(t, page, "住建局 何经办</td><td>1</td>")
	contains(t, page, "老旧小区物业管理")
	contains(t, page, "增设公交站台")
	_, page = he.get("/unit?mine=1")
	contains(t, page, "增设公交站台")
	if strings.Contains(page, "老旧小区物业管理") {
		t.Fatal("只看我经办的 shows another handler's case")
	}
	contains(t, page, `href="/unit"`)

	other := b.client()
	other.login("jyg", "jiaotong", testPassword)
	if _, page := other.get("/unit"); strings.Contains(page, "何经办") {
		t.Fatal("another unit sees this unit's handlers")
	}
}
