package mpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/account"
	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	mpapi "jianyi/miniprogram-api"
	"jianyi/storage/objects"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// activityRig is setup's world served by an API that also has 代表参与活动 mounted, as
// cmd/jianyi mounts it; the activity service runs on its own clock.
type activityRig struct {
	*bundle
	svc   *activity.Service
	clock *clock
	link  []int64 // suggestions the next activities of tenant 1 are about
}

func setupActivities(t *testing.T) *activityRig {
	t.Helper()
	b := setup(t)
	wc, err := wechat.New(b.app.Config(), wechattest.NewMemoryCache(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mstore := postgres.NewMediaStore(b.pool)
	ns := postgres.NewNotifyStore(b.pool)
	api, err := mpapi.New(mpapi.Deps{
		Suggestions: b.sugg,
		Accounts:    account.NewService(postgres.NewAccountStore(b.pool), nil),
		Sessions:    account.NewSessions(jredis.NewMPSessions(b.rdb), b.clock.Now),
		Media:       media.NewService(mstore, objects.MediaAdapter{S: b.objects}, wc, nil, nil),
		Snaps:       media.NewSnaps(mstore, mpapi.DraftMaker(b.sugg), nil),
		WeChat:      wc,
		Idempotency: postgres.NewMPIdempotency(b.pool),
		Limiter:     jredis.NewMPLimiter(b.rdb),
		Inbox:       notify.NewInbox(ns, nil),
		Limits:      mpapi.Limits{Window: time.Minute, PerIP: 1 << 20, PerUser: 1 << 20, LoginPerIP: 1 << 20, JSONBody: 64 << 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	queue := jredis.NewQueue(b.rdb)
	pub := notify.NewPublisher(ns, queue, nil, nil)
	svc := activity.NewService(postgres.NewActivityStore(b.pool), clk.Now).WithNotices(pub, nil)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.NoRoute(mpapi.NotFound)
	r.NoMethod(mpapi.MethodNotAllowed)
	if err := api.Mount(r); err != nil {
		t.Fatal(err)
	}
	api.MountActivities(r, svc)
	b.srv.Close()
	b.srv = httptest.NewServer(r)
	t.Cleanup(b.srv.Close)
	return &activityRig{bundle: b, svc: svc, clock: clk}
}

// activity creates an activity as the reviewer of tenant 1 (or of tenant 2 with tenant 2)
// starting in, inviting deputies; tenant 1's are about 市住建局 and r.link's suggestions.
func (r *activityRig) activity(tenant int64, kind activity.Kind, title string, in time.Duration, deputies ...int64) int64 {
	r.t.Helper()
	org := reviewer
	if tenant == 2 {
		r.exec(`INSERT INTO users (tenant_id, id, username, display_name) VALUES (2, 9, 'rev2', '别家审核员') ON CONFLICT DO NOTHING`)
		org = auth.Actor{TenantID: 2, Kind: auth.KindStaff, ID: 9, Roles: []auth.Role{auth.RoleReviewer}}
	}
	in2 := activity.Input{Kind: kind, Title: title, StartsAt: r.clock.Now().Add(in), Place: "市人大常委会二楼会议室",
		Description: "听取代表意见。", DeputyIDs: deputies}
	if tenant == 1 {
		in2.UnitIDs, in2.SuggestionIDs = []int64{1}, r.link
	}
	act, err := r.svc.Create(context.Background(), org, in2)
	if err != nil {
		r.t.Fatal(err)
	}
	return act.ID
}

type activityItem struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	KindLabel     string    `json:"kind_label"`
	Title         string    `json:"title"`
	StartsAt      time.Time `json:"starts_at"`
	Place         string    `json:"place"`
	Status        string    `json:"status"`
	StatusLabel   string    `json:"status_label"`
	MyAnswer      string    `json:"my_answer"`
	MyAnswerLabel string    `json:"my_answer_label"`
	CanAnswer     bool      `json:"can_answer"`
	MyNote        string    `json:"my_note"`
	Organizer     string    `json:"organizer"`
	Units         []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"units"`
	Suggestions []struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"suggestions"`
	AnsweredAt *time.Time `json:"answered_at"`
}

func (r *activityRig) titles(tok, query string) string {
	r.t.Helper()
	res := r.do("GET", "/api/v1/activities"+query, tok, nil)
	r.want(res, 200, "list activities")
	var out struct{ Items []activityItem }
	res.json(r.t, &out)
	var ts []string
	for _, it := range out.Items {
		ts = append(ts, it.Title)
	}
	return strings.Join(ts, ",")
}

// A deputy lists the activities they are invited to (upcoming first), reads one, and answers
// it until it starts; another deputy's or another tenant's activity is a 404; the organiser
// is told of each new answer (a notice row), once per answer.
func TestDeputyActivities(t *testing.T) {
	t.Parallel()
	r := setupActivities(t)
	ls := auth.Deputy(1, 11)
	sg, err := r.sugg.CreateDraft(context.Background(), ls, suggestion.DraftInput{Title: "关于民政路拥堵的建议", Body: "民政路上下班高峰期拥堵严重，建议扩建道路。"})
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := r.sugg.Submit(context.Background(), ls, sg.ID, sg.Version)
	if err != nil {
		t.Fatal(err)
	}
	// Only registered suggestions are linked to activities.
	if _, err := r.sugg.Register(context.Background(), reviewer, sg.ID, submitted.Version, 1); err != nil {
		t.Fatal(err)
	}
	tok := r.deputy("openid-zs", "jyg", "13800000001")
	r.link = []int64{sg.ID}
	inspection := r.activity(1, activity.KindInspection, "视察民政路提升改建工程", 72*time.Hour, 10, 11)
	r.link = nil
	forum := r.activity(1, activity.KindForum, "代表座谈会", 24*time.Hour, 10)
	theirs := r.activity(1, activity.KindTraining, "新任代表培训班", 48*time.Hour, 11)
	other := r.activity(2, activity.KindVisit, "别家的走访", 48*time.Hour, 20)

	if got, want := r.titles(tok, ""), "代表座谈会,视察民政路提升改建工程"; got != want {
		t.Fatalf("my activities %q, want %q", got, want)
	}
	if got := r.titles(tok, "?kind=forum"); got != "代表座谈会" {
		t.Fatalf("my forums %q", got)
	}
	if res := r.do("GET", "/api/v1/activities?kind=party", tok, nil); res.Status != 400 || res.code() != "bad_filter" {
		t.Fatalf("an unknown kind: %d %s", res.Status, res.Body)
	}

	path := "/api/v1/activities/" + strconv.FormatInt(inspection, 10)
	res := r.do("GET", path, tok, nil)
	r.want(res, 200, "detail")
	var d activityItem
	res.json(t, &d)
	if d.Kind != "inspection" || d.KindLabel != "视察" || d.Status != "upcoming" || d.StatusLabel != "待举行" || d.MyAnswer != "invited" ||
		d.MyAnswerLabel != "待答复" || !d.CanAnswer || d.Organizer != "审核员" || len(d.Units) != 1 || d.Units[0].Name != "市住建局" || d.AnsweredAt != nil ||
		len(d.Suggestions) != 1 || d.Suggestions[0].Title != "关于民政路拥堵的建议" {
		t.Fatalf("detail %+v", d)
	}
	if _, off := d.StartsAt.Zone(); off != 8*3600 {
		t.Fatalf("starts_at %s is not in Beijing time", d.StartsAt)
	}

	for name, id := range map[string]int64{"another deputy's": theirs, "another tenant's": other, "missing": 1 << 40} {
		p := "/api/v1/activities/" + strconv.FormatInt(id, 10)
		if res := r.do("GET", p, tok, nil); res.Status != 404 || res.code() != "not_found" {
			t.Errorf("%s activity: %d %s", name, res.Status, res.Body)
		}
		if res := r.do("POST", p+"/answer", tok, map[string]any{"accept": true}); res.Status != 404 || res.code() != "not_found" {
			t.Errorf("answer %s activity: %d %s", name, res.Status, res.Body)
		}
	}
	if res := r.do("GET", "/api/v1/activities/abc", tok, nil); res.Status != 400 || res.code() != "bad_id" {
		t.Fatalf("a bad id: %d %s", res.Status, res.Body)
	}

	// Answer, then the same answer again (a retry): one notice to the organiser.
	answer := func(body any) resp { return r.do("POST", path+"/answer", tok, body) }
	res = answer(map[string]any{"accept": false, "note": "当天在外地出差"})
	r.want(res, 200, "decline")
	res.json(t, &d)
	if d.MyAnswer != "declined" || d.MyAnswerLabel != "不参加" || d.MyNote != "当天在外地出差" || d.AnsweredAt == nil || !d.CanAnswer {
		t.Fatalf("after declining: %+v", d)
	}
	r.want(answer(map[string]any{"accept": false, "note": "当天在外地出差"}), 200, "the same answer again")
	told := func() int {
		return r.count(`SELECT count(*) FROM notices WHERE kind = $1 AND recipient_kind = 'user' AND recipient_id = 1`, notify.KindActivityAnswered)
	}
	if n := told(); n != 1 {
		t.Fatalf("%d notices to the organiser, want 1", n)
	}
	r.want(answer(map[string]any{"accept": true}), 200, "accept after all")
	if n := told(); n != 2 {
		t.Fatalf("%d notices to the organiser after a changed answer, want 2", n)
	}
	var body string
	if err := r.pool.QueryRow(context.Background(), `SELECT body FROM notices WHERE kind = $1 ORDER BY id DESC LIMIT 1`,
		notify.KindActivityAnswered).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "张三代表答复将参加视察《视察民政路提升改建工程》") {
		t.Fatalf("the organiser's notice: %q", body)
	}

	// Refused answers change nothing.
	before := r.count(`SELECT count(*) FROM activity_invitations WHERE deputy_id = 10 AND answer = 'accepted' AND note = ''`)
	for _, bad := range []struct {
		body   any
		status int
		code   string
	}{
		{map[string]any{"note": "没说参不参加"}, 400, "accept_required"},
		{`{"accept": "yes"}`, 400, "bad_request"},
		{map[string]any{"accept": true, "seats": 2}, 400, "bad_request"},
		{map[string]any{"accept": true, "note": strings.Repeat("字", 201)}, 422, "note_too_long"},
		{`{"accept": true, "note": "备注\u0000"}`, 422, "bad_text"},
	} {
		if res := answer(bad.body); res.Status != bad.status || res.code() != bad.code {
			t.Errorf("answer %v: %d %s, want %d %s", bad.body, res.Status, res.Body, bad.status, bad.code)
		}
	}
	if after := r.count(`SELECT count(*) FROM activity_invitations WHERE deputy_id = 10 AND answer = 'accepted' AND note = ''`); after != before || before != 1 {
		t.Fatalf("refused answers changed the invitation (%d → %d)", before, after)
	}
	if n := told(); n != 2 {
		t.Fatalf("refused answers told the organiser (%d notices)", n)
	}

	// Cancelled: no answer.
	fa, err := r.svc.Get(context.Background(), reviewer, forum)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Cancel(context.Background(), reviewer, forum, fa.Version, "会议室检修"); err != nil {
		t.Fatal(err)
	}
	res = r.do("POST", "/api/v1/activities/"+strconv.FormatInt(forum, 10)+"/answer", tok, map[string]any{"accept": true})
	if res.Status != 409 || res.code() != "activity_cancelled" || !strings.Contains(string(res.Body), "活动已取消") {
		t.Fatalf("answer a cancelled activity: %d %s", res.Status, res.Body)
	}
	// The deputy was told of the cancellation in their inbox.
	if n := r.count(`SELECT count(*) FROM notices WHERE kind = $1 AND recipient_kind = 'deputy' AND recipient_id = 10`, notify.KindActivityCancelled); n != 1 {
		t.Fatalf("%d cancellation notices to the deputy", n)
	}

	// After the start: the answer is closed and stays what it was.
	r.clock.Add(73 * time.Hour)
	res = answer(map[string]any{"accept": false, "note": "临时有事"})
	if res.Status != 409 || res.code() != "answer_closed" {
		t.Fatalf("answer after the start: %d %s", res.Status, res.Body)
	}
	res = r.do("GET", path, tok, nil)
	res.json(t, &d)
	if d.Status != "held" || d.CanAnswer || d.MyAnswer != "accepted" {
		t.Fatalf("after the start: %+v", d)
	}
	if got, want := r.titles(tok, ""), "视察民政路提升改建工程,代表座谈会"; got != want {
		t.Fatalf("my activities after the start %q, want %q", got, want)
	}
}

// A WeChat user not bound to a deputy gets not_bound on the activity routes too.
func TestActivitiesNeedABoundDeputy(t *testing.T) {
	t.Parallel()
	r := setupActivities(t)
	tok, res := r.login("openid-unbound", "jyg")
	r.want(res, 200, "login")
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/activities"}, {"GET", "/api/v1/activities/1"}, {"POST", "/api/v1/activities/1/answer"},
	} {
		var body any
		if c.method == "POST" {
			body = map[string]any{"accept": true}
		}
		if res := r.do(c.method, c.path, tok, body); res.Status != http.StatusForbidden || res.code() != "not_bound" {
			t.Errorf("%s %s: %d %s", c.method, c.path, res.Status, res.Body)
		}
	}
	if res := r.do("GET", "/api/v1/activities", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("no session: %d", res.Status)
	}
}
