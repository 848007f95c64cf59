package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"jianyi/internal/apperr"
)

// A refusal wrapped on its way up keeps its kind, code and message.
func TestRefusalSurvivesWrapping(t *testing.T) {
	t.Parallel()
	r := apperr.New(apperr.ErrConflict, "version_conflict", "该建议已被他人修改，请刷新后重试")
	err := fmt.Errorf("assign suggestion 7: %w", r)
	if !errors.Is(err, apperr.ErrConflict) || errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("kind lost: %v", err)
	}
	if apperr.CodeOf(err) != "version_conflict" || apperr.CodeOf(errors.New("x")) != "" {
		t.Fatalf("CodeOf = %q", apperr.CodeOf(err))
	}
	var e *apperr.Error
	if !errors.As(err, &e) || e.Message == "" || !errors.Is(err, r) {
		t.Fatalf("refusal lost: %v", err)
	}
}
