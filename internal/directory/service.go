package directory

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/internal/plaintext"
)

// Service checks roles and input, then calls the store.
type Service struct {
	store    Store
	sessions SessionRevoker
}

// SessionRevoker ends every mini-program login of a deputy (storage/redis.MPSessions).
type SessionRevoker interface {
	RevokeDeputy(ctx context.Context, tenantID, deputyID int64) error
}

// revokeWithin bounds ending a stopped deputy's logins once it no longer follows the request.
const revokeWithin = 10 * time.Second

// NewService builds the directory service.
func NewService(store Store) *Service { return &Service{store: store} }

// EndingSessions has stopping a deputy (SaveDeputy with Active false) also end the deputy's
// mini-program logins, so that it takes effect at once rather than when they expire.
func (s *Service) EndingSessions(r SessionRevoker) *Service {
	s.sessions = r
	return s
}

func read(a auth.Actor) error {
	if !canRead(a) {
		return errForbidden
	}
	return nil
}

func admin(a auth.Actor) error {
	if !canAdmin(a) {
		return errForbidden
	}
	return nil
}

func name(s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("name_required", "名称不能为空")
	}
	if err := checkName("名称", s); err != nil {
		return "", err
	}
	if len([]rune(s)) > max {
		return "", invalid("name_too_long", fmt.Sprintf("名称不能超过%d个字", max))
	}
	return s, nil
}

// Tenant returns the actor's tenant.
func (s *Service) Tenant(ctx context.Context, a auth.Actor) (*Tenant, error) {
	return s.store.Tenant(ctx, a.TenantID)
}

// Meetings lists the meetings, newest first.
func (s *Service) Meetings(ctx context.Context, a auth.Actor) ([]Meeting, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Meetings(ctx, a.TenantID)
}

// SaveMeeting creates or updates a meeting; marking it current unmarks the others.
func (s *Service) SaveMeeting(ctx context.Context, a auth.Actor, m *Meeting) error {
	if err := admin(a); err != nil {
		return err
	}
	var err error
	if m.Name, err = name(m.Name, 60); err != nil {
		return err
	}
	if m.Year < MinYear || m.Year > MaxYear {
		return invalid("bad_year", fmt.Sprintf("年份须在%d年至%d年之间", MinYear, MaxYear))
	}
	if m.StartsOn.IsZero() || m.EndsOn.IsZero() {
		return invalid("bad_dates", "请填写会议起止日期")
	}
	// A session meets in (or next to) its own year: dates far from it are typing mistakes.
	for _, d := range []time.Time{m.StartsOn, m.EndsOn} {
		if y := d.In(deadline.Shanghai).Year(); y < m.Year-1 || y > m.Year+1 {
			return invalid("dates_out_of_year", fmt.Sprintf("会议起止日期须在%d年至%d年之间（会议年份前后一年内）", m.Year-1, m.Year+1))
		}
	}
	if m.EndsOn.Before(m.StartsOn) {
		return invalid("bad_dates", "结束日期不能早于开始日期")
	}
	return s.store.SaveMeeting(ctx, a.TenantID, m)
}

// Categories lists the categories.
func (s *Service) Categories(ctx context.Context, a auth.Actor) ([]Category, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Categories(ctx, a.TenantID)
}

// SaveCategory creates or renames a category.
func (s *Service) SaveCategory(ctx context.Context, a auth.Actor, c *Category) error {
	if err := admin(a); err != nil {
		return err
	}
	var err error
	if c.Name, err = name(c.Name, 40); err != nil {
		return err
	}
	if c.ReplyMonths < 0 || c.ReplyMonths > 12 {
		return invalid("bad_reply_months", fmt.Sprintf("类别答复期限（月）应为1至12，当前填写的是%d；留空则按统一时限", c.ReplyMonths))
	}
	return s.store.SaveCategory(ctx, a.TenantID, c)
}

// Delegations lists the delegations.
func (s *Service) Delegations(ctx context.Context, a auth.Actor) ([]Delegation, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Delegations(ctx, a.TenantID)
}

// SaveDelegation creates or renames a delegation.
func (s *Service) SaveDelegation(ctx context.Context, a auth.Actor, d *Delegation) error {
	if err := admin(a); err != nil {
		return err
	}
	var err error
	if d.Name, err = name(d.Name, 40); err != nil {
		return err
	}
	return s.store.SaveDelegation(ctx, a.TenantID, d)
}

// Groups lists the deputy groups.
func (s *Service) Groups(ctx context.Context, a auth.Actor) ([]Group, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Groups(ctx, a.TenantID)
}

// SaveGroup creates or renames a group.
func (s *Service) SaveGroup(ctx context.Context, a auth.Actor, g *Group) error {
	if err := admin(a); err != nil {
		return err
	}
	var err error
	if g.Name, err = name(g.Name, 40); err != nil {
		return err
	}
	if g.DelegationID == 0 {
		return invalid("delegation_required", "请选择代表团")
	}
	if err := s.delegationExists(ctx, a.TenantID, g.DelegationID); err != nil {
		return err
	}
	return s.store.SaveGroup(ctx, a.TenantID, g)
}

var phoneRe = regexp.MustCompile(`^1[3-9]\d{9}$`)

// Deputies lists deputies matching query (name or phone), at most limit.
func (s *Service) Deputies(ctx context.Context, a auth.Actor, query string, limit int) ([]Deputy, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	if err := checkText("查询条件", query); err != nil {
		return nil, err
	}
	return s.store.Deputies(ctx, a.TenantID, strings.TrimSpace(query), limit)
}

// Deputy search from the mini-program: at most PeerLimit answers, for a name part of
// 1..PeerQueryMax characters.
const (
	PeerLimit    = 20
	PeerQueryMax = 20 // a deputy's name is at most 20 characters (SaveDeputy)
)

// FindPeers is a deputy looking for colleagues to invite as co-signers (联名): the active
// deputies of their own tenant whose name contains q, themselves left out, PeerLimit at most.
// Only names and delegations come back: the roster's phone numbers stay with staff.
func (s *Service) FindPeers(ctx context.Context, a auth.Actor, q string) ([]Peer, error) {
	if !a.IsDeputy() {
		return nil, errForbidden
	}
	q = strings.TrimSpace(q)
	if plaintext.UnreadableLine(q) {
		return nil, invalid("bad_text", "姓名含有无法识别的字符（如控制字符或乱码），请删除后重新输入")
	}
	if q == "" {
		return nil, invalid("query_required", "请输入要查找的代表姓名")
	}
	if utf8.RuneCountInString(q) > PeerQueryMax {
		return nil, invalid("query_too_long", fmt.Sprintf("姓名不能超过%d个字", PeerQueryMax))
	}
	peers, err := s.store.Peers(ctx, a.TenantID, q, a.ID, PeerLimit)
	if err != nil {
		return nil, fmt.Errorf("find deputies: %w", err)
	}
	return peers, nil
}

// SaveDeputy creates or updates a deputy.
func (s *Service) SaveDeputy(ctx context.Context, a auth.Actor, d *Deputy) error {
	if err := admin(a); err != nil {
		return err
	}
	var err error
	if d.Name, err = name(d.Name, 20); err != nil {
		return err
	}
	d.Phone = strings.TrimSpace(d.Phone)
	if d.Phone != "" && !phoneRe.MatchString(d.Phone) {
		return invalid("bad_phone", "手机号格式不正确")
	}
	if d.DelegationID != 0 {
		if err := s.delegationExists(ctx, a.TenantID, d.DelegationID); err != nil {
			return err
		}
	}
	if d.GroupID != 0 {
		gs, err := s.store.Groups(ctx, a.TenantID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(gs, func(g Group) bool { return g.ID == d.GroupID })
		if i < 0 {
			return errNoGroup
		}
		if d.DelegationID != 0 && gs[i].DelegationID != d.DelegationID {
			return invalid("group_not_in_delegation", "所选代表小组不属于该代表团")
		}
	}
	existing := d.ID != 0
	if err := s.store.SaveDeputy(ctx, a.TenantID, d); err != nil {
		return err
	}
	if existing && !d.Active && s.sessions != nil {
		// The stop is saved: ending the deputy's logins must not die with the request (an
		// administrator closing the page), or the stopped deputy keeps using the
		// mini-program until the sessions expire, and nothing ends them later.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeWithin)
		defer cancel()
		if err := s.sessions.RevokeDeputy(ctx, a.TenantID, d.ID); err != nil {
			return fmt.Errorf("end the stopped deputy's logins: %w", err)
		}
	}
	return nil
}

// ImportDeputies validates the rows of an .xlsx and stores the good ones; bad lines are
// reported and nothing is stored when any line is bad.
func (s *Service) ImportDeputies(ctx context.Context, a auth.Actor, rows []DeputyRow) (*ImportResult, error) {
	if err := admin(a); err != nil {
		return nil, err
	}
	res := &ImportResult{}
	seen := map[string]int{}
	for i := range rows {
		r := &rows[i]
		r.Name, r.Phone = strings.TrimSpace(r.Name), strings.TrimSpace(r.Phone)
		r.Delegation, r.Group = strings.TrimSpace(r.Delegation), strings.TrimSpace(r.Group)
		switch {
		case plaintext.UnreadableTitle(r.Name) || plaintext.UnreadableTitle(r.Phone) || plaintext.UnreadableTitle(r.Delegation) || plaintext.UnreadableTitle(r.Group):
			res.Errors = append(res.Errors, RowError{r.Line, "含有无法识别或看不见的字符（如换行、零宽字符、控制字符或乱码）"})
		case r.Name == "":
			res.Errors = append(res.Errors, RowError{r.Line, "姓名为空"})
		case len([]rune(r.Name)) > 20:
			res.Errors = append(res.Errors, RowError{r.Line, "姓名过长"})
		case r.Phone != "" && !phoneRe.MatchString(r.Phone):
			res.Errors = append(res.Errors, RowError{r.Line, "手机号格式不正确"})
		case r.Group != "" && r.Delegation == "":
			res.Errors = append(res.Errors, RowError{r.Line, "填写了代表小组但没有代表团"})
		case len([]rune(r.Delegation)) > 40:
			res.Errors = append(res.Errors, RowError{r.Line, "代表团名称不能超过40个字"})
		case len([]rune(r.Group)) > 40:
			res.Errors = append(res.Errors, RowError{r.Line, "代表小组名称不能超过40个字"})
		}
		if r.Phone != "" {
			if prev, dup := seen[r.Phone]; dup {
				res.Errors = append(res.Errors, RowError{r.Line, fmt.Sprintf("手机号与第%d行重复", prev)})
			}
			seen[r.Phone] = r.Line
		}
	}
	if len(rows) == 0 {
		res.Errors = append(res.Errors, RowError{0, "文件中没有代表数据"})
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	c, u, err := s.store.ImportDeputies(ctx, a.TenantID, rows)
	if err != nil {
		return nil, fmt.Errorf("import deputies: %w", err)
	}
	res.Created, res.Updated = c, u
	return res, nil
}

// Units lists the handling units.
func (s *Service) Units(ctx context.Context, a auth.Actor) ([]Unit, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Units(ctx, a.TenantID)
}

// SaveUnit creates or updates a unit.
func (s *Service) SaveUnit(ctx context.Context, a auth.Actor, u *Unit) error {
	if err := admin(a); err != nil {
		return err
	}
	var err error
	if u.Name, err = name(u.Name, 60); err != nil {
		return err
	}
	if u.Kind == "" {
		u.Kind = "government"
	}
	if !KnownUnitKind(u.Kind) {
		// A kind typed in before the kinds were fixed may stay on its unit, unchanged.
		legacy := false
		if u.ID != 0 && !plaintext.Unreadable(u.Kind) {
			old, err := s.store.Unit(ctx, a.TenantID, u.ID)
			if err != nil {
				return err
			}
			legacy = old.Kind == u.Kind
		}
		if !legacy {
			return invalid("bad_unit_kind", "单位类型不正确，请从列表中选择")
		}
	}
	return s.store.SaveUnit(ctx, a.TenantID, u)
}

// Users lists the staff users.
func (s *Service) Users(ctx context.Context, a auth.Actor) ([]User, error) {
	if err := admin(a); err != nil {
		return nil, err
	}
	return s.store.Users(ctx, a.TenantID)
}

// UsersWithRole lists active users holding role (e.g. leaders for the assign form).
func (s *Service) UsersWithRole(ctx context.Context, a auth.Actor, role auth.Role) ([]User, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	all, err := s.store.Users(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range all {
		if u.Active && slices.Contains(u.Roles, role) {
			out = append(out, u)
		}
	}
	return out, nil
}

var usernameRe = regexp.MustCompile(`^[a-zA-Z0-9_.-]{2,32}$`)

// errHashBusy: the process is checking too many passwords (a sign-in flood); nothing was
// saved and the admin may simply save again.
var errHashBusy = &Error{Kind: ErrConflict, Code: "busy", Message: "系统繁忙，密码未保存，请稍后重试"}

// SaveUser creates or updates a staff user; password is set when non-empty (required for a
// new user). Unit roles need a unit; committee needs categories.
func (s *Service) SaveUser(ctx context.Context, a auth.Actor, u *User, password string) error {
	if err := admin(a); err != nil {
		return err
	}
	u.Username = strings.TrimSpace(u.Username)
	if !usernameRe.MatchString(u.Username) {
		return invalid("bad_username", "用户名为2-32位字母、数字或 _ . -")
	}
	var err error
	if u.DisplayName, err = name(u.DisplayName, 20); err != nil {
		return err
	}
	u.Phone = strings.TrimSpace(u.Phone)
	if err := checkName("电话", u.Phone); err != nil {
		return err
	}
	if len([]rune(u.Phone)) > 30 {
		return invalid("phone_too_long", "电话不能超过30个字符")
	}
	if len(u.Roles) == 0 {
		return invalid("roles_required", "请至少选择一个角色")
	}
	for _, r := range u.Roles {
		if !slices.Contains(auth.Roles, r) || r == auth.RoleDeputy {
			return invalid("bad_role", "角色不正确")
		}
	}
	unitRole := slices.Contains(u.Roles, auth.RoleUnitHandler) || slices.Contains(u.Roles, auth.RoleUnitLeader)
	if unitRole && u.UnitID == 0 {
		return invalid("unit_required", "承办单位角色必须选择所属单位")
	}
	if !unitRole {
		u.UnitID = 0
	}
	if slices.Contains(u.Roles, auth.RoleCommittee) && len(u.CategoryIDs) == 0 {
		return invalid("categories_required", "专工委角色必须选择对口类别")
	}
	if !slices.Contains(u.Roles, auth.RoleCommittee) {
		u.CategoryIDs = nil
	}
	if u.UnitID != 0 {
		if _, err := s.store.Unit(ctx, a.TenantID, u.UnitID); errors.Is(err, ErrNotFound) {
			return errNoUnit
		} else if err != nil {
			return err
		}
	}
	if len(u.CategoryIDs) > 0 {
		cs, err := s.store.Categories(ctx, a.TenantID)
		if err != nil {
			return err
		}
		for _, id := range u.CategoryIDs {
			if !slices.ContainsFunc(cs, func(c Category) bool { return c.ID == id }) {
				return errNoCategory
			}
		}
	}
	if u.ID == 0 && password == "" {
		return invalid("password_required", "新用户必须设置初始密码")
	}
	var hash string
	if password != "" {
		// The one place a staff password is set (a new user's, or an admin's reset).
		if err := auth.CheckNewPassword(u.Username, password); err != nil {
			return err
		}
		if hash, err = auth.HashPasswordContext(ctx, password); errors.Is(err, auth.ErrBusy) {
			return errHashBusy
		} else if err != nil {
			return fmt.Errorf("save user %q: %w", u.Username, err)
		}
	}
	if err := s.store.SaveUser(ctx, a.TenantID, u); err != nil {
		return err
	}
	if hash != "" {
		return s.store.SetPassword(ctx, a.TenantID, u.ID, hash)
	}
	return nil
}

// delegationExists refuses a delegation that is not this tenant's (or does not exist).
func (s *Service) delegationExists(ctx context.Context, tenantID, id int64) error {
	ds, err := s.store.Delegations(ctx, tenantID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ds, func(d Delegation) bool { return d.ID == id }) {
		return errNoDelegation
	}
	return nil
}

// Unlock clears a user's lockout.
func (s *Service) Unlock(ctx context.Context, a auth.Actor, userID int64) error {
	if err := admin(a); err != nil {
		return err
	}
	if userID <= 0 {
		return errNotFound
	}
	return s.store.Unlock(ctx, a.TenantID, userID)
}

// Holidays lists the tenant's calendar overrides.
func (s *Service) Holidays(ctx context.Context, a auth.Actor) ([]deadline.Override, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Holidays(ctx, a.TenantID)
}

// SaveHoliday adds or changes one override.
func (s *Service) SaveHoliday(ctx context.Context, a auth.Actor, o deadline.Override) error {
	if err := admin(a); err != nil {
		return err
	}
	d, err := parseDay("日期", strings.TrimSpace(o.Date))
	if err != nil {
		return err
	}
	o.Date = d.Format(time.DateOnly)
	o.Name = strings.TrimSpace(o.Name)
	if err := checkName("名称", o.Name); err != nil {
		return err
	}
	if len([]rune(o.Name)) > MaxHolidayName {
		return invalid("name_too_long", fmt.Sprintf("名称不能超过%d个字", MaxHolidayName))
	}
	if _, err := deadline.NewCalendar([]deadline.Override{o}); err != nil {
		return invalid("bad_date", "日期格式应为 2026-06-01")
	}
	return s.store.SaveHoliday(ctx, a.TenantID, o)
}

// MaxHolidayName bounds the name of a calendar override (如 “本地节日”).
const MaxHolidayName = 30

// DeleteHoliday removes one override; a date without one is not found.
func (s *Service) DeleteHoliday(ctx context.Context, a auth.Actor, date string) error {
	if err := admin(a); err != nil {
		return err
	}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(date), deadline.Shanghai)
	if err != nil {
		return invalid("bad_date", "日期格式应为 2026-06-01")
	}
	err = s.store.DeleteHoliday(ctx, a.TenantID, d.Format(time.DateOnly))
	if errors.Is(err, ErrNotFound) {
		return &Error{Kind: ErrNotFound, Code: "holiday_not_found", Message: "没有找到" + d.Format(time.DateOnly) + "的本地调整，可能已被删除"}
	}
	return err
}

// Config returns the tenant's settings and labels (defaults filled in).
func (s *Service) Config(ctx context.Context, a auth.Actor) (*Config, error) {
	if err := read(a); err != nil {
		return nil, err
	}
	return s.store.Config(ctx, a.TenantID)
}

// Calendar builds the tenant's working-day calendar.
func (s *Service) Calendar(ctx context.Context, a auth.Actor) (*deadline.Calendar, error) {
	hs, err := s.store.Holidays(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return deadline.NewCalendar(hs)
}

// SaveSettings validates and stores the clock settings.
func (s *Service) SaveSettings(ctx context.Context, a auth.Actor, st deadline.Settings) error {
	if err := admin(a); err != nil {
		return err
	}
	if p := settingsProblem(st); p != "" {
		return invalid("bad_settings", "时限设置超出允许范围："+p)
	}
	if err := st.Validate(); err != nil { // a rule the list above has not learnt yet
		return invalid("bad_settings", "时限设置超出允许范围，请检查各项时限后重试")
	}
	return s.store.SaveSettings(ctx, a.TenantID, st)
}

// SaveReplyLabels stores the labels of classes A-D; empty labels fall back to the defaults.
func (s *Service) SaveReplyLabels(ctx context.Context, a auth.Actor, labels map[string]string) error {
	if err := admin(a); err != nil {
		return err
	}
	out := map[string]string{}
	for _, c := range []string{"A", "B", "C", "D"} {
		v := strings.TrimSpace(labels[c])
		if err := checkName(c+"类名称", v); err != nil {
			return err
		}
		if len([]rune(v)) > 30 {
			return invalid("label_too_long", "类别名称不能超过30个字")
		}
		if v != "" {
			out[c] = v
		}
	}
	return s.store.SaveReplyLabels(ctx, a.TenantID, out)
}

// ParseDate parses a YYYY-MM-DD date in Shanghai.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), deadline.Shanghai)
}
