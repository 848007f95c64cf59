// Package apperr is the one shape of a domain refusal: a kind every front door knows how to
// answer (not found, conflict, forbidden, invalid, wrong state), a stable machine code, and the
// Chinese message a person reads. Each domain package aliases Error and names its refusals;
// each front door maps a refusal through one branch.
package apperr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"jianyi/internal/plaintext"
)

// The kinds. Every *Error wraps exactly one; domains may add kinds of their own.
var (
	ErrNotFound          = errors.New("not found")
	ErrConflict          = errors.New("conflict")
	ErrForbidden         = errors.New("forbidden")
	ErrInvalid           = errors.New("invalid input")
	ErrInvalidTransition = errors.New("invalid transition")
)

// Error is a refusal with a stable machine code and a Chinese message for people.
type Error struct {
	Kind    error
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Kind) }
func (e *Error) Unwrap() error { return e.Kind }

// New builds a refusal.
func New(kind error, code, msg string) *Error { return &Error{Kind: kind, Code: code, Message: msg} }

// CodeOf returns the stable code of a refusal, or "" for any other error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Text is the one check of a free-text field a person typed: trimmed, then refused as
// bad_text when it holds what nothing here may store (internal/plaintext: on one line every
// control character and the format characters that cannot be seen, such as zero-width spaces;
// in a text all but tab, line feed and carriage return), or with code when it is longer than
// max characters. what names the field in the message.
func Text(s string, max int, code, what string, oneLine bool) (string, error) {
	s = strings.TrimSpace(s)
	if r := plaintext.Refusal(s, oneLine); r != "" {
		return "", New(ErrInvalid, "bad_text", what+r)
	}
	if utf8.RuneCountInString(s) > max {
		return "", New(ErrInvalid, code, fmt.Sprintf("%s不能超过%d个字", what, max))
	}
	return s, nil
}
