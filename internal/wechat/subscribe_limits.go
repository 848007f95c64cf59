package wechat

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldLimitError names the subscribe-message field that breaks WeChat's limits. It never
// carries the value (which may be personal data).
type FieldLimitError struct {
	Key    string
	Reason string
}

func (e *FieldLimitError) Error() string {
	return fmt.Sprintf("wechat: subscribe field %s: %s", e.Key, e.Reason)
}

func (e *FieldLimitError) Unwrap() error { return ErrFieldLimit }

var (
	numberRe   = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	letterRe   = regexp.MustCompile(`^[A-Za-z]+$`)
	asciiRe    = regexp.MustCompile(`^[\x21-\x7e]+$`) // digits, letters, symbols; no space
	amountRe   = regexp.MustCompile(`^[¥￥$€£]?\d{1,12}(\.\d{1,2})?元?$`)
	phoneRe    = regexp.MustCompile(`^\+?[0-9][0-9\- ]*$`)
	carRe      = regexp.MustCompile(`^\p{Han}?[A-Z0-9]+$`)
	timeDateRe = regexp.MustCompile(`^[0-9:\-/年月日时分秒 ~.]+$`)
)

// subscribeRules maps a key's type prefix to its check; nil result means valid.
var subscribeRules = map[string]func(v string) string{
	"thing": func(v string) string { return maxRunes(v, 20) },
	"phrase": func(v string) string {
		if r := maxRunes(v, 5); r != "" {
			return r
		}
		for _, r := range v {
			if !unicode.Is(unicode.Han, r) {
				return "only Chinese characters allowed"
			}
		}
		return ""
	},
	"character_string": func(v string) string {
		if !asciiRe.MatchString(v) {
			return "only ASCII digits, letters and symbols allowed"
		}
		return maxRunes(v, 32)
	},
	"number": func(v string) string {
		if !numberRe.MatchString(v) {
			return "not a number"
		}
		return maxRunes(v, 32)
	},
	"letter": func(v string) string {
		if !letterRe.MatchString(v) {
			return "only letters allowed"
		}
		return maxRunes(v, 32)
	},
	"symbol": func(v string) string {
		for _, r := range v {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) {
				return "only symbols allowed"
			}
		}
		return maxRunes(v, 5)
	},
	"time": timeOrDate,
	"date": timeOrDate,
	"name": func(v string) string {
		if letterOrSpace(v) {
			return maxRunes(v, 20) // pure Latin names may use 20 letters
		}
		return maxRunes(v, 10)
	},
	"amount": func(v string) string {
		if !amountRe.MatchString(v) {
			return "not an amount (optional currency sign, up to 12 digits, optional 元)"
		}
		return ""
	},
	"phone_number": func(v string) string {
		if !phoneRe.MatchString(v) {
			return "not a phone number"
		}
		return maxRunes(v, 17)
	},
	"car_number": func(v string) string {
		if !carRe.MatchString(v) {
			return "not a car number"
		}
		return maxRunes(v, 8)
	},
}

func maxRunes(v string, n int) string {
	if utf8.RuneCountInString(v) > n {
		return fmt.Sprintf("longer than %d characters", n)
	}
	return ""
}

func timeOrDate(v string) string {
	if !timeDateRe.MatchString(v) || !strings.ContainsAny(v, "0123456789") {
		return "not a time or date"
	}
	return maxRunes(v, 32)
}

func letterOrSpace(v string) bool {
	for _, r := range v {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || r == ' ') {
			return false
		}
	}
	return true
}

// ValidateSubscribeData checks subscribe-message values against WeChat's limits by key prefix
// (thing1 → thing), so that nothing WeChat would refuse with 47003 is sent. Values must be
// non-empty valid UTF-8; unknown prefixes are refused. Errors are *FieldLimitError (ErrFieldLimit).
func ValidateSubscribeData(data map[string]string) error {
	if len(data) == 0 {
		return &FieldLimitError{Key: "data", Reason: "no fields"}
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := data[k]
		prefix := strings.TrimRight(k, "0123456789")
		rule, ok := subscribeRules[prefix]
		if !ok || prefix == k {
			return &FieldLimitError{Key: k, Reason: "unknown field type"}
		}
		switch {
		case v == "" || strings.TrimSpace(v) == "":
			return &FieldLimitError{Key: k, Reason: "empty"}
		case !utf8.ValidString(v):
			return &FieldLimitError{Key: k, Reason: "invalid UTF-8"}
		case strings.ContainsAny(v, "\r\n\t"):
			return &FieldLimitError{Key: k, Reason: "control characters"}
		}
		if reason := rule(v); reason != "" {
			return &FieldLimitError{Key: k, Reason: reason}
		}
	}
	return nil
}
