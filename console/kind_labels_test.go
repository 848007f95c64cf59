package console

import (
	"testing"

	"jianyi/internal/notify"
)

// Every notice kind has its Chinese name in the template editor (系统管理 → 消息模板): a kind
// without one showed its bare code to the administrator.
func TestEveryNoticeKindHasALabel(t *testing.T) {
	for _, k := range notify.Kinds {
		if kindLabels[k] == "" {
			t.Errorf("notice kind %q has no label in the template editor", k)
		}
	}
}
