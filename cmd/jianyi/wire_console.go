package main

import "github.com/gin-gonic/gin"

// mountConsole adds the staff web console (console/) to r.
// Owned by the console engineer; infra only provides the signature.
func mountConsole(r *gin.Engine, d *deps) error {
	_, _ = r, d
	return nil
}
