package mpapi

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"jianyi/internal/suggestion"
)

// parseListFilter reads the query of GET /suggestions: status (comma list), role
// (lead|cosigned), q (≤ 50 characters), before (cursor id) and limit (1..50).
func parseListFilter(q url.Values) (suggestion.ListFilter, error) {
	var f suggestion.ListFilter
	for k := range q {
		switch k {
		case "status", "role", "q", "before", "limit":
		default:
			return f, errBadFilter
		}
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
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > 50 || strings.ContainsRune(v, 0) {
			return f, errBadFilter
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
