package auth

import (
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

// HashPassword returns the argon2id PHC string of pw.
func HashPassword(pw string) (string, error) {
	if len([]rune(pw)) < MinPasswordLen {
		return "", ErrWeakPassword
	}
	h, err := argon2id.CreateHash(pw, PasswordParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether pw matches hash. An empty or malformed hash never matches.
func CheckPassword(pw, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// dummyHash is compared against when the username does not exist, so that a failed sign-in
// costs the same time either way.
var dummyHash = func() string {
	h, _ := argon2id.CreateHash("jianyi-dummy-password", PasswordParams)
	return h
}()
