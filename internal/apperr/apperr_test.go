package apperr_test

import (
	"errors"
	"fmt"
	"strings"
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

// A typed field is trimmed; text nothing may store and text over the limit are refused as
// invalid input with their codes, the message naming the field.
func TestText(t *testing.T) {
	if s, err := apperr.Text("  民政路  ", 3, "too_long", "路名", true); err != nil || s != "民政路" {
		t.Fatalf("trimmed: %q %v", s, err)
	}
	if _, err := apperr.Text("民政路拓宽", 3, "too_long", "路名", true); !errors.Is(err, apperr.ErrInvalid) ||
		apperr.CodeOf(err) != "too_long" || err.(*apperr.Error).Message != "路名不能超过3个字" {
		t.Fatalf("too long: %v", err)
	}
	if _, err := apperr.Text("民政\u200b路", 10, "too_long", "路名", true); apperr.CodeOf(err) != "bad_text" ||
		!strings.HasPrefix(err.(*apperr.Error).Message, "路名") {
		t.Fatalf("hidden character on one line: %v", err)
	}
	if s, err := apperr.Text("第一行\n第二行", 10, "too_long", "情况", false); err != nil || s != "第一行\n第二行" {
		t.Fatalf("a text keeps its lines: %q %v", s, err)
	}
}
