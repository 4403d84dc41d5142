package recruit_test

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"

	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// offersModel works out a round's offers again, from its rules as the
// round's pages state them, for a round whose applicants all rank every
// post in the same order and whose posts follow the national rank: the
// match, then every answer, expiry and check with the cascade each sets
// off. It shares no code with the service but the offer deadline.
type offersModel struct {
	round  *recruit.Round
	rank   map[int64]int // application → national rank
	apps   []int64       // best first
	posts  []int64       // every applicant's order of preference
	places map[int64]int
	offers []*modelOffer // in the order they were made
}

type modelOffer struct {
	id        int64 // the stored offer's, once known
	app, post int64
	status    string
	upgrades  bool
	deadline  time.Time
}

func newOffersModel(rt *rapid.T, sr *testkit.StagedRound) *offersModel {
	m := &offersModel{round: sr.Round, rank: map[int64]int{}, places: map[int64]int{}}
	ranked, err := sr.Service.Ranking(ctx, sr.Round.ID)
	if err != nil {
		rt.Fatal(err)
	}
	for _, a := range ranked {
		m.rank[a.ID] = *a.NationalRank
		m.apps = append(m.apps, a.ID)
	}
	slices.SortFunc(m.apps, func(x, y int64) int { return cmp.Or(cmp.Compare(m.rank[x], m.rank[y]), cmp.Compare(x, y)) })
	for _, p := range sr.Posts {
		m.posts = append(m.posts, p.ID)
		m.places[p.ID] = p.Places
	}
	return m
}

// match is the stable match when everyone ranks the posts alike: the
// best-ranked applicants fill the first post's places, the next the
// second's, and so on.
func (m *offersModel) match(now time.Time) {
	next := 0
	for _, p := range m.posts {
		for range m.places[p] {
			if next < len(m.apps) {
				m.make(m.apps[next], p, recruit.OfferOffered, false, now)
				next++
			}
		}
	}
}

func (m *offersModel) make(app, post int64, status string, upgrades bool, now time.Time) {
	m.offers = append(m.offers, &modelOffer{app: app, post: post, status: status, upgrades: upgrades, deadline: recruit.OfferDeadline(m.round, now)})
}

func live(status string) bool {
	return status == recruit.OfferOffered || status == recruit.OfferHeld || status == recruit.OfferAccepted || status == recruit.OfferUnconditional
}

// preference is where the applicant ranked the post, first 0.
func (m *offersModel) preference(post int64) int { return slices.Index(m.posts, post) }

// cascade offers a freed post's places down the ranking: to the best
// applicant still in the round (no offer declined, expired or withdrawn)
// not offered the post before, who holds nothing or holds a post they
// like less and asked to move up. A move frees the place it leaves.
func (m *offersModel) cascade(post int64, now time.Time) {
	queue := []int64{post}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for {
			held := 0
			for _, o := range m.offers {
				if o.post == p && live(o.status) {
					held++
				}
			}
			if held >= m.places[p] {
				break
			}
			var taker int64
			var from *modelOffer
			for _, app := range m.apps {
				var current *modelOffer
				out := false
				for _, o := range m.offers {
					if o.app != app {
						continue
					}
					switch {
					case o.status == recruit.OfferDeclined || o.status == recruit.OfferExpired || o.status == recruit.OfferWithdrawn:
						out = true
					case o.post == p && o.status != recruit.OfferSuperseded:
						out = true
					case live(o.status):
						current = o
					}
				}
				if out {
					continue
				}
				if current == nil || current.upgrades && m.preference(p) < m.preference(current.post) {
					taker, from = app, current
					break
				}
			}
			if taker == 0 {
				break
			}
			if from == nil {
				m.make(taker, p, recruit.OfferOffered, false, now)
				continue
			}
			m.make(taker, p, from.status, true, now)
			from.status = recruit.OfferSuperseded
			queue = append(queue, from.post)
		}
	}
}

// expire ends, in the order they were made, the unanswered offers whose
// deadline has come, each freeing its place.
func (m *offersModel) expire(now time.Time) {
	for i := 0; i < len(m.offers); i++ {
		o := m.offers[i]
		if o.status == recruit.OfferOffered && !now.Before(o.deadline) {
			o.status = recruit.OfferExpired
			m.cascade(o.post, now)
		}
	}
}

func (m *offersModel) find(id int64) *modelOffer {
	i := slices.IndexFunc(m.offers, func(o *modelOffer) bool { return o.id == id })
	if i < 0 {
		return nil
	}
	return m.offers[i]
}

// answer applies an applicant's answer, after the offers due have
// expired: offered and held offers take any answer; an accepted one may
// be declined or kept; an unconditional one only declined.
func (m *offersModel) answer(id int64, a recruit.Answer, upgrades bool, now time.Time) {
	m.expire(now)
	o := m.find(id)
	switch {
	case o.status == recruit.OfferOffered, o.status == recruit.OfferHeld:
	case o.status == recruit.OfferAccepted && a != recruit.AnswerHold:
	case o.status == recruit.OfferUnconditional && a == recruit.AnswerDecline:
	default:
		return
	}
	switch a {
	case recruit.AnswerAccept:
		o.status, o.upgrades = recruit.OfferAccepted, upgrades
	case recruit.AnswerHold:
		o.status, o.upgrades = recruit.OfferHeld, upgrades
	case recruit.AnswerDecline:
		o.status, o.upgrades = recruit.OfferDeclined, false
		m.cascade(o.post, now)
	}
}

// check applies the employer's checks of an accepted offer: all six
// passed make it unconditional (and end upgrades); one failed withdraws
// it, freeing its place.
func (m *offersModel) check(id int64, pass bool, now time.Time) {
	o := m.find(id)
	if o.status != recruit.OfferAccepted {
		return
	}
	if pass {
		o.status, o.upgrades = recruit.OfferUnconditional, false
		return
	}
	o.status, o.upgrades = recruit.OfferWithdrawn, false
	m.cascade(o.post, now)
}

// agree compares the model with the stored offers, learning the ids of
// offers made since it last looked.
func (m *offersModel) agree(rt *rapid.T, sr *testkit.StagedRound, after string) {
	stored, err := sr.Service.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID})
	if err != nil {
		rt.Fatal(err)
	}
	describe := func() string {
		s := "stored:"
		for _, o := range stored {
			s += fmt.Sprintf(" %d:%d@%d %s %v;", o.ID, o.ApplicationID, o.PostID, o.Status, o.Upgrades)
		}
		s += " model:"
		for _, o := range m.offers {
			s += fmt.Sprintf(" %d:%d@%d %s %v;", o.id, o.app, o.post, o.status, o.upgrades)
		}
		return s
	}
	if len(stored) != len(m.offers) {
		rt.Fatalf("after %s: %d offers stored, the model made %d\n%s", after, len(stored), len(m.offers), describe())
	}
	for _, o := range m.offers {
		if o.id != 0 {
			continue
		}
		for _, s := range stored {
			if s.ApplicationID == o.app && s.PostID == o.post && m.find(s.ID) == nil {
				o.id = s.ID
			}
		}
	}
	// From here the model keeps the stored order, which expiries follow.
	slices.SortFunc(m.offers, func(x, y *modelOffer) int { return cmp.Compare(x.id, y.id) })
	for _, s := range stored {
		o := m.find(s.ID)
		if o == nil || o.app != s.ApplicationID || o.post != s.PostID || o.status != s.Status || o.upgrades != s.Upgrades {
			rt.Fatalf("after %s: offer %d is %s (upgrades %v), the model says %+v\n%s", after, s.ID, s.Status, s.Upgrades, o, describe())
		}
	}
}
