package config

import (
	"slices"
	"strings"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		name    string
		val     string // "<unset>": not in the environment
		want    []string
		wantErr string
	}{
		{"unset trusts no one", "<unset>", nil, ""},
		{"empty trusts no one", "", nil, ""},
		{"one address", "10.0.0.5", []string{"10.0.0.5"}, ""},
		{"list with blanks", " 10.0.0.0/8, 172.16.0.0/12 ,,::1 ,", []string{"10.0.0.0/8", "172.16.0.0/12", "::1"}, ""},
		{"ipv6 cidr", "fd00::/8", []string{"fd00::/8"}, ""},
		{"host name", "proxy.internal", nil, `JIANYI_TRUSTED_PROXIES has "proxy.internal", which is not an IP address or CIDR`},
		{"bad prefix length", "10.0.0.0/33", nil, `JIANYI_TRUSTED_PROXIES has "10.0.0.0/33"`},
		{"one bad among good", "10.0.0.1,10.0.0", nil, `JIANYI_TRUSTED_PROXIES has "10.0.0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := with(prodEnv(), "JIANYI_TRUSTED_PROXIES", tt.val)
			c, err := LoadFrom(env)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			for _, mode := range []Mode{ModeServe, ModeDev} {
				err = c.Validate(mode)
				if tt.wantErr == "" {
					if err != nil {
						t.Fatalf("%s: want valid, got %v", mode, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("%s: error %v, want %q", mode, err, tt.wantErr)
				}
			}
			if tt.wantErr == "" && !slices.Equal(c.TrustedProxies, tt.want) {
				t.Fatalf("TrustedProxies = %q, want %q", c.TrustedProxies, tt.want)
			}
		})
	}
}
