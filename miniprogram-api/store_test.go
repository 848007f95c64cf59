package mpapi_test

import "jianyi/storage/postgres"

func postgresAccountStore(b *bundle) *postgres.AccountStore { return postgres.NewAccountStore(b.pool) }
