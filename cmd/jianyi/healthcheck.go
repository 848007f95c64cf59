package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheck GETs /healthz on this container's JIANYI_HTTP_ADDR and exits 0 on 200.
// Distroless images have no curl, so docker-compose's healthcheck runs the binary itself.
func (a *app) healthcheck(ctx context.Context, args []string) error {
	addr, ok := a.lookupEnv("JIANYI_HTTP_ADDR")
	if !ok || addr == "" {
		addr = ":8080"
	}
	path := "/healthz"
	if len(args) > 0 && args[0] == "ready" {
		path = "/readyz"
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return configError{fmt.Errorf("config: JIANYI_HTTP_ADDR must be host:port or :port")}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+dialAddr(addr)+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", path, resp.StatusCode)
	}
	return nil
}

// dialAddr is where a local client reaches a server listening on addr (host:port): the
// host itself when it names one address, 127.0.0.1 when it listens on every address
// (":8080", "0.0.0.0:8080", "[::]:8080").
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
