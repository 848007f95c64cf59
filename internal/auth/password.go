package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/alexedwards/argon2id"
)

// PasswordParams are the argon2id parameters for staff passwords (RFC 9106 second
// recommended option scaled to a small server: 64 MiB, 1 pass, 2 lanes).
var PasswordParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// MinPasswordLen is the shortest password an admin may set.
const MinPasswordLen = 8

// ErrWeakPassword: the new password is too short.
var ErrWeakPassword = errors.New("auth: password too short")

// HashPassword returns the argon2id PHC string of pw, waiting (within the process-wide bound)
// for a hashing slot; ErrBusy when too many are waiting already.
func HashPassword(pw string) (string, error) {
	return HashPasswordContext(context.Background(), pw)
}

// HashPasswordContext is HashPassword giving up with ErrBusy when ctx ends before a hashing
// slot is free. It checks the length only; CheckNewPassword is the whole policy.
func HashPasswordContext(ctx context.Context, pw string) (string, error) {
	if len([]rune(pw)) < MinPasswordLen {
		return "", ErrWeakPassword
	}
	var h string
	var err error
	if berr := sharedHashing.Do(ctx, func() { h, err = argon2id.CreateHash(pw, PasswordParams) }); berr != nil {
		return "", berr
	}
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether pw matches hash. An empty or malformed hash never matches.
// It is not bounded: sign-in goes through Sessions, which is.
func CheckPassword(pw, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// dummyHash is compared against when there is no usable hash (no such tenant or username, or
// a user without a password), so that every failed sign-in costs one argon2id computation.
var dummyHash = func() string {
	h, _ := argon2id.CreateHash("jianyi-dummy-password", PasswordParams)
	return h
}()
