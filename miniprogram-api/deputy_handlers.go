package mpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"jianyi/internal/auth"
	"jianyi/internal/directory"
)

// Deputies finds the colleagues a deputy may invite as co-signers (directory.Service).
type Deputies interface {
	FindPeers(ctx context.Context, a auth.Actor, q string) ([]directory.Peer, error)
}

type peerJSON struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Delegation string `json:"delegation"`
}

type peerListJSON struct {
	Items []peerJSON `json:"items"`
}

// findDeputies is GET /deputies?q=: the active deputies of the caller's tenant whose name
// contains q, for POST /suggestions/{id}/cosigners (id, name and 代表团 only; never a phone
// number or an openid). The directory checks q (1..20 characters of plain text).
func (a *API) findDeputies(c *gin.Context) {
	if a.Deputies == nil {
		a.fail(c, errUnavailable)
		return
	}
	q := c.Request.URL.Query()
	if err := onlyParams(q, "q"); err != nil {
		a.fail(c, err)
		return
	}
	ps, err := a.Deputies.FindPeers(c.Request.Context(), actor(c), q.Get("q"))
	if err != nil {
		a.fail(c, err)
		return
	}
	out := peerListJSON{Items: make([]peerJSON, 0, len(ps))}
	for _, p := range ps {
		out.Items = append(out.Items, peerJSON{ID: p.ID, Name: p.Name, Delegation: p.Delegation})
	}
	c.JSON(http.StatusOK, out)
}
