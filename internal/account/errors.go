package account

import (
	"errors"
	"jianyi/internal/apperr"
)

// Sentinel kinds; every *Error wraps one so front doors pick a status with errors.Is.
var (
	ErrNotFound  = apperr.ErrNotFound
	ErrConflict  = apperr.ErrConflict
	ErrForbidden = apperr.ErrForbidden
	ErrInvalid   = apperr.ErrInvalid
)

// Error is a refusal with a stable machine code and a Chinese message for people.
type Error = apperr.Error

func newErr(kind error, code, msg string) *Error { return apperr.New(kind, code, msg) }

// The refusals of this package.
var (
	ErrTenantUnknown  = newErr(ErrNotFound, "tenant_unknown", "未找到该人大常委会，请检查小程序入口")
	ErrDeputyNotFound = newErr(ErrNotFound, "deputy_not_found", "未找到该代表")
	ErrNotOnRoster    = newErr(ErrNotFound, "phone_not_on_roster", "该手机号不在代表名册中，请联系代表工委或使用邀请码绑定")
	ErrPhoneAmbiguous = newErr(ErrConflict, "phone_ambiguous", "该手机号对应多名代表，请使用邀请码绑定")
	ErrAlreadyBound   = newErr(ErrConflict, "already_bound", "该代表已绑定其他微信账号，请联系代表工委")
	ErrBadInvite      = newErr(ErrInvalid, "invite_invalid", "邀请码无效、已使用或已过期")
	ErrBadBindCode    = newErr(ErrInvalid, "bind_code_invalid", "绑定码无效或已过期，请在小程序中重新获取")
	ErrOAConflict     = newErr(ErrConflict, "oa_already_bound", "该公众号账号已绑定其他代表")
	ErrNotAllowed     = newErr(ErrForbidden, "forbidden", "您没有权限进行此操作")
	ErrInactive       = newErr(ErrForbidden, "deputy_inactive", "该代表账号已停用")
	ErrCodeCollision  = errors.New("account: code collision") // store → service, retried
)
