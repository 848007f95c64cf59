package mpapi_test

import (
	"context"
	"fmt"
	"strings"
)

// dbState fingerprints every table a mini-program request writes, so a refusal can be shown
// to have changed nothing at all.
func (b *bundle) dbState() string {
	b.t.Helper()
	var out strings.Builder
	for _, table := range []string{"suggestions", "audit_events", "outbox", "snaps", "attachments", "mp_uploads",
		"idempotency_keys", "contacts", "evaluations", "notices", "notify_credits", "deputies", "invite_codes",
		"suggestion_cosigners"} {
		var sum string
		q := fmt.Sprintf(`SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t`, table)
		if err := b.pool.QueryRow(context.Background(), q).Scan(&sum); err != nil {
			b.t.Fatalf("fingerprint %s: %v", table, err)
		}
		fmt.Fprintf(&out, "%s=%s\n", table, sum)
	}
	return out.String()
}

func (b *bundle) wantRefusal(r resp, status int, code, what string) {
	b.t.Helper()
	b.want(r, status, what)
	if r.code() != code {
		b.t.Fatalf("%s: code %q, want %q: %s", what, r.code(), code, r.Body)
	}
}
