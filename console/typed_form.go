package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"jianyi/internal/apperr"
)

// typedForm is what a person typed into a form that was refused: the page is shown again
// with it and with why, so nothing they wrote is lost (a redirect with a flash would bring
// back an empty form). Its zero value is "nothing was refused".
type typedForm struct {
	Name string // which form of the page: "reply", "contact", "accept", "assign", "close" …
	// ID is the row whose form it is, where a page has one form of the kind per row (a
	// problem's 整改, a unit's edit form); 0 is the page's only form of the kind.
	ID     int64
	Error  string
	values url.Values
}

// Is reports whether the refused form is name.
func (f typedForm) Is(name string) bool { return f.Name == name }

// For is the refused form when it is the page's form name, else nothing typed: a form reads
// its fields through it, so what was typed into one form never shows in another.
func (f typedForm) For(name string) typedForm { return f.ForRow(name, 0) }

// ForRow is For for the form name of row id.
func (f typedForm) ForRow(name string, id int64) typedForm {
	if f.Name == "" || f.Name != name || f.ID != id {
		return typedForm{}
	}
	return f
}

// Anchor is the id of the refused form's element, which the message at the top links to:
// "<name>-form", or "<name>-<id>" for a row's form.
func (f typedForm) Anchor() string {
	if f.ID != 0 {
		return f.Name + "-" + strconv.FormatInt(f.ID, 10)
	}
	return f.Name + "-form"
}

// Or is field as typed when this is the refused form, else stored: what the form shows fresh.
func (f typedForm) Or(field string, stored any) string {
	if f.Name != "" {
		return f.values.Get(field)
	}
	return fmt.Sprint(stored)
}

// Picked is Has when this is the refused form, else stored: for a select or a check box whose
// fresh state comes from the stored record.
func (f typedForm) Picked(field string, value any, stored bool) bool {
	if f.Name != "" {
		return f.Has(field, value)
	}
	return stored
}

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

// refusedOn answers a refused form: bad input (422) and a move the state does not allow now
// (409) show its page again through show, the page's own loader and template as its GET uses
// them, with the form (name, of row id) as typed and why; anything else (not found,
// forbidden, a failure) goes the usual way through back to to. A redirect would bring back
// an empty form.
func (s *server) refusedOn(c *gin.Context, to, name string, id int64, err error, show func(status int, f typedForm)) {
	status, msg, again := s.refusal(err)
	if !again {
		s.back(c, to, err)
		return
	}
	f := typed(c, name, msg)
	f.ID = id
	show(status, f)
}

// targetMissing is err, except that a not-found is a refusal of the form with msg: the
// record the form names (e.g. the suggestion to merge into) does not exist, while the page
// the form is on does. Whether that page may be seen is decided when it is shown again.
func targetMissing(err error, code, msg string) error {
	if errors.Is(err, apperr.ErrNotFound) {
		return invalidInput(code, msg)
	}
	return err
}

// refusedAssignment shows the assignment page again with the refused form as typed.
func (s *server) refusedAssignment(c *gin.Context, id int64, form string, err error, note string) {
	s.refusedAssignmentRow(c, id, form, 0, err, note)
}

// refusedAssignmentRow is refusedAssignment for the form of row row (a 承诺事项's).
func (s *server) refusedAssignmentRow(c *gin.Context, id int64, form string, row int64, err error, note string) {
	s.refusedOn(c, assignmentURL(id), form, row, err, func(status int, f typedForm) {
		dd, ok := s.myAssignmentID(c, id)
		if !ok {
			return
		}
		f.Error += note
		dd.Form = f
		s.render(c, status, "assignment", dd.D.Suggestion.Title, dd)
	})
}

// refusedSuggestion shows the suggestion's page again with the refused form as typed.
func (s *server) refusedSuggestion(c *gin.Context, id int64, form string, err error) {
	s.refusedOn(c, suggestionURL(id), form, 0, err, func(status int, f typedForm) { s.detailPage(c, id, status, f) })
}

// detailPage shows the suggestion's page with status and the refused form f.
func (s *server) detailPage(c *gin.Context, id int64, status int, f typedForm) {
	dd, err := s.loadDetail(c, id)
	if err != nil {
		s.failErr(c, err)
		return
	}
	dd.Form = f
	s.render(c, status, "detail", dd.D.Suggestion.Title, dd)
}

// refusedProgress shows the page the refused 办理进展 form was on (back: the suggestion's, or
// an assignment page of the unit) again with it as typed.
func (s *server) refusedProgress(c *gin.Context, id int64, back string, err error) {
	if asg, ok := positiveID(strings.TrimPrefix(back, "/assignments/")); ok && strings.HasPrefix(back, "/assignments/") {
		s.refusedAssignment(c, asg, "progress", err, "")
		return
	}
	if back != suggestionURL(id) {
		s.back(c, back, err)
		return
	}
	s.refusedSuggestion(c, id, "progress", err)
}
