package bot_test

import (
	"strings"
	"testing"
)

// A command sent while the bot waits for a 不满意 reason is not the reason: the rating is
// dropped (a 不满意 sends the suggestion back to the units irreversibly) and the command done.
func TestCommandWhileWaitingForReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-reason"
	s := b.replied(0, "关于新华路路灯维修的建议")
	b.link(me, 0)

	for _, cmd := range []struct{ text, want string }{
		{"我的建议", "新华路路灯维修"},
		{"帮助", "查询 编号"},
		{"查询 " + itoa(s.Number), "您评价答复"},
		{"催办 " + itoa(s.Number), "催办"},
		{"评价", "评价 编号 满意"},
	} {
		contains(t, b.say(me, "评价 "+itoa(s.Number)+" 不满意"), "不满意的理由")
		contains(t, b.say(me, cmd.text), "已取消", "不满意", cmd.want)
		if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID); n != 0 {
			t.Fatalf("%q became the reason of a rating", cmd.text)
		}
	}
	// The question is gone: free text afterwards is a search, not a reason.
	if got := b.say(me, "路灯只修了一半"); strings.Contains(got, "已记录") {
		t.Fatalf("free text after a dropped question answered %q", got)
	}
	if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID); n != 0 {
		t.Fatal("free text after a dropped question became a reason")
	}
	// Free text while waiting is still the reason.
	contains(t, b.say(me, "评价 "+itoa(s.Number)+" 不满意"), "不满意的理由")
	contains(t, b.say(me, "路灯只修了一半"), "已记录", "重新办理")
	if n := b.count(`SELECT count(*) FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2 AND reason='路灯只修了一半'`, b.tn.ID, s.ID); n != 1 {
		t.Fatalf("reason not recorded: %d", n)
	}
}

// A command sent while the bot waits for a 随手拍 note is not the note.
func TestCommandWhileWaitingForSnapNote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-snapcmd"
	b.link(me, 0)
	b.app.AddMedia("media-1", "image/jpeg", jpegBytes(t))

	contains(t, b.send(b.image(me, "media-1")), "已收到照片")
	contains(t, b.send(b.location(me, 39.8, 98.3, "民政路")), "几句话")
	contains(t, b.say(me, "帮助"), "已取消未完成的随手拍", "我的建议")
	contains(t, b.say(me, "井盖坏了"), "没有找到") // a search now, not a note
	if n := b.count(`SELECT count(*) FROM snaps WHERE tenant_id=$1`, b.tn.ID); n != 0 {
		t.Fatalf("snaps %d", n)
	}
	// A note that is no command still finishes the clue.
	contains(t, b.send(b.image(me, "media-1")), "已收到照片")
	contains(t, b.send(b.location(me, 39.8, 98.3, "民政路")), "几句话")
	contains(t, b.say(me, "井盖坏了"), "随手拍线索已记录")
	b.bot.Wait()
	if n := b.count(`SELECT count(*) FROM snaps WHERE tenant_id=$1 AND note='井盖坏了'`, b.tn.ID); n != 1 {
		t.Fatalf("snaps %d", n)
	}
}

// Two menu clicks in the same second are two pushes, each answered for itself.
func TestTwoClicksInOneSecond(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-clicks"
	b.replied(0, "关于新华路路灯维修的建议")
	b.link(me, 0)
	mine := b.event(me, "CLICK", "BOT_MINE")
	query := b.event(me, "CLICK", "BOT_QUERY")
	query.CreateTime = mine.CreateTime
	contains(t, b.send(mine), "新华路路灯维修")
	if got := b.send(query); !strings.Contains(got, "例如：查询 12") || strings.Contains(got, "新华路") {
		t.Fatalf("second click answered %q", got)
	}
	contains(t, b.send(mine), "新华路路灯维修") // a retry still gets its own answer
}
