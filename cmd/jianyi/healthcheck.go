package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheck GETs /healthz on this container's JIANYI_HTTP_ADDR port and exits 0 on 200.
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
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return configError{fmt.Errorf("config: JIANYI_HTTP_ADDR must be host:port or :port")}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort("127.0.0.1", port)+path, nil)
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
