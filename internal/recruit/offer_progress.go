package recruit

import (
	"context"
	"slices"
	"strings"
	"time"
)

// OfferProgress is a matched round's offers as the public follows them,
// specialism by specialism: its posts and places, the offers made, and
// each place accepted (conditionally or not), awaiting an answer, or
// unfilled. It names nobody, and no count of people from 1 to 4 can be
// read from it or worked out from it (see suppressProgress).
type OfferProgress struct {
	RoundID    int64              `json:"round_id"`
	Round      string             `json:"round"`
	Matched    bool               `json:"matched"`
	OffersOpen time.Time          `json:"offers_open"`
	Rows       []OfferProgressRow `json:"specialisms"`
	Total      *OfferProgressRow  `json:"total,omitempty"` // nil before the match
}

// OfferProgressRow is one specialism's progress, or the round's total
// (Specialism "").
type OfferProgressRow struct {
	Specialism string `json:"specialism,omitempty"`
	Posts      Figure `json:"posts"`
	Places     Figure `json:"places"`
	OffersMade Figure `json:"offers_made"`
	Accepted   Figure `json:"accepted"`
	Awaiting   Figure `json:"awaiting"`
	Unfilled   Figure `json:"unfilled"`
}

// Figure is a count as a public page may show it.
type Figure struct {
	Count int    `json:"count"` // 0 unless shown
	Shown string `json:"shown"` // ShownCount, ShownFewer or ShownHidden
}

// How a figure is shown: its count; "fewer than 5" (a count from 1 to
// 4); or not at all (any count, zero included), because it would let a
// count from 1 to 4 be worked out.
const (
	ShownCount  = "count"
	ShownFewer  = "fewer"
	ShownHidden = "hidden"
)

// ProgressThreshold is the smallest count of people the progress page
// shows.
const ProgressThreshold = 5

// OfferProgress reads a round's public offer progress. Before the match it
// has no rows: no offers have been made.
func (s *Service) OfferProgress(ctx context.Context, roundID int64) (*OfferProgress, error) {
	return read(ctx, s, func(tx Tx) (*OfferProgress, error) {
		r, err := tx.Round(roundID)
		if err != nil {
			return nil, err
		}
		out := &OfferProgress{RoundID: r.ID, Round: r.Name, Matched: r.MatchedAt != nil, OffersOpen: r.OffersOpen, Rows: []OfferProgressRow{}}
		if r.MatchedAt == nil {
			return out, nil
		}
		posts, err := tx.Posts(roundID)
		if err != nil {
			return nil, err
		}
		offers, err := tx.Offers(OfferFilter{RoundID: roundID})
		if err != nil {
			return nil, err
		}
		rows := countProgress(posts, offers)
		// Specialisms by name.
		slices.SortFunc(rows, func(a, b progressCounts) int {
			return strings.Compare(s.specialismName(a.specialism), s.specialismName(b.specialism))
		})
		out.Rows, out.Total = publishProgress(rows)
		return out, nil
	})
}

// progressCounts are one specialism's exact counts.
type progressCounts struct {
	specialism                               string
	posts, places                            int
	accepted, awaiting, unfilled, offersMade int
}

// countProgress counts, for each specialism with an open post, its posts
// and places, the offers made of them, and their places by where they
// stand.
func countProgress(posts []Post, offers []Offer) []progressCounts {
	var rows []progressCounts
	index := map[string]int{}
	postRow := map[int64]int{}
	for _, p := range posts {
		if p.Status == PostWithdrawn {
			continue
		}
		i, ok := index[p.Specialism]
		if !ok {
			i = len(rows)
			index[p.Specialism] = i
			rows = append(rows, progressCounts{specialism: p.Specialism})
		}
		postRow[p.ID] = i
		rows[i].posts++
		rows[i].places += p.Places
		rows[i].unfilled += p.Places
	}
	for _, o := range offers {
		i, ok := postRow[o.PostID]
		if !ok {
			continue
		}
		rows[i].offersMade++
		switch o.Status {
		case OfferAccepted, OfferUnconditional:
			rows[i].accepted++
			rows[i].unfilled--
		case OfferOffered, OfferHeld:
			rows[i].awaiting++
			rows[i].unfilled--
		}
	}
	return rows
}

// publishProgress labels the counts (suppressProgress) and makes the
// figures. Posts and places are public (every post's page gives its
// places), so they are shown, a count from 1 to 4 as "fewer than 5" all
// the same.
func publishProgress(rows []progressCounts) ([]OfferProgressRow, *OfferProgressRow) {
	t := suppressProgress(rows)
	public := func(n int) Figure {
		if n > 0 && n < ProgressThreshold {
			return Figure{Shown: ShownFewer}
		}
		return Figure{Count: n, Shown: ShownCount}
	}
	figure := func(n int, l progressLabel) Figure {
		switch l {
		case labelFewer:
			return Figure{Shown: ShownFewer}
		case labelHidden:
			return Figure{Shown: ShownHidden}
		}
		return Figure{Count: n, Shown: ShownCount}
	}
	out := make([]OfferProgressRow, len(rows))
	var total progressCounts
	for i, r := range rows {
		l := t.rows[i]
		out[i] = OfferProgressRow{Specialism: r.specialism, Posts: public(r.posts), Places: public(r.places),
			Accepted: figure(r.accepted, l[colAccepted]), Awaiting: figure(r.awaiting, l[colAwaiting]),
			Unfilled: figure(r.unfilled, l[colUnfilled]), OffersMade: figure(r.offersMade, l[colMade])}
		total.posts += r.posts
		total.places += r.places
		total.accepted += r.accepted
		total.awaiting += r.awaiting
		total.unfilled += r.unfilled
		total.offersMade += r.offersMade
	}
	return out, &OfferProgressRow{Posts: public(total.posts), Places: public(total.places),
		Accepted: figure(total.accepted, t.totals[colAccepted]), Awaiting: figure(total.awaiting, t.totals[colAwaiting]),
		Unfilled: figure(total.unfilled, t.totals[colUnfilled]), OffersMade: figure(total.offersMade, t.totals[colMade])}
}
