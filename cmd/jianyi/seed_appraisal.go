package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/appraisal"
	"jianyi/internal/auth"
	"jianyi/internal/stats"
	"jianyi/storage/postgres"
)

// seedAppraisal gives the demo meeting its 专题工作报告 taken through the real service: the
// two government departments that handle the most suggestions heard at a standing-committee
// session three weeks ago, one with its vote recorded and one still to record, and a draft
// 审议意见; the feedback is left unsent, so a desk can send it and see the units told.
// Nobody is notified here: the demo's inbox holds the workflow's notices only.
func seedAppraisal(ctx context.Context, pool *pgxpool.Pool, r *postgres.DemoRoster) error {
	svc := appraisal.NewService(postgres.NewAppraisalStore(pool), stats.NewService(postgres.NewStatsStore(pool), nil), nil)
	reviewer := auth.Actor{TenantID: r.TenantID, Kind: auth.KindStaff, ID: r.Users["daigongwei"], Roles: []auth.Role{auth.RoleReviewer}}
	o, err := svc.Overview(ctx, reviewer, r.MeetingID)
	if err != nil {
		return fmt.Errorf("demo appraisal ranking: %w", err)
	}
	held := time.Now().AddDate(0, 0, -21)
	voted := false
	for _, c := range o.Candidates {
		if !c.Suggested {
			continue
		}
		h, err := svc.RecordHearing(ctx, reviewer, r.MeetingID, appraisal.HearingInput{UnitID: c.UnitID,
			Session: "市十届人大常委会第二十次会议", HeldOn: held})
		if err != nil {
			return fmt.Errorf("demo hearing of %s: %w", c.UnitName, err)
		}
		if !voted {
			if _, err := svc.RecordVote(ctx, reviewer, r.MeetingID, h.ID, h.Version, appraisal.Vote{Satisfied: 28, Basic: 9, Unsatisfied: 2}); err != nil {
				return fmt.Errorf("demo vote of %s: %w", c.UnitName, err)
			}
			voted = true
		}
	}
	if _, err := svc.SetOpinion(ctx, reviewer, r.MeetingID, 0,
		"一、市政府及各承办单位高度重视代表建议办理工作，办理质量和效率有所提升。\n"+
			"二、部分建议答复后落实不到位，代表满意度有待提高，对测评“不满意”的建议要逐件开展“回头看”。\n"+
			"三、进一步健全“三见面”“三反馈”机制，加强与代表的沟通联系。"); err != nil {
		return fmt.Errorf("demo 审议意见: %w", err)
	}
	return nil
}
