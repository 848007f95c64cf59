package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
)

// Demo tenant identity and the password of every demo desk login (dev only).
const (
	demoTenantCode = "jyg"
	demoTenantName = "嘉峪关市人大常委会（演示）"
	demoPassword   = "jianyi-demo-2026"
)

// seedDemo loads the demo tenant for `jianyi dev` and `jianyi seed`: 36 deputies in three
// delegations, 10 units, staff of every role, and suggestions taken through the real
// workflow into every state, so their timelines are genuine, a few 代表参与活动 around them
// (seed_activities.go) and the meeting's 专题工作报告 (seed_appraisal.go). It is idempotent:
// when the tenant exists nothing is written.
func seedDemo(ctx context.Context, d *deps) (demoInfo, error) {
	hash, err := auth.HashPassword(demoPassword)
	if err != nil {
		return demoInfo{}, err
	}
	r, created, err := postgres.LoadDemoRoster(ctx, d.pool, demoTenantCode, demoTenantName, hash)
	if err != nil {
		return demoInfo{}, err
	}
	if created {
		if err := seedSuggestions(ctx, postgres.NewSuggestionStore(d.pool), r); err != nil {
			return demoInfo{}, fmt.Errorf("demo suggestions: %w", err)
		}
		if err := seedActivities(ctx, d.pool, r); err != nil {
			return demoInfo{}, fmt.Errorf("demo activities: %w", err)
		}
		if err := seedPublished(ctx, d.pool, r); err != nil {
			return demoInfo{}, fmt.Errorf("demo published replies: %w", err)
		}
		if err := seedAppraisal(ctx, d.pool, r); err != nil {
			return demoInfo{}, fmt.Errorf("demo appraisal: %w", err)
		}
		if err := seedAnalysis(ctx, d.pool, r); err != nil {
			return demoInfo{}, err
		}
	}
	info := demoInfo{Tenant: fmt.Sprintf("%s (code %s)", demoTenantName, demoTenantCode)}
	for _, s := range postgres.DemoStaff {
		info.Accounts = append(info.Accounts, demoAccount{Role: s.Roles[0], Name: s.Name, Login: s.Username, Password: demoPassword})
	}
	info.Accounts = append(info.Accounts,
		demoAccount{Role: "unit_handler", Name: "市住房和城乡建设局 经办人", Login: "zhujian", Password: demoPassword},
		demoAccount{Role: "unit_leader", Name: "市住房和城乡建设局 分管负责人", Login: "zhujian-leader", Password: demoPassword},
		demoAccount{Role: "deputy", Name: "mini-program (fake WeChat)", Login: `POST /api/v1/auth/login {"code":"dev-deputy1","tenant":"jyg"}`})
	info.Notes = append(info.Notes,
		"Console sign-in: tenant code jyg, any login above, password "+demoPassword,
		"Unit logins: zhujian jiaoyu weijian jiaotong renshe shengtai nongye fagai chengguan jiaojing (+ -leader)",
		"Deputies dev-deputy1 … dev-deputy36 log in to the mini-program with the code of that name")
	if d.wechatFake != nil && d.wechatFake.DevApp() != nil {
		// The fake official account's settings (not secrets: they exist only in this process),
		// so a signed message can be sent to the bot with wechattest.SignQuery.
		app := d.wechatFake.DevApp()
		info.Notes = append(info.Notes, fmt.Sprintf("Bot: POST /wechat/oa/%s with fake official account appid %s, token %s, AES key %s",
			demoTenantCode, app.OAAppID, app.OAToken, app.OAAESKey))
	}
	return info, nil
}

// demoSeeder walks demo suggestions through the workflow; its clock can be moved back so
// some cases are overdue or long closed.
type demoSeeder struct {
	ctx   context.Context
	r     *postgres.DemoRoster
	svc   *suggestion.Service
	clock time.Time
	err   error
}

func seedSuggestions(ctx context.Context, store *postgres.SuggestionStore, r *postgres.DemoRoster) error {
	s := &demoSeeder{ctx: ctx, r: r}
	s.svc = suggestion.NewService(store, func() time.Time { return s.clock })
	type plan struct {
		title, body, category string
		ago                   time.Duration // when the story starts
		to                    suggestion.Status
		mode                  suggestion.Mode
		// The units a reviewer would assign it to, by name: the lead unit (主办) whose work
		// the topic is, and the co-units (协办) whose part it needs. Only a suggestion that
		// reaches 交办 is assigned to them.
		lead string
		co   []string
	}
	const (
		housing    = "市住房和城乡建设局"
		education  = "市教育局"
		health     = "市卫生健康委员会"
		transport  = "市交通运输局"
		social     = "市人力资源和社会保障局"
		ecology    = "市生态环境局"
		agri       = "市农业农村局"
		reform     = "市发展和改革委员会"
		urban      = "市城市管理综合执法局"
		trafficPol = "市公安局交通警察支队"
	)
	day := 24 * time.Hour
	plans := []plan{
		{"关于民政路提升改建的建议", "民政路是连接城区与工业园区的主干道，上下班高峰期拥堵严重，建议实施道路扩建并优化交叉口信号配时。", "交通运输", 200 * day, suggestion.StatusClosed, suggestion.ModeLeaderLed, transport, []string{housing}},
		{"关于加强小区物业管理的建议", "部分小区物业服务质量不高、收费不透明，建议厘清监管职责、公开服务收费标准、常态化开展监督检查。", "城乡建设", 190 * day, suggestion.StatusTracking, suggestion.ModeJoint, housing, []string{urban}},
		{"关于城市集中供热管网改造的建议", "老城区供热管网老化，冬季室温不达标，建议分年度实施管网改造。", "城乡建设", 180 * day, suggestion.StatusTracking, suggestion.ModeNormal, housing, nil},
		{"关于解决老旧小区改造遗留问题的建议", "已改造小区仍存在雨污混流、楼道照明缺失等问题，建议组织回头看并限期整改。", "城乡建设", 170 * day, suggestion.StatusEscalated, suggestion.ModeNormal, housing, []string{ecology}},
		{"关于新华路修建地下人行通道的建议", "新华路学校和医院集中，行人横穿马路安全隐患大，建议修建地下人行通道。", "交通运输", 160 * day, suggestion.StatusClosed, suggestion.ModeFastTrack, housing, nil},
		{"关于新华北路与绿化铁路道口建设公铁立交桥的建议", "铁路道口车辆排队严重，建议建设公铁立交桥。", "交通运输", 150 * day, suggestion.StatusRehandling, suggestion.ModeNormal, transport, nil},
		{"关于优化公交车线路和运行时间的建议", "部分线路末班车过早，新建小区没有公交覆盖，建议优化线路并延长运营时间。", "交通运输", 140 * day, suggestion.StatusHandling, suggestion.ModeFastTrack, transport, []string{trafficPol}},
		{"关于加强校园周边食品安全监管的建议", "校园周边流动摊贩较多，食品安全难以保障，建议建立常态化联合检查机制。", "教育", 130 * day, suggestion.StatusReplied, suggestion.ModeNormal, education, nil},
		{"关于规范小区物业管理收费的建议", "物业服务收费项目不公开、标准不统一，业主意见较大，建议推行物业收费公示和第三方评估。", "城乡建设", 128 * day, suggestion.StatusHandling, suggestion.ModeNormal, housing, nil},
		{"关于建设口袋公园的建议", "老城区居民休闲空间不足，建议利用边角地建设口袋公园。", "城乡建设", 125 * day, suggestion.StatusClosed, suggestion.ModeNormal, housing, nil},
		{"关于优化中小学教育资源配置的建议", "新城区学位紧张，建议新建一所九年一贯制学校。", "教育", 120 * day, suggestion.StatusHandling, suggestion.ModeLeaderLed, education, []string{reform}},
		{"关于提升基层医疗服务能力的建议", "社区卫生服务中心设备陈旧、全科医生不足，建议加大投入。", "卫生健康", 115 * day, suggestion.StatusHandling, suggestion.ModeNormal, health, nil},
		{"关于扩大城乡居民养老保险覆盖面的建议", "部分灵活就业人员未参保，建议加强宣传并简化参保流程。", "社会保障", 110 * day, suggestion.StatusHandling, suggestion.ModeNormal, social, nil},
		{"关于治理讨赖河沿岸环境的建议", "讨赖河沿岸存在垃圾堆放现象，建议开展专项整治并建立长效管护机制。", "生态环境", 30 * day, suggestion.StatusAssigned, suggestion.ModeJoint, ecology, []string{urban}},
		{"关于发展戈壁农业特色产业的建议", "建议加大对戈壁设施农业的扶持力度，培育特色品牌。", "农业农村", 20 * day, suggestion.StatusAssigned, suggestion.ModeNormal, agri, nil},
		{"关于增设新能源汽车充电桩的建议", "城区公共充电桩数量不足、分布不均，建议统筹规划增设。", "经济发展", 10 * day, suggestion.StatusAssigned, suggestion.ModeFastTrack, reform, []string{housing}},
		{"关于规范共享电动自行车停放的建议", "共享电动自行车乱停乱放影响通行，建议划定停放区域。", "城乡建设", 8 * day, suggestion.StatusRegistered, suggestion.ModeNormal, urban, []string{trafficPol}},
		{"关于加强居家养老服务的建议", "高龄独居老人增多，建议推广社区助餐和上门服务。", "社会保障", 7 * day, suggestion.StatusRegistered, suggestion.ModeNormal, health, nil},
		{"关于完善城区无障碍设施的建议", "部分人行道盲道被占用、缺少坡道，建议开展无障碍设施排查整改。", "城乡建设", 5 * day, suggestion.StatusSubmitted, suggestion.ModeNormal, housing, nil},
		{"关于民政路沿线增设停车位的建议", "民政路沿线商户多，停车难问题突出，建议规划建设立体停车场。", "交通运输", 4 * day, suggestion.StatusSubmitted, suggestion.ModeNormal, housing, []string{trafficPol}},
		{"关于延长图书馆开放时间的建议", "市图书馆晚间不开放，建议延长开放时间方便上班族。", "教育", 3 * day, suggestion.StatusSubmitted, suggestion.ModeNormal, education, nil},
		{"关于整治餐饮油烟扰民的建议", "建议对居民楼下餐饮店油烟排放开展专项检查。", "生态环境", 6 * day, suggestion.StatusReturned, suggestion.ModeNormal, ecology, nil},
		{"关于为本人小区调解邻里纠纷的建议", "本人所在楼栋邻里因装修发生纠纷，希望有关部门协调。", "社会保障", 9 * day, suggestion.StatusNotRegistered, suggestion.ModeNormal, "", nil}, // a personal matter: no unit's work,
		{"关于公交线路优化调整的建议", "建议优化公交线路，延长末班车运营时间。", "交通运输", 12 * day, suggestion.StatusMerged, suggestion.ModeNormal, transport, nil},
		{"关于建设全民健身步道的建议", "建议沿讨赖河建设健身步道。", "生态环境", 1 * day, suggestion.StatusDraft, suggestion.ModeNormal, housing, nil},
		{"关于增加农村客运班次的建议", "部分村镇客运班次少，群众出行不便。", "交通运输", 2 * day, suggestion.StatusDraft, suggestion.ModeNormal, transport, nil},
	}
	unitIndex := map[string]int{}
	for i, name := range r.UnitNames {
		unitIndex[name] = i
	}
	units := func(p plan) (lead int, co []int, err error) {
		if p.lead == "" {
			return -1, nil, nil
		}
		for n, name := range append([]string{p.lead}, p.co...) {
			i, ok := unitIndex[name]
			if !ok {
				return 0, nil, fmt.Errorf("no demo unit %q", name)
			}
			if n == 0 {
				lead = i
			} else {
				co = append(co, i)
			}
		}
		return lead, co, nil
	}
	now := time.Now()
	var optimize int64 // the bus-route suggestion the duplicate is merged into (still being handled: a replied case takes no merge)
	for i, p := range plans {
		s.clock = now.Add(-p.ago)
		lead := i % len(r.Deputies)
		leadUnit, coUnits, err := units(p)
		if err != nil {
			return fmt.Errorf("%s: %w", p.title, err)
		}
		id := s.walk(lead, leadUnit, coUnits, p.title, p.body, r.Categories[p.category], p.to, p.mode, now)
		if p.title == "关于优化公交车线路和运行时间的建议" {
			optimize = id
		}
		if p.to == suggestion.StatusMerged && optimize != 0 && s.err == nil {
			_, s.err = s.svc.Merge(ctx, s.reviewer(), id, optimize, -1, "与第"+fmt.Sprint(optimize)+"号建议内容重复，并案办理")
		}
		if s.err != nil {
			return fmt.Errorf("%s: %w", p.title, s.err)
		}
	}
	return nil
}

func (s *demoSeeder) reviewer() auth.Actor {
	return auth.Actor{TenantID: s.r.TenantID, Kind: auth.KindStaff, ID: s.r.Users["daigongwei"], Roles: []auth.Role{auth.RoleReviewer}}
}

func (s *demoSeeder) unit(i int) auth.Actor {
	return auth.Actor{TenantID: s.r.TenantID, Kind: auth.KindStaff, ID: s.r.Handlers[i], Roles: []auth.Role{auth.RoleUnitHandler}, UnitID: s.r.Units[i]}
}

// advance moves the seeding clock forward by d, never past the real now.
func (s *demoSeeder) advance(d time.Duration, now time.Time) {
	s.clock = s.clock.Add(d)
	if limit := now.Add(-time.Minute); s.clock.After(limit) {
		s.clock = limit
	}
}

// walk takes one suggestion of deputy lead as far as target and returns its id; from 交办 on
// it is handled by the units leadUnit and coUnits (indexes of the roster's units). Errors are
// kept in s.err.
func (s *demoSeeder) walk(lead, leadUnit int, coUnits []int, title, body string, category int64, target suggestion.Status, mode suggestion.Mode, now time.Time) int64 {
	ctx, svc := s.ctx, s.svc
	dep := auth.Deputy(s.r.TenantID, s.r.Deputies[lead])
	step := func(err error) bool {
		if s.err == nil {
			s.err = err
		}
		return s.err == nil
	}
	var sg *suggestion.Suggestion
	var err error
	sg, err = svc.CreateDraft(ctx, dep, suggestion.DraftInput{Title: title, Body: body,
		Location: suggestion.Location{Address: "甘肃省嘉峪关市"}})
	if !step(err) || target == suggestion.StatusDraft {
		return idOf(sg)
	}
	co := s.r.Deputies[(lead+1)%len(s.r.Deputies)]
	if step(svc.InviteCosigners(ctx, dep, sg.ID, []int64{co})) {
		step(svc.RespondCosign(ctx, auth.Deputy(s.r.TenantID, co), sg.ID, true))
	}
	if sg, err = svc.Get(ctx, dep, sg.ID); !step(err) {
		return 0
	}
	s.advance(2*time.Hour, now)
	if sg, err = svc.Submit(ctx, dep, sg.ID, sg.Version); !step(err) || target == suggestion.StatusSubmitted || target == suggestion.StatusMerged {
		return idOf(sg)
	}
	s.advance(24*time.Hour, now)
	switch target {
	case suggestion.StatusReturned:
		_, err = svc.Return(ctx, s.reviewer(), sg.ID, sg.Version, "请补充问题发生的具体路段和时间，以便交办。")
		step(err)
		return sg.ID
	case suggestion.StatusNotRegistered:
		_, err = svc.NotRegister(ctx, s.reviewer(), sg.ID, sg.Version, "属于个人具体事务，已转有关部门作为意见处理。")
		step(err)
		return sg.ID
	}
	if sg, err = svc.Register(ctx, s.reviewer(), sg.ID, sg.Version, category); !step(err) || target == suggestion.StatusRegistered {
		return idOf(sg)
	}
	s.advance(48*time.Hour, now)
	if leadUnit < 0 {
		step(fmt.Errorf("%s: no unit to assign it to", title))
		return sg.ID
	}
	in := suggestion.AssignInput{LeadUnitID: s.r.Units[leadUnit], Mode: mode}
	if mode == suggestion.ModeLeaderLed {
		in.LeaderUserID = s.r.Users["lingdao"]
	}
	for _, u := range coUnits {
		in.CoUnitIDs = append(in.CoUnitIDs, s.r.Units[u])
	}
	if len(coUnits) > 0 {
		in.Chain = suggestion.Chain{Principal: "市政府分管副市长", InCharge: "局分管副局长", Handler: "业务科室科长",
			Plan: "一、成立由分管副市长牵头的工作专班；二、主办单位一个月内完成现场调研和方案论证；三、协办单位按职责分工配合，每月向专班报告进展；四、督查室按季度督办，办理结果向代表反馈。"}
	}
	if sg, err = svc.Assign(ctx, s.reviewer(), sg.ID, sg.Version, in); !step(err) || target == suggestion.StatusAssigned {
		return idOf(sg)
	}
	det, err := svc.Detail(ctx, s.reviewer(), sg.ID)
	if !step(err) {
		return 0
	}
	unit := s.unit(leadUnit)
	asg := det.Assignments[0].ID
	s.advance(24*time.Hour, now)
	if _, err = svc.Accept(ctx, unit, asg, suggestion.AcceptInput{HandlerName: "孙经办", HandlerPhone: "0937-6200000"}); !step(err) {
		return 0
	}
	for _, a := range det.Assignments[1:] {
		co := slices.Index(s.r.Units, a.UnitID)
		if _, err = svc.Accept(ctx, s.unit(co), a.ID, suggestion.AcceptInput{HandlerName: "周经办"}); !step(err) {
			return 0
		}
		s.advance(24*time.Hour, now)
		if _, err = svc.SubmitCoOpinion(ctx, s.unit(co), a.ID, "我单位同意主办单位的办理方案，将在职责范围内积极配合。"); !step(err) {
			return 0
		}
	}
	s.advance(72*time.Hour, now)
	c, err := svc.RecordContact(ctx, unit, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: s.clock,
		Method: "座谈", People: "承办单位经办人、领衔代表", Summary: "办前沟通：听取代表意图，介绍初步办理思路。"})
	if !step(err) {
		return 0
	}
	if _, err = svc.ConfirmContact(ctx, dep, c.ID, true, ""); !step(err) {
		return 0
	}
	s.advance(7*24*time.Hour, now)
	if _, err = svc.AddProgress(ctx, unit, sg.ID, "已完成现场调研，正在制定实施方案。", false); !step(err) || target == suggestion.StatusHandling {
		return sg.ID
	}
	s.advance(20*24*time.Hour, now)
	class := suggestion.ClassA
	var commitments []suggestion.CommitmentInput
	if target == suggestion.StatusTracking {
		class = suggestion.ClassB
		commitments = []suggestion.CommitmentInput{{What: "年内完成主体工程", DueOn: now.AddDate(0, 3, 0)}}
	}
	reply := func() bool {
		_, err := svc.Reply(ctx, unit, asg, suggestion.ReplyInput{Class: class, Body: "经认真研究，现答复如下：" + body + "我单位已将该事项纳入年度重点工作并组织实施。", Commitments: commitments})
		return step(err)
	}
	if !reply() || target == suggestion.StatusReplied {
		return sg.ID
	}
	s.advance(5*24*time.Hour, now)
	rating, reason := suggestion.Satisfied, ""
	if target == suggestion.StatusRehandling || target == suggestion.StatusEscalated {
		rating, reason = suggestion.Unsatisfied, "问题没有实质性解决，希望进一步落实。"
	}
	if _, err = svc.RateReply(ctx, dep, sg.ID, rating, reason); !step(err) || target != suggestion.StatusEscalated {
		return sg.ID
	}
	s.advance(20*24*time.Hour, now)
	if !reply() {
		return sg.ID
	}
	s.advance(3*24*time.Hour, now)
	_, err = svc.RateReply(ctx, dep, sg.ID, suggestion.Unsatisfied, "整改仍不到位，请领导督办。")
	step(err)
	return sg.ID
}

func idOf(s *suggestion.Suggestion) int64 {
	if s == nil {
		return 0
	}
	return s.ID
}
