package mpapi

import (
	"time"

	"jianyi/internal/media"
	"jianyi/internal/suggestion"
)

// apiTime is how every time leaves this API: in UTC, to the microsecond (what PostgreSQL
// keeps), so the phone parses one shape. Times read from the database come in the server's
// local zone (pgx; production runs with TZ=Asia/Shanghai), and the rating deadlines are the
// end of a day in Asia/Shanghai (…T23:59:59.999999999+08:00): both would otherwise leak out
// as they are. (An activity's starts_at is the one documented exception: Beijing time.)
func apiTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// apiTimePtr is apiTime for an optional time.
func apiTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := apiTime(*t)
	return &u
}

type locationJSON struct {
	Lat     *float64 `json:"lat,omitempty"`
	Lng     *float64 `json:"lng,omitempty"`
	Address string   `json:"address,omitempty"`
}

type suggestionJSON struct {
	ID          int64        `json:"id"`
	Number      string       `json:"number,omitempty"`
	Title       string       `json:"title"`
	Body        string       `json:"body"`
	Status      string       `json:"status"`
	StatusLabel string       `json:"status_label"`
	StatusNote  string       `json:"status_reason,omitempty"`
	Mode        string       `json:"mode"`
	ModeLabel   string       `json:"mode_label"`
	IsKey       bool         `json:"is_key"`
	Round       int          `json:"round"`
	Location    locationJSON `json:"location"`
	Version     int          `json:"version"`
	ReplyDueAt  *time.Time   `json:"reply_due_at,omitempty"`
	RatingDueAt *time.Time   `json:"rating_due_at,omitempty"`
	SubmittedAt *time.Time   `json:"submitted_at,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

func toSuggestion(s *suggestion.Suggestion) suggestionJSON {
	return suggestionJSON{
		ID: s.ID, Number: s.NumberLabel(), Title: s.Title, Body: s.Body, Status: string(s.Status),
		StatusLabel: s.Status.Label(), StatusNote: s.StatusReason, Mode: string(s.Mode), ModeLabel: s.Mode.Label(),
		IsKey: s.IsKey, Round: s.Round,
		Location: locationJSON{Lat: s.Location.Lat, Lng: s.Location.Lng, Address: s.Location.Address},
		Version:  s.Version, ReplyDueAt: apiTimePtr(s.ReplyDueAt), RatingDueAt: apiTimePtr(s.RatingDueAt),
		SubmittedAt: apiTimePtr(s.SubmittedAt), CreatedAt: apiTime(s.CreatedAt), UpdatedAt: apiTime(s.UpdatedAt),
	}
}

type summaryJSON struct {
	ID          int64      `json:"id"`
	Number      string     `json:"number,omitempty"`
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	IsKey       bool       `json:"is_key"`
	Mine        bool       `json:"mine"`
	LeadName    string     `json:"lead_name"`
	Category    string     `json:"category,omitempty"`
	ReplyDueAt  *time.Time `json:"reply_due_at,omitempty"`
	RatingDueAt *time.Time `json:"rating_due_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

type listJSON struct {
	Items      []summaryJSON `json:"items"`
	NextBefore *int64        `json:"next_before"`
}

func toSummaries(xs []suggestion.Summary, me int64, limit int) listJSON {
	out := listJSON{Items: make([]summaryJSON, 0, len(xs))}
	for _, x := range xs {
		n := ""
		if x.Number > 0 {
			n = numberLabel(x.Number)
		}
		out.Items = append(out.Items, summaryJSON{ID: x.ID, Number: n, Title: x.Title, Status: string(x.Status),
			StatusLabel: x.Status.Label(), IsKey: x.IsKey, Mine: x.LeadDeputyID == me, LeadName: x.LeadName,
			Category: x.Category, ReplyDueAt: apiTimePtr(x.ReplyDueAt), RatingDueAt: apiTimePtr(x.RatingDueAt), UpdatedAt: apiTime(x.UpdatedAt)})
	}
	if limit > 0 && len(xs) == limit {
		last := xs[len(xs)-1].ID
		out.NextBefore = &last
	}
	return out
}

type cosignerJSON struct {
	DeputyID int64  `json:"deputy_id"`
	Name     string `json:"name"`
	State    string `json:"state"`
}

type unitJSON struct {
	UnitName     string     `json:"unit_name"`
	Role         string     `json:"role"`
	State        string     `json:"state"`
	StateLabel   string     `json:"state_label"`
	DueAt        time.Time  `json:"due_at"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	HandlerName  string     `json:"handler_name,omitempty"`
	HandlerPhone string     `json:"handler_phone,omitempty"`
}

type contactJSON struct {
	ID            int64      `json:"id"`
	Stage         string     `json:"stage"`
	StageLabel    string     `json:"stage_label"`
	HappenedAt    time.Time  `json:"happened_at"`
	Method        string     `json:"method"`
	People        string     `json:"people"`
	Summary       string     `json:"summary"`
	Confirmation  string     `json:"confirmation"`
	DeputyComment string     `json:"deputy_comment,omitempty"`
	ConfirmedAt   *time.Time `json:"confirmed_at,omitempty"`
}

func toContact(c *suggestion.Contact) contactJSON {
	return contactJSON{ID: c.ID, Stage: string(c.Stage), StageLabel: c.Stage.Label(), HappenedAt: apiTime(c.HappenedAt),
		Method: c.Method, People: c.People, Summary: c.Summary, Confirmation: c.Confirmation,
		DeputyComment: c.DeputyComment, ConfirmedAt: apiTimePtr(c.ConfirmedAt)}
}

type commitmentJSON struct {
	What   string     `json:"what"`
	DueOn  string     `json:"due_on"`
	DoneAt *time.Time `json:"done_at,omitempty"`
	Note   string     `json:"done_note,omitempty"`
}

type replyJSON struct {
	Round       int              `json:"round"`
	UnitName    string           `json:"unit_name"`
	Class       string           `json:"class"`
	ClassLabel  string           `json:"class_label"`
	Body        string           `json:"body"`
	RepliedAt   time.Time        `json:"replied_at"`
	OnTime      bool             `json:"on_time"`
	Commitments []commitmentJSON `json:"commitments"`
	// Document is the signed reply letter, for a reply that has one (reply_documents.go).
	Document *documentJSON `json:"document,omitempty"`
}

type evaluationJSON struct {
	Kind        string    `json:"kind"`
	Round       int       `json:"round"`
	Rating      string    `json:"rating"`
	RatingLabel string    `json:"rating_label"`
	Mine        bool      `json:"mine"`
	CreatedAt   time.Time `json:"created_at"`
}

type progressJSON struct {
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type eventJSON struct {
	Action    string    `json:"action"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Label     string    `json:"label"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type photoJSON struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	ThumbURL    string `json:"thumb_url"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	CheckStatus string `json:"check_status"`
}

func toPhotos(ps []media.Photo) []photoJSON {
	out := make([]photoJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, photoJSON{ID: p.ID, URL: p.URL, ThumbURL: p.ThumbURL, Width: p.Width, Height: p.Height, CheckStatus: p.CheckStatus})
	}
	return out
}

type detailJSON struct {
	suggestionJSON
	LeadName    string           `json:"lead_name"`
	Category    string           `json:"category,omitempty"`
	Cosigners   []cosignerJSON   `json:"cosigners"`
	Units       []unitJSON       `json:"units"`
	Contacts    []contactJSON    `json:"contacts"`
	Progress    []progressJSON   `json:"progress"`
	Replies     []replyJSON      `json:"replies"`
	Evaluations []evaluationJSON `json:"evaluations"`
	Timeline    []eventJSON      `json:"timeline"`
	Photos      []photoJSON      `json:"photos"`
	RateReply   *time.Time       `json:"reply_rating_until,omitempty"`
	RateImpl    *time.Time       `json:"implementation_rating_until,omitempty"`
	CanReopen   bool             `json:"can_request_review"`
	MergedInto  *mergedJSON      `json:"merged_into,omitempty"`
}

// mergedJSON points a merged (并案) suggestion at the case it was merged into, for a reader
// who may see that case (its authors become co-signers of it with the merge).
type mergedJSON struct {
	ID     int64  `json:"id"`
	Number string `json:"number,omitempty"`
	Title  string `json:"title"`
}

// actionLabels names each line of the timeline for the deputy, by the action the service
// recorded (suggestion.RecordedActions lists them all; a test keeps the two in step).
var actionLabels = map[suggestion.Action]string{
	suggestion.ActCreateDraft:       "保存草稿",
	suggestion.ActEdit:              "修改建议",
	suggestion.ActInviteCosigners:   "邀请联名",
	suggestion.ActCosignAccepted:    "接受联名",
	suggestion.ActCosignDeclined:    "谢绝联名",
	suggestion.ActSubmit:            "提交建议",
	suggestion.ActReturn:            "退回修改",
	suggestion.ActNotRegister:       "不予立案",
	suggestion.ActRegister:          "立案",
	suggestion.ActMerge:             "并案",
	suggestion.ActAssign:            "交办",
	suggestion.ActRequestReturn:     "承办单位申请退回",
	suggestion.ActKeepAssignment:    "维持原交办",
	suggestion.ActReassign:          "改派承办单位",
	suggestion.ActWithdrawCoUnit:    "协办单位退出办理",
	suggestion.ActAccept:            "承办单位签收",
	suggestion.ActRecordContact:     "承办单位记录沟通",
	suggestion.ActContactConfirmed:  "确认沟通",
	suggestion.ActContactDisputed:   "对沟通有异议",
	suggestion.ActProgress:          "办理进展",
	suggestion.ActCoOpinion:         "协办单位提出意见",
	suggestion.ActNudge:             "代表催办",
	suggestion.ActPhotoPassed:       "图片复核通过",
	suggestion.ActPhotoHidden:       "图片已隐藏",
	suggestion.ActPublishReply:      "答复已公开",
	suggestion.ActReopenRequested:   "申请回头看",
	suggestion.ActRequestExtension:  "申请延期",
	suggestion.ActExtensionApproved: "延期获批",
	suggestion.ActExtensionRejected: "延期未获批准",
	suggestion.ActReply:             "承办单位答复",
	suggestion.ActRateReply:         "评价答复",
	suggestion.ActRehandle:          "重新办理",
	suggestion.ActEscalate:          "当面协商督办",
	suggestion.ActTrack:             "列入跟踪督办",
	suggestion.ActCommitmentDone:    "承诺事项完成",
	suggestion.ActImplementationDue: "请评价落实情况",
	suggestion.ActRateImpl:          "评价落实情况",
	suggestion.ActImplAccept:        "落实满意办结",
	suggestion.ActClose:             "办结",
	suggestion.ActReopen:            "回头看重新办理",
}

// eventLabel is the timeline line's label. An action without one (which the test forbids)
// falls back to the status it moved to; a line that moved nothing is never given the
// status's name, which would read as if the suggestion had changed state.
func eventLabel(e suggestion.AuditEvent) string {
	if l, ok := actionLabels[suggestion.Action(e.Action)]; ok {
		return l
	}
	if e.From != "" && e.To != "" {
		return e.To.Label()
	}
	return "办理动态"
}

// toDetail renders d for deputy me, with its photos and its replies' letters (by reply id).
func toDetail(d *suggestion.Detail, me int64, photos []media.Photo, docs map[int64]*documentJSON) detailJSON {
	out := detailJSON{suggestionJSON: toSuggestion(&d.Suggestion), LeadName: d.LeadName, Category: d.Category,
		Cosigners: []cosignerJSON{}, Units: []unitJSON{}, Contacts: []contactJSON{}, Progress: []progressJSON{},
		Replies: []replyJSON{}, Evaluations: []evaluationJSON{}, Timeline: []eventJSON{}, Photos: toPhotos(photos),
		RateReply: apiTimePtr(d.RateReplyUntil), RateImpl: apiTimePtr(d.RateImplUntil), CanReopen: d.CanRequestReopen}
	for _, c := range d.Cosigners {
		out.Cosigners = append(out.Cosigners, cosignerJSON{DeputyID: c.DeputyID, Name: c.Name, State: c.State})
	}
	for _, as := range d.Assignments {
		if !as.Active {
			continue
		}
		out.Units = append(out.Units, unitJSON{UnitName: as.UnitName, Role: string(as.Role), State: string(as.State),
			StateLabel: as.State.Label(), DueAt: apiTime(as.DueAt), AcceptedAt: apiTimePtr(as.AcceptedAt), HandlerName: as.HandlerName, HandlerPhone: as.HandlerPhone})
	}
	for i := range d.Contacts {
		out.Contacts = append(out.Contacts, toContact(&d.Contacts[i]))
	}
	for _, p := range d.Progress {
		if !p.Private {
			out.Progress = append(out.Progress, progressJSON{Body: p.Body, CreatedAt: apiTime(p.CreatedAt)})
		}
	}
	for _, r := range d.Replies {
		rj := replyJSON{Round: r.Round, UnitName: r.UnitName, Class: string(r.Class), ClassLabel: r.ClassLabel,
			Body: r.Body, RepliedAt: apiTime(r.RepliedAt), OnTime: r.OnTime, Commitments: []commitmentJSON{}, Document: docs[r.ID]}
		for _, cm := range r.Commitments {
			rj.Commitments = append(rj.Commitments, commitmentJSON{What: cm.What, DueOn: cm.DueOn.Format("2006-01-02"), DoneAt: apiTimePtr(cm.DoneAt), Note: cm.DoneNote})
		}
		out.Replies = append(out.Replies, rj)
	}
	for _, e := range d.Evaluations {
		out.Evaluations = append(out.Evaluations, evaluationJSON{Kind: string(e.Kind), Round: e.Round, Rating: string(e.Rating),
			RatingLabel: e.Rating.Label(), Mine: e.DeputyID == me, CreatedAt: apiTime(e.CreatedAt)})
	}
	for _, e := range d.Timeline {
		out.Timeline = append(out.Timeline, eventJSON{Action: e.Action, From: string(e.From), To: string(e.To),
			Label: eventLabel(e), Reason: e.Reason, CreatedAt: apiTime(e.CreatedAt)})
	}
	return out
}
