package appraisal_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"jianyi/internal/appraisal"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// service is the appraisal over store (the real one when nil), telling through a publisher
// on queue.
func (b *bundle) service(store appraisal.Store, queue notify.Queue) *appraisal.Service {
	if store == nil {
		store = postgres.NewAppraisalStore(b.pool)
	}
	pub := notify.NewPublisher(postgres.NewNotifyStore(b.pool), queue, nil, nil)
	return appraisal.NewService(store, stats.NewService(postgres.NewStatsStore(b.pool), nil), nil).WithNotices(pub, nil)
}

// When the notices cannot be published, the record is not saved either: nothing is half
// written (no hearing nobody was told of, no feedback marked sent with units never told),
// and the same action done again once PostgreSQL takes notices saves the record and tells.
func TestRecordAndItsNoticesCommitTogether(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	b.seed()
	voted, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[1], Session: "第十九次会议", HeldOn: daysAgo(3)})
	if err != nil {
		t.Fatal(err)
	}
	f, err := b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, 0, "对测评不满意的建议要逐件回头看。")
	if err != nil {
		t.Fatal(err)
	}

	restore := pgtest.FailNotices(t, b.pool, b.tn.ID)
	before := b.tables()
	_, err = b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(1)})
	if err == nil {
		t.Fatal("a hearing was recorded whose notice could not be published")
	}
	_, err = b.svc.EditHearing(ctx, rev, b.tn.MeetingID, voted.ID, voted.Version, appraisal.HearingInput{Session: "第十九次会议", HeldOn: daysAgo(2)})
	if err == nil {
		t.Fatal("a hearing was moved whose notice could not be published")
	}
	_, err = b.svc.RecordVote(ctx, rev, b.tn.MeetingID, voted.ID, voted.Version, appraisal.Vote{Satisfied: 30, Basic: 5})
	if err == nil {
		t.Fatal("a vote was recorded whose notice could not be published")
	}
	if res, err := b.svc.MarkSent(ctx, rev, b.tn.MeetingID, f.Version, daysAgo(0)); err == nil || res.Sent {
		t.Fatalf("the feedback was sent while its notices could not be published: %+v %v", res, err)
	}
	if after := b.tables(); after != before {
		t.Fatalf("a failed publish left a record behind:\n%s\n%s", before, after)
	}

	// PostgreSQL takes notices again: the same actions, retried, save and tell.
	restore()
	h, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(1)})
	if err != nil {
		t.Fatalf("the retried hearing: %v", err)
	}
	if got, want := b.told(notify.KindHearingChosen), users(b.tn.Handlers[1], b.tn.UnitLeaders[1], b.tn.Handlers[0], b.tn.UnitLeaders[0]); !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("chosen told %v, want %v", got, want)
	}
	if _, err := b.svc.RecordVote(ctx, rev, b.tn.MeetingID, voted.ID, voted.Version, appraisal.Vote{Satisfied: 30, Basic: 5}); err != nil {
		t.Fatalf("the retried vote: %v", err)
	}
	if got := b.told(notify.KindHearingVoted); len(got) != 2 {
		t.Fatalf("vote told %v, want the unit's two staff", got)
	}
	// The first send changed nothing, so the second one is the send: it marks the feedback
	// sent and tells the units (it does not find it sent with nobody told).
	res, err := b.svc.MarkSent(ctx, rev, b.tn.MeetingID, f.Version, daysAgo(0))
	if err != nil || !res.Sent || res.Units != 2 {
		t.Fatalf("the send after a failed one: %+v %v", res, err)
	}
	if got := b.told(notify.KindReviewBackDue); len(got) != 4 {
		t.Fatalf("review-back told %v, want the two units' staff", got)
	}
	if h.ID == 0 {
		t.Fatal("no hearing")
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// hangupStore holds the service back right after the hearing is saved until the staff
// member's browser has hung up: InsertHearing remembers the request's context, commits, and
// waits for that context to end before it returns.
type hangupStore struct {
	appraisal.Store
	reached chan struct{} // closed when the hearing is committed
	once    sync.Once
}

func (h *hangupStore) InsertHearing(ctx context.Context, tenantID int64, hr *appraisal.Hearing, by int64, at time.Time, tell appraisal.Tell) ([]notify.Job, error) {
	jobs, err := h.Store.InsertHearing(ctx, tenantID, hr, by, at, tell)
	h.once.Do(func() {
		close(h.reached)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	})
	return jobs, err
}

// A reviewer chooses a unit for a hearing and closes the page right after the save: the
// request ends with an error (the page never learns the outcome), but the unit is told all
// the same, and the reviewer trying again is told the hearing exists, with nobody told twice.
func TestHangUpAfterTheSaveStillTells(t *testing.T) {
	t.Parallel()
	b := setup(t)
	hang := &hangupStore{Store: postgres.NewAppraisalStore(b.pool), reached: make(chan struct{})}
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	svc := b.service(hang, queue)
	in := appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(1)}

	ctx, hangUp := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := svc.RecordHearing(ctx, b.reviewer(), b.tn.MeetingID, in)
		done <- err
	}()
	<-hang.reached
	hangUp()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the request after the hang-up ended with %v, want it cut short (context canceled)", err)
	}
	want := users(b.tn.Handlers[0], b.tn.UnitLeaders[0])
	if got := b.told(notify.KindHearingChosen); !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("after the hang-up the unit was told %v, want %v", got, want)
	}
	_, err := svc.RecordHearing(context.Background(), b.reviewer(), b.tn.MeetingID, in)
	wantCode(t, "the retry", err, appraisal.ErrConflict, "hearing_exists")
	if got := b.told(notify.KindHearingChosen); len(got) != len(want) {
		t.Fatalf("after the retry the unit was told %v, want once each", got)
	}
}

// recordQueue records what it is asked to enqueue.
type recordQueue struct {
	mu   sync.Mutex
	jobs map[int64]bool
}

func (q *recordQueue) EnqueueDelivery(_ context.Context, j notify.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs[j.DeliveryID] = true
	return nil
}

type laterClock struct{ d time.Duration }

func (c laterClock) Now() time.Time { return time.Now().Add(c.d) }

// Redis is down when a vote is recorded: the vote and its notice are saved, the push cannot be
// queued, and the notify reconciler queues it from PostgreSQL.
func TestPushesQueuedWhileRedisIsDownAreRequeuedByTheReconciler(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	srv := redistest.StartServer(t)
	queue := jredis.NewQueue(srv.Client(t))
	t.Cleanup(func() { _ = queue.Close() })
	svc := b.service(nil, queue)
	h, err := svc.RecordHearing(ctx, b.reviewer(), b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(1)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, err := svc.RecordVote(ctx, b.reviewer(), b.tn.MeetingID, h.ID, h.Version, appraisal.Vote{Satisfied: 30}); err != nil {
		t.Fatalf("the vote with Redis down: %v", err)
	}
	rows, err := b.pool.Query(ctx, `SELECT d.id FROM deliveries d JOIN notices n ON n.tenant_id = d.tenant_id AND n.id = d.notice_id
		WHERE n.tenant_id = $1 AND n.kind = $2 AND d.status = 'pending' AND d.seq = 2`, b.tn.ID, notify.KindHearingVoted)
	if err != nil {
		t.Fatal(err)
	}
	var pending []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		pending = append(pending, id)
	}
	if rows.Err() != nil || len(pending) != 2 {
		t.Fatalf("pending pushes of the vote %v (%v), want the unit's two staff", pending, rows.Err())
	}
	q := &recordQueue{jobs: map[int64]bool{}}
	// Past the reconciler's grace for deliveries just written.
	rec := notify.NewReconciler(postgres.NewNotifyStore(b.pool), nil, q, laterClock{2 * time.Minute}, time.Minute, nil)
	if _, err := rec.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range pending {
		if !q.jobs[id] {
			t.Errorf("delivery %d was not queued again by the reconciler", id)
		}
	}
}

// Once the vote is recorded, the hearing's date may be corrected but not moved after the day
// of the vote (nothing is voted on before it is heard); the refusal writes nothing.
func TestVotedHearingKeepsItsDateBeforeTheVote(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	h, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: daysAgo(5)})
	if err != nil {
		t.Fatal(err)
	}
	// Not voted yet: the date may move anywhere (the hearing may be postponed).
	if h, err = b.svc.EditHearing(ctx, rev, b.tn.MeetingID, h.ID, h.Version, appraisal.HearingInput{Session: h.Session, HeldOn: daysAgo(4)}); err != nil {
		t.Fatal(err)
	}
	if h, err = b.svc.RecordVote(ctx, rev, b.tn.MeetingID, h.ID, h.Version, appraisal.Vote{Satisfied: 30, Basic: 2}); err != nil {
		t.Fatal(err)
	}
	chosen := len(b.told(notify.KindHearingChosen))
	before := b.tables()
	_, err = b.svc.EditHearing(ctx, rev, b.tn.MeetingID, h.ID, h.Version, appraisal.HearingInput{Session: h.Session, HeldOn: daysAgo(-1)})
	wantCode(t, "a voted hearing moved after the vote", err, appraisal.ErrInvalid, "held_after_vote")
	if after := b.tables(); after != before {
		t.Fatalf("the refused date wrote:\n%s\n%s", before, after)
	}
	for _, on := range []time.Time{daysAgo(0), daysAgo(6)} {
		if h, err = b.svc.EditHearing(ctx, rev, b.tn.MeetingID, h.ID, h.Version, appraisal.HearingInput{Session: h.Session, HeldOn: on}); err != nil {
			t.Fatalf("moving a voted hearing to %s (not after the vote): %v", on.Format(time.DateOnly), err)
		}
	}
	if n := len(b.told(notify.KindHearingChosen)); n != chosen {
		t.Fatalf("a voted hearing's new date was told (%d chosen notices, want %d)", n, chosen)
	}
}

// The notices' time field is the date of the hearing or of the feedback, as a date: the dates
// are stored as midnight UTC, which read as a time of day in Shanghai would say 08:00.
func TestNoticeTimeFieldIsTheDate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	b.seed()
	on := daysAgo(2)
	h, err := b.svc.RecordHearing(ctx, rev, b.tn.MeetingID, appraisal.HearingInput{UnitID: b.tn.Units[0], Session: "第二十次会议", HeldOn: on})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.RecordVote(ctx, rev, b.tn.MeetingID, h.ID, h.Version, appraisal.Vote{Satisfied: 30}); err != nil {
		t.Fatal(err)
	}
	f, err := b.svc.SetOpinion(ctx, rev, b.tn.MeetingID, 0, "审议意见")
	if err != nil {
		t.Fatal(err)
	}
	sentOn := daysAgo(1)
	if _, err := b.svc.MarkSent(ctx, rev, b.tn.MeetingID, f.Version, sentOn); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		notify.KindHearingChosen: on.Format("2006年01月02日"),
		notify.KindHearingVoted:  on.Format("2006年01月02日"),
		notify.KindReviewBackDue: sentOn.Format("2006年01月02日"),
	}
	for kind, w := range want {
		rows, err := b.pool.Query(ctx, `SELECT fields->>$3 FROM notices WHERE tenant_id = $1 AND kind = $2`, b.tn.ID, kind, notify.FieldTime)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var got string
			if err := rows.Scan(&got); err != nil {
				t.Fatal(err)
			}
			n++
			if got != w {
				t.Errorf("%s notice's time field %q, want %q", kind, got, w)
			}
		}
		if rows.Err() != nil || n == 0 {
			t.Errorf("%s: %d notices (%v)", kind, n, rows.Err())
		}
	}
}
