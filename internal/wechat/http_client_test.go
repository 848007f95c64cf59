package wechat_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jianyi/internal/wechat"
)

// Concurrent calls to WeChat reuse their kept-alive TLS connections: a burst of 16 calls
// opens up to 16 connections and later bursts reuse them (net/http's default keeps only two,
// so each later burst would shake hands again 14 times: 72 connections for five bursts). The
// bound leaves room for a connection or two still on its way back to the pool when the next
// burst starts.
func TestHTTPClientKeepsConnectionsForConcurrentCalls(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // keep the burst's calls in flight together
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()

	c := wechat.NewHTTPClient()
	if c.Timeout != wechat.DefaultTimeout {
		t.Fatalf("timeout %v, want %v", c.Timeout, wechat.DefaultTimeout)
	}
	tr := c.Transport.(*http.Transport)
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	defer tr.CloseIdleConnections()

	const burst, bursts = 16, 5
	for range bursts {
		var wg sync.WaitGroup
		for range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}()
		}
		wg.Wait()
		time.Sleep(10 * time.Millisecond) // let the connections go back to the pool
	}
	if n := opened.Load(); n > 2*burst {
		t.Fatalf("%d bursts of %d calls opened %d connections, want at most %d", bursts, burst, n, 2*burst)
	}
}
