package wechat

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateSubscribeData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, val string
		ok       bool
	}{
		{"thing1", strings.Repeat("建", 20), true},
		{"thing1", strings.Repeat("建", 21), false},
		{"thing12", "abc 123 ！", true},
		{"thing1", "", false},
		{"thing1", "   ", false},
		{"thing1", "two\nlines", false},
		{"phrase2", "已办结", true},
		{"phrase2", "已经全部办结", false},
		{"phrase2", "done", false},
		{"character_string3", "JY-2026-000123", true},
		{"character_string3", strings.Repeat("a", 33), false},
		{"character_string3", "编号1", false},
		{"character_string3", "a b", false},
		{"number4", "12.5", true},
		{"number4", "12a", false},
		{"letter5", "ABC", true},
		{"letter5", "AB1", false},
		{"symbol6", "%", true},
		{"symbol6", "a%", false},
		{"time7", "2026年11月26日 15:01", true},
		{"time7", "15:01", true},
		{"time7", "tomorrow", false},
		{"date8", "2026-11-26", true},
		{"date8", "2026-11-26 ~ 2026-12-01", true},
		{"name9", "张三", true},
		{"name9", "欧阳娜娜娜娜娜娜娜娜娜", false},
		{"name9", "Zhang San Feng", true},
		{"amount10", "¥100.50", true},
		{"amount10", "100元", true},
		{"amount10", "一百元", false},
		{"phone_number11", "+86-13800000000", true},
		{"phone_number11", "138000000001234567", false},
		{"car_number12", "粤A12345", true},
		{"car_number12", "粤A123456789", false},
		{"unknown1", "x", false},
		{"thing", "no digits in key", false},
	}
	for _, tt := range tests {
		err := ValidateSubscribeData(map[string]string{tt.key: tt.val})
		if (err == nil) != tt.ok {
			t.Errorf("%s=%q: err = %v, want ok=%v", tt.key, tt.val, err, tt.ok)
		}
		if err != nil {
			var fe *FieldLimitError
			if !errors.Is(err, ErrFieldLimit) || !errors.As(err, &fe) || fe.Key != tt.key {
				t.Errorf("%s: error %v is not a FieldLimitError for the key", tt.key, err)
			}
			if tt.val != "" && strings.TrimSpace(tt.val) != "" && strings.Contains(err.Error(), tt.val) {
				t.Errorf("%s: error repeats the value: %v", tt.key, err)
			}
		}
	}
	if err := ValidateSubscribeData(nil); !errors.Is(err, ErrFieldLimit) {
		t.Errorf("empty data accepted")
	}
}
