package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// typedForm is what a person typed into a form that was refused: the page is shown again
// with it and with why, so nothing they wrote is lost (a redirect with a flash would bring
// back an empty form). Its zero value is "nothing was refused".
type typedForm struct {
	Name   string // which form of the page: "reply", "contact", "accept", "assign"
	Error  string
	values url.Values
}

// Is reports whether the refused form is name.
func (f typedForm) Is(name string) bool { return f.Name == name }

// V is the value typed into field name of the refused form.
func (f typedForm) V(name string) string { return f.values.Get(name) }

// Has reports whether value was chosen in field name (a select or a check box).
func (f typedForm) Has(name string, value any) bool {
	var v string
	switch x := value.(type) {
	case string:
		v = x
	case int64:
		v = strconv.FormatInt(x, 10)
	default:
		return false
	}
	return slices.Contains(f.values[name], v)
}

// typedCommitment is one row of the reply form's 承诺事项 as typed.
type typedCommitment struct{ What, Due string }

// Commitments are the 承诺事项 rows typed into the refused reply form (empty rows left out);
// one empty row when there are none, as the fresh form has.
func (f typedForm) Commitments() []typedCommitment {
	whats, dues := f.values["commit_what"], f.values["commit_due"]
	var out []typedCommitment
	for i := 0; i < max(len(whats), len(dues)); i++ {
		var r typedCommitment
		if i < len(whats) {
			r.What = whats[i]
		}
		if i < len(dues) {
			r.Due = dues[i]
		}
		if strings.TrimSpace(r.What) != "" || strings.TrimSpace(r.Due) != "" {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = append(out, typedCommitment{})
	}
	return out
}

// refusal decides how a refused form comes back: bad input (400) and a move the case's state
// does not allow now (409) show the form again with what was typed, with status 422 or 409;
// anything else (not found, forbidden, a failure) goes the usual way through back.
func (s *server) refusal(err error) (status int, msg string, again bool) {
	status, msg = s.errorMessage(err)
	switch status {
	case http.StatusBadRequest:
		return http.StatusUnprocessableEntity, msg, true
	case http.StatusConflict:
		return status, msg, true
	}
	return status, msg, false
}

// typed reads the posted form (after the handler parsed it) as a typedForm.
func typed(c *gin.Context, name, msg string) typedForm {
	return typedForm{Name: name, Error: msg, values: c.Request.PostForm}
}

// refusedAssignment shows the assignment page again with the refused form as typed.
func (s *server) refusedAssignment(c *gin.Context, id int64, form string, err error, note string) {
	status, msg, again := s.refusal(err)
	if !again {
		s.back(c, assignmentURL(id), err)
		return
	}
	dd, ok := s.myAssignment(c)
	if !ok {
		return
	}
	dd.Form = typed(c, form, msg+note)
	s.render(c, status, "assignment", dd.D.Suggestion.Title, dd)
}

// refusedSuggestion shows the suggestion's page again with the refused form as typed.
func (s *server) refusedSuggestion(c *gin.Context, id int64, form string, err error) {
	status, msg, again := s.refusal(err)
	if !again {
		s.back(c, suggestionURL(id), err)
		return
	}
	dd, err := s.loadDetail(c, id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	dd.Form = typed(c, form, msg)
	s.render(c, status, "detail", dd.D.Suggestion.Title, dd)
}
