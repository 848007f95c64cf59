package bot_test

import (
	"strings"
	"testing"
)

// A voice message WeChat has transcribed is taken as the text typed: commands, a 不满意
// reason, the binding code. Without a transcription it stays unsupported.
func TestVoiceTranscriptionIsText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-voice"
	h := b.handling(0, "关于民政路拓宽改造的建议")
	r := b.replied(0, "关于新华路信号灯安装的建议")

	code, _, err := b.accounts.IssueOABindCode(b.ctx, b.tn.ID, b.tn.Deputies[0])
	if err != nil {
		t.Fatal(err)
	}
	contains(t, b.send(b.voice(me, "v-0", "绑定"+code+"。")), "绑定成功")

	contains(t, b.send(b.voice(me, "v-1", "查询"+itoa(h.Number)+"。")), h.NumberLabel(), "民政路拓宽改造", "办理中")
	contains(t, b.send(b.voice(me, "v-2", "我的建议")), "民政路拓宽改造", "新华路信号灯安装")
	contains(t, b.send(b.voice(me, "v-3", "评价"+itoa(r.Number)+"不满意。")), "不满意的理由")
	contains(t, b.send(b.voice(me, "v-4", "信号灯到现在还没有装。")), "已记录", "不满意")
	var reason string
	if err := b.pool.QueryRow(b.ctx, `SELECT reason FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, r.ID).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if reason != "信号灯到现在还没有装。" {
		t.Fatalf("reason %q", reason)
	}

	contains(t, b.send(b.voice(me, "v-5", "")), "暂不支持")
	contains(t, b.send(b.voice(me, "v-6", "  ")), "暂不支持")
	if logs := b.logs.String(); strings.Contains(logs, "信号灯到现在") || strings.Contains(logs, me) {
		t.Fatal("a transcription or the openid reached the logs")
	}
}
