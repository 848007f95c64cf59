// Package account links WeChat identities to deputies: mini-program login and binding (by the
// roster phone number or a staff-issued invite code), and the official-account binding code
// the bot redeems. It knows nothing of HTTP or WeChat: callers pass the openid/unionid they
// obtained, and personal data never goes into an error or a log line here.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"jianyi/internal/auth"
)

// Deputy is what the login flow needs to know about a deputy.
type Deputy struct {
	TenantID int64
	ID       int64
	Name     string
	Active   bool
}

// Identity is the WeChat identity of a mini-program user.
type Identity struct {
	OpenID  string // mini-program openid
	UnionID string // "" unless the apps share an Open Platform account
}

// Store is the persistence the service needs (storage/postgres implements it).
type Store interface {
	TenantByCode(ctx context.Context, code string) (int64, error) // ErrNotFound
	Deputy(ctx context.Context, tenantID, id int64) (Deputy, error)
	DeputyByMPOpenID(ctx context.Context, tenantID int64, openid string) (Deputy, error)
	DeputyByOAOpenID(ctx context.Context, tenantID int64, openid string) (Deputy, error)
	DeputyByUnionID(ctx context.Context, tenantID int64, unionid string) (Deputy, error)
	DeputiesByPhone(ctx context.Context, tenantID int64, phone string) ([]Deputy, error)
	// BindMP sets the deputy's mini-program openid (and unionid when given). ErrConflict when
	// the deputy is bound to another openid or the openid to another deputy.
	BindMP(ctx context.Context, tenantID, deputyID int64, id Identity) error
	InsertInvite(ctx context.Context, tenantID int64, codeHash string, deputyID, createdBy int64, expires time.Time) error
	// RedeemInviteAndBind marks an unexpired, unused invite redeemed and binds the identity to
	// its deputy, in one transaction. ErrNotFound for a bad code; ErrConflict as BindMP.
	RedeemInviteAndBind(ctx context.Context, tenantID int64, codeHash string, id Identity, now time.Time) (int64, error)
	// InsertOABindCode stores a code; ErrCodeCollision when a live code has the same digits.
	InsertOABindCode(ctx context.Context, tenantID int64, code string, deputyID int64, expires, now time.Time) error
	// LinkOA sets the deputy's official-account openid unless another deputy holds it
	// (ErrConflict) or the deputy is linked to another openid already (ErrConflict).
	LinkOA(ctx context.Context, tenantID, deputyID int64, oaOpenID string) error
	// RedeemOABindCode marks the code used and sets the deputy's oa_openid and following mark,
	// in one transaction.
	// ErrNotFound for a bad or expired code; ErrConflict when the openid belongs to another deputy.
	RedeemOABindCode(ctx context.Context, tenantID int64, code, oaOpenID string, now time.Time) (int64, error)
}

// Lifetimes of the codes.
const (
	InviteTTL     = 7 * 24 * time.Hour
	OABindCodeTTL = 10 * time.Minute
)

// Service is the account logic.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service; now is the clock (time.Now in production).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Tenant resolves the tenant code the mini-program sends at login.
func (s *Service) Tenant(ctx context.Context, code string) (int64, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		return 0, ErrTenantUnknown
	}
	id, err := s.store.TenantByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return 0, ErrTenantUnknown
	}
	if err != nil {
		return 0, fmt.Errorf("resolve tenant: %w", err)
	}
	return id, nil
}

// Login finds the deputy bound to a WeChat identity in a tenant. A user known only by
// unionid (bound through the official account) is bound to the mini-program on the way.
// An unbound user gets (nil, nil): they may only bind.
func (s *Service) Login(ctx context.Context, tenantID int64, id Identity) (*Deputy, error) {
	if id.OpenID == "" {
		return nil, fmt.Errorf("login: empty openid")
	}
	d, err := s.store.DeputyByMPOpenID(ctx, tenantID, id.OpenID)
	if err == nil {
		return activeOrErr(d)
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("login: %w", err)
	}
	if id.UnionID == "" {
		return nil, nil
	}
	d, err = s.store.DeputyByUnionID(ctx, tenantID, id.UnionID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("login by unionid: %w", err)
	}
	if err := s.store.BindMP(ctx, tenantID, d.ID, id); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, nil // bound elsewhere: let the person bind explicitly
		}
		return nil, fmt.Errorf("login bind by unionid: %w", err)
	}
	return activeOrErr(d)
}

func activeOrErr(d Deputy) (*Deputy, error) {
	if !d.Active {
		return nil, ErrInactive
	}
	return &d, nil
}

// BindByPhone binds the identity to the one active deputy of the tenant whose roster phone is
// phone (as WeChat returned it, without country code).
func (s *Service) BindByPhone(ctx context.Context, tenantID int64, phone string, id Identity) (*Deputy, error) {
	phone = NormalizePhone(phone)
	if phone == "" {
		return nil, ErrNotOnRoster
	}
	ds, err := s.store.DeputiesByPhone(ctx, tenantID, phone)
	if err != nil {
		return nil, fmt.Errorf("bind by phone: %w", err)
	}
	var active []Deputy
	for _, d := range ds {
		if d.Active {
			active = append(active, d)
		}
	}
	switch len(active) {
	case 0:
		return nil, ErrNotOnRoster
	case 1:
	default:
		return nil, ErrPhoneAmbiguous
	}
	d := active[0]
	if err := s.store.BindMP(ctx, tenantID, d.ID, id); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, ErrAlreadyBound
		}
		return nil, fmt.Errorf("bind by phone: %w", err)
	}
	return &d, nil
}

// NormalizePhone keeps the digits of a mainland number, dropping a +86/86 prefix.
func NormalizePhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) == 13 && strings.HasPrefix(out, "86") {
		out = out[2:]
	}
	return out
}

// IssueInvite creates an invite code for a deputy; only reviewers and admins may.
// The code is returned once and stored hashed.
func (s *Service) IssueInvite(ctx context.Context, actor auth.Actor, deputyID int64) (string, time.Time, error) {
	if actor.Kind != auth.KindStaff || !actor.Has(auth.RoleReviewer, auth.RoleAdmin) {
		return "", time.Time{}, ErrNotAllowed
	}
	d, err := s.store.Deputy(ctx, actor.TenantID, deputyID)
	if errors.Is(err, ErrNotFound) {
		return "", time.Time{}, ErrDeputyNotFound
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue invite: %w", err)
	}
	if !d.Active {
		return "", time.Time{}, ErrInactive
	}
	expires := s.now().Add(InviteTTL)
	for range 5 {
		code, err := randomCode(inviteAlphabet, 8)
		if err != nil {
			return "", time.Time{}, err
		}
		err = s.store.InsertInvite(ctx, actor.TenantID, hashCode(code), deputyID, actor.ID, expires)
		if errors.Is(err, ErrCodeCollision) {
			continue
		}
		if err != nil {
			return "", time.Time{}, fmt.Errorf("issue invite: %w", err)
		}
		return code, expires, nil
	}
	return "", time.Time{}, fmt.Errorf("issue invite: %w", ErrCodeCollision)
}

// RedeemInvite binds the identity to the invite's deputy; a code works once.
func (s *Service) RedeemInvite(ctx context.Context, tenantID int64, code string, id Identity) (*Deputy, error) {
	code = normalizeInvite(code)
	if len(code) != 8 {
		return nil, ErrBadInvite
	}
	deputyID, err := s.store.RedeemInviteAndBind(ctx, tenantID, hashCode(code), id, s.now())
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrBadInvite
	case errors.Is(err, ErrConflict):
		return nil, ErrAlreadyBound
	case err != nil:
		return nil, fmt.Errorf("redeem invite: %w", err)
	}
	// The code is spent and the identity bound: the caller needs the deputy to finish the
	// login even when its request is being cancelled now (a phone that hung up), since the
	// code cannot be redeemed a second time.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), afterRedeemWithin)
	defer cancel()
	d, err := s.store.Deputy(rctx, tenantID, deputyID)
	if err != nil {
		return nil, fmt.Errorf("redeem invite: %w", err)
	}
	return activeOrErr(d)
}

// afterRedeemWithin bounds the read that follows a redeemed invite.
const afterRedeemWithin = 5 * time.Second

// IssueOABindCode creates the six-digit code a bound deputy sends to the official-account
// bot ("绑定 123456") to link their official-account openid.
func (s *Service) IssueOABindCode(ctx context.Context, tenantID, deputyID int64) (string, time.Time, error) {
	now := s.now()
	expires := now.Add(OABindCodeTTL)
	for range 8 {
		code, err := randomCode("0123456789", 6)
		if err != nil {
			return "", time.Time{}, err
		}
		err = s.store.InsertOABindCode(ctx, tenantID, code, deputyID, expires, now)
		if errors.Is(err, ErrCodeCollision) {
			continue
		}
		if err != nil {
			return "", time.Time{}, fmt.Errorf("issue bind code: %w", err)
		}
		return code, expires, nil
	}
	return "", time.Time{}, fmt.Errorf("issue bind code: %w", ErrCodeCollision)
}

// RedeemOABindCode links oaOpenID to the deputy who showed the code and returns the deputy.
// The bot must rate-limit attempts per openid (a six-digit space is small).
func (s *Service) RedeemOABindCode(ctx context.Context, tenantID int64, code, oaOpenID string) (int64, error) {
	code = strings.TrimSpace(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" || oaOpenID == "" {
		return 0, ErrBadBindCode
	}
	id, err := s.store.RedeemOABindCode(ctx, tenantID, code, oaOpenID, s.now())
	switch {
	case errors.Is(err, ErrNotFound):
		return 0, ErrBadBindCode
	case errors.Is(err, ErrConflict):
		return 0, ErrOAConflict
	case err != nil:
		return 0, fmt.Errorf("redeem bind code: %w", err)
	}
	return id, nil
}

// DeputyByOAOpenID finds the deputy who linked an official-account openid (bot).
func (s *Service) DeputyByOAOpenID(ctx context.Context, tenantID int64, oaOpenID string) (*Deputy, error) {
	if oaOpenID == "" {
		return nil, ErrDeputyNotFound
	}
	d, err := s.store.DeputyByOAOpenID(ctx, tenantID, oaOpenID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrDeputyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("deputy by oa openid: %w", err)
	}
	return activeOrErr(d)
}

// LinkOAByUnionID links an official-account follower to the deputy whose unionid WeChat
// gives for it (both apps bound to one Open Platform account), so notices reach the deputy
// through the official account without a binding code.
func (s *Service) LinkOAByUnionID(ctx context.Context, tenantID int64, unionID, oaOpenID string) (*Deputy, error) {
	if oaOpenID == "" {
		return nil, ErrDeputyNotFound
	}
	d, err := s.DeputyByUnionID(ctx, tenantID, unionID)
	if err != nil {
		return nil, err
	}
	err = s.store.LinkOA(ctx, tenantID, d.ID, oaOpenID)
	switch {
	case errors.Is(err, ErrConflict):
		return nil, ErrOAConflict
	case err != nil:
		return nil, fmt.Errorf("link official account: %w", err)
	}
	return d, nil
}

// DeputyByUnionID finds the deputy with a unionid (bot, when the apps share an Open Platform account).
func (s *Service) DeputyByUnionID(ctx context.Context, tenantID int64, unionID string) (*Deputy, error) {
	if unionID == "" {
		return nil, ErrDeputyNotFound
	}
	d, err := s.store.DeputyByUnionID(ctx, tenantID, unionID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrDeputyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("deputy by unionid: %w", err)
	}
	return activeOrErr(d)
}

// Deputy returns a deputy of the tenant.
func (s *Service) Deputy(ctx context.Context, tenantID, deputyID int64) (*Deputy, error) {
	d, err := s.store.Deputy(ctx, tenantID, deputyID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrDeputyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("deputy: %w", err)
	}
	return &d, nil
}

// inviteAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const inviteAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func randomCode(alphabet string, n int) (string, error) {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("random code: %w", err)
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b), nil
}

func normalizeInvite(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	return strings.NewReplacer("-", "", " ", "").Replace(code)
}

func hashCode(code string) string {
	h := sha256.Sum256([]byte("jianyi-invite:" + code))
	return hex.EncodeToString(h[:])
}
