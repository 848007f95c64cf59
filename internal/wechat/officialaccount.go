package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

const (
	templateSendURL = "https://api.weixin.qq.com/cgi-bin/message/template/send?access_token="
	customSendURL   = "https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token="
	mediaGetURL     = "https://api.weixin.qq.com/cgi-bin/media/get"
)

// TemplateMessage is an official-account template message (service notices only). With
// MiniAppID and PagePath set, a tap opens the mini-program instead of URL.
type TemplateMessage struct {
	ToUser     string
	TemplateID string
	URL        string
	Data       map[string]string
	MiniAppID  string
	PagePath   string
}

// SendTemplate sends a template message and returns WeChat's msgid (matched later by the
// TEMPLATESENDJOBFINISH event). 43004 gives ErrNotFollowing.
func (c *Client) SendTemplate(ctx context.Context, m TemplateMessage) (int64, error) {
	// Our own body: the SDK's TemplateMessage always sends a "miniprogram" object, even empty.
	type dataItem struct {
		Value string `json:"value"`
	}
	type miniProgram struct {
		AppID    string `json:"appid"`
		PagePath string `json:"pagepath,omitempty"`
	}
	msg := struct {
		ToUser      string              `json:"touser"`
		TemplateID  string              `json:"template_id"`
		URL         string              `json:"url,omitempty"`
		Data        map[string]dataItem `json:"data"`
		MiniProgram *miniProgram        `json:"miniprogram,omitempty"`
	}{ToUser: m.ToUser, TemplateID: m.TemplateID, URL: m.URL, Data: make(map[string]dataItem, len(m.Data))}
	for k, v := range m.Data {
		msg.Data[k] = dataItem{Value: v}
	}
	if m.MiniAppID != "" {
		msg.MiniProgram = &miniProgram{AppID: m.MiniAppID, PagePath: m.PagePath}
	}
	var msgID int64
	err := c.call(ctx, appOA, "template_send", func() error {
		// The SDK's Template.Send takes no context; same request, with ctx.
		tok, err := c.token(ctx, appOA)
		if err != nil {
			return err
		}
		body, err := util.PostJSONContext(ctx, templateSendURL+tok, msg)
		if err != nil {
			return err
		}
		var res struct {
			util.CommonError
			MsgID int64 `json:"msgid"`
		}
		if err := decodeCommon(body, &res, "template_send"); err != nil {
			return err
		}
		msgID = res.MsgID
		return nil
	})
	return msgID, err
}

// SendCustomText sends a customer-service text message; allowed within 48 h of the user's last
// message (45015 gives ErrOutOfWindow).
func (c *Client) SendCustomText(ctx context.Context, openid, text string) error {
	msg := message.NewCustomerTextMessage(openid, text)
	return c.call(ctx, appOA, "custom_send", func() error {
		tok, err := c.token(ctx, appOA)
		if err != nil {
			return err
		}
		body, err := util.PostJSONContext(ctx, customSendURL+tok, msg)
		if err != nil {
			return err
		}
		return util.DecodeWithCommonError(body, "custom_send")
	})
}

// maxErrorBody bounds how much of a JSON error answer GetMedia reads.
const maxErrorBody = 64 << 10

// GetMedia downloads an official-account temporary media (e.g. a photo sent to the bot; kept
// by WeChat for 3 days). The caller closes the body; contentType is WeChat's Content-Type.
func (c *Client) GetMedia(ctx context.Context, mediaID string) (io.ReadCloser, string, error) {
	var (
		body io.ReadCloser
		ct   string
	)
	err := c.call(ctx, appOA, "media_get", func() error {
		tok, err := c.token(ctx, appOA)
		if err != nil {
			return err
		}
		u := mediaGetURL + "?" + url.Values{"access_token": {tok}, "media_id": {mediaID}}.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := util.DefaultHTTPClient.Do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return fmt.Errorf("media_get: http status %d: %w", resp.StatusCode, errUnreadable)
		}
		ct = resp.Header.Get("Content-Type")
		mt, _, _ := mime.ParseMediaType(ct)
		if mt == "application/json" || mt == "text/plain" {
			// Errors, and video media (a JSON video_url), come back as JSON.
			defer resp.Body.Close()
			b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			if err != nil {
				return err
			}
			var res util.CommonError
			if err := decodeCommon(b, &res, "media_get"); err != nil {
				return err
			}
			var video struct {
				VideoURL string `json:"video_url"`
			}
			_ = json.Unmarshal(b, &video)
			return fmt.Errorf("media_get: unsupported JSON media (video=%t): %w", video.VideoURL != "", errUnreadable)
		}
		body = resp.Body
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return body, ct, nil
}
