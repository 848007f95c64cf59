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
	// A referenced row that is not this tenant's, or does not exist, is bad input: the
	// same answer either way, so another tenant's ids reveal nothing.
	errNoUnit       = invalid("unit_not_found", "所选承办单位不存在")
	errNoCategory   = invalid("category_not_found", "所选类别不存在")
	errNoDelegation = invalid("delegation_not_found", "所选代表团不存在")
	errNoGroup      = invalid("group_not_found", "所选代表小组不存在")
	// ErrBadReference is returned by stores on a foreign-key violation (a referenced row
	// vanished between the check and the write).
	ErrBadReference = invalid("bad_reference", "所选的关联内容不存在，请刷新后重试")
	// ErrDuplicate is returned by stores on a unique violation.
	ErrDuplicate = &Error{Kind: ErrConflict, Code: "duplicate", Message: "名称或用户名已存在"}
)

// NotFound is the store's not-found error.
func NotFound() error { return errNotFound }
