package notify

import (
	"context"
	"strings"

	"jianyi/internal/wechat"
)

// WeChatSender sends pushes through internal/wechat.
type WeChatSender struct {
	Client     *wechat.Client
	MiniAppID  string // official-account templates open this mini-program (deputies)
	ConsoleURL string // staff templates link here (base URL, no trailing slash)
	MPState    string // subscribe-message miniprogram_state; "" = formal
}

// Send implements Sender.
func (s *WeChatSender) Send(ctx context.Context, m Message) (int64, error) {
	switch m.Channel {
	case ChannelMPSubscribe:
		return 0, s.Client.SendSubscribe(ctx, wechat.SubscribeMessage{
			ToUser: m.OpenID, TemplateID: m.TemplateID, Page: m.Page, Data: m.Fields, State: s.MPState})
	default:
		tm := wechat.TemplateMessage{ToUser: m.OpenID, TemplateID: m.TemplateID, Data: oaData(m)}
		if m.Channel == ChannelOAStaff || strings.HasPrefix(m.Page, "/") {
			if s.ConsoleURL != "" {
				tm.URL = strings.TrimRight(s.ConsoleURL, "/") + m.Page
			}
		} else {
			tm.MiniAppID, tm.PagePath = s.MiniAppID, m.Page
		}
		return s.Client.SendTemplate(ctx, tm)
	}
}

// oaData maps a notice onto the official-account template keys first, keyword1-3, remark.
func oaData(m Message) map[string]string {
	return map[string]string{
		"first":    m.Title,
		"keyword1": m.Fields[FieldThing],
		"keyword2": m.Fields[FieldPhrase],
		"keyword3": m.Fields[FieldTime],
		"remark":   m.Body,
	}
}
