package suggestion

import "context"

// Receipt is the answer to an idempotent request (a phone's Idempotency-Key), written with
// the change it answers, in the same transaction: either both are there or neither is. A
// retried request that finds it gets Body again instead of acting twice.
//
// A front door attaches it to the context of the call (WithReceipt); the change renders the
// answer from the suggestion as the change leaves it, just before the commit. When another
// request has taken the key in the meantime the change is rolled back with ErrReceiptTaken,
// and the caller reads the other request's answer. Only calls that make one change take a
// receipt (CreateDraft, SubmitChecked, RateReply, RateImplementation).
type Receipt struct {
	Actor  string // who may replay it, e.g. "deputy:12"
	Key    string
	Hash   string // of the request: the same key with another request is refused
	Status int    // the HTTP status of Body
	Render func(*Suggestion) ([]byte, error)
	Body   []byte // set by the change from Render
}

// ErrReceiptTaken says another request holds the receipt's key; nothing was changed.
var ErrReceiptTaken = newErr(ErrConflict, "idempotency_key_taken", "该请求正在处理或已处理，请稍后刷新")

type receiptKey struct{}

// WithReceipt asks the change made with ctx to write r with it.
func WithReceipt(ctx context.Context, r *Receipt) context.Context {
	return context.WithValue(ctx, receiptKey{}, r)
}

func receiptFrom(ctx context.Context) *Receipt {
	r, _ := ctx.Value(receiptKey{}).(*Receipt)
	return r
}

// queueReceipt renders the receipt ctx carries, if any, from sg as the call leaves it and
// queues it with the call's writes.
func queueReceipt(ctx context.Context, tx Tx, sg *Suggestion) error {
	r := receiptFrom(ctx)
	if r == nil {
		return nil
	}
	body, err := r.Render(sg)
	if err != nil {
		return err
	}
	r.Body = body
	return tx.QueueReceipt(ctx, sg.TenantID, r)
}
