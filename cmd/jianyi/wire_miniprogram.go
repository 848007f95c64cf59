package main

import "github.com/gin-gonic/gin"

// mountMiniprogram adds the deputies' mini-program API (miniprogram-api/) to r.
// Owned by the mini-program API engineer; infra only provides the signature.
func mountMiniprogram(r *gin.Engine, d *deps) error {
	_, _ = r, d
	return nil
}
