package suggestion

import (
	"errors"
	"fmt"
)

// Sentinel kinds. Every error of this package wraps exactly one of them, so a front door can
// choose its HTTP status with errors.Is and show Error.Message to the person.
var (
	ErrNotFound          = errors.New("not found")
	ErrConflict          = errors.New("conflict")
	ErrForbidden         = errors.New("forbidden")
	ErrInvalidTransition = errors.New("invalid transition")
	ErrInvalid           = errors.New("invalid input")
)

// Error is a domain refusal with a stable machine code and a Chinese message for people.
type Error struct {
	Kind    error
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Kind) }
func (e *Error) Unwrap() error { return e.Kind }

func newErr(kind error, code, msg string) *Error { return &Error{Kind: kind, Code: code, Message: msg} }

// The refusals, by code. Messages are what a deputy or a clerk reads.
var (
	errNotFound   = newErr(ErrNotFound, "not_found", "建议不存在或无权查看")
	errConflict   = newErr(ErrConflict, "version_conflict", "该建议已被他人修改，请刷新后重试")
	errAssignGone = newErr(ErrNotFound, "assignment_not_found", "交办记录不存在或无权查看")
	errForbidden  = newErr(ErrForbidden, "forbidden", "您没有权限进行此操作")
)

func invalid(code, msg string) *Error { return newErr(ErrInvalid, code, msg) }

func wrongState(s Status) *Error {
	return newErr(ErrInvalidTransition, "invalid_transition", fmt.Sprintf("建议当前状态为“%s”，不能进行此操作", s.Label()))
}

// CodeOf returns the stable code of a domain error, or "" for other errors.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
