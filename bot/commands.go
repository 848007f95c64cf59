package bot

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"jianyi/internal/suggestion"
)

// Kind is what a deputy asked for.
type Kind int

const (
	CmdNone       Kind = iota // empty message
	CmdHelp                   // 帮助, 菜单
	CmdMine                   // 我的建议
	CmdQuery                  // 查询 <编号>
	CmdRate                   // 评价 <编号> 满意|基本满意|不满意 [理由]
	CmdNudge                  // 催办 <编号>
	CmdBind                   // 绑定 123456
	CmdSnap                   // 随手拍 (how-to)
	CmdCancel                 // 取消
	CmdSearch                 // anything else: matched against the deputy's suggestions
	CmdUsage                  // a known verb with bad arguments; Usage holds the hint
	CmdReview                 // 回头看 <编号> <理由>: ask for a closed case to be looked at again
	CmdActivities             // 我的活动: the activities the deputy is invited to
	CmdAttend                 // 参加 [活动编号] [备注]
	CmdDecline                // 不参加 [活动编号] [理由]
)

// Command is a parsed text message.
type Command struct {
	Kind   Kind
	Number int               // 查询/评价/催办; 参加/不参加: the activity's number (0: none given)
	Rating suggestion.Rating // 评价
	Reason string            // 评价 … 不满意 <理由>, 回头看 <编号> <理由>, 参加/不参加's note
	Code   string            // 绑定
	Text   string            // CmdSearch: the normalized text
	Usage  string            // CmdUsage
}

// Menu CLICK keys (configure the official account's menu with these keys).
const (
	KeyHelp  = "BOT_HELP"
	KeyMine  = "BOT_MINE"
	KeyQuery = "BOT_QUERY"
	KeyRate  = "BOT_RATE"
	KeyNudge = "BOT_NUDGE"
	KeySnap  = "BOT_SNAP"
	KeyBind  = "BOT_BIND"
)

// Usage hints for a verb without (valid) arguments.
const (
	usageQuery  = "请回复“查询 编号”，例如：查询 12"
	usageRate   = "请回复“评价 编号 满意”、“评价 编号 基本满意”或“评价 编号 不满意”，例如：评价 12 满意"
	usageNudge  = "请回复“催办 编号”，例如：催办 12（每条建议每周可催办一次）"
	usageBind   = "请回复“绑定”加小程序中显示的6位绑定码，例如：绑定 123456"
	usageReview = "请回复“回头看 编号 理由”，例如：回头看 12 路灯修好一个月后又不亮了"
)

var (
	numberRe = regexp.MustCompile(`^第?0*([0-9]{1,6})号?$`)
	bindRe   = regexp.MustCompile(`^[0-9]{6}$`)
)

// maxCommandRunes bounds what is parsed: longer text is only ever a search or a reason.
const maxCommandRunes = 600

// Normalize folds full-width characters to half-width, maps the ideographic space to a space,
// collapses whitespace and trims; it keeps Chinese text as is.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	space := false
	for _, r := range s {
		if n >= maxCommandRunes {
			break
		}
		n++
		switch {
		case r == '\u3000' || unicode.IsSpace(r):
			space = true
			continue
		case r >= '！' && r <= '～': // full-width ASCII block
			r -= 0xFEE0
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// ParseNumber reads a per-meeting number: "12", "0012", "第0012号", "12号".
func ParseNumber(s string) (int, bool) {
	m := numberRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// ParseRating reads 满意 / 基本满意 / 不满意.
func ParseRating(s string) (suggestion.Rating, bool) {
	switch strings.TrimSpace(s) {
	case "满意", "非常满意":
		return suggestion.Satisfied, true
	case "基本满意", "比较满意":
		return suggestion.BasicallySatisfied, true
	case "不满意":
		return suggestion.Unsatisfied, true
	}
	return "", false
}

var verbs = []struct {
	word string
	kind Kind
}{
	{"我的建议", CmdMine}, {"帮助", CmdHelp}, {"菜单", CmdHelp}, {"查询", CmdQuery}, {"评价", CmdRate},
	{"催办", CmdNudge}, {"绑定", CmdBind}, {"随手拍", CmdSnap}, {"取消", CmdCancel}, {"回头看", CmdReview},
	{"我的活动", CmdActivities}, {"代表活动", CmdActivities}, {"不参加", CmdDecline}, {"参加", CmdAttend},
}

// Parse reads one text message into a command.
func Parse(text string) Command {
	s := Normalize(text)
	switch strings.ToLower(s) {
	case "help", "?", "h", "menu":
		return Command{Kind: CmdHelp}
	}
	s = strings.TrimRight(s, "。.!！?？ ")
	if s == "" {
		return Command{Kind: CmdNone}
	}
	for _, v := range verbs {
		if !strings.HasPrefix(s, v.word) {
			continue
		}
		rest := strings.TrimSpace(strings.TrimLeft(strings.TrimPrefix(s, v.word), ":：,，"))
		switch v.kind {
		case CmdMine, CmdHelp, CmdSnap, CmdCancel, CmdActivities:
			if rest == "" {
				return Command{Kind: v.kind}
			}
		case CmdAttend, CmdDecline:
			return parseAttend(v.kind, s, strings.TrimPrefix(s, v.word))
		case CmdQuery, CmdNudge:
			if n, ok := ParseNumber(rest); ok {
				return Command{Kind: v.kind, Number: n}
			}
			if rest == "" {
				return usage(v.kind)
			}
		case CmdBind:
			if bindRe.MatchString(rest) {
				return Command{Kind: CmdBind, Code: rest}
			}
			return usage(CmdBind)
		case CmdRate:
			return parseRate(rest)
		case CmdReview:
			return parseReview(rest)
		}
	}
	return Command{Kind: CmdSearch, Text: s}
}

func usage(k Kind) Command {
	switch k {
	case CmdQuery:
		return Command{Kind: CmdUsage, Usage: usageQuery}
	case CmdNudge:
		return Command{Kind: CmdUsage, Usage: usageNudge}
	case CmdBind:
		return Command{Kind: CmdUsage, Usage: usageBind}
	case CmdReview:
		return Command{Kind: CmdUsage, Usage: usageReview}
	}
	return Command{Kind: CmdUsage, Usage: usageRate}
}

// ratingWords are the words ParseRating knows; none begins another.
var ratingWords = []string{"基本满意", "比较满意", "非常满意", "不满意", "满意"}

// ratingSeparators may stand between a rating word and its reason when no space does (after
// Normalize, which folds the full-width comma and colon to "," and ":").
const ratingSeparators = ",:、。，："

// parseRate reads "<编号> <评价> [理由]"; the number and the rating may be written together
// ("12满意", "第12号不满意 理由").
func parseRate(rest string) Command {
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return usage(CmdRate)
	}
	numPart, ratingPart := fields[0], ""
	tail := fields[1:]
	// split "12满意" into number and rating
	if i := strings.IndexFunc(numPart, func(r rune) bool { return r > unicode.MaxASCII && r != '第' && r != '号' }); i > 0 {
		numPart, ratingPart = fields[0][:i], fields[0][i:]
	} else if len(tail) > 0 {
		ratingPart, tail = tail[0], tail[1:]
	}
	n, ok := ParseNumber(numPart)
	if !ok {
		return usage(CmdRate)
	}
	r, ok := ParseRating(ratingPart)
	if !ok {
		// "不满意，理由……" written without a space: the rating word, a separator, the reason.
		// The word must end there: "满意度很低" or "满意吗" is no rating (a rating may close
		// the case for good), so anything else gets the usage hint.
		for _, w := range ratingWords {
			after, found := strings.CutPrefix(ratingPart, w)
			if !found {
				continue
			}
			if sep, _ := utf8.DecodeRuneInString(after); strings.ContainsRune(ratingSeparators, sep) {
				r, ok = ParseRating(w)
				if extra := strings.TrimLeft(after, ratingSeparators); extra != "" {
					tail = append([]string{extra}, tail...)
				}
			}
			break
		}
	}
	if !ok {
		return usage(CmdRate)
	}
	return Command{Kind: CmdRate, Number: n, Rating: r, Reason: strings.TrimSpace(strings.Join(tail, " "))}
}

// parseReview reads "<编号> <理由>" ("12 理由", "第12号，理由"); both are required.
func parseReview(rest string) Command {
	num, reason, _ := strings.Cut(rest, " ")
	if i := strings.IndexAny(num, ",，"); i > 0 {
		num, reason = num[:i], num[i:]+" "+reason
	}
	n, ok := ParseNumber(num)
	reason = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(reason), ",，:："))
	if !ok || reason == "" {
		return usage(CmdReview)
	}
	return Command{Kind: CmdReview, Number: n, Reason: reason}
}
