package mpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"jianyi/internal/suggestion"
)

// MaxListQuery bounds the search words of "my suggestions" (q), in characters.
const MaxListQuery = 50

// errListQueryTooLong refuses search words over MaxListQuery, saying so: a plain bad_filter
// left the deputy guessing what was wrong with the filter.
var errListQueryTooLong = apiErr(http.StatusUnprocessableEntity, "query_too_long",
	fmt.Sprintf("搜索关键词不能超过%d个字", MaxListQuery))

// onlyParams refuses a query with a parameter the endpoint does not take, or one given
// twice, as 400 bad_filter naming the ones it takes: a misspelt filter (?statu=draft) must not
// quietly answer the unfiltered list. Every list of the API reads its query through it.
func onlyParams(q url.Values, allowed ...string) error {
	for k, v := range q {
		if !slices.Contains(allowed, k) || len(v) != 1 {
			msg := "该接口不支持查询参数"
			if len(allowed) > 0 {
				msg = "查询参数不正确：只支持" + strings.Join(allowed, "、") + "，且每个参数只能出现一次"
			}
			return apiErr(http.StatusBadRequest, errBadFilter.Code, msg)
		}
	}
	return nil
}

// parseListFilter reads the query of GET /suggestions: status (comma list), role
// (lead|cosigned), q (≤ MaxListQuery characters), before (cursor id) and limit (1..50).
func parseListFilter(q url.Values) (suggestion.ListFilter, error) {
	var f suggestion.ListFilter
	if err := onlyParams(q, "status", "role", "q", "before", "limit"); err != nil {
		return f, err
	}
	if v := q.Get("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := suggestion.Status(strings.TrimSpace(s))
			if !validStatus(st) || len(f.Statuses) >= len(suggestion.Statuses) {
				return f, errBadFilter
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	switch r := q.Get("role"); r {
	case "", "lead", "cosigned":
		f.Role = r
	default:
		return f, errBadFilter
	}
	if v := strings.TrimSpace(q.Get("q")); v != "" {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return f, errBadFilter
		}
		if utf8.RuneCountInString(v) > MaxListQuery {
			return f, errListQueryTooLong
		}
		f.Query = v
	}
	before, limit, err := cursorPage(q)
	if err != nil {
		return f, err
	}
	f.Before, f.Limit = before, int(limit)
	if f.Limit == 0 {
		f.Limit = 20
	}
	return f, nil
}

// cursorPage reads the optional paging parameters of a list: before (an id) and limit (≤ 50;
// 0 when absent, so the caller picks its default).
func cursorPage(q url.Values) (before, limit int64, err error) {
	if before, err = optInt(q.Get("before"), 1, 1<<62); err != nil {
		return 0, 0, err
	}
	limit, err = optInt(q.Get("limit"), 1, 50)
	return before, limit, err
}

func optInt(v string, lo, hi int64) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errBadFilter
	}
	return n, nil
}

func validStatus(s suggestion.Status) bool {
	for _, x := range suggestion.Statuses {
		if x == s {
			return true
		}
	}
	return false
}
