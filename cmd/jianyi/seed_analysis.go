package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/analysis"
	"jianyi/internal/auth"
	"jianyi/storage/postgres"
)

// seedAnalysis records, through the real service, the demo's 调研报告 on the 议题 that the most
// deputies raised in the demo meeting (建议集中分析): adopted as a city measure, as the source
// case's 19 reports were, so the page's counts and the report list are not empty.
func seedAnalysis(ctx context.Context, pool *pgxpool.Pool, r *postgres.DemoRoster) error {
	svc := analysis.NewService(postgres.NewAnalysisStore(pool), nil)
	reviewer := auth.Actor{TenantID: r.TenantID, Kind: auth.KindStaff, ID: r.Users["daigongwei"], Roles: []auth.Role{auth.RoleReviewer}}
	o, err := svc.Overview(ctx, reviewer, r.MeetingID)
	if err != nil {
		return fmt.Errorf("demo 建议集中分析: %w", err)
	}
	if len(o.Topics) == 0 {
		return fmt.Errorf("demo 建议集中分析: the demo meeting has no 议题")
	}
	t := o.Topics[0]
	ids := make([]int64, len(t.Items))
	for i, it := range t.Items {
		ids[i] = it.SuggestionID
	}
	_, err = svc.RecordReport(ctx, reviewer, analysis.ReportInput{
		Title:    "关于" + strings.TrimSuffix(strings.TrimPrefix(t.Label, "关于"), "的建议") + "问题的专题调研报告",
		ReportOn: time.Now().AddDate(0, 0, -14),
		Summary:  fmt.Sprintf("围绕%d件代表建议，组织相关专业代表、居民代表和承办单位到住宅小区实地调研，梳理现状和主要诉求。", len(ids)),
		Outcome:  "提出厘清监管职责、强化业主自治、公开服务收费标准、常态化监督检查等措施，由市政府纳入年度民生实事推进。",
		Adopted:  true, SuggestionIDs: ids,
	})
	if err != nil {
		return fmt.Errorf("demo 调研报告: %w", err)
	}
	return nil
}
