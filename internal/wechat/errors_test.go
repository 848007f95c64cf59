package wechat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

func TestErrCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"common error", util.NewCommonError("Send", 43101, "user refuse"), 43101},
		{"wrapped common error", fmt.Errorf("send: %w", util.NewCommonError("Send", 40001, "x")), 40001},
		{"sdk string =", errors.New("Code2Session error : errcode=40029 , errmsg=invalid code"), 40029},
		{"sdk template string", errors.New("template msg send error : errcode=43004 , errmsg=require subscribe"), 43004},
		{"colon", errors.New("errcode:45015 errmsg:out of time"), 45015},
		{"json", errors.New(`{"errcode":42001,"errmsg":"expired"}`), 42001},
		{"negative", errors.New("errcode=-1 , errmsg=system busy"), -1},
		{"spaces", errors.New("errcode = 40014"), 40014},
		{"overflow", errors.New("errcode=99999999999999999999"), -1},
		{"transport", &url.Error{Op: "Get", URL: "https://api.weixin.qq.com", Err: &net.OpError{Op: "dial"}}, -1},
		{"deadline", context.DeadlineExceeded, -1},
		{"plain", errors.New("boom"), -1},
		{"field limit", &FieldLimitError{Key: "thing1", Reason: "long"}, 47003},
		{"classified", classify("x", util.NewCommonError("x", 45009, "quota")), 45009},
	}
	for _, tt := range tests {
		if got := ErrCode(tt.err); got != tt.want {
			t.Errorf("%s: ErrCode(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code int
		want error
	}{
		{-1, ErrUnavailable}, {43101, ErrNoCredit}, {43004, ErrNotFollowing}, {45009, ErrQuota},
		{45047, ErrQuota}, {45011, ErrQuota}, {45015, ErrOutOfWindow}, {47003, ErrFieldLimit},
		{40029, ErrInvalidCode}, {40163, ErrInvalidCode},
	}
	for _, tt := range tests {
		err := classify("op", fmt.Errorf("x error : errcode=%d , errmsg=y", tt.code))
		if !errors.Is(err, tt.want) || ErrCode(err) != tt.code {
			t.Errorf("code %d: %v, want %v", tt.code, err, tt.want)
		}
	}
	if err := classify("op", util.NewCommonError("op", 40013, "invalid appid")); errors.Is(err, ErrUnavailable) {
		t.Errorf("40013 classified as unavailable")
	}
	for _, c := range []int{40001, 40014, 42001} {
		if !IsTokenError(c) {
			t.Errorf("IsTokenError(%d) = false", c)
		}
	}
	if IsTokenError(40013) || IsTokenError(0) {
		t.Error("IsTokenError too broad")
	}
}

func TestClassifyRedactsURLs(t *testing.T) {
	t.Parallel()
	u := "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=S3CRET&js_code=C0DE&grant_type=authorization_code"
	err := classify("code2session", &url.Error{Op: "Get", URL: u, Err: context.DeadlineExceeded})
	msg := err.Error()
	for _, leak := range []string{"S3CRET", "C0DE"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("%q leaks %s", msg, leak)
		}
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("chain lost: %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(ue.Error(), "S3CRET") {
		t.Fatalf("unwrapped url.Error leaks: %v", ue)
	}
	status := classify("x", errors.New("http get error : uri=https://api.weixin.qq.com/x?access_token=T0KEN&openid=OP3N , statusCode=502"))
	if strings.Contains(status.Error(), "T0KEN") || strings.Contains(status.Error(), "OP3N") || !errors.Is(status, ErrUnavailable) {
		t.Fatalf("status error: %v", status)
	}
}

func FuzzErrCode(f *testing.F) {
	for _, s := range []string{
		"errcode=40001", "errcode:45015", `{"errcode":-1}`, "x errcode = 7 y", "errcode=", "errcode=99999999999999999999",
		"errcode=1errcode=2", "ERRCODE=3", "errcode=-", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ErrCode(errors.New(s))
		if !strings.Contains(s, "errcode") && got != -1 {
			t.Fatalf("ErrCode(%q) = %d without errcode", s, got)
		}
		// A code printed the SDK's way is read back exactly.
		if got >= -1 {
			want := got
			if back := ErrCode(fmt.Errorf("api error : errcode=%d , errmsg=%s", want, s)); back != want {
				t.Fatalf("round trip of %d through %q gave %d", want, s, back)
			}
		}
		_ = redact(s)
	})
}
