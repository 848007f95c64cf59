package suggestion

import (
	"fmt"
	"jianyi/internal/apperr"
)

// Sentinel kinds. Every error of this package wraps exactly one of them, so a front door can
// choose its HTTP status with errors.Is and show Error.Message to the person.
var (
	ErrNotFound          = apperr.ErrNotFound
	ErrConflict          = apperr.ErrConflict
	ErrForbidden         = apperr.ErrForbidden
	ErrInvalidTransition = apperr.ErrInvalidTransition
	ErrInvalid           = apperr.ErrInvalid
)

// Error is a domain refusal with a stable machine code and a Chinese message for people.
type Error = apperr.Error

func newErr(kind error, code, msg string) *Error { return apperr.New(kind, code, msg) }

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
func CodeOf(err error) string { return apperr.CodeOf(err) }
