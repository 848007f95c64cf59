package console

import (
	"errors"
	"net/http"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/export"
	"jianyi/internal/stats"
)

// errorMessage maps a domain error to an HTTP status and the Chinese message shown to the
// person. A record the person may not see (another tenant's, another unit's) comes from the
// domain as not found, so that its existence is never revealed; forbidden (403) is an action
// their role may not take on a record they can see.
func (s *server) errorMessage(err error) (int, string) {
	msg := ""
	var re *apperr.Error // a refusal of any domain: suggestion, directory, supervise …
	if errors.As(err, &re) {
		msg = re.Message
	}
	code := func(m string) string {
		if msg != "" {
			return msg
		}
		return m
	}
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound, code("内容不存在")
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict, code("内容已被他人修改，请刷新后重试")
	case errors.Is(err, apperr.ErrInvalidTransition):
		return http.StatusConflict, code("当前状态下不能进行此操作")
	case errors.Is(err, apperr.ErrInvalid):
		return http.StatusBadRequest, code("填写的内容有误")
	case errors.Is(err, apperr.ErrForbidden), errors.Is(err, stats.ErrForbidden), errors.Is(err, export.ErrForbidden):
		return http.StatusForbidden, code("您没有权限进行此操作")
	case errors.Is(err, auth.ErrBadCSRF):
		return http.StatusForbidden, "表单校验失败，请刷新页面后重试"
	}
	if msg != "" {
		return http.StatusBadRequest, msg
	}
	s.cfg.Log.Error("console: unexpected error", "err", err)
	return http.StatusInternalServerError, "系统繁忙，请稍后再试"
}
