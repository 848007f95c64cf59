package wechat

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"

	"github.com/silenceper/wechat/v2/util"
)

// Sentinels for the WeChat outcomes callers act on. Test with errors.Is; ErrCode gives the code.
var (
	// ErrUnavailable: network error, timeout, HTTP 5xx, unreadable answer or errcode -1
	// (system busy). Safe to retry later.
	ErrUnavailable = errors.New("wechat unavailable")
	// ErrNoCredit (43101): the user has no subscription credit for the template or refused it.
	// Do not retry; fall back to another channel.
	ErrNoCredit = errors.New("wechat: no subscribe-message credit")
	// ErrNotFollowing (43004): the user does not follow the official account.
	ErrNotFollowing = errors.New("wechat: user does not follow the official account")
	// ErrQuota: an API quota or frequency limit was hit (45009, 45011, 45047, ...).
	ErrQuota = errors.New("wechat: quota exceeded")
	// ErrOutOfWindow (45015): customer-service messages only within 48 h of the user's last message.
	ErrOutOfWindow = errors.New("wechat: outside the customer-service window")
	// ErrFieldLimit: a subscribe-message field breaks WeChat's limits (checked locally; 47003).
	ErrFieldLimit = errors.New("wechat: subscribe message field out of limits")
	// ErrInvalidCode (40029, 40163): a login or phone code is invalid, expired or already used.
	ErrInvalidCode = errors.New("wechat: invalid or used code")
	// ErrNotConfigured: the official account is not configured.
	ErrNotConfigured = errors.New("wechat: official account not configured")
)

// Error is a failed WeChat call. Its message carries the operation and errcode, never
// the request (which holds openids, codes, secrets and tokens).
type Error struct {
	Op   string // e.g. "code2session"
	Code int    // WeChat errcode; -1 for transport errors
	kind error  // one of the sentinels, or nil
	err  error  // cause with URLs redacted
}

func (e *Error) Error() string {
	s := fmt.Sprintf("wechat %s: errcode=%d", e.Op, e.Code)
	if e.kind != nil {
		s += ": " + e.kind.Error()
	}
	if e.err != nil {
		s += ": " + redact(e.err.Error())
	}
	return s
}

// Unwrap exposes the sentinel and the (redacted) cause, e.g. context.DeadlineExceeded.
func (e *Error) Unwrap() []error {
	var out []error
	if e.kind != nil {
		out = append(out, e.kind)
	}
	if e.err != nil {
		out = append(out, e.err)
	}
	return out
}

// IsTokenError reports whether WeChat rejected the access token itself.
func IsTokenError(code int) bool {
	return code == 40001 || code == 40014 || code == 42001
}

var errcodeRe = regexp.MustCompile(`errcode"?\s*[=:]\s*(-?\d+)`)

// ErrCode returns the WeChat errcode inside err: 0 for nil, the code of an *Error or
// *util.CommonError, the number after "errcode=" or "errcode:" in the SDK's string errors,
// 47003 for a local field-limit error and -1 for anything else (transport errors).
func ErrCode(err error) int {
	if err == nil {
		return 0
	}
	var we *Error
	if errors.As(err, &we) {
		return we.Code
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return int(ce.ErrCode)
	}
	if errors.Is(err, ErrFieldLimit) {
		return 47003
	}
	if m := errcodeRe.FindStringSubmatch(err.Error()); m != nil {
		n, perr := strconv.ParseInt(m[1], 10, 32)
		if perr == nil {
			return int(n)
		}
	}
	return -1
}

// kindOf maps an errcode to its sentinel.
func kindOf(code int) error {
	switch code {
	case -1:
		return ErrUnavailable
	case 43101:
		return ErrNoCredit
	case 43004:
		return ErrNotFollowing
	case 45015:
		return ErrOutOfWindow
	case 45009, 45011, 45047:
		return ErrQuota
	case 47003:
		return ErrFieldLimit
	case 40029, 40163:
		return ErrInvalidCode
	}
	return nil
}

// classify turns an SDK error into an *Error; nil stays nil.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var we *Error
	if errors.As(err, &we) {
		return err
	}
	code := ErrCode(err)
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error prints the full URL: secret, js_code and access_token included.
		cause = &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: ue.Err}
	} else if code != -1 {
		cause = nil // the SDK's message adds nothing the code does not say
	}
	return &Error{Op: op, Code: code, kind: kindOf(code), err: cause}
}

var secretParamRe = regexp.MustCompile(`(?i)([?&\s"]|^)(access_token|secret|js_code|code|openid|media_id)=[^&\s"]*`)

// redact removes credentials and personal data from a URL or error message.
func redact(s string) string {
	return secretParamRe.ReplaceAllString(s, "${1}${2}=REDACTED")
}
