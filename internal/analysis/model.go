// Package analysis is the source case's 成果转化闭环: "对代表建议集中、群众关注度高的建议进行深入
// 分析、系统调研……从'解决一件事'向'办好一类事'深化". It groups a meeting's registered
// suggestions into topics by how alike their titles are (建议集中分析), so staff see which
// matters many deputies raised, and keeps the research reports (调研报告) written on them with
// whether the city adopted them as measures (转化为市委市政府举措).
package analysis

import (
	"context"
	"time"

	"jianyi/internal/apperr"
)

// Sentinels, shared with every front door through apperr.
var (
	ErrNotFound  = apperr.ErrNotFound
	ErrConflict  = apperr.ErrConflict
	ErrForbidden = apperr.ErrForbidden
	ErrInvalid   = apperr.ErrInvalid
)

// Error is a refusal with a stable code and a Chinese message.
type Error = apperr.Error

// MinSimilarity is how alike two suggestions' titles must be to count as one topic: the
// Dice coefficient of their title bigrams, 2·shared ÷ (bigrams of one + bigrams of the
// other), from the per-suggestion search vector (suggestion_search: the title's bigrams with
// the generic words of policy writing such as 关于, 建议, 加强, 问题 removed; migrations
// 00004/00005; bodies are not indexed, and two deputies describe one matter in different
// words anyway). 0.4 joins "雄关路路灯损坏" and "雄关路路灯不亮影响夜间出行" (4 bigrams shared
// of 6 and 12: 0.44). Two short titles that share only a road name can reach it too ("新华路路灯" and "新华路绿化":
// 0.5); Group never lets such a pair chain two matters together, but the pair alone can still
// show as a topic. Raise it for tighter topics, lower it for broader ones.
const MinSimilarity = 0.4

// MaxSuggestions caps how many of a meeting's registered suggestions are compared (a meeting
// has a few hundred): the pairs are computed in PostgreSQL, and beyond this the page says
// that it looked at the first MaxSuggestions only.
const MaxSuggestions = 2000

// MinTopic is the smallest group shown: one suggestion alone is not a concentration.
const MinTopic = 2

// Limits on what staff may record in a research report.
const (
	MaxTitle       = 200
	MaxText        = 5000 // summary, outcome
	MaxLinked      = 200  // suggestions one report covers
	MaxReportsShow = 500  // reports listed on the page, newest first
)

// Meeting is a 届次/会议 to analyse.
type Meeting struct {
	ID      int64
	Name    string
	Current bool
}

// Item is one registered suggestion of the meeting with the facts a topic sums.
type Item struct {
	SuggestionID int64
	Number       int
	Title        string
	Category     string // "" when none
	LeadUnit     string // the active lead unit, "" before assignment
	// Deputies are the lead deputy, the co-signers who accepted and the authors of duplicates
	// merged into it (并案).
	Deputies []int64
	// Unsatisfied: the lead deputy's latest reply rating is 不满意.
	Unsatisfied bool
}

// Pair is two suggestions whose titles are at least MinSimilarity alike, and how alike.
type Pair struct {
	A, B int64
	Sim  float64
}

// Topic is a group of alike suggestions: one matter many raised.
type Topic struct {
	// Label is the shortest title of the group, which usually names the matter plainly.
	Label       string
	Items       []Item // by number, then id
	Deputies    int    // distinct deputies (lead, accepted co-signers, merged duplicates' authors)
	Categories  []string
	LeadUnits   []string
	Unsatisfied int
}

// Overview is the 建议集中分析 page of one meeting.
type Overview struct {
	Meetings []Meeting
	Meeting  Meeting
	Topics   []Topic
	// Considered is how many registered suggestions were compared; Capped says there were
	// more than MaxSuggestions and only the first were.
	Considered int
	Capped     bool
	Counts     Counts
}

// Counts are the tenant's research reports and the adopted ones.
type Counts struct {
	Reports int
	Adopted int
}

// Linked is a suggestion a report covers.
type Linked struct {
	ID     int64
	Number int
	Title  string
}

// Report is one 调研报告.
type Report struct {
	ID          int64
	Title       string
	ReportOn    time.Time // a calendar date (midnight UTC of the Shanghai date)
	Summary     string
	Outcome     string // 转化举措
	Adopted     bool   // 转化为市委市政府举措
	Suggestions []Linked
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ReportInput is what staff type into the report form.
type ReportInput struct {
	Title         string
	ReportOn      time.Time
	Summary       string
	Outcome       string
	Adopted       bool
	SuggestionIDs []int64
}

// Store is the persistence of this package; storage/postgres implements it. Every method is
// scoped to the tenant.
type Store interface {
	Meetings(ctx context.Context, tenantID int64) ([]Meeting, error)
	// Items are the meeting's registered suggestions (every state from registered on, merged
	// ones left out), by id, at most limit.
	Items(ctx context.Context, tenantID, meetingID int64, limit int) ([]Item, error)
	// Pairs are the pairs of ids whose search vectors are at least min alike (MinSimilarity).
	Pairs(ctx context.Context, tenantID int64, ids []int64, min float64) ([]Pair, error)

	Reports(ctx context.Context, tenantID int64, limit int) ([]Report, error)
	Counts(ctx context.Context, tenantID int64) (Counts, error)
	// InsertReport and UpdateReport refuse (SuggestionsNotFound, nothing written) ids that are
	// not the tenant's suggestions, or are drafts, in the transaction that writes the report.
	// UpdateReport and DeleteReport return Conflict when version is stale and
	// ReportNotFound when the report is not the tenant's.
	InsertReport(ctx context.Context, tenantID int64, in ReportInput, by int64) (int64, error)
	UpdateReport(ctx context.Context, tenantID, id int64, version int, in ReportInput, by int64) error
	DeleteReport(ctx context.Context, tenantID, id int64, version int) error
}
