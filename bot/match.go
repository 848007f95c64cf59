package bot

import (
	"strings"
	"unicode"

	"jianyi/internal/suggestion"
)

// fillers are words of a question that say nothing about which suggestion is meant.
var fillers = []string{
	"怎么样了", "怎么样", "怎样了", "如何了", "进展如何", "进展", "进度", "情况", "办得", "办理",
	"那个", "这个", "那条", "这条", "那件", "我的", "我提的", "提的", "关于", "有关",
	"建议", "现在", "目前", "请问", "查一下", "查查", "看看", "一下", "了吗", "了没", "没有",
	"的", "了", "吗", "呢", "啊", "吧",
}

// keyRunes strips fillers and punctuation, keeping letters and digits.
func keyRunes(s string) []rune {
	for _, f := range fillers {
		s = strings.ReplaceAll(s, f, " ")
	}
	var out []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
		} else {
			out = append(out, ' ')
		}
	}
	return out
}

// grams are the character bigrams of each word (single-character words count as themselves).
func grams(rs []rune) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(string(rs)) {
		wr := []rune(w)
		if len(wr) == 1 {
			continue
		}
		for i := 0; i+1 < len(wr); i++ {
			g := string(wr[i : i+2])
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// Match returns the deputy's suggestions whose titles share the most character bigrams with
// the question, after dropping filler words: one when it is clear, up to five on a tie,
// none when nothing matches at least half the question's key bigrams (or two of them).
func Match(text string, list []suggestion.Summary) []suggestion.Summary {
	gs := grams(keyRunes(text))
	if len(gs) == 0 {
		return nil
	}
	need := (len(gs) + 1) / 2
	if need > 2 {
		need = 2
	}
	best, bestScore := []suggestion.Summary(nil), 0
	for _, s := range list {
		title := strings.ToLower(s.Title)
		score := 0
		for _, g := range gs {
			if strings.Contains(title, g) {
				score++
			}
		}
		switch {
		case score < need || score < bestScore:
		case score > bestScore:
			best, bestScore = []suggestion.Summary{s}, score
		default:
			best = append(best, s)
		}
	}
	if len(best) > 5 {
		best = best[:5]
	}
	return best
}
