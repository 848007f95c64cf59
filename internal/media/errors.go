package media

import (
	"errors"
	"fmt"

	"jianyi/internal/apperr"
)

// Sentinel kinds; every *Error wraps one.
var (
	ErrNotFound    = apperr.ErrNotFound
	ErrInvalid     = apperr.ErrInvalid
	ErrForbidden   = apperr.ErrForbidden
	ErrConflict    = apperr.ErrConflict
	ErrTooLarge    = errors.New("too large")
	ErrUnsupported = errors.New("unsupported media type")
	// ErrUnavailable: the object store failed; nothing was recorded.
	ErrUnavailable = errors.New("object store unavailable")
	// ErrObjectMissing is what an ObjectStore returns for a missing key.
	ErrObjectMissing = errors.New("object missing")
	// ErrSourceStored is what a Store returns for a second photo of a target from the same
	// WeChat media id.
	ErrSourceStored = errors.New("photo from this media id already stored")
	// ErrTargetClosed is what a Store's InsertAttachment returns when the target no longer
	// takes photos (the suggestion was submitted, the snap turned into a draft) by the time
	// the photo is recorded.
	ErrTargetClosed = errors.New("photo target no longer editable")
	// ErrTargetFull is what a Store's InsertAttachment returns when the target holds
	// MaxPhotos photos by the time the photo is recorded.
	ErrTargetFull = errors.New("photo target full")
)

// Error is a refusal with a stable code and a Chinese message.
type Error = apperr.Error

func newErr(kind error, code, msg string) *Error { return apperr.New(kind, code, msg) }

// The refusals of this package.
var (
	ErrUnsupportedType = newErr(ErrUnsupported, "unsupported_image_type", "仅支持JPEG、PNG、WebP格式的图片")
	ErrFileTooLarge    = newErr(ErrTooLarge, "image_too_large", "图片不能超过10MB")
	ErrTooManyPixels   = newErr(ErrInvalid, "image_dimensions", "图片尺寸过大（单边不超过10000像素，总像素不超过4000万）")
	ErrCorrupt         = newErr(ErrInvalid, "image_corrupt", "图片文件已损坏或不完整，请重新上传")
	ErrIncomplete      = newErr(ErrInvalid, "upload_incomplete", "上传未完成，请重试")
	ErrTargetNotFound  = newErr(ErrNotFound, "not_found", "建议或随手拍不存在或无权查看")
	ErrNotEditable     = newErr(ErrConflict, "not_editable", "该建议已提交，不能再添加图片")
	ErrSnapNotEditable = newErr(ErrConflict, "not_editable", "该随手拍已转为建议草稿，请在草稿中添加图片")
	ErrTooManyPhotos   = newErr(ErrInvalid, "too_many_photos", "每条最多上传9张图片")
	ErrUploadNotFound  = newErr(ErrNotFound, "upload_not_found", "上传记录不存在或已过期")
	ErrUploadMissing   = newErr(ErrInvalid, "upload_missing", "未收到上传的文件，请重新上传")
	ErrSnapNotFound    = newErr(ErrNotFound, "not_found", "随手拍不存在或无权查看")
	ErrSnapUsed        = newErr(ErrConflict, "snap_already_used", "该随手拍已转为建议")
	ErrBadSnap         = newErr(ErrInvalid, "bad_snap", "随手拍需要地点：请允许定位或填写地址")
	ErrSnapNoteTooLong = newErr(ErrInvalid, "note_too_long", fmt.Sprintf("随手拍说明不能超过%d个字", MaxSnapNote))
	ErrAddressTooLong  = newErr(ErrInvalid, "address_too_long", fmt.Sprintf("地址不能超过%d个字", MaxSnapAddress))
	ErrBadLocation     = newErr(ErrInvalid, "bad_location", "位置坐标不正确：纬度须在-90至90之间，经度须在-180至180之间")
	ErrHalfLocation    = newErr(ErrInvalid, "bad_location", "位置坐标须同时包含纬度和经度")
	ErrStoreDown       = newErr(ErrUnavailable, "storage_unavailable", "图片存储暂时不可用，请稍后重试")
)
