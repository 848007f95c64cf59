package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jianyi/internal/apperr"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/plaintext"
)

func invalid(code, msg string) error { return &Error{Kind: ErrInvalid, Code: code, Message: msg} }

var (
	errForbidden = &Error{Kind: ErrForbidden, Code: "forbidden", Message: "您没有权限进行此操作"}
	errMeeting   = &Error{Kind: ErrNotFound, Code: "meeting_not_found", Message: "会议不存在"}
	errReport    = &Error{Kind: ErrNotFound, Code: "report_not_found", Message: "调研报告不存在"}
	errNoMeeting = &Error{Kind: ErrNotFound, Code: "no_meeting", Message: "还没有设置会议，请先在系统管理中添加会议"}
)

// ReportNotFound is the refusal for a report that is not the reader's tenant's; stores return it.
func ReportNotFound() error { return errReport }

// Conflict is the refusal for a change made on a stale page; stores return it.
func Conflict() error {
	return &Error{Kind: ErrConflict, Code: "conflict", Message: "调研报告已被他人修改，请刷新页面后重试"}
}

// SuggestionsNotFound is the refusal for report links to ids that are not the tenant's
// suggestions (another tenant's id reads exactly as one that does not exist); stores return it.
func SuggestionsNotFound(ids []int64) error {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return invalid("suggestion_not_found", "以下系统ID不是本常委会的建议，请核对后重新填写："+strings.Join(s, "、"))
}

// Service holds the rules: who may read the analysis and record reports, and what input is
// accepted.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service; now nil means the wall clock.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// CanRead reports whether a may open 建议集中分析 and the reports: staff who see the whole
// tenant (reviewer, coordinator, leader, admin).
func CanRead(a auth.Actor) bool { return a.Kind == auth.KindStaff && a.SeesWholeTenant() }

// CanRecord reports whether a may record, edit and delete research reports: 代表工委
// (reviewer), the standing committee's leaders and admins.
func CanRecord(a auth.Actor) bool {
	return a.Kind == auth.KindStaff && a.Has(auth.RoleReviewer, auth.RoleLeader, auth.RoleAdmin)
}

// Overview groups the registered suggestions of meeting meetingID (0: the current meeting,
// else the newest) into topics of at least MinTopic alike suggestions, most deputies first.
func (s *Service) Overview(ctx context.Context, a auth.Actor, meetingID int64) (*Overview, error) {
	if !CanRead(a) {
		return nil, errForbidden
	}
	ms, err := s.store.Meetings(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	o := &Overview{Meetings: ms}
	found := false
	for _, m := range ms {
		if (meetingID == 0 && m.Current) || (meetingID != 0 && m.ID == meetingID) {
			o.Meeting, found = m, true
			break
		}
	}
	if !found && meetingID == 0 && len(ms) > 0 {
		o.Meeting, found = ms[0], true
	}
	if !found {
		if meetingID == 0 {
			return nil, errNoMeeting
		}
		return nil, errMeeting
	}
	items, err := s.store.Items(ctx, a.TenantID, o.Meeting.ID, MaxSuggestions+1)
	if err != nil {
		return nil, err
	}
	if len(items) > MaxSuggestions {
		items, o.Capped = items[:MaxSuggestions], true
	}
	o.Considered = len(items)
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.SuggestionID
	}
	var pairs []Pair
	if len(ids) >= MinTopic {
		if pairs, err = s.store.Pairs(ctx, a.TenantID, ids, MinSimilarity); err != nil {
			return nil, err
		}
	}
	o.Topics = Group(items, pairs)
	if o.Counts, err = s.store.Counts(ctx, a.TenantID); err != nil {
		return nil, err
	}
	return o, nil
}

// Group joins items into topics by complete linkage: the most alike pairs are taken first,
// and two groups join only when every suggestion of one is alike (a pair) to every one of the
// other, so that a suggestion alike to two different matters (a shared road name with one, a
// shared subject with the other) never chains them into one topic. Topics of at least
// MinTopic items are kept and sorted by distinct deputies, then size, then the first
// suggestion's number. Pairs naming an id not in items are ignored.
func Group(items []Item, pairs []Pair) []Topic {
	idx := make(map[int64]int, len(items))
	for i, it := range items {
		idx[it.SuggestionID] = i
	}
	type link struct {
		a, b int
		sim  float64
	}
	alike := map[[2]int]bool{}
	var links []link
	for _, p := range pairs {
		a, okA := idx[p.A]
		b, okB := idx[p.B]
		if !okA || !okB || a == b {
			continue
		}
		a, b = min(a, b), max(a, b)
		if !alike[[2]int{a, b}] {
			alike[[2]int{a, b}] = true
			links = append(links, link{a, b, p.Sim})
		}
	}
	// Most alike first; equal ones in item order, so the result does not depend on the
	// order the pairs came in.
	slices.SortFunc(links, func(x, y link) int {
		switch {
		case x.sim > y.sim:
			return -1
		case x.sim < y.sim:
			return 1
		case x.a != y.a:
			return x.a - y.a
		}
		return x.b - y.b
	})
	group := make([]int, len(items)) // item → its group, the index of its first item
	members := make(map[int][]int, len(items))
	for i := range items {
		group[i], members[i] = i, []int{i}
	}
	allAlike := func(g, h []int) bool {
		for _, x := range g {
			for _, y := range h {
				if !alike[[2]int{min(x, y), max(x, y)}] {
					return false
				}
			}
		}
		return true
	}
	for _, l := range links {
		g, h := group[l.a], group[l.b]
		if g == h || !allAlike(members[g], members[h]) {
			continue
		}
		g, h = min(g, h), max(g, h)
		for _, x := range members[h] {
			group[x] = g
		}
		members[g] = append(members[g], members[h]...)
		delete(members, h)
	}
	var out []Topic
	for i := range items {
		if m := members[i]; group[i] == i && len(m) >= MinTopic {
			g := make([]Item, len(m))
			for k, x := range m {
				g[k] = items[x]
			}
			out = append(out, topic(g))
		}
	}
	slices.SortStableFunc(out, func(x, y Topic) int {
		if x.Deputies != y.Deputies {
			return y.Deputies - x.Deputies
		}
		if len(x.Items) != len(y.Items) {
			return len(y.Items) - len(x.Items)
		}
		return itemOrder(x.Items[0], y.Items[0])
	})
	return out
}

// itemOrder puts numbered suggestions by number first, then the rest by id.
func itemOrder(x, y Item) int {
	switch {
	case x.Number != y.Number && x.Number != 0 && y.Number != 0:
		return x.Number - y.Number
	case x.Number == 0 && y.Number != 0:
		return 1
	case x.Number != 0 && y.Number == 0:
		return -1
	}
	switch {
	case x.SuggestionID < y.SuggestionID:
		return -1
	case x.SuggestionID > y.SuggestionID:
		return 1
	}
	return 0
}

// topic sums one group.
func topic(items []Item) Topic {
	slices.SortFunc(items, itemOrder)
	t := Topic{Items: items}
	deputies := map[int64]bool{}
	for _, it := range items {
		for _, d := range it.Deputies {
			deputies[d] = true
		}
		if it.Unsatisfied {
			t.Unsatisfied++
		}
		if it.Category != "" && !slices.Contains(t.Categories, it.Category) {
			t.Categories = append(t.Categories, it.Category)
		}
		if it.LeadUnit != "" && !slices.Contains(t.LeadUnits, it.LeadUnit) {
			t.LeadUnits = append(t.LeadUnits, it.LeadUnit)
		}
		if t.Label == "" || utf8.RuneCountInString(it.Title) < utf8.RuneCountInString(t.Label) {
			t.Label = it.Title
		}
	}
	t.Deputies = len(deputies)
	return t
}

// Reports lists the tenant's research reports, newest first, with the counts.
func (s *Service) Reports(ctx context.Context, a auth.Actor) ([]Report, Counts, error) {
	if !CanRead(a) {
		return nil, Counts{}, errForbidden
	}
	rs, err := s.store.Reports(ctx, a.TenantID, MaxReportsShow)
	if err != nil {
		return nil, Counts{}, err
	}
	c, err := s.store.Counts(ctx, a.TenantID)
	if err != nil {
		return nil, Counts{}, err
	}
	return rs, c, nil
}

// RecordReport records a research report; it returns its id.
func (s *Service) RecordReport(ctx context.Context, a auth.Actor, in ReportInput) (int64, error) {
	if !CanRecord(a) {
		return 0, errForbidden
	}
	if err := s.check(&in); err != nil {
		return 0, err
	}
	id, err := s.store.InsertReport(ctx, a.TenantID, in, a.ID)
	if err != nil {
		return 0, fmt.Errorf("record research report: %w", err)
	}
	return id, nil
}

// EditReport changes report id, read by the editor at version.
func (s *Service) EditReport(ctx context.Context, a auth.Actor, id int64, version int, in ReportInput) error {
	if !CanRecord(a) {
		return errForbidden
	}
	if version <= 0 {
		return invalid("bad_version", "页面版本信息缺失，请刷新页面后重试")
	}
	if err := s.check(&in); err != nil {
		return err
	}
	if err := s.store.UpdateReport(ctx, a.TenantID, id, version, in, a.ID); err != nil {
		return fmt.Errorf("edit research report %d: %w", id, err)
	}
	return nil
}

// DeleteReport removes report id, read by the deleter at version.
func (s *Service) DeleteReport(ctx context.Context, a auth.Actor, id int64, version int) error {
	if !CanRecord(a) {
		return errForbidden
	}
	if version <= 0 {
		return invalid("bad_version", "页面版本信息缺失，请刷新页面后重试")
	}
	if err := s.store.DeleteReport(ctx, a.TenantID, id, version); err != nil {
		return fmt.Errorf("delete research report %d: %w", id, err)
	}
	return nil
}

// ErrTooManyLinked refuses a report covering more than MaxLinked suggestions (the console
// also gives it for a 关联建议 field too long to hold that many ids).
var ErrTooManyLinked = invalid("too_many_suggestions", fmt.Sprintf("一份调研报告最多关联%d件建议", MaxLinked))

// check cleans in and refuses what a report may not hold.
func (s *Service) check(in *ReportInput) error {
	var err error
	if in.Title, err = apperr.Text(in.Title, MaxTitle, "title_too_long", "报告标题", true); err != nil {
		return err
	}
	if in.Title == "" || plaintext.Blank(in.Title) {
		return invalid("title_required", "请填写报告标题")
	}
	if in.ReportOn.IsZero() {
		return invalid("date_required", "请填写报告日期")
	}
	in.ReportOn = deadline.DateOf(in.ReportOn)
	if y := in.ReportOn.Year(); y < 2000 || y > 2100 {
		return invalid("bad_date", "报告日期应在2000年至2100年之间")
	}
	if in.ReportOn.After(deadline.DateOf(s.now())) {
		return invalid("date_in_future", "报告日期不能晚于今天")
	}
	if in.Summary, err = apperr.Text(in.Summary, MaxText, "summary_too_long", "报告摘要", false); err != nil {
		return err
	}
	if in.Outcome, err = apperr.Text(in.Outcome, MaxText, "outcome_too_long", "转化举措", false); err != nil {
		return err
	}
	ids := make([]int64, 0, min(len(in.SuggestionIDs), MaxLinked))
	seen := make(map[int64]bool, cap(ids))
	for _, id := range in.SuggestionIDs {
		if id <= 0 {
			return invalid("bad_suggestions", "关联建议的系统ID应为正整数")
		}
		if !seen[id] {
			if len(ids) == MaxLinked {
				return ErrTooManyLinked
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	in.SuggestionIDs = ids
	return nil
}
