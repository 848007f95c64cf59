package wechattest

import (
	"encoding/json"
	"net/http"
)

// APIUserInfo is the official account's user/info API.
const APIUserInfo = "/cgi-bin/user/info"

// SetUnionID makes user/info answer unionid for the follower openid.
func (a *App) SetUnionID(openid, unionid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.unionIDs == nil {
		a.unionIDs = map[string]string{}
	}
	a.unionIDs[openid] = unionid
}

func (s *Server) userInfo(a *App, _ string, w http.ResponseWriter, r *http.Request, _ []byte) {
	openid := r.URL.Query().Get("openid")
	if openid == "" {
		writeErr(w, 40003, "invalid openid")
		return
	}
	a.mu.Lock()
	union, following := a.unionIDs[openid], !a.notFollowing[openid]
	a.mu.Unlock()
	res := map[string]any{"openid": openid, "subscribe": 0}
	if following {
		res["subscribe"] = 1
		if union != "" {
			res["unionid"] = union
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}
