package main

import (
	"context"
	"slices"
	"testing"
)

// Each demo suggestion is assigned to the units whose work its topic is, as a reviewer would
// assign it: a bus-route case to the transport bureau, an old-residential-area case to the
// housing bureau, a school case to the education bureau, never in rotation whatever the topic.
func TestSeedDemoAssignsByTopic(t *testing.T) {
	t.Parallel()
	d, _ := seededDemo(t)
	ctx := context.Background()
	units := func(title string) (lead string, co []string) {
		t.Helper()
		rows, err := d.pool.Query(ctx, `SELECT a.role::text, u.name FROM assignments a
			JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
			JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
			WHERE s.title = $1 AND a.active ORDER BY u.name`, title)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var role, name string
			if err := rows.Scan(&role, &name); err != nil {
				t.Fatal(err)
			}
			if role == "lead" {
				lead = name
			} else {
				co = append(co, name)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return lead, co
	}
	for _, tc := range []struct {
		title, lead string
		co          []string
	}{
		{"关于优化公交车线路和运行时间的建议", "市交通运输局", []string{"市公安局交通警察支队"}},
		{"关于解决老旧小区改造遗留问题的建议", "市住房和城乡建设局", []string{"市生态环境局"}},
		{"关于优化中小学教育资源配置的建议", "市教育局", []string{"市发展和改革委员会"}},
		{"关于提升基层医疗服务能力的建议", "市卫生健康委员会", nil},
		{"关于治理讨赖河沿岸环境的建议", "市生态环境局", []string{"市城市管理综合执法局"}},
		{"关于发展戈壁农业特色产业的建议", "市农业农村局", nil},
	} {
		if lead, co := units(tc.title); lead != tc.lead || !slices.Equal(co, tc.co) {
			t.Errorf("%s: lead %q co %v, want %q %v", tc.title, lead, co, tc.lead, tc.co)
		}
	}

	// Every assigned demo suggestion's lead unit is one whose work its category is.
	fits := map[string][]string{
		"城乡建设": {"市住房和城乡建设局", "市城市管理综合执法局"},
		"交通运输": {"市交通运输局", "市住房和城乡建设局", "市公安局交通警察支队"},
		"教育":   {"市教育局"},
		"卫生健康": {"市卫生健康委员会"},
		"社会保障": {"市人力资源和社会保障局", "市卫生健康委员会"},
		"生态环境": {"市生态环境局"},
		"农业农村": {"市农业农村局"},
		"经济发展": {"市发展和改革委员会"},
	}
	rows, err := d.pool.Query(ctx, `SELECT s.title, c.name, u.name FROM assignments a
		JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
		JOIN categories c ON c.tenant_id = s.tenant_id AND c.id = s.category_id
		JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
		WHERE a.active AND a.role = 'lead'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var title, category, unit string
		if err := rows.Scan(&title, &category, &unit); err != nil {
			t.Fatal(err)
		}
		n++
		if !slices.Contains(fits[category], unit) {
			t.Errorf("%s (%s) is led by %s", title, category, unit)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("%d assigned demo suggestions", n)
	}
}
