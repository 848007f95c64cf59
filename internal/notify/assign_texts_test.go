package notify_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
)

// The texts a unit or a deputy reads must be right for the unit's role: a 主办 unit owes the
// reply by the reply deadline, a 协办 unit owes the lead unit its opinion by its own, earlier
// deadline. The helpers below read notices as their recipients see them.

// drainTitle is the title caseTo gives its suggestion.
const drainTitle = "关于改善老旧小区排水设施的建议"

// day is how notices write a date: 2026年06月23日, in Shanghai.
func day(t time.Time) string { return t.In(deadline.Shanghai).Format("2006年01月02日") }

// noticeOf is the newest notice of kind to a recipient (kind "deputy" or "user").
func noticeOf(t *testing.T, b *bundle, rkind string, rid int64, kind string) (title, body, page, note string) {
	t.Helper()
	var fields map[string]string
	if err := b.pool.QueryRow(b.ctx, `SELECT title, body, page, fields FROM notices WHERE tenant_id = $1
		AND recipient_kind = $2 AND recipient_id = $3 AND kind = $4 ORDER BY id DESC LIMIT 1`,
		b.tn.ID, rkind, rid, kind).Scan(&title, &body, &page, &fields); err != nil {
		t.Fatalf("%s notice to %s %d: %v", kind, rkind, rid, err)
	}
	return title, body, page, fields[notify.FieldNote]
}

func unitName(t *testing.T, b *bundle, id int64) string {
	t.Helper()
	var name string
	if err := b.pool.QueryRow(b.ctx, `SELECT name FROM units WHERE tenant_id = $1 AND id = $2`, b.tn.ID, id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// dueOf is the due date of the unit's active assignment on the suggestion.
func dueOf(t *testing.T, b *bundle, sid, unit int64) time.Time {
	t.Helper()
	var due time.Time
	if err := b.pool.QueryRow(b.ctx, `SELECT due_at FROM assignments WHERE tenant_id = $1 AND suggestion_id = $2
		AND unit_id = $3 AND active`, b.tn.ID, sid, unit).Scan(&due); err != nil {
		t.Fatal(err)
	}
	return due
}

func replyDueOf(t *testing.T, b *bundle, sid int64) time.Time {
	t.Helper()
	var due time.Time
	if err := b.pool.QueryRow(b.ctx, `SELECT reply_due_at FROM suggestions WHERE tenant_id = $1 AND id = $2`, b.tn.ID, sid).Scan(&due); err != nil {
		t.Fatal(err)
	}
	return due
}

// subjectOf is how notices name a registered suggestion: 《title》（第0001号）.
func subjectOf(t *testing.T, b *bundle, sid int64) string {
	t.Helper()
	var title string
	var number int
	if err := b.pool.QueryRow(b.ctx, `SELECT title, number FROM suggestions WHERE tenant_id = $1 AND id = $2`, b.tn.ID, sid).Scan(&title, &number); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("《%s》（第%04d号）", title, number)
}

func wantText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// TestNewAssignmentSaysRoleAndItsOwnDeadline: the lead unit reads 主办 and the reply deadline;
// a co-unit reads 协办 and its 协办意见 deadline, never the lead unit's reply deadline.
func TestNewAssignmentSaysRoleAndItsOwnDeadline(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "submitted") // notices from here on are what the steps below cause
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	s = must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
	b.drain(t)
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID)
	s = must(b.svc.Assign(b.ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}))
	b.drain(t)
	replyDue, coDue := dueOf(t, b, s.ID, b.tn.Units[0]), dueOf(t, b, s.ID, b.tn.Units[1])
	if day(replyDue) == day(coDue) {
		t.Fatalf("reply and co-opinion deadlines are the same day %s: the test cannot tell them apart", day(coDue))
	}
	subj := subjectOf(t, b, s.ID)

	_, body, page, note := noticeOf(t, b, "user", b.tn.Handlers[0], notify.KindNewAssignment)
	wantText(t, "lead unit's notice", body, "建议"+subj+"已交办贵单位主办，答复期限"+day(replyDue)+"，请及时签收办理。")
	wantText(t, "lead unit's note", note, "主办：请及时签收办理")
	wantText(t, "lead unit's page", page, notify.ConsolePage(s.ID))

	_, body, page, note = noticeOf(t, b, "user", b.tn.Handlers[1], notify.KindNewAssignment)
	wantText(t, "co-unit's notice", body, "建议"+subj+"已交办贵单位协办，协办意见期限"+day(coDue)+"，请及时签收并向主办单位提出协办意见。")
	wantText(t, "co-unit's note", note, "协办：请签收并提出协办意见")
	wantText(t, "co-unit's page", page, notify.ConsolePage(s.ID))
	if strings.Contains(body, day(replyDue)) {
		t.Errorf("co-unit's notice gives the lead unit's reply deadline: %s", body)
	}
	// Unit leaders read the same as their handlers.
	_, body, _, _ = noticeOf(t, b, "user", b.tn.UnitLeaders[1], notify.KindNewAssignment)
	if !strings.Contains(body, "协办意见期限"+day(coDue)) {
		t.Errorf("co-unit leader's notice: %s", body)
	}
}
