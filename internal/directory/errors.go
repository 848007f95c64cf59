package directory

import (
	"jianyi/internal/apperr"
)

// Sentinels; every *Error wraps one of them.
var (
	ErrNotFound  = apperr.ErrNotFound
	ErrConflict  = apperr.ErrConflict
	ErrForbidden = apperr.ErrForbidden
	ErrInvalid   = apperr.ErrInvalid
)

// Error is a refusal with a stable code and a Chinese message.
type Error = apperr.Error

func invalid(code, msg string) *Error { return &Error{Kind: ErrInvalid, Code: code, Message: msg} }

var (
	errForbidden = &Error{Kind: ErrForbidden, Code: "forbidden", Message: "您没有权限进行此操作"}
	errNotFound  = &Error{Kind: ErrNotFound, Code: "not_found", Message: "记录不存在"}
	// ErrDuplicate is returned by stores on a unique violation.
	ErrDuplicate = &Error{Kind: ErrConflict, Code: "duplicate", Message: "名称或用户名已存在"}
)

// NotFound is the store's not-found error.
func NotFound() error { return errNotFound }
