package config

import (
	"strings"
	"testing"
)

// TestConsoleURL: JIANYI_CONSOLE_URL is optional; when set it must be an absolute http(s)
// URL, and a trailing slash is dropped so links join as <base>/suggestions/….
func TestConsoleURL(t *testing.T) {
	t.Parallel()
	c, err := LoadFrom(with(prodEnv(), "JIANYI_CONSOLE_URL", " https://jianyi.example.gov.cn/ "))
	if err != nil {
		t.Fatal(err)
	}
	if c.ConsoleURL != "https://jianyi.example.gov.cn" {
		t.Errorf("ConsoleURL = %q", c.ConsoleURL)
	}
	if err := c.Validate(ModeWorker); err != nil {
		t.Errorf("valid console URL refused: %v", err)
	}
	unset, _ := LoadFrom(prodEnv())
	if err := unset.Validate(ModeServe); err != nil {
		t.Errorf("unset console URL refused: %v", err)
	}
	for _, bad := range []string{"jianyi.example.gov.cn", "/console", "ftp://jianyi.example.gov.cn", "https://", "https://%zz"} {
		c, err := LoadFrom(with(prodEnv(), "JIANYI_CONSOLE_URL", bad))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate(ModeWorker)
		if err == nil || !strings.Contains(err.Error(), "JIANYI_CONSOLE_URL") {
			t.Errorf("%q: error %v, want one naming JIANYI_CONSOLE_URL", bad, err)
		}
	}
}
