package mpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
)

type loginRequest struct {
	Code   string `json:"code"`
	Tenant string `json:"tenant"`
}

type deputyJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type loginResponse struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	Bound     bool        `json:"bound"`
	Deputy    *deputyJSON `json:"deputy,omitempty"`
}

type meResponse struct {
	TenantID int64       `json:"tenant_id"`
	Bound    bool        `json:"bound"`
	Deputy   *deputyJSON `json:"deputy,omitempty"`
}

func toDeputy(d *account.Deputy) *deputyJSON {
	if d == nil {
		return nil
	}
	return &deputyJSON{ID: d.ID, Name: d.Name}
}

// login exchanges a wx.login code for our session. Nothing is stored when WeChat fails.
func (a *API) login(c *gin.Context) {
	var in loginRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	in.Code = strings.TrimSpace(in.Code)
	if !wechatCode(in.Code) {
		a.fail(c, errWeChatCode)
		return
	}
	if strings.TrimSpace(in.Tenant) == "" {
		a.fail(c, errTenantRequired)
		return
	}
	ctx := c.Request.Context()
	tenantID, err := a.Accounts.Tenant(ctx, in.Tenant)
	if err != nil {
		a.fail(c, err)
		return
	}
	ws, err := a.WeChat.Code2Session(ctx, in.Code)
	if err != nil {
		a.fail(c, err)
		return
	}
	id := account.Identity{OpenID: ws.OpenID, UnionID: ws.UnionID}
	d, err := a.Accounts.Login(ctx, tenantID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	s := account.Session{TenantID: tenantID, OpenID: ws.OpenID, UnionID: ws.UnionID, SessionKey: ws.SessionKey}
	if d != nil {
		s.DeputyID = d.ID
	}
	token, s, err := a.Sessions.Create(ctx, s)
	if err != nil {
		a.fail(c, errUnavailable)
		return
	}
	if err := a.stillActive(ctx, token, s); err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse{Token: token, ExpiresAt: apiTime(s.ExpiresAt), Bound: d != nil, Deputy: toDeputy(d)})
}

// wechatCode reports whether code can be one wx.login or getPhoneNumber handed the phone:
// 1 to 256 letters, digits and "-_.~". Anything else (a space, a newline, "&" or "#") is not
// a code WeChat issues, and the login code goes into code2session's URL as it is: such a
// code is refused as invalid before WeChat is asked, instead of breaking or rewriting the
// request (which answered 503, "WeChat is down", to a typing mistake).
func wechatCode(code string) bool {
	if code == "" || len(code) > 256 {
		return false
	}
	for i := 0; i < len(code); i++ {
		switch ch := code[i]; {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		case ch == '-', ch == '_', ch == '.', ch == '~':
		default:
			return false
		}
	}
	return true
}

// errTenantRequired refuses a login that names no standing committee: the mini-program sends
// its tenant code with every login, and an unknown one is a different matter (404).
var errTenantRequired = apiErr(http.StatusUnprocessableEntity, "tenant_required", "登录请求缺少人大常委会代码（tenant），请从小程序入口重新进入")

// errSelfBound answers a binding asked for by a session already bound: it is this WeChat
// account that is bound, so there is nothing to do (account.ErrAlreadyBound is another
// account holding the deputy, which the 代表工委 must sort out).
var errSelfBound = apiErr(http.StatusConflict, "already_bound_self", "您已绑定代表身份，无需重复绑定")

type codeRequest struct {
	Code string `json:"code"`
}

// bindPhone binds by the getPhoneNumber code, matched against the tenant's roster.
func (a *API) bindPhone(c *gin.Context) {
	var in codeRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	in.Code = strings.TrimSpace(in.Code)
	if !wechatCode(in.Code) {
		a.fail(c, errWeChatCode)
		return
	}
	s := sess(c)
	if s.Bound() {
		a.fail(c, errSelfBound)
		return
	}
	phone, err := a.WeChat.PhoneNumber(c.Request.Context(), in.Code)
	if err != nil {
		a.fail(c, err)
		return
	}
	d, err := a.Accounts.BindByPhone(c.Request.Context(), s.TenantID, phone, account.Identity{OpenID: s.OpenID, UnionID: s.UnionID})
	a.finishBind(c, s, d, err)
}

// bindInvite binds by a staff-issued invite code.
func (a *API) bindInvite(c *gin.Context) {
	var in codeRequest
	if _, ok := a.readJSON(c, &in); !ok {
		return
	}
	s := sess(c)
	if s.Bound() {
		a.fail(c, errSelfBound)
		return
	}
	d, err := a.Accounts.RedeemInvite(c.Request.Context(), s.TenantID, in.Code, account.Identity{OpenID: s.OpenID, UnionID: s.UnionID})
	a.finishBind(c, s, d, err)
}

// bindFollowUpWithin bounds the session update after a binding is stored, once it no
// longer follows the request's context.
const bindFollowUpWithin = 5 * time.Second

func (a *API) finishBind(c *gin.Context, s account.Session, d *account.Deputy, err error) {
	if err != nil {
		a.fail(c, err)
		return
	}
	s.DeputyID = d.ID
	// The binding is stored (and an invite code used up): the session must learn it even when
	// the phone hangs up now, or it stays unbound while the code it would retry with is spent.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), bindFollowUpWithin)
	defer cancel()
	if err := a.Sessions.Update(ctx, c.GetString(ctxToken), s); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.stillActive(ctx, c.GetString(ctxToken), s); err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, meResponse{TenantID: s.TenantID, Bound: true, Deputy: toDeputy(d)})
}

func (a *API) logout(c *gin.Context) {
	if err := a.Sessions.Delete(c.Request.Context(), c.GetString(ctxToken)); err != nil {
		a.fail(c, errUnavailable)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) me(c *gin.Context) {
	s := sess(c)
	out := meResponse{TenantID: s.TenantID, Bound: s.Bound()}
	if s.Bound() {
		d, err := a.Accounts.Deputy(c.Request.Context(), s.TenantID, s.DeputyID)
		if err != nil {
			a.fail(c, err)
			return
		}
		out.Deputy = toDeputy(d)
	}
	c.JSON(http.StatusOK, out)
}

type bindCodeResponse struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	Hint      string    `json:"hint"`
}

// oaBindCode issues the six-digit code the deputy sends to the official account.
func (a *API) oaBindCode(c *gin.Context) {
	s := sess(c)
	code, exp, err := a.Accounts.IssueOABindCode(c.Request.Context(), s.TenantID, s.DeputyID)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, bindCodeResponse{Code: code, ExpiresAt: apiTime(exp), Hint: "请在10分钟内向公众号发送“绑定 " + code + "”"})
}

// stillActive reads the deputy of a session just stored once more: a deputy stopped in the
// console after the login read them ends every stored session (directory.SaveDeputy), but a
// session stored just after that would outlive the stop. Such a session is deleted and the
// login refused as for a stopped deputy.
func (a *API) stillActive(ctx context.Context, token string, s account.Session) error {
	if !s.Bound() {
		return nil
	}
	d, err := a.Accounts.Deputy(ctx, s.TenantID, s.DeputyID)
	if err != nil {
		return errors.Join(errUnavailable, err)
	}
	if d.Active {
		return nil
	}
	if err := a.Sessions.Delete(ctx, token); err != nil {
		return errors.Join(errUnavailable, err)
	}
	return account.ErrInactive
}
