package mpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

const jsonContentType = "application/json; charset=utf-8"

var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// writeList answers 200 with l, encoded without reflection.
func writeList(c *gin.Context, l listJSON) {
	bp := jsonBufs.Get().(*[]byte)
	b := l.appendJSON((*bp)[:0])
	c.Data(http.StatusOK, jsonContentType, b)
	if cap(b) <= 64<<10 {
		*bp = b[:0]
		jsonBufs.Put(bp)
	}
}

// numberLabel is suggestion.Suggestion.NumberLabel for n > 0 (第0012号) without fmt.
func numberLabel(n int) string {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(n), 10)
	b := make([]byte, 0, 16+len(d))
	b = append(b, "第"...)
	for i := len(d); i < 4; i++ {
		b = append(b, '0')
	}
	b = append(b, d...)
	return string(append(b, "号"...))
}

// Hand-written encoders for the hottest answers (the deputy's list): byte for byte what
// encoding/json writes for the same struct (jsonappend_test.go checks), without reflection.

// appendJSONString appends s as a JSON string the way encoding/json does (HTML-safe,
// invalid UTF-8 as U+FFFD, U+2028/2029 escaped). Only the plain case is done here; any
// string that needs escaping goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendJSONStringSlow(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return appendJSONStringSlow(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendJSONStringSlow(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendJSONBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendJSON encodes l exactly like json.Marshal(l).
func (l listJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"items":[`...)
	for i := range l.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = l.Items[i].appendJSON(b)
	}
	b = append(b, `],"next_before":`...)
	if l.NextBefore == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *l.NextBefore, 10)
	}
	return append(b, '}')
}

func (x *summaryJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, x.ID, 10)
	if x.Number != "" {
		b = append(b, `,"number":`...)
		b = appendJSONString(b, x.Number)
	}
	b = append(b, `,"title":`...)
	b = appendJSONString(b, x.Title)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, x.Status)
	b = append(b, `,"status_label":`...)
	b = appendJSONString(b, x.StatusLabel)
	b = append(b, `,"is_key":`...)
	b = appendJSONBool(b, x.IsKey)
	b = append(b, `,"mine":`...)
	b = appendJSONBool(b, x.Mine)
	b = append(b, `,"lead_name":`...)
	b = appendJSONString(b, x.LeadName)
	if x.Category != "" {
		b = append(b, `,"category":`...)
		b = appendJSONString(b, x.Category)
	}
	if x.ReplyDueAt != nil {
		b = append(b, `,"reply_due_at":`...)
		b = appendJSONTime(b, *x.ReplyDueAt)
	}
	if x.RatingDueAt != nil {
		b = append(b, `,"rating_due_at":`...)
		b = appendJSONTime(b, *x.RatingDueAt)
	}
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, x.UpdatedAt)
	return append(b, '}')
}
