package explore

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/framework"
)

// QuizAnswers is a person's answers: one value per item, 0 for not
// answered and 1 (strongly dislike) to 5 (strongly like), plus the
// deal-breakers they chose. It round-trips through a short code kept in the
// URL, so nothing is stored and no account is needed.
type QuizAnswers struct {
	Values       []int
	DealBreakers []*framework.DealBreaker
}

// maxCodeLength bounds the code before it is parsed.
const maxCodeLength = 200

// ParseQuizCode reads a code such as "5421003-PS": one digit per item, in
// order (a shorter code leaves the rest unanswered), then optionally a
// hyphen and the letters of the chosen deal-breakers.
func ParseQuizCode(q *framework.Quiz, code string) (*QuizAnswers, error) {
	if len(code) > maxCodeLength {
		return nil, apperr.Invalidf("code", "the quiz code is too long (%d characters); it has at most %d answers", len(code), len(q.Items))
	}
	answers, breakers, _ := strings.Cut(strings.TrimSpace(code), "-")
	if len(answers) > len(q.Items) {
		return nil, apperr.Invalidf("code", "the quiz code has %d answers but the quiz has %d statements", len(answers), len(q.Items))
	}
	a := &QuizAnswers{Values: make([]int, len(q.Items))}
	for i, r := range answers {
		if r < '0' || r > '5' {
			return nil, apperr.Invalidf("code", "answer %d in the quiz code is %q; answers are 1 to 5, or 0 for not answered", i+1, string(r))
		}
		a.Values[i] = int(r - '0')
	}
	for _, r := range strings.ToUpper(breakers) {
		i := slices.IndexFunc(q.DealBreakers, func(d *framework.DealBreaker) bool { return d.Code == string(r) })
		if i < 0 {
			return nil, apperr.Invalidf("code", "%q in the quiz code is not a deal-breaker", string(r))
		}
		if !slices.Contains(a.DealBreakers, q.DealBreakers[i]) {
			a.DealBreakers = append(a.DealBreakers, q.DealBreakers[i])
		}
	}
	return a, nil
}

// Code writes the answers back as a quiz code: trailing unanswered items are
// dropped and deal-breakers are in the quiz's order.
func (a *QuizAnswers) Code(q *framework.Quiz) string {
	var b strings.Builder
	last := -1
	for i, v := range a.Values {
		if v != 0 {
			last = i
		}
	}
	for _, v := range a.Values[:last+1] {
		b.WriteByte(byte('0' + v))
	}
	var letters []string
	for _, d := range q.DealBreakers {
		if slices.Contains(a.DealBreakers, d) {
			letters = append(letters, d.Code)
		}
	}
	if len(letters) > 0 {
		b.WriteString("-" + strings.Join(letters, ""))
	}
	return b.String()
}

// Answered counts the answered items.
func (a *QuizAnswers) Answered() int {
	n := 0
	for _, v := range a.Values {
		if v != 0 {
			n++
		}
	}
	return n
}

// QuizResult ranks specialisms against a person's answers.
type QuizResult struct {
	Answered int             `json:"answered"`
	Flat     bool            `json:"flat"` // every answer was the same, so nothing stands out
	Matches  []QuizMatch     `json:"matches"`
	Excluded []QuizExclusion `json:"excluded"`
}

// QuizMatch is one specialism's fit and the answers that drove it.
type QuizMatch struct {
	Specialism *framework.Specialism `json:"-"`
	Percent    int                   `json:"percent"`
	Drivers    []QuizDriver          `json:"drivers"`
}

// QuizDriver is an answer that raised a match, and why.
type QuizDriver struct {
	Item   int    `json:"item"`
	Answer int    `json:"answer"`
	Reason string `json:"reason"`
}

// QuizExclusion is a specialism a deal-breaker removed.
type QuizExclusion struct {
	Specialism  *framework.Specialism  `json:"-"`
	DealBreaker *framework.DealBreaker `json:"-"`
	Reason      string                 `json:"reason"`
}

// maxDrivers is how many answers are shown as the reasons for a match.
const maxDrivers = 3

// ScoreQuiz ranks every specialism the deal-breakers leave. The fit is the
// correlation, over the answered statements, between how much the person
// likes each statement and how central its activity is to the specialism,
// shown as 0 to 100%. The drivers are the answers that added most to it.
func ScoreQuiz(f *framework.Framework, a *QuizAnswers) *QuizResult {
	q := f.Quiz
	res := &QuizResult{Answered: a.Answered()}
	var answered []int
	var like []float64 // answer centred on "not sure"
	for i, v := range a.Values {
		if v != 0 {
			answered = append(answered, i)
			like = append(like, float64(v-3))
		}
	}
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	norm := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x * x
		}
		return math.Sqrt(s)
	}
	if len(answered) == 0 {
		return res
	}
	likeMean := mean(like)
	for k := range like {
		like[k] -= likeMean
	}
	likeNorm := norm(like)
	res.Flat = likeNorm == 0

	// How central each answered activity is to each specialism, and to the
	// average specialism: a reason names what sets a role apart, not what
	// every role shares.
	raw := map[*framework.Specialism][]float64{}
	typical := make([]float64, len(answered))
	for _, s := range f.Specialisms {
		w := make([]float64, len(answered))
		for k, i := range answered {
			for dim, x := range q.Items[i].Dimensions {
				w[k] += float64(x * s.Interests[dim])
			}
			typical[k] += w[k] / float64(len(f.Specialisms))
		}
		raw[s] = w
	}

	for _, s := range f.Specialisms {
		if d, reason := excludedBy(a.DealBreakers, s); d != nil {
			res.Excluded = append(res.Excluded, QuizExclusion{Specialism: s, DealBreaker: d, Reason: reason})
			continue
		}
		if res.Flat {
			continue
		}
		weight := slices.Clone(raw[s])
		wMean := mean(weight)
		for k := range weight {
			weight[k] -= wMean
		}
		m := QuizMatch{Specialism: s, Percent: 50}
		type contribution struct {
			k     int
			value float64
		}
		var contribs []contribution
		if wNorm := norm(weight); wNorm > 0 {
			dot := 0.0
			for k := range like {
				dot += like[k] * weight[k]
				// An answer explains the match in words when the person
				// likes (or dislikes) an activity that is more (or less)
				// of this role than of the typical one.
				answer := float64(a.Values[answered[k]] - 3)
				if c := answer * (raw[s][k] - typical[k]); c > 0 {
					contribs = append(contribs, contribution{k, c})
				}
			}
			m.Percent = int(math.Round(50 * (1 + dot/(likeNorm*wNorm))))
		}
		slices.SortStableFunc(contribs, func(x, y contribution) int {
			switch {
			case x.value > y.value:
				return -1
			case x.value < y.value:
				return 1
			}
			return x.k - y.k
		})
		for _, c := range contribs[:min(maxDrivers, len(contribs))] {
			item := q.Items[answered[c.k]]
			answer := a.Values[answered[c.k]]
			reason := fmt.Sprintf("You would like to %s. %s is more a part of %s than of most roles.",
				LowerFirst(item.Text), sharedDimension(q, item, s, true), LowerFirst(s.Name))
			if answer < 3 {
				reason = fmt.Sprintf("You would rather not %s. %s involves less %s than most roles.",
					LowerFirst(item.Text), s.Name, LowerFirst(sharedDimension(q, item, s, false)))
			}
			m.Drivers = append(m.Drivers, QuizDriver{Item: item.ID, Answer: answer, Reason: reason})
		}
		res.Matches = append(res.Matches, m)
	}
	slices.SortStableFunc(res.Matches, func(x, y QuizMatch) int {
		if x.Percent != y.Percent {
			return y.Percent - x.Percent
		}
		return strings.Compare(x.Specialism.Name, y.Specialism.Name)
	})
	return res
}

func excludedBy(breakers []*framework.DealBreaker, s *framework.Specialism) (*framework.DealBreaker, string) {
	for _, d := range breakers {
		if reason := d.Reason(s); reason != "" {
			return d, reason
		}
	}
	return nil, ""
}

// sharedDimension names the kind of work behind a statement that explains
// the match: the statement is one example of it, which the role may do in
// its own way ("finding which germ causes an infection" is laboratory work,
// which transfusion science does too). For a liked statement it is the
// kind the statement and the role share most; for a disliked one, the kind
// the statement is about and the role does least.
func sharedDimension(q *framework.Quiz, item *framework.QuizItem, s *framework.Specialism, liked bool) string {
	best, name := -1, ""
	for _, d := range q.Dimensions {
		role := s.Interests[d.ID]
		if !liked {
			role = 3 - role
		}
		if w := item.Dimensions[d.ID] * role; w > best {
			best, name = w, d.Name
		}
	}
	return name
}

// LowerFirst lower-cases the first letter of a name for use mid-sentence,
// unless it starts an acronym ("HCPC-registered", "GDC registration").
func LowerFirst(s string) string {
	if s == "" || (len(s) > 1 && strings.ToUpper(s[1:2]) == s[1:2] && strings.ToLower(s[1:2]) != s[1:2]) {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
