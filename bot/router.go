package bot

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/wechat"
)

// Path is the callback URL of the official account; :tenant is the tenant code, so the URL
// configured on mp.weixin.qq.com is https://<host>/wechat/oa/<tenant code>.
const Path = "/wechat/oa/:tenant"

// Tenants resolves the tenant code of the callback URL (internal/account.Service.Tenant).
type Tenants interface {
	Tenant(ctx context.Context, code string) (int64, error)
}

// Mount registers the callback endpoint (GET for WeChat's URL check, POST for pushes).
func Mount(r gin.IRouter, b *Bot, srv *wechat.OAServer, tenants Tenants) {
	h := &endpoint{bot: b, srv: srv, tenants: tenants}
	r.GET(Path, h.serve)
	r.POST(Path, h.serve)
}

type endpoint struct {
	bot     *Bot
	srv     *wechat.OAServer
	tenants Tenants
	known   sync.Map // tenant code → id; tenants are never renumbered
}

func (h *endpoint) serve(c *gin.Context) {
	code := c.Param("tenant")
	var id int64
	if v, ok := h.known.Load(code); ok {
		id = v.(int64)
	} else {
		var err error
		id, err = h.tenants.Tenant(c.Request.Context(), code)
		switch {
		case errors.Is(err, account.ErrNotFound):
			c.String(http.StatusNotFound, http.StatusText(http.StatusNotFound))
			return
		case err != nil:
			h.bot.log.Error("resolve tenant", "err", err)
			c.String(http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable))
			return
		}
		h.known.Store(code, id)
	}
	h.srv.Handle(c.Writer, c.Request, func(ctx context.Context, m *wechat.OAMsg) wechat.OAReply {
		return h.bot.Handle(ctx, id, m)
	})
}
