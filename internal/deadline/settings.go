package deadline

import "fmt"

// Settings are a tenant's clock lengths (PRODUCT.md "Clocks"). Months are calendar months
// (AddMonths); workdays are working days (AddWorkingDays).
type Settings struct {
	ReplyMonths            int   `json:"reply_months"`              // reply, from assignment
	ComplexReplyMonths     int   `json:"complex_reply_months"`      // reply when marked complex
	ReturnWindowWorkdays   int   `json:"return_window_workdays"`    // return a wrong assignment
	CoOpinionMonths        int   `json:"co_opinion_months"`         // co-unit opinion to lead unit
	BeforeContactWorkdays  int   `json:"before_contact_workdays"`   // "before" contact, from acceptance
	RatingWorkdays         int   `json:"rating_workdays"`           // deputy rating, from reply
	RehandleMonths         int   `json:"rehandle_months"`           // rehandle, from unsatisfied rating
	ImplRatingWorkdays     int   `json:"impl_rating_workdays"`      // implementation rating, from last commitment due
	PublishWorkdays        int   `json:"publish_workdays"`          // publication of the reply, from reply
	FastTrackReplyWorkdays int   `json:"fast_track_reply_workdays"` // fast-track reply, from assignment
	ReminderOffsets        []int `json:"reminder_offsets"`          // working days before a deadline
	RequireBeforeContact   bool  `json:"require_before_contact"`    // reply refused before the "before" contact
}

// DefaultSettings are PRODUCT.md's defaults.
func DefaultSettings() Settings {
	return Settings{
		ReplyMonths:            3,
		ComplexReplyMonths:     6,
		ReturnWindowWorkdays:   7,
		CoOpinionMonths:        1,
		BeforeContactWorkdays:  10,
		RatingWorkdays:         20,
		RehandleMonths:         1,
		ImplRatingWorkdays:     10,
		PublishWorkdays:        20,
		FastTrackReplyWorkdays: 15,
		ReminderOffsets:        []int{15, 7, 3, 1},
		RequireBeforeContact:   true,
	}
}

// Allowed ranges.
const (
	MinMonths         = 1
	MaxMonths         = 12
	MaxRehandleMonths = 3
	MinWorkdays       = 1
	MaxWorkdays       = 120
	MaxReminders      = 10
)

// Validate checks every field: months 1..12 (rehandle 1..3), ComplexReplyMonths not shorter
// than ReplyMonths (it is an extension), workdays 1..120, reminder offsets each in 1..120,
// strictly descending, at most 10 of them (none at all is allowed: no early reminders).
// Errors wrap ErrInvalidSettings and name the JSON field.
func (s Settings) Validate() error {
	months := []struct {
		field string
		v     int
		max   int
	}{
		{"reply_months", s.ReplyMonths, MaxMonths},
		{"complex_reply_months", s.ComplexReplyMonths, MaxMonths},
		{"co_opinion_months", s.CoOpinionMonths, MaxMonths},
		{"rehandle_months", s.RehandleMonths, MaxRehandleMonths},
	}
	for _, f := range months {
		if f.v < MinMonths || f.v > f.max {
			return fmt.Errorf("%w: %s = %d, want %d..%d", ErrInvalidSettings, f.field, f.v, MinMonths, f.max)
		}
	}
	if s.ComplexReplyMonths < s.ReplyMonths {
		return fmt.Errorf("%w: complex_reply_months = %d is shorter than reply_months = %d",
			ErrInvalidSettings, s.ComplexReplyMonths, s.ReplyMonths)
	}
	workdays := []struct {
		field string
		v     int
	}{
		{"return_window_workdays", s.ReturnWindowWorkdays},
		{"before_contact_workdays", s.BeforeContactWorkdays},
		{"rating_workdays", s.RatingWorkdays},
		{"impl_rating_workdays", s.ImplRatingWorkdays},
		{"publish_workdays", s.PublishWorkdays},
		{"fast_track_reply_workdays", s.FastTrackReplyWorkdays},
	}
	for _, f := range workdays {
		if f.v < MinWorkdays || f.v > MaxWorkdays {
			return fmt.Errorf("%w: %s = %d, want %d..%d", ErrInvalidSettings, f.field, f.v, MinWorkdays, MaxWorkdays)
		}
	}
	if len(s.ReminderOffsets) > MaxReminders {
		return fmt.Errorf("%w: reminder_offsets has %d entries, want at most %d",
			ErrInvalidSettings, len(s.ReminderOffsets), MaxReminders)
	}
	for i, o := range s.ReminderOffsets {
		if o < MinWorkdays || o > MaxWorkdays {
			return fmt.Errorf("%w: reminder_offsets[%d] = %d, want %d..%d", ErrInvalidSettings, i, o, MinWorkdays, MaxWorkdays)
		}
		if i > 0 && o >= s.ReminderOffsets[i-1] {
			return fmt.Errorf("%w: reminder_offsets must be strictly descending, got %v", ErrInvalidSettings, s.ReminderOffsets)
		}
	}
	return nil
}
