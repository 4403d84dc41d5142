package recruit

import (
	"cmp"
	"slices"
	"time"

	"hcs/internal/apperr"
)

// Appointment is a reviewer appointed by the national school to a round,
// with the organisation they work for, if any: applications from its staff
// are never given to them.
type Appointment struct {
	RoundID        int64  `json:"round_id"`
	UserID         int64  `json:"user_id"`
	Name           string `json:"name"`
	OrganisationID int64  `json:"organisation_id,omitempty"`
	Organisation   string `json:"organisation,omitempty"`
	Assigned       int    `json:"assigned"`
	Reviewed       int    `json:"reviewed"`
}

// Assignment gives an application to a reviewer, in one of its two slots.
type Assignment struct {
	ApplicationID int64 `json:"application_id"`
	ReviewerID    int64 `json:"reviewer_id"`
	Slot          int   `json:"slot"`
}

// Review is one reviewer's shortlisting score, in their assignment's slot.
type Review struct {
	ApplicationID int64     `json:"application_id"`
	ReviewerID    int64     `json:"reviewer_id"`
	Slot          int       `json:"slot"`
	Score         int       `json:"score"`
	CreatedAt     time.Time `json:"created_at"`
}

// Moderation settles an application whose reviewers disagree.
type Moderation struct {
	ApplicationID int64     `json:"application_id"`
	ModeratorID   int64     `json:"moderator_id"`
	Score         int       `json:"score"`
	CreatedAt     time.Time `json:"created_at"`
}

// CheckReviewerEmployer checks the employer named for a reviewer against
// the organisations they recruit for in hcs, if any: someone who recruits
// for a trust is named with it, so that its staff's applications never
// reach them.
func CheckReviewerEmployer(recruitsFor []int64, named int64) error {
	if len(recruitsFor) > 0 && !slices.Contains(recruitsFor, named) {
		return apperr.Invalidf("organisation_id", "This person recruits for an NHS employer in hcs: name it as their employer")
	}
	return nil
}

// ReviewsPerApplication is how many reviewers score each application.
const ReviewsPerApplication = 2

// ValidScore checks a score of 0 to 100.
func ValidScore(score int) error {
	if score < 0 || score > 100 {
		return apperr.Invalidf("score", "Scores are 0 to 100, not %d", score)
	}
	return nil
}

// ToAssign is an application waiting for reviewers: who made it, and the
// organisation they work for (0 when none).
type ToAssign struct {
	ApplicationID int64
	ApplicantID   int64
	EmployerID    int64
}

// AssignReviewers gives each application the reviewers it still lacks:
// the least-loaded of those who may review it (not the applicant, not from
// the applicant's employer, not already assigned to it), ties to the
// lowest user id. Loads count existing assignments, so running it again
// after more applications or reviewers arrive keeps the balance. It
// returns the new assignments and the applications that could not get
// their two reviewers.
func AssignReviewers(apps []ToAssign, reviewers []Appointment, existing []Assignment) (added []Assignment, short []int64) {
	load := map[int64]int{}
	have := map[int64][]Assignment{}
	for _, as := range existing {
		load[as.ReviewerID]++
		have[as.ApplicationID] = append(have[as.ApplicationID], as)
	}
	pool := slices.Clone(reviewers)
	slices.SortFunc(pool, func(a, b Appointment) int { return cmp.Compare(a.UserID, b.UserID) })
	for _, app := range apps {
		mine := have[app.ApplicationID]
		for len(mine) < ReviewsPerApplication {
			best := -1
			for i, r := range pool {
				taken := slices.ContainsFunc(mine, func(as Assignment) bool { return as.ReviewerID == r.UserID })
				conflicted := r.UserID == app.ApplicantID || (app.EmployerID != 0 && r.OrganisationID == app.EmployerID)
				if taken || conflicted {
					continue
				}
				if best < 0 || load[r.UserID] < load[pool[best].UserID] {
					best = i
				}
			}
			if best < 0 {
				short = append(short, app.ApplicationID)
				break
			}
			as := Assignment{ApplicationID: app.ApplicationID, ReviewerID: pool[best].UserID, Slot: freeSlot(mine)}
			mine = append(mine, as)
			added = append(added, as)
			load[as.ReviewerID]++
		}
	}
	return added, short
}

// freeSlot is the lowest slot the assignments do not use.
func freeSlot(have []Assignment) int {
	for slot := 1; ; slot++ {
		if !slices.ContainsFunc(have, func(as Assignment) bool { return as.Slot == slot }) {
			return slot
		}
	}
}

// CheckReview decides whether a person may review an application: not
// their own, only when it is assigned to them, once, and while it has
// fewer than its two reviews. It returns the slot the review fills.
func CheckReview(a *Application, by int64, assignments []Assignment, reviews []Review) (slot int, err error) {
	if a.UserID == by {
		return 0, apperr.Errorf(apperr.Forbidden, "You cannot review your own application.")
	}
	i := slices.IndexFunc(assignments, func(as Assignment) bool { return as.ReviewerID == by && as.ApplicationID == a.ID })
	if i < 0 {
		return 0, apperr.Errorf(apperr.Forbidden, "Application %s is not assigned to you.", Reference(a.ID))
	}
	switch {
	case slices.ContainsFunc(reviews, func(r Review) bool { return r.ReviewerID == by }):
		return 0, apperr.Errorf(apperr.Conflict, "You have already reviewed application %s.", Reference(a.ID))
	case len(reviews) >= ReviewsPerApplication:
		return 0, apperr.Errorf(apperr.Conflict, "Application %s already has its two reviews.", Reference(a.ID))
	}
	return assignments[i].Slot, nil
}

// NeedsModeration reports whether an application's two reviews differ by
// more than the round's margin and nobody has moderated it yet.
func NeedsModeration(margin int, reviews []Review, m *Moderation) bool {
	return m == nil && len(reviews) == ReviewsPerApplication && abs(reviews[0].Score-reviews[1].Score) > margin
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ShortlistScore is an application's shortlisting score: the moderated
// score when there is one, otherwise the mean of its two reviews rounded
// half up. done is false until both reviews are in and any moderation
// they need is done.
func ShortlistScore(margin int, reviews []Review, m *Moderation) (score int, done bool) {
	switch {
	case m != nil:
		return m.Score, true
	case len(reviews) < ReviewsPerApplication || NeedsModeration(margin, reviews, m):
		return 0, false
	}
	return (reviews[0].Score + reviews[1].Score + 1) / 2, true
}

// CheckModeration decides whether a person may moderate an application:
// not their own, not one they reviewed, and only when it needs it.
func CheckModeration(a *Application, by int64, margin int, reviews []Review, m *Moderation) error {
	switch {
	case a.UserID == by:
		return apperr.Errorf(apperr.Forbidden, "You cannot moderate your own application.")
	case slices.ContainsFunc(reviews, func(r Review) bool { return r.ReviewerID == by }):
		return apperr.Errorf(apperr.Forbidden, "You reviewed application %s; someone who did not must moderate it.", Reference(a.ID))
	case !NeedsModeration(margin, reviews, m):
		return apperr.Errorf(apperr.Conflict, "Application %s does not need moderation: its reviews are within %d points, not both in, or already moderated.",
			Reference(a.ID), margin)
	}
	return nil
}
