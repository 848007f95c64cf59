package stats

import (
	"fmt"
	"sort"
)

func formatPercent(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

// SortRanking orders units best first: on-time reply rate, then satisfaction rate, then
// fewer overdue, then name. Units with nothing assigned go last.
func SortRanking(rows []UnitRow) {
	key := func(r Ratio) float64 {
		v, ok := r.Value()
		if !ok {
			return -1
		}
		return v
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Counts.Assigned == 0) != (b.Counts.Assigned == 0) {
			return b.Counts.Assigned == 0
		}
		if x, y := key(a.Rates.OnTimeReplyRate), key(b.Rates.OnTimeReplyRate); x != y {
			return x > y
		}
		if x, y := key(a.Rates.SatisfactionRate), key(b.Rates.SatisfactionRate); x != y {
			return x > y
		}
		if a.Counts.Overdue != b.Counts.Overdue {
			return a.Counts.Overdue < b.Counts.Overdue
		}
		return a.UnitName < b.UnitName
	})
}
