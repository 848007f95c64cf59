package console

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

func paramID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}

func formID(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(c.PostForm(name)), 10, 64)
	return id
}

func queryID(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(c.Query(name)), 10, 64)
	return id
}

func formInt(c *gin.Context, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(c.PostForm(name)))
	return n
}

func formIDs(c *gin.Context, name string) []int64 {
	var out []int64
	for _, v := range c.PostFormArray(name) {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// parseDay reads "2006-01-02" as a Shanghai date; zero when empty or malformed.
func parseDay(v string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v), shanghai)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseLocal reads an <input type=datetime-local> value in Shanghai.
func parseLocal(v string) time.Time {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, shanghai); err == nil {
			return t
		}
	}
	return time.Time{}
}

func suggestionURL(id int64) string { return "/suggestions/" + strconv.FormatInt(id, 10) }
func assignmentURL(id int64) string { return "/assignments/" + strconv.FormatInt(id, 10) }
