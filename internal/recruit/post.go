package recruit

import (
	"slices"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Post statuses. A withdrawn post takes no part in matching.
const (
	PostOpen      = "open"
	PostWithdrawn = "withdrawn"
)

// Post is a training post an employer offers in a round. Its region is its
// organisation's.
type Post struct {
	ID             int64  `json:"id"`
	RoundID        int64  `json:"round_id"`
	OrganisationID int64  `json:"organisation_id"`
	Organisation   string `json:"organisation"`
	Specialism     string `json:"specialism"`
	Site           string `json:"site"`
	Region         string `json:"region"`
	Places         int    `json:"places"`
	Contact        string `json:"contact"`
	Status         string `json:"status"`
	// InService: the post is filled through the in-service route, by
	// its employer's own nominees alone.
	InService bool      `json:"in_service"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxPlaces bounds one post's places.
const MaxPlaces = 100

// Validate checks a post's own fields; the service checks the specialism
// against the framework and sets the region from the organisation.
func (p *Post) Validate() error {
	var err error
	if p.Site, err = text.Name("site", "The site where the post is based", p.Site, 200); err != nil {
		return err
	}
	if p.Contact, err = text.Name("contact", "A contact for applicants' questions", p.Contact, 200); err != nil {
		return err
	}
	if p.Places < 1 || p.Places > MaxPlaces {
		return apperr.Invalidf("places", "Places must be a number from 1 to %d", MaxPlaces)
	}
	return nil
}

// CanPublishPost says whether posts may be published in the round at t:
// until applications close, so that applicants know what they apply for
// and nobody gains a say in a round already under way.
func CanPublishPost(r *Round, t time.Time) error {
	if t.Before(r.ShortlistingOpen) {
		return nil
	}
	return apperr.Errorf(apperr.Conflict, "Posts could be published until applications closed on %s.", r.ShortlistingOpen.UTC().Format(dateFormat))
}

// CanChangePost says whether a post may be edited or withdrawn at t:
// until matching begins.
func CanChangePost(r *Round, p *Post, t time.Time) error {
	switch {
	case p.Status == PostWithdrawn:
		return apperr.Errorf(apperr.Conflict, "This post was withdrawn and cannot be changed.")
	case !t.Before(r.OffersOpen) || r.MatchedAt != nil:
		return apperr.Errorf(apperr.Conflict, "Posts could be changed until matching began on %s.", r.OffersOpen.UTC().Format(dateFormat))
	}
	return nil
}

// PostFilter narrows the open posts; empty fields do not filter.
type PostFilter struct {
	Specialism string
	Region     string
	Programme  string
}

// OpenPost is a post with its round, for the public explorer.
type OpenPost struct {
	Post
	RoundName         string    `json:"round_name"`
	Programme         string    `json:"programme"`
	ApplicationsClose time.Time `json:"applications_close"`
}

// InterviewPanels lists the organisations that may interview an
// application: those with an open post in its specialism in its round.
func InterviewPanels(posts []Post, a *Application) []int64 {
	var out []int64
	for _, p := range posts {
		if p.RoundID == a.RoundID && p.Specialism == a.Specialism && p.Status == PostOpen && !p.InService && !slices.Contains(out, p.OrganisationID) {
			out = append(out, p.OrganisationID)
		}
	}
	return out
}
