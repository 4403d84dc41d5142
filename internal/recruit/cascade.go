package recruit

import (
	"cmp"
	"slices"
)

// Contender is an applicant who ranked a post with a free place: where the
// post ranks them, and their offers and preferences in the round.
type Contender struct {
	ApplicationID int64
	// PostRank is the post's rank of them: its employer's own list when it
	// has one, otherwise the national rank. Lower is better.
	PostRank int
	// Preferences maps each post they ranked to their rank of it.
	Preferences map[int64]int
	Offers      []Offer
}

// NextOffer decides who a free place at a post goes to: the contender the
// post ranks best whose application is still running (no offer declined
// or expired, or withdrawn after a failed check), who has not been
// offered this post before, and who either
// holds no live offer or holds one they like less and have opted in to
// upgrades. replace is that less-liked offer, which the new one
// supersedes. ok is false when nobody would take the place.
func NextOffer(post int64, contenders []Contender) (applicationID int64, replace *Offer, ok bool) {
	order := slices.Clone(contenders)
	slices.SortStableFunc(order, func(a, b Contender) int {
		return cmp.Or(cmp.Compare(a.PostRank, b.PostRank), cmp.Compare(a.ApplicationID, b.ApplicationID))
	})
	for _, c := range order {
		want, ranked := c.Preferences[post]
		if !ranked {
			continue
		}
		var current *Offer
		ended := false
		for i := range c.Offers {
			o := &c.Offers[i]
			switch {
			case o.Ends():
				ended = true // their application has ended
			case o.PostID == post && o.Status != OfferSuperseded:
				ended = true // already offered this post
			case o.Live():
				current = o
			}
		}
		switch {
		case ended:
			continue
		case current == nil:
			return c.ApplicationID, nil, true
		case current.Upgrades && want < rankOr(c.Preferences, current.PostID):
			return c.ApplicationID, current, true
		}
	}
	return 0, nil, false
}

// rankOr is the applicant's rank of a post, or a rank below every other
// when they did not rank it.
func rankOr(prefs map[int64]int, post int64) int {
	if r, ok := prefs[post]; ok {
		return r
	}
	return int(^uint(0) >> 1)
}
