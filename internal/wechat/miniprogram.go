package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/miniprogram/security"
	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
	"github.com/silenceper/wechat/v2/util"
)

const subscribeSendURL = "https://api.weixin.qq.com/cgi-bin/message/subscribe/send?access_token="

// Session is the result of a mini-program login.
type Session struct {
	OpenID     string
	UnionID    string // empty unless the apps are bound to one Open Platform account
	SessionKey string
}

// Code2Session exchanges a wx.login code for the user's openid, unionid and session key.
// An invalid or used code gives ErrInvalidCode.
func (c *Client) Code2Session(ctx context.Context, code string) (Session, error) {
	var s Session
	err := c.call(ctx, appMini, "code2session", func() error {
		res, err := c.mp.GetAuth().Code2SessionContext(ctx, code)
		if err != nil {
			return err
		}
		s = Session{OpenID: res.OpenID, UnionID: res.UnionID, SessionKey: res.SessionKey}
		return nil
	})
	return s, err
}

// PhoneNumber exchanges a getPhoneNumber code for the user's phone number without country code.
func (c *Client) PhoneNumber(ctx context.Context, code string) (string, error) {
	var phone string
	err := c.call(ctx, appMini, "phone_number", func() error {
		res, err := c.mp.GetAuth().GetPhoneNumberContext(ctx, code)
		if err != nil {
			return err
		}
		phone = res.PhoneInfo.PurePhoneNumber
		return nil
	})
	return phone, err
}

// SubscribeMessage is one subscribe message. Data keys are the template's keys
// (thing1, time2, ...); their prefix decides the limits checked by ValidateSubscribeData.
// State is developer, trial or formal (empty: formal).
type SubscribeMessage struct {
	ToUser     string
	TemplateID string
	Page       string
	Data       map[string]string
	State      string
}

// SendSubscribe validates the fields (ErrFieldLimit, nothing sent) and sends a subscribe
// message. 43101 gives ErrNoCredit: do not retry, use another channel.
func (c *Client) SendSubscribe(ctx context.Context, m SubscribeMessage) error {
	if err := ValidateSubscribeData(m.Data); err != nil {
		return err
	}
	msg := &subscribe.Message{
		ToUser:           m.ToUser,
		TemplateID:       m.TemplateID,
		Page:             m.Page,
		Data:             make(map[string]*subscribe.DataItem, len(m.Data)),
		MiniprogramState: m.State,
		Lang:             "zh_CN",
	}
	for k, v := range m.Data {
		msg.Data[k] = &subscribe.DataItem{Value: v}
	}
	return c.call(ctx, appMini, "subscribe_send", func() error {
		// The SDK's Subscribe.Send takes no context; same request, with ctx.
		tok, err := c.token(ctx, appMini)
		if err != nil {
			return err
		}
		body, err := util.PostJSONContext(ctx, subscribeSendURL+tok, msg)
		if err != nil {
			return err
		}
		return util.DecodeWithCommonError(body, "subscribe_send")
	})
}

// Content-check suggestions.
const (
	SuggestPass   = "pass"
	SuggestReview = "review"
	SuggestRisky  = "risky"
)

// Content-check scenes (msgSecCheck / mediaCheckAsync v2).
const (
	SceneProfile = 1
	SceneComment = 2
	SceneForum   = 3
	SceneSocial  = 4
)

// MaxCheckRunes is the most text msgSecCheck reads in one call (its v2 documentation: 2500
// characters); checkOverlap is how many characters consecutive pieces of a longer text share,
// so that a phrase cut by one piece's end is read whole at the start of the next.
const (
	MaxCheckRunes = 2500
	checkOverlap  = 100
)

// MsgCheck runs the v2 text check. suggest is pass, review or risky; label is WeChat's
// label (100 = normal). The user must have opened the mini-program in the last two hours.
//
// A text longer than one call takes (a suggestion's body may hold 10,000 characters) is
// checked piece by piece, each piece overlapping the one before, and the gravest verdict
// stands: risky (with its label, and no further pieces sent) over review over pass.
func (c *Client) MsgCheck(ctx context.Context, openid, content string, scene int) (suggest string, label int, err error) {
	if scene < 1 || scene > 4 {
		return "", 0, fmt.Errorf("wechat msg_check: invalid scene %d", scene)
	}
	suggest, label = SuggestPass, 100
	for _, piece := range checkPieces(content) {
		s, l, err := c.msgCheck(ctx, openid, piece, scene)
		if err != nil {
			return "", 0, err
		}
		if gravity[s] > gravity[suggest] {
			suggest, label = s, l
		}
		if s == SuggestRisky {
			break
		}
	}
	return suggest, label, nil
}

// gravity orders msgSecCheck's verdicts; one WeChat adds later ranks with review.
var gravity = map[string]int{SuggestPass: 0, SuggestReview: 1, SuggestRisky: 2}

// checkPieces cuts content into pieces of at most MaxCheckRunes characters, each starting
// checkOverlap characters before the previous one ended. A short text is one piece.
func checkPieces(content string) []string {
	if utf8.RuneCountInString(content) <= MaxCheckRunes {
		return []string{content} // every submit but the longest: no copy of the text
	}
	runes := []rune(content)
	var out []string
	for start := 0; ; start += MaxCheckRunes - checkOverlap {
		end := min(start+MaxCheckRunes, len(runes))
		out = append(out, string(runes[start:end]))
		if end == len(runes) {
			return out
		}
	}
}

func (c *Client) msgCheck(ctx context.Context, openid, content string, scene int) (suggest string, label int, err error) {
	err = c.call(ctx, appMini, "msg_check", func() error {
		res, err := c.mp.GetSecurity().MsgCheckContext(ctx, &security.MsgCheckRequest{
			OpenID:  openid,
			Scene:   security.MsgScene(scene),
			Content: content,
		})
		if err != nil {
			return err
		}
		suggest, label = string(res.Result.Suggest), int(res.Result.Label)
		if suggest == "" {
			return fmt.Errorf("msg_check: empty suggest in answer: %w", errUnreadable)
		}
		if _, ok := gravity[suggest]; !ok {
			suggest = SuggestReview // a verdict we do not know yet: let staff look
		}
		return nil
	})
	return suggest, label, err
}

// errUnreadable marks an answer we cannot use (ErrCode -1, hence ErrUnavailable).
var errUnreadable = fmt.Errorf("unreadable answer")

// MediaCheckAsync submits an image (mediaURL: https, fetchable by WeChat for > 30 min) to the
// v2 asynchronous check. The result arrives later as a wxa_media_check push with this trace id.
func (c *Client) MediaCheckAsync(ctx context.Context, mediaURL, openid string, scene int) (string, error) {
	if scene < 1 || scene > 4 {
		return "", fmt.Errorf("wechat media_check_async: invalid scene %d", scene)
	}
	var traceID string
	err := c.call(ctx, appMini, "media_check_async", func() error {
		id, err := c.mp.GetSecurity().MediaCheckAsyncContext(ctx, &security.MediaCheckAsyncRequest{
			MediaURL:  mediaURL,
			MediaType: 2, // image
			OpenID:    openid,
			Scene:     uint8(scene),
		})
		if err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("media_check_async: empty trace_id: %w", errUnreadable)
		}
		traceID = id
		return nil
	})
	return traceID, err
}

// decodeCommon decodes an answer's errcode/errmsg.
func decodeCommon(body []byte, v any, api string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %w", api, errUnreadable)
	}
	return util.DecodeWithCommonError(body, api)
}
