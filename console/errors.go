package console

import (
	"errors"
	"net/http"

	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/internal/export"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
)

// errorMessage maps a domain error to an HTTP status and the Chinese message shown to the
// person. Forbidden on a specific record is shown as not found (never reveal other rows).
func (s *server) errorMessage(err error) (int, string) {
	var se *suggestion.Error
	var de *directory.Error
	var pe *supervise.Error
	msg := ""
	switch {
	case errors.As(err, &se):
		msg = se.Message
	case errors.As(err, &de):
		msg = de.Message
	case errors.As(err, &pe):
		msg = pe.Message
	}
	code := func(m string) string {
		if msg != "" {
			return msg
		}
		return m
	}
	switch {
	case errors.Is(err, suggestion.ErrNotFound), errors.Is(err, directory.ErrNotFound), errors.Is(err, supervise.ErrNotFound):
		return http.StatusNotFound, code("内容不存在")
	case errors.Is(err, suggestion.ErrConflict), errors.Is(err, directory.ErrConflict):
		return http.StatusConflict, code("内容已被他人修改，请刷新后重试")
	case errors.Is(err, suggestion.ErrInvalidTransition):
		return http.StatusConflict, code("当前状态下不能进行此操作")
	case errors.Is(err, suggestion.ErrInvalid), errors.Is(err, directory.ErrInvalid), errors.Is(err, supervise.ErrInvalid):
		return http.StatusBadRequest, code("填写的内容有误")
	case errors.Is(err, suggestion.ErrForbidden), errors.Is(err, directory.ErrForbidden), errors.Is(err, supervise.ErrForbidden),
		errors.Is(err, stats.ErrForbidden), errors.Is(err, export.ErrForbidden):
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
