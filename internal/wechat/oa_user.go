package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/silenceper/wechat/v2/util"
)

const userInfoURL = "https://api.weixin.qq.com/cgi-bin/user/info"

// OAUnionID returns the unionid of an official-account follower (WeChat's user/info API), so
// the bot can link the follower to a deputy who logged in to the mini-program. It is "" when
// the platform gives none (the apps are not bound to one Open Platform account, or the user
// no longer follows the account).
func (c *Client) OAUnionID(ctx context.Context, openid string) (string, error) {
	var union string
	err := c.call(ctx, appOA, "user_info", func() error {
		tok, err := c.token(ctx, appOA)
		if err != nil {
			return err
		}
		u := userInfoURL + "?" + url.Values{"access_token": {tok}, "openid": {openid}, "lang": {"zh_CN"}}.Encode()
		body, err := util.HTTPGetContext(ctx, u)
		if err != nil {
			return err
		}
		var res struct {
			util.CommonError
			Subscribe int    `json:"subscribe"`
			UnionID   string `json:"unionid"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return fmt.Errorf("user_info: decode answer: %w", err)
		}
		if res.ErrCode != 0 {
			return &res.CommonError
		}
		union = res.UnionID
		return nil
	})
	return union, err
}
