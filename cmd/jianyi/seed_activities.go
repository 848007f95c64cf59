package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/activity"
	"jianyi/internal/auth"
	"jianyi/internal/deadline"
	"jianyi/storage/postgres"
)

// seedActivities gives the demo tenant 代表参与活动 taken through the real service: an
// inspection next week with answers (dev-deputy1 invited, still to answer), a coordination
// meeting around the 讨赖河 case, and a research trip held three weeks ago with its 纪要.
// Nobody is notified: the demo's inbox holds the workflow's notices only.
func seedActivities(ctx context.Context, pool *pgxpool.Pool, r *postgres.DemoRoster) error {
	now := time.Now()
	clock := now
	svc := activity.NewService(postgres.NewActivityStore(pool), func() time.Time { return clock })
	reviewer := auth.Actor{TenantID: r.TenantID, Kind: auth.KindStaff, ID: r.Users["daigongwei"], Roles: []auth.Role{auth.RoleReviewer}}
	coordinator := auth.Actor{TenantID: r.TenantID, Kind: auth.KindStaff, ID: r.Users["ducha"], Roles: []auth.Role{auth.RoleCoordinator}}
	suggestions := func(titles ...string) ([]int64, error) {
		var ids []int64
		for _, t := range titles {
			var id int64
			// Activities link registered (numbered) suggestions only; a demo suggestion still
			// under review is left out.
			err := pool.QueryRow(ctx, `SELECT id FROM suggestions WHERE tenant_id = $1 AND title = $2 AND number IS NOT NULL`,
				r.TenantID, t).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("demo suggestion %q: %w", t, err)
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	answer := func(id int64, deputy int, accept bool, note string) error {
		_, err := svc.Answer(ctx, auth.Deputy(r.TenantID, r.Deputies[deputy]), id, accept, note)
		return err
	}
	at := func(days int, hour int) time.Time {
		y, m, d := now.AddDate(0, 0, days).In(deadline.Shanghai).Date()
		return time.Date(y, m, d, hour, 0, 0, 0, deadline.Shanghai)
	}

	// Next week: 视察 the road the case's leader supervised (肩并肩调研).
	ids, err := suggestions("关于民政路提升改建的建议", "关于民政路沿线增设停车位的建议")
	if err != nil {
		return err
	}
	inspection, err := svc.Create(ctx, reviewer, activity.Input{Kind: activity.KindInspection, Title: "视察民政路提升改建工程",
		StartsAt: at(6, 9), Place: "民政路与新华路交叉口（集合）", Description: "实地查看民政路扩建和交叉口信号优化进展，听取沿线商户和居民意见；市交通运输局、市住房和城乡建设局汇报办理情况。",
		SuggestionIDs: ids, UnitIDs: []int64{r.Units[3], r.Units[0]}, DeputyIDs: []int64{r.Deputies[0], r.Deputies[1], r.Deputies[2], r.Deputies[3]}})
	if err != nil {
		return fmt.Errorf("demo inspection: %w", err)
	}
	if err := answer(inspection.ID, 1, true, ""); err != nil {
		return err
	}
	if err := answer(inspection.ID, 2, true, "可提前半小时到场"); err != nil {
		return err
	}
	if err := answer(inspection.ID, 3, false, "当天参加省人大培训"); err != nil {
		return err
	}

	// In ten days: 协调会 on the joint 讨赖河 case, called by the government office.
	if ids, err = suggestions("关于治理讨赖河沿岸环境的建议"); err != nil {
		return err
	}
	if _, err := svc.Create(ctx, coordinator, activity.Input{Kind: activity.KindCoordination, Title: "讨赖河沿岸环境整治协调会",
		StartsAt: at(10, 15), Place: "市政府三楼第二会议室", Description: "协调主办、协办单位分工和整治时间节点，听取领衔代表意见。",
		SuggestionIDs: ids, UnitIDs: []int64{r.Units[5], r.Units[8]}, DeputyIDs: []int64{r.Deputies[0], r.Deputies[12]}}); err != nil {
		return fmt.Errorf("demo coordination meeting: %w", err)
	}

	// Three weeks ago: 专题调研 with its 纪要.
	if ids, err = suggestions("关于解决老旧小区改造遗留问题的建议", "关于城市集中供热管网改造的建议"); err != nil {
		return err
	}
	clock = now.AddDate(0, 0, -30)
	research, err := svc.Create(ctx, reviewer, activity.Input{Kind: activity.KindResearch, Title: "老旧小区改造遗留问题专题调研",
		StartsAt: at(-21, 9), Place: "雄关区胜利路社区、镜铁区朝阳社区", Description: "走访已改造小区，查看雨污分流、楼道照明和供热管网情况。",
		SuggestionIDs: ids, UnitIDs: []int64{r.Units[0]}, DeputyIDs: []int64{r.Deputies[3], r.Deputies[4], r.Deputies[5]}})
	if err != nil {
		return fmt.Errorf("demo research: %w", err)
	}
	clock = now.AddDate(0, 0, -25)
	if err := answer(research.ID, 3, true, ""); err != nil {
		return err
	}
	if err := answer(research.ID, 4, true, ""); err != nil {
		return err
	}
	if err := answer(research.ID, 5, false, "外出学习，请代为反映意见"); err != nil {
		return err
	}
	clock = now.AddDate(0, 0, -20)
	if _, err := svc.RecordSummary(ctx, reviewer, research.ID, research.Version,
		"调研组查看了两个社区的改造情况。代表指出：部分楼栋雨污仍然混流，楼道照明缺失，供热管网末端室温不达标。\n"+
			"市住房和城乡建设局表示：雨污分流纳入今年二期改造，年底前完成；楼道照明一个月内补齐。\n"+
			"下一步：代表工委将调研意见转承办单位，纳入建议办理跟踪督办。"); err != nil {
		return fmt.Errorf("demo research summary: %w", err)
	}
	return nil
}
