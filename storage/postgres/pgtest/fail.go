package pgtest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// FailNotices makes PostgreSQL refuse every notice of the tenant (an insert into notices
// raises, as a full disk or a connection lost in the middle of a transaction would) until
// restore is called or the test ends: a service that publishes its notices in the
// transaction of its record must then save neither.
func FailNotices(t testing.TB, pool *pgxpool.Pool, tenantID int64) (restore func()) {
	t.Helper()
	name := fmt.Sprintf("test_fail_notices_%d", tenantID)
	MustExec(t, pool, `CREATE FUNCTION `+name+`() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'notices refused by the test'; END $$`)
	MustExec(t, pool, fmt.Sprintf(`CREATE TRIGGER %s BEFORE INSERT ON notices FOR EACH ROW
		WHEN (NEW.tenant_id = %d) EXECUTE FUNCTION %s()`, name, tenantID, name))
	var once sync.Once
	restore = func() {
		once.Do(func() {
			MustExec(t, pool, `DROP TRIGGER `+name+` ON notices`)
			MustExec(t, pool, `DROP FUNCTION `+name+`()`)
		})
	}
	t.Cleanup(restore)
	return restore
}
