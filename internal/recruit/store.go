package recruit

import (
	"context"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// Post is a training post an employer offers in a round.
type Post struct {
	ID             int64     `json:"id"`
	RoundID        int64     `json:"round_id"`
	OrganisationID int64     `json:"organisation_id"`
	Organisation   string    `json:"organisation"`
	Specialism     string    `json:"specialism"`
	Site           string    `json:"site"`
	Region         string    `json:"region"`
	Places         int       `json:"places"`
	Contact        string    `json:"contact"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks a post's own fields; the caller checks the specialism
// against the framework.
func (p *Post) Validate() error {
	p.Site, p.Contact = strings.TrimSpace(p.Site), strings.TrimSpace(p.Contact)
	switch {
	case p.Site == "":
		return apperr.Invalidf("site", "Enter the site where the post is based")
	case p.Places < 1 || p.Places > 100:
		return apperr.Invalidf("places", "places must be 1 to 100")
	case p.Contact == "":
		return apperr.Invalidf("contact", "Enter a contact for applicants' questions")
	}
	for _, r := range auth.Regions {
		if r == p.Region {
			return nil
		}
	}
	return apperr.Invalidf("region", "region %q is not one of: %s", p.Region, strings.Join(auth.Regions, ", "))
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

// Profile is what an applicant tells hcs about their qualifications.
// Credentials are framework credential ids (degree-21, masters, …), which
// the eligibility check reads.
type Profile struct {
	UserID         int64     `json:"user_id"`
	Credentials    []string  `json:"credentials"`
	Qualifications string    `json:"qualifications"`
	RightToWork    bool      `json:"right_to_work"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Application is one applicant's application in a round.
type Application struct {
	ID             int64     `json:"id"`
	RoundID        int64     `json:"round_id"`
	UserID         int64     `json:"user_id"`
	Specialism     string    `json:"specialism"`
	Statement      string    `json:"statement"`
	CreatedAt      time.Time `json:"created_at"`
	ShortlistScore *int      `json:"shortlist_score,omitempty"`
	InterviewScore *int      `json:"interview_score,omitempty"`
	NationalRank   *int      `json:"national_rank,omitempty"`
	DecidedBy      string    `json:"decided_by,omitempty"`
	Preferences    []int64   `json:"preferences"`
}

// BlindApplication is what a reviewer sees: no name, email, age or other
// personal or equality data; only a reference, the specialism and the
// supporting statement.
type BlindApplication struct {
	Reference       string `json:"reference"`
	ID              int64  `json:"id"`
	Specialism      string `json:"specialism"`
	Statement       string `json:"statement"`
	Reviews         int    `json:"reviews"`
	NeedsModeration bool   `json:"needs_moderation"`
}

// Offer statuses.
const (
	OfferOffered    = "offered"
	OfferHeld       = "held"
	OfferAccepted   = "accepted"
	OfferDeclined   = "declined"
	OfferExpired    = "expired"
	OfferSuperseded = "superseded" // replaced by an upgrade
)

// Offer is a place offered to an applicant after the match.
type Offer struct {
	ID            int64      `json:"id"`
	RoundID       int64      `json:"round_id"`
	ApplicationID int64      `json:"application_id"`
	PostID        int64      `json:"post_id"`
	Status        string     `json:"status"`
	Deadline      time.Time  `json:"deadline"`
	Upgrades      bool       `json:"upgrades"`
	CreatedAt     time.Time  `json:"created_at"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
}

// MatchOutcome is a match's result, published or not.
type MatchOutcome struct {
	Matched      int             `json:"matched"`
	Unmatched    int             `json:"unmatched"`
	Places       int             `json:"places"`
	Verification Verification    `json:"verification"`
	Assignments  map[int64]int64 `json:"assignments"` // application → post (0: unmatched)
}

// Result is what an applicant sees about their match.
type Result struct {
	ApplicationID int64        `json:"application_id"`
	PostID        int64        `json:"post_id,omitempty"`
	NationalRank  int          `json:"national_rank"`
	Reasons       []PostReason `json:"reasons"`
}

// PostReason explains one post the applicant preferred to their result.
type PostReason struct {
	PostID int64 `json:"post_id"`
	Reason
}

// Store keeps rounds, posts, applications, scores, preferences and offers.
// It checks each action against the round's timetable with the
// transaction's clock, and audits every change.
type Store interface {
	CreateRound(ctx context.Context, by auth.Actor, r *Round) error
	Round(ctx context.Context, id int64) (*Round, error)
	Rounds(ctx context.Context) ([]Round, error)
	CreatePost(ctx context.Context, by auth.Actor, p *Post) error
	Posts(ctx context.Context, roundID int64) ([]Post, error)
	// OpenPosts lists posts in rounds that are taking applications now.
	OpenPosts(ctx context.Context, f PostFilter) ([]OpenPost, error)

	SaveProfile(ctx context.Context, by auth.Actor, p *Profile) error
	Profile(ctx context.Context, userID int64) (*Profile, error)
	Apply(ctx context.Context, by auth.Actor, a *Application, eligible Eligibility) error
	Application(ctx context.Context, id int64) (*Application, error)
	ApplicationsOf(ctx context.Context, userID int64) ([]Application, error)

	ForReview(ctx context.Context, roundID int64) ([]BlindApplication, error)
	Review(ctx context.Context, by auth.Actor, applicationID int64, score int) error
	Moderate(ctx context.Context, by auth.Actor, applicationID int64, score int) error
	ScoreInterview(ctx context.Context, by auth.Actor, applicationID int64, station string, score int) error
	RankRound(ctx context.Context, by auth.Actor, roundID int64) ([]Ranked, error)

	SetPreferences(ctx context.Context, by auth.Actor, applicationID int64, posts []int64) error
	// SetPostRanking gives a post the employer's own order of applicants;
	// an empty list returns it to the national rank.
	SetPostRanking(ctx context.Context, by auth.Actor, postID int64, applications []int64) error
	Post(ctx context.Context, id int64) (*Post, error)
	Match(ctx context.Context, by auth.Actor, roundID int64, publish bool, capacities map[int64]int) (*MatchOutcome, error)
	Result(ctx context.Context, applicationID int64) (*Result, error)

	Offers(ctx context.Context, applicationID int64) ([]Offer, error)
	RoundOffers(ctx context.Context, roundID int64) ([]Offer, error)
	AnswerOffer(ctx context.Context, by auth.Actor, offerID int64, answer string, upgrades bool) (*Offer, error)
	ExpireOffers(ctx context.Context, by auth.Actor, roundID int64) (int, error)
}
