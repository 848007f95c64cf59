package mpapi

import (
	"context"
	"errors"
	"jianyi/internal/apperr"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/wechat"
)

// apiError is a refusal decided by this front door.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code }

func apiErr(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// ErrorBody is every error response: a stable machine code and a Chinese message.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// The front door's own refusals.
var (
	errBadRequest      = apiErr(http.StatusBadRequest, "bad_request", "请求格式不正确")
	errBadID           = apiErr(http.StatusBadRequest, "bad_id", "编号格式不正确")
	errUnauthorized    = apiErr(http.StatusUnauthorized, "unauthorized", "登录已失效，请重新登录")
	errNotBound        = apiErr(http.StatusForbidden, "not_bound", "请先绑定代表身份")
	errNotFound        = apiErr(http.StatusNotFound, "not_found", "请求的内容不存在")
	errTooLarge        = apiErr(http.StatusRequestEntityTooLarge, "body_too_large", "提交的内容过大")
	errNeedJSON        = apiErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "请以application/json格式提交")
	errNeedMultipart   = apiErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "请以multipart/form-data格式上传图片（字段名file）")
	errRateLimited     = apiErr(http.StatusTooManyRequests, "rate_limited", "操作过于频繁，请稍后再试")
	errIdemRequired    = apiErr(http.StatusBadRequest, "idempotency_key_required", "请求缺少Idempotency-Key")
	errIdemBad         = apiErr(http.StatusBadRequest, "idempotency_key_invalid", "Idempotency-Key格式不正确（1至128个可见字符）")
	errIdemReused      = apiErr(http.StatusUnprocessableEntity, "idempotency_key_reused", "该Idempotency-Key已用于另一个请求")
	errIdemInProgress  = apiErr(http.StatusConflict, "idempotency_in_progress", "相同的请求正在处理中，请稍后刷新")
	errWeChatDown      = apiErr(http.StatusServiceUnavailable, "wechat_unavailable", "微信服务暂时不可用，请稍后重试")
	errUnavailable     = apiErr(http.StatusServiceUnavailable, "service_unavailable", "服务暂时不可用，请稍后重试")
	errWeChatCode      = apiErr(http.StatusUnprocessableEntity, "wechat_code_invalid", "微信授权码无效或已过期，请重试")
	errNoFile          = apiErr(http.StatusBadRequest, "file_required", "请选择要上传的图片（字段名file）")
	errInternal        = apiErr(http.StatusInternalServerError, "internal_error", "系统繁忙，请稍后重试")
	errBadFilter       = apiErr(http.StatusBadRequest, "bad_filter", "查询条件不正确")
	errUploadTruncated = apiErr(http.StatusBadRequest, "upload_incomplete", "上传未完成，请重试")
	errBadText         = apiErr(http.StatusUnprocessableEntity, "bad_text", "内容含有无法识别的字符，请删除后重试")
	errBadTarget       = apiErr(http.StatusUnprocessableEntity, "bad_target",
		"请指明照片属于哪件建议或随手拍：target.kind 为 suggestion（建议）或 snap（随手拍），target.id 为其编号")
)

// classify maps any error to its HTTP status and body. Domain errors carry their code and
// Chinese message; the kind picks the status.
func classify(err error) (int, ErrorBody) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status, ErrorBody{ae.Code, ae.Message}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge.Status, ErrorBody{errTooLarge.Code, errTooLarge.Message}
	}
	if errors.Is(err, account.ErrNoSession) {
		return http.StatusUnauthorized, ErrorBody{errUnauthorized.Code, errUnauthorized.Message}
	}
	if errors.Is(err, media.ErrIncomplete) {
		return errUploadTruncated.Status, ErrorBody{media.ErrIncomplete.Code, media.ErrIncomplete.Message}
	}
	var re *apperr.Error // a refusal of any domain: suggestion, account, media
	if errors.As(err, &re) {
		return kindStatus(re.Kind), ErrorBody{re.Code, re.Message}
	}
	var we *wechat.Error
	if errors.As(err, &we) {
		if errors.Is(err, wechat.ErrInvalidCode) {
			return errWeChatCode.Status, ErrorBody{errWeChatCode.Code, errWeChatCode.Message}
		}
		return errWeChatDown.Status, ErrorBody{errWeChatDown.Code, errWeChatDown.Message}
	}
	if errors.Is(err, notify.ErrInvalid) {
		return http.StatusUnprocessableEntity, ErrorBody{"invalid", "提交的内容不正确"}
	}
	// A dependency that cannot be reached (the database refusing or dropping connections)
	// is unavailable, not broken: the phone should try again later.
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.As(err, &ne) {
		return errUnavailable.Status, ErrorBody{errUnavailable.Code, errUnavailable.Message}
	}
	return errInternal.Status, ErrorBody{errInternal.Code, errInternal.Message}
}

func kindStatus(kind error) int {
	switch {
	case errors.Is(kind, apperr.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(kind, apperr.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(kind, apperr.ErrConflict), errors.Is(kind, apperr.ErrInvalidTransition):
		return http.StatusConflict
	case errors.Is(kind, apperr.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(kind, media.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(kind, media.ErrUnsupported):
		return http.StatusUnsupportedMediaType
	case errors.Is(kind, media.ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail writes err as the response and stops the chain. 5xx are logged (errors never carry
// personal data: the wechat and storage layers redact theirs).
func (a *API) fail(c *gin.Context, err error) {
	status, body := classify(err)
	if status >= 500 {
		a.log.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method, "route", c.FullPath(),
			"status", status, "code", body.Code, "error", err)
	}
	c.AbortWithStatusJSON(status, body)
}
