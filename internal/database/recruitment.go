package database

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/recruit"
)

var _ recruit.Store = (*DB)(nil)

const roundColumns = `id, programme, name, applications_open, shortlisting_open, interviews_open, preferences_open, offers_open, start_date,
	tie_break_seed, score_margin, shortlist_weight, interview_weight, offer_working_days, matched_at, created_at`

func scanRound(scan func(...any) error) (*recruit.Round, error) {
	var r recruit.Round
	var matched sql.NullTime
	err := scan(&r.ID, &r.Programme, &r.Name, &r.ApplicationsOpen, &r.ShortlistingOpen, &r.InterviewsOpen, &r.PreferencesOpen, &r.OffersOpen, &r.StartDate,
		&r.TieBreakSeed, &r.ScoreMargin, &r.ShortlistWeight, &r.InterviewWeight, &r.OfferWorkingDays, &matched, &r.CreatedAt)
	if err != nil {
		return nil, err
	}
	if matched.Valid {
		r.MatchedAt = &matched.Time
	}
	return &r, nil
}

func roundByID(ctx context.Context, tx *Tx, id int64) (*recruit.Round, error) {
	r, err := scanRound(tx.QueryRow(ctx, "SELECT "+roundColumns+" FROM rounds WHERE id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no round %d", id)
	}
	return r, err
}

func (db *DB) CreateRound(ctx context.Context, by auth.Actor, r *recruit.Round) error {
	return db.Write(ctx, func(tx *Tx) error {
		id, err := tx.Insert(ctx, `INSERT INTO rounds (programme, name, applications_open, shortlisting_open, interviews_open, preferences_open, offers_open,
			start_date, tie_break_seed, score_margin, shortlist_weight, interview_weight, offer_working_days, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			r.Programme, r.Name, r.ApplicationsOpen.UTC(), r.ShortlistingOpen.UTC(), r.InterviewsOpen.UTC(), r.PreferencesOpen.UTC(), r.OffersOpen.UTC(),
			r.StartDate.UTC(), r.TieBreakSeed, r.ScoreMargin, r.ShortlistWeight, r.InterviewWeight, r.OfferWorkingDays, tx.Now)
		if apperr.Code(err) == apperr.Conflict {
			return &apperr.Error{Code: apperr.Conflict, Field: "name", Message: fmt.Sprintf("A round called %q already exists", r.Name), Err: err}
		}
		if err != nil {
			return err
		}
		r.ID, r.CreatedAt = id, tx.Now
		return audit(ctx, tx, by, "round.create", "round", id, r.Programme+" "+r.Name+", tie-break seed "+r.TieBreakSeed)
	})
}

func (db *DB) Round(ctx context.Context, id int64) (*recruit.Round, error) {
	var r *recruit.Round
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		r, err = roundByID(ctx, tx, id)
		return err
	})
	return r, err
}

func (db *DB) Rounds(ctx context.Context) ([]recruit.Round, error) {
	out := []recruit.Round{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+roundColumns+" FROM rounds ORDER BY applications_open DESC, id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRound(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		return rows.Err()
	})
	return out, err
}

func (db *DB) CreatePost(ctx context.Context, by auth.Actor, p *recruit.Post) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		r, err := roundByID(ctx, tx, p.RoundID)
		if err != nil {
			return err
		}
		if !tx.Now.Before(r.OffersOpen) {
			return apperr.Errorf(apperr.Conflict, "Posts could be added until matching began on %s.", r.OffersOpen.UTC().Format("2 January 2006"))
		}
		id, err := tx.Insert(ctx, `INSERT INTO posts (round_id, organisation_id, specialism, site, region, places, contact, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, p.RoundID, p.OrganisationID, p.Specialism, p.Site, p.Region, p.Places, p.Contact, tx.Now)
		if apperr.Code(err) == apperr.Invalid {
			return apperr.Invalidf("organisation_id", "there is no organisation %d", p.OrganisationID)
		}
		if err != nil {
			return err
		}
		p.ID, p.CreatedAt = id, tx.Now
		return audit(ctx, tx, by, "post.create", "post", id, fmt.Sprintf("round %d, %s, %d place(s)", p.RoundID, p.Specialism, p.Places))
	})
}

func postsOf(ctx context.Context, tx *Tx, roundID int64) ([]recruit.Post, error) {
	rows, err := tx.Query(ctx, `SELECT p.id, p.round_id, p.organisation_id, o.name, p.specialism, p.site, p.region, p.places, p.contact, p.created_at
		FROM posts p JOIN organisations o ON o.id = p.organisation_id WHERE p.round_id = $1 ORDER BY p.id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []recruit.Post{}
	for rows.Next() {
		var p recruit.Post
		if err := rows.Scan(&p.ID, &p.RoundID, &p.OrganisationID, &p.Organisation, &p.Specialism, &p.Site, &p.Region, &p.Places, &p.Contact, &p.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (db *DB) Posts(ctx context.Context, roundID int64) ([]recruit.Post, error) {
	var out []recruit.Post
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := roundByID(ctx, tx, roundID); err != nil {
			return err
		}
		var err error
		out, err = postsOf(ctx, tx, roundID)
		return err
	})
	return out, err
}

func (db *DB) OpenPosts(ctx context.Context, f recruit.PostFilter) ([]recruit.OpenPost, error) {
	out := []recruit.OpenPost{}
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT p.id, p.round_id, p.organisation_id, o.name, p.specialism, p.site, p.region, p.places, p.contact, p.created_at,
			r.name, r.programme, r.shortlisting_open
			FROM posts p JOIN rounds r ON r.id = p.round_id JOIN organisations o ON o.id = p.organisation_id
			WHERE r.applications_open <= $1 AND $1 < r.shortlisting_open`
		args := []any{tx.Now}
		for _, c := range []struct{ column, value string }{{"p.specialism", f.Specialism}, {"p.region", f.Region}, {"r.programme", f.Programme}} {
			if c.value != "" {
				args = append(args, c.value)
				q += fmt.Sprintf(" AND %s = $%d", c.column, len(args))
			}
		}
		rows, err := tx.Query(ctx, q+" ORDER BY p.specialism, p.region, p.site, p.id", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p recruit.OpenPost
			if err := rows.Scan(&p.ID, &p.RoundID, &p.OrganisationID, &p.Organisation, &p.Specialism, &p.Site, &p.Region, &p.Places, &p.Contact, &p.CreatedAt,
				&p.RoundName, &p.Programme, &p.ApplicationsClose); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

func (db *DB) SaveProfile(ctx context.Context, by auth.Actor, p *recruit.Profile) error {
	return db.Write(ctx, func(tx *Tx) error {
		creds := strings.Join(p.Credentials, ",")
		right := 0
		if p.RightToWork {
			right = 1
		}
		res, err := tx.Exec(ctx, "UPDATE profiles SET credentials = $1, qualifications = $2, right_to_work = $3, updated_at = $4 WHERE user_id = $5",
			creds, p.Qualifications, right, tx.Now, p.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO profiles (user_id, credentials, qualifications, right_to_work, updated_at) VALUES ($1, $2, $3, $4, $5)",
				p.UserID, creds, p.Qualifications, right, tx.Now); err != nil {
				return err
			}
		}
		p.UpdatedAt = tx.Now
		return audit(ctx, tx, by, "profile.save", "user", p.UserID, "credentials "+creds)
	})
}

func (db *DB) Profile(ctx context.Context, userID int64) (*recruit.Profile, error) {
	p := &recruit.Profile{UserID: userID, Credentials: []string{}}
	err := db.Read(ctx, func(tx *Tx) error {
		var creds string
		var right int
		err := tx.QueryRow(ctx, "SELECT credentials, qualifications, right_to_work, updated_at FROM profiles WHERE user_id = $1", userID).
			Scan(&creds, &p.Qualifications, &right, &p.UpdatedAt)
		if err != nil {
			return err
		}
		if creds != "" {
			p.Credentials = strings.Split(creds, ",")
		}
		p.RightToWork = right == 1
		return nil
	})
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "you have not filled in your profile yet")
	}
	return p, err
}

func (db *DB) Apply(ctx context.Context, by auth.Actor, a *recruit.Application, e recruit.Eligibility) error {
	return db.Write(ctx, func(tx *Tx) error {
		r, err := roundByID(ctx, tx, a.RoundID)
		if err != nil {
			return err
		}
		if err := r.RequireStage(recruit.StageApplications, "applying", tx.Now); err != nil {
			return err
		}
		if !e.Eligible {
			return apperr.Invalidf("eligibility", "%s", e.Reason)
		}
		var open int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM posts WHERE round_id = $1 AND specialism = $2", a.RoundID, a.Specialism).Scan(&open); err != nil {
			return err
		}
		if open == 0 {
			return apperr.Invalidf("specialism", "there are no posts in %s in this round", a.Specialism)
		}
		id, err := tx.Insert(ctx, "INSERT INTO applications (round_id, user_id, specialism, statement, created_at) VALUES ($1, $2, $3, $4, $5)",
			a.RoundID, a.UserID, a.Specialism, a.Statement, tx.Now)
		if apperr.Code(err) == apperr.Conflict {
			return &apperr.Error{Code: apperr.Conflict, Field: "specialism", Message: "You have already applied in this round: each applicant applies to one specialism.", Err: err}
		}
		if err != nil {
			return err
		}
		a.ID, a.CreatedAt = id, tx.Now
		return audit(ctx, tx, by, "application.submit", "application", id, fmt.Sprintf("round %d, %s", a.RoundID, a.Specialism))
	})
}

const applicationColumns = "id, round_id, user_id, specialism, statement, created_at, shortlist_score, interview_score, national_rank, decided_by"

func scanApplication(scan func(...any) error) (*recruit.Application, error) {
	var a recruit.Application
	var sl, iv, rank sql.NullInt64
	if err := scan(&a.ID, &a.RoundID, &a.UserID, &a.Specialism, &a.Statement, &a.CreatedAt, &sl, &iv, &rank, &a.DecidedBy); err != nil {
		return nil, err
	}
	ptr := func(n sql.NullInt64) *int {
		if !n.Valid {
			return nil
		}
		v := int(n.Int64)
		return &v
	}
	a.ShortlistScore, a.InterviewScore, a.NationalRank = ptr(sl), ptr(iv), ptr(rank)
	return &a, nil
}

func applicationByID(ctx context.Context, tx *Tx, id int64) (*recruit.Application, error) {
	a, err := scanApplication(tx.QueryRow(ctx, "SELECT "+applicationColumns+" FROM applications WHERE id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no application %d", id)
	}
	if err != nil {
		return nil, err
	}
	a.Preferences, err = preferencesOf(ctx, tx, id)
	return a, err
}

func preferencesOf(ctx context.Context, tx *Tx, applicationID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, "SELECT post_id FROM preferences WHERE application_id = $1 ORDER BY rank", applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (db *DB) Application(ctx context.Context, id int64) (*recruit.Application, error) {
	var a *recruit.Application
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		a, err = applicationByID(ctx, tx, id)
		return err
	})
	return a, err
}

func (db *DB) ApplicationsOf(ctx context.Context, userID int64) ([]recruit.Application, error) {
	out := []recruit.Application{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+applicationColumns+" FROM applications WHERE user_id = $1 ORDER BY id", userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			a, err := scanApplication(rows.Scan)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, *a)
		}
		rows.Close()
		for i := range out {
			if out[i].Preferences, err = preferencesOf(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// applicationInStage loads an application and its round and checks that
// the round is in the stage the action belongs to.
func applicationInStage(ctx context.Context, tx *Tx, applicationID int64, stage, action string) (*recruit.Application, *recruit.Round, error) {
	a, err := applicationByID(ctx, tx, applicationID)
	if err != nil {
		return nil, nil, err
	}
	r, err := roundByID(ctx, tx, a.RoundID)
	if err != nil {
		return nil, nil, err
	}
	return a, r, r.RequireStage(stage, action, tx.Now)
}

// reviewState returns an application's review scores and moderated score.
func reviewState(ctx context.Context, tx *Tx, applicationID int64) (scores []int, moderated *int, err error) {
	rows, err := tx.Query(ctx, "SELECT score FROM reviews WHERE application_id = $1 ORDER BY id", applicationID)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var s int
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, nil, err
		}
		scores = append(scores, s)
	}
	rows.Close()
	var m int
	err = tx.QueryRow(ctx, "SELECT score FROM moderations WHERE application_id = $1", applicationID).Scan(&m)
	if apperr.Code(err) == apperr.NotFound {
		return scores, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return scores, &m, nil
}

func needsModeration(r *recruit.Round, scores []int, moderated *int) bool {
	return moderated == nil && len(scores) == 2 && abs(scores[0]-scores[1]) > r.ScoreMargin
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func (db *DB) ForReview(ctx context.Context, roundID int64) ([]recruit.BlindApplication, error) {
	out := []recruit.BlindApplication{}
	err := db.Read(ctx, func(tx *Tx) error {
		r, err := roundByID(ctx, tx, roundID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT id, specialism, statement FROM applications WHERE round_id = $1 ORDER BY id", roundID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var b recruit.BlindApplication
			if err := rows.Scan(&b.ID, &b.Specialism, &b.Statement); err != nil {
				rows.Close()
				return err
			}
			b.Reference = fmt.Sprintf("APP-%06d", b.ID)
			out = append(out, b)
		}
		rows.Close()
		for i := range out {
			scores, moderated, err := reviewState(ctx, tx, out[i].ID)
			if err != nil {
				return err
			}
			out[i].Reviews = len(scores)
			out[i].NeedsModeration = needsModeration(r, scores, moderated)
		}
		return nil
	})
	return out, err
}

func validScore(score int) error {
	if score < 0 || score > 100 {
		return apperr.Invalidf("score", "scores are 0 to 100, not %d", score)
	}
	return nil
}

func (db *DB) Review(ctx context.Context, by auth.Actor, applicationID int64, score int) error {
	if err := validScore(score); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		a, _, err := applicationInStage(ctx, tx, applicationID, recruit.StageShortlisting, "shortlisting")
		if err != nil {
			return err
		}
		if a.UserID == by.UserID {
			return apperr.Errorf(apperr.Forbidden, "You cannot review your own application.")
		}
		scores, _, err := reviewState(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		if len(scores) >= 2 {
			return apperr.Errorf(apperr.Conflict, "Application APP-%06d already has its two reviews.", applicationID)
		}
		if _, err := tx.Insert(ctx, "INSERT INTO reviews (application_id, reviewer_id, score, created_at) VALUES ($1, $2, $3, $4)",
			applicationID, by.UserID, score, tx.Now); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return apperr.Errorf(apperr.Conflict, "You have already reviewed application APP-%06d; a second reviewer must score it.", applicationID)
			}
			return err
		}
		return audit(ctx, tx, by, "application.review", "application", applicationID, "score "+strconv.Itoa(score))
	})
}

func (db *DB) Moderate(ctx context.Context, by auth.Actor, applicationID int64, score int) error {
	if err := validScore(score); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		_, r, err := applicationInStage(ctx, tx, applicationID, recruit.StageShortlisting, "moderation")
		if err != nil {
			return err
		}
		scores, moderated, err := reviewState(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		if !needsModeration(r, scores, moderated) {
			return apperr.Errorf(apperr.Conflict, "Application APP-%06d does not need moderation: its reviews are within %d points or not both in.", applicationID, r.ScoreMargin)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO moderations (application_id, moderator_id, score, created_at) VALUES ($1, $2, $3, $4)",
			applicationID, by.UserID, score, tx.Now); err != nil {
			return err
		}
		return audit(ctx, tx, by, "application.moderate", "application", applicationID, fmt.Sprintf("reviews %v, moderated %d", scores, score))
	})
}

func (db *DB) ScoreInterview(ctx context.Context, by auth.Actor, applicationID int64, station string, score int) error {
	station = strings.TrimSpace(station)
	if station == "" || len(station) > 100 {
		return apperr.Invalidf("station", "name the interview station (up to 100 characters)")
	}
	if err := validScore(score); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		_, _, err := applicationInStage(ctx, tx, applicationID, recruit.StageInterviews, "interview scoring")
		if err != nil {
			return err
		}
		if _, err := tx.Insert(ctx, "INSERT INTO interview_scores (application_id, station, score, assessor_id, created_at) VALUES ($1, $2, $3, $4, $5)",
			applicationID, station, score, by.UserID, tx.Now); err != nil {
			if apperr.Code(err) == apperr.Conflict {
				return apperr.Errorf(apperr.Conflict, "Station %q is already scored for application APP-%06d.", station, applicationID)
			}
			return err
		}
		return audit(ctx, tx, by, "application.interview", "application", applicationID, fmt.Sprintf("%s: %d", station, score))
	})
}

// RankRound computes every application's shortlisting and interview
// scores and the national rank in each specialism. It refuses while any
// application lacks its reviews, moderation or interview.
func (db *DB) RankRound(ctx context.Context, by auth.Actor, roundID int64) ([]recruit.Ranked, error) {
	var all []recruit.Ranked
	err := db.Write(ctx, func(tx *Tx) error {
		r, err := roundByID(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if err := r.RequireStage(recruit.StagePreferences, "ranking", tx.Now); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT a.id, a.specialism, COALESCE(SUM(i.score), -1) FROM applications a
			LEFT JOIN interview_scores i ON i.application_id = a.id WHERE a.round_id = $1 GROUP BY a.id, a.specialism ORDER BY a.id`, roundID)
		if err != nil {
			return err
		}
		type app struct {
			id         int64
			specialism string
			interview  int
		}
		var apps []app
		for rows.Next() {
			var a app
			if err := rows.Scan(&a.id, &a.specialism, &a.interview); err != nil {
				rows.Close()
				return err
			}
			apps = append(apps, a)
		}
		rows.Close()
		bySpecialism := map[string][]recruit.Candidate{}
		var problems []string
		for _, a := range apps {
			scores, moderated, err := reviewState(ctx, tx, a.id)
			if err != nil {
				return err
			}
			switch {
			case len(scores) < 2:
				problems = append(problems, fmt.Sprintf("APP-%06d has %d of 2 reviews", a.id, len(scores)))
				continue
			case needsModeration(r, scores, moderated):
				problems = append(problems, fmt.Sprintf("APP-%06d needs moderation", a.id))
				continue
			case a.interview < 0:
				problems = append(problems, fmt.Sprintf("APP-%06d has no interview score", a.id))
				continue
			}
			shortlist := (scores[0] + scores[1] + 1) / 2
			if moderated != nil {
				shortlist = *moderated
			}
			bySpecialism[a.specialism] = append(bySpecialism[a.specialism], recruit.Candidate{ApplicationID: a.id, ShortlistScore: shortlist, InterviewScore: a.interview})
		}
		if len(problems) > 0 {
			return apperr.Errorf(apperr.Conflict, "The round cannot be ranked yet: %s.", strings.Join(problems, "; "))
		}
		specs := make([]string, 0, len(bySpecialism))
		for s := range bySpecialism {
			specs = append(specs, s)
		}
		slices.Sort(specs)
		for _, s := range specs {
			for _, rk := range recruit.NationalRank(r, bySpecialism[s]) {
				if _, err := tx.Exec(ctx, "UPDATE applications SET shortlist_score = $1, interview_score = $2, national_rank = $3, decided_by = $4 WHERE id = $5",
					rk.ShortlistScore, rk.InterviewScore, rk.Rank, rk.DecidedBy, rk.ApplicationID); err != nil {
					return err
				}
				all = append(all, rk)
			}
		}
		return audit(ctx, tx, by, "round.rank", "round", roundID, fmt.Sprintf("%d applications ranked in %d specialism(s); ties broken by seed %q", len(all), len(specs), r.TieBreakSeed))
	})
	return all, err
}

func (db *DB) SetPreferences(ctx context.Context, by auth.Actor, applicationID int64, posts []int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		a, _, err := applicationInStage(ctx, tx, applicationID, recruit.StagePreferences, "ranking posts")
		if err != nil {
			return err
		}
		roundPosts, err := postsOf(ctx, tx, a.RoundID)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, id := range posts {
			i := slices.IndexFunc(roundPosts, func(p recruit.Post) bool { return p.ID == id })
			switch {
			case i < 0:
				return apperr.Invalidf("posts", "post %d is not in this round", id)
			case roundPosts[i].Specialism != a.Specialism:
				return apperr.Invalidf("posts", "post %d is in %s; you applied to %s", id, roundPosts[i].Specialism, a.Specialism)
			case seen[id]:
				return apperr.Invalidf("posts", "post %d is listed twice", id)
			}
			seen[id] = true
		}
		if _, err := tx.Exec(ctx, "DELETE FROM preferences WHERE application_id = $1", applicationID); err != nil {
			return err
		}
		for i, id := range posts {
			if _, err := tx.Exec(ctx, "INSERT INTO preferences (application_id, post_id, rank) VALUES ($1, $2, $3)", applicationID, id, i+1); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, "preferences.set", "application", applicationID, fmt.Sprintf("%v", posts))
	})
}

func (db *DB) Post(ctx context.Context, id int64) (*recruit.Post, error) {
	var out *recruit.Post
	err := db.Read(ctx, func(tx *Tx) error {
		var roundID int64
		if err := tx.QueryRow(ctx, "SELECT round_id FROM posts WHERE id = $1", id).Scan(&roundID); err != nil {
			if apperr.Code(err) == apperr.NotFound {
				return apperr.Errorf(apperr.NotFound, "there is no post %d", id)
			}
			return err
		}
		posts, err := postsOf(ctx, tx, roundID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(posts, func(p recruit.Post) bool { return p.ID == id })
		out = &posts[i]
		return nil
	})
	return out, err
}

func (db *DB) SetPostRanking(ctx context.Context, by auth.Actor, postID int64, applications []int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var roundID int64
		var specialism string
		if err := tx.QueryRow(ctx, "SELECT round_id, specialism FROM posts WHERE id = $1", postID).Scan(&roundID, &specialism); err != nil {
			if apperr.Code(err) == apperr.NotFound {
				return apperr.Errorf(apperr.NotFound, "there is no post %d", postID)
			}
			return err
		}
		r, err := roundByID(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if err := r.RequireStage(recruit.StagePreferences, "ranking applicants for a post", tx.Now); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, id := range applications {
			var round int64
			var spec string
			err := tx.QueryRow(ctx, "SELECT round_id, specialism FROM applications WHERE id = $1", id).Scan(&round, &spec)
			switch {
			case apperr.Code(err) == apperr.NotFound || (err == nil && (round != roundID || spec != specialism)):
				return apperr.Invalidf("applications", "application %d did not apply for %s in this round", id, specialism)
			case err != nil:
				return err
			case seen[id]:
				return apperr.Invalidf("applications", "application %d is listed twice", id)
			}
			seen[id] = true
		}
		if _, err := tx.Exec(ctx, "DELETE FROM post_rankings WHERE post_id = $1", postID); err != nil {
			return err
		}
		for i, id := range applications {
			if _, err := tx.Exec(ctx, "INSERT INTO post_rankings (post_id, application_id, rank) VALUES ($1, $2, $3)", postID, id, i+1); err != nil {
				return err
			}
		}
		detail := "national rank"
		if len(applications) > 0 {
			detail = fmt.Sprintf("own list of %d applicants", len(applications))
		}
		return audit(ctx, tx, by, "post.ranking", "post", postID, detail)
	})
}

// roundMarket builds the stable-matching market of a round: ranked
// applications and the posts of their specialism. Each post ranks the
// applicants of its specialism by national rank, or by its employer's own
// list when it has one (then only those listed are acceptable).
type roundMarket struct {
	market  *recruit.Market
	apps    []int64 // market applicant index → application id
	ranks   []int   // national rank per market applicant
	posts   []recruit.Post
	postIdx map[int64]int32
}

func buildMarket(ctx context.Context, tx *Tx, roundID int64, capacities map[int64]int) (*roundMarket, error) {
	posts, err := postsOf(ctx, tx, roundID)
	if err != nil {
		return nil, err
	}
	rm := &roundMarket{posts: posts, postIdx: map[int64]int32{}}
	capacity := make([]int32, len(posts))
	for i, p := range posts {
		rm.postIdx[p.ID] = int32(i)
		capacity[i] = int32(p.Places)
		if c, ok := capacities[p.ID]; ok {
			capacity[i] = int32(c)
		}
	}
	rows, err := tx.Query(ctx, "SELECT id, specialism, national_rank FROM applications WHERE round_id = $1 AND national_rank IS NOT NULL ORDER BY id", roundID)
	if err != nil {
		return nil, err
	}
	var specs []string
	for rows.Next() {
		var id int64
		var spec string
		var rank int
		if err := rows.Scan(&id, &spec, &rank); err != nil {
			rows.Close()
			return nil, err
		}
		rm.apps, rm.ranks, specs = append(rm.apps, id), append(rm.ranks, rank), append(specs, spec)
	}
	rows.Close()
	prefs := make([][]int32, len(rm.apps))
	for i, id := range rm.apps {
		ps, err := preferencesOf(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			prefs[i] = append(prefs[i], rm.postIdx[p])
		}
	}
	own := map[int32]map[int64]int32{} // post index → application → rank
	rows, err = tx.Query(ctx, `SELECT pr.post_id, pr.application_id, pr.rank FROM post_rankings pr JOIN posts p ON p.id = pr.post_id WHERE p.round_id = $1`, roundID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var post, app int64
		var rank int32
		if err := rows.Scan(&post, &app, &rank); err != nil {
			rows.Close()
			return nil, err
		}
		pi := rm.postIdx[post]
		if own[pi] == nil {
			own[pi] = map[int64]int32{}
		}
		own[pi][app] = rank
	}
	rows.Close()
	rm.market = recruit.NewMarket(capacity, prefs, func(post, applicant int32) (int32, bool) {
		if posts[post].Specialism != specs[applicant] {
			return 0, false
		}
		if list, ok := own[post]; ok {
			r, listed := list[rm.apps[applicant]]
			return r, listed
		}
		return int32(rm.ranks[applicant]), true
	})
	return rm, nil
}

// Match runs the round's stable match. Unless publish is set it changes
// nothing (a what-if, optionally with other capacities). Published, it
// records an offer for every matched applicant, but only if the verifier
// finds the result valid and stable.
func (db *DB) Match(ctx context.Context, by auth.Actor, roundID int64, publish bool, capacities map[int64]int) (*recruit.MatchOutcome, error) {
	var out *recruit.MatchOutcome
	run := db.Read
	if publish {
		run = db.Write
	}
	err := run(ctx, func(tx *Tx) error {
		r, err := roundByID(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if publish {
			if err := r.RequireStage(recruit.StageOffers, "matching", tx.Now); err != nil {
				return err
			}
			if r.MatchedAt != nil {
				return apperr.Errorf(apperr.Conflict, "This round was matched on %s; offers now move by cascade.", r.MatchedAt.UTC().Format("2 January 2006"))
			}
			if len(capacities) > 0 {
				return apperr.Invalidf("capacities", "changed capacities are for what-if runs only")
			}
		}
		for id, c := range capacities {
			if c < 0 || c > 100 {
				return apperr.Invalidf("capacities", "post %d: capacity %d must be 0 to 100", id, c)
			}
		}
		rm, err := buildMarket(ctx, tx, roundID, capacities)
		if err != nil {
			return err
		}
		for id := range capacities {
			if _, ok := rm.postIdx[id]; !ok {
				return apperr.Invalidf("capacities", "post %d is not in this round", id)
			}
		}
		assign := rm.market.Match()
		v := rm.market.Verify(assign)
		out = &recruit.MatchOutcome{Verification: v, Assignments: map[int64]int64{}}
		for p := range rm.posts {
			out.Places += int(rm.market.Capacity(int32(p)))
		}
		for i, p := range assign {
			if p == recruit.Unmatched {
				out.Unmatched++
				out.Assignments[rm.apps[i]] = 0
				continue
			}
			out.Matched++
			out.Assignments[rm.apps[i]] = rm.posts[p].ID
		}
		if !v.OK() {
			return fmt.Errorf("the verifier rejected round %d's match: %+v", roundID, v)
		}
		if !publish {
			return nil
		}
		deadline := recruit.AddWorkingDays(tx.Now, r.OfferWorkingDays)
		for i, p := range assign {
			if p == recruit.Unmatched {
				continue
			}
			if err := createOffer(ctx, tx, by, roundID, rm.apps[i], rm.posts[p].ID, deadline, false, "match"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE rounds SET matched_at = $1 WHERE id = $2", tx.Now, roundID); err != nil {
			return err
		}
		return audit(ctx, tx, by, "round.match", "round", roundID, fmt.Sprintf("matched %d, unmatched %d, %d places; verifier: %d blocking pairs, %d over capacity",
			out.Matched, out.Unmatched, out.Places, v.BlockingPairs, v.OverCapacity))
	})
	return out, err
}

func createOffer(ctx context.Context, tx *Tx, by auth.Actor, roundID, applicationID, postID int64, deadline time.Time, upgrades bool, why string) error {
	up := 0
	if upgrades {
		up = 1
	}
	id, err := tx.Insert(ctx, "INSERT INTO offers (round_id, application_id, post_id, status, deadline, upgrades, created_at) VALUES ($1, $2, $3, 'offered', $4, $5, $6)",
		roundID, applicationID, postID, deadline.UTC(), up, tx.Now)
	if err != nil {
		return err
	}
	// Tell the applicant through the outbox.
	var userID int64
	var email, name, site, org, specialism string
	if err := tx.QueryRow(ctx, `SELECT u.id, u.email, u.name, p.site, o.name, p.specialism FROM applications a
		JOIN users u ON u.id = a.user_id JOIN posts p ON p.id = $2 JOIN organisations o ON o.id = p.organisation_id
		WHERE a.id = $1`, applicationID, postID).Scan(&userID, &email, &name, &site, &org, &specialism); err != nil {
		return err
	}
	body := fmt.Sprintf("Hello %s,\n\nYou have been offered a training post in %s at %s, %s.\n\nPlease accept, hold or decline it by %s. An offer that is not answered by then expires and the place is offered to someone else.\n",
		name, specialism, site, org, deadline.UTC().Format(dateTime))
	if _, err := tx.Insert(ctx, "INSERT INTO outbox (user_id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
		userID, email, "Offer of a training post", body, tx.Now); err != nil {
		return err
	}
	return audit(ctx, tx, by, "offer.create", "offer", id, fmt.Sprintf("application %d, post %d, by %s, answer by %s", applicationID, postID, why, deadline.UTC().Format(time.RFC3339)))
}

func (db *DB) Result(ctx context.Context, applicationID int64) (*recruit.Result, error) {
	var res *recruit.Result
	err := db.Read(ctx, func(tx *Tx) error {
		a, err := applicationByID(ctx, tx, applicationID)
		if err != nil {
			return err
		}
		r, err := roundByID(ctx, tx, a.RoundID)
		if err != nil {
			return err
		}
		if r.MatchedAt == nil || a.NationalRank == nil {
			return apperr.Errorf(apperr.NotFound, "there is no match result for this application yet")
		}
		rm, err := buildMarket(ctx, tx, a.RoundID, nil)
		if err != nil {
			return err
		}
		assign := rm.market.Match()
		me := int32(slices.Index(rm.apps, applicationID))
		res = &recruit.Result{ApplicationID: applicationID, NationalRank: *a.NationalRank, Reasons: []recruit.PostReason{}}
		if p := assign[me]; p != recruit.Unmatched {
			res.PostID = rm.posts[p].ID
		}
		for _, reason := range rm.market.Explain(assign, me) {
			// Posts rank by national rank or by their employer's own list,
			// both counted from 1; Explain counts from the market's ranks
			// plus one.
			reason.YourRank, reason.CutOffRank = reason.YourRank-1, reason.CutOffRank-1
			reason.Explanation = fmt.Sprintf("All %d place(s) went to applicants this post ranked above you: you were ranked %d and the last place went to the applicant ranked %d.",
				reason.Places, reason.YourRank, reason.CutOffRank)
			if reason.Places == 0 {
				reason.Explanation = "This post had no places."
			}
			res.Reasons = append(res.Reasons, recruit.PostReason{PostID: rm.posts[reason.PostIndex].ID, Reason: reason})
		}
		return nil
	})
	return res, err
}

const offerColumns = "id, round_id, application_id, post_id, status, deadline, upgrades, created_at, answered_at"

func scanOffer(scan func(...any) error) (*recruit.Offer, error) {
	var o recruit.Offer
	var up int
	var answered sql.NullTime
	if err := scan(&o.ID, &o.RoundID, &o.ApplicationID, &o.PostID, &o.Status, &o.Deadline, &up, &o.CreatedAt, &answered); err != nil {
		return nil, err
	}
	o.Upgrades = up == 1
	if answered.Valid {
		o.AnsweredAt = &answered.Time
	}
	return &o, nil
}

func offersWhere(ctx context.Context, tx *Tx, where string, args ...any) ([]recruit.Offer, error) {
	rows, err := tx.Query(ctx, "SELECT "+offerColumns+" FROM offers WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []recruit.Offer{}
	for rows.Next() {
		o, err := scanOffer(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

func (db *DB) Offers(ctx context.Context, applicationID int64) ([]recruit.Offer, error) {
	var out []recruit.Offer
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = offersWhere(ctx, tx, "application_id = $1", applicationID)
		return err
	})
	return out, err
}

func (db *DB) RoundOffers(ctx context.Context, roundID int64) ([]recruit.Offer, error) {
	var out []recruit.Offer
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = offersWhere(ctx, tx, "round_id = $1", roundID)
		return err
	})
	return out, err
}

// Answers to an offer.
const (
	AnswerAccept  = "accept"
	AnswerHold    = "hold"
	AnswerDecline = "decline"
)

func (db *DB) AnswerOffer(ctx context.Context, by auth.Actor, offerID int64, answer string, upgrades bool) (*recruit.Offer, error) {
	var out *recruit.Offer
	err := db.Write(ctx, func(tx *Tx) error {
		o, err := scanOffer(tx.QueryRow(ctx, "SELECT "+offerColumns+" FROM offers WHERE id = $1", offerID).Scan)
		if apperr.Code(err) == apperr.NotFound {
			return apperr.Errorf(apperr.NotFound, "there is no offer %d", offerID)
		}
		if err != nil {
			return err
		}
		if _, err := expireDue(ctx, tx, by, o.RoundID); err != nil {
			return err
		}
		if o, err = scanOffer(tx.QueryRow(ctx, "SELECT "+offerColumns+" FROM offers WHERE id = $1", offerID).Scan); err != nil {
			return err
		}
		switch {
		case o.Status == recruit.OfferExpired:
			return apperr.Errorf(apperr.Conflict, "This offer expired on %s; the place has been offered to someone else.", o.Deadline.UTC().Format(dateTime))
		case o.Status != recruit.OfferOffered && o.Status != recruit.OfferHeld && !(o.Status == recruit.OfferAccepted && answer == AnswerDecline):
			return apperr.Errorf(apperr.Conflict, "This offer was %s and cannot be changed.", o.Status)
		}
		status := map[string]string{AnswerAccept: recruit.OfferAccepted, AnswerHold: recruit.OfferHeld, AnswerDecline: recruit.OfferDeclined}[answer]
		if status == "" {
			return apperr.Invalidf("answer", "answer %q must be accept, hold or decline", answer)
		}
		up := 0
		if upgrades && answer != AnswerDecline {
			up = 1
		}
		if _, err := tx.Exec(ctx, "UPDATE offers SET status = $1, upgrades = $2, answered_at = $3 WHERE id = $4", status, up, tx.Now, offerID); err != nil {
			return err
		}
		if err := audit(ctx, tx, by, "offer."+answer, "offer", offerID, fmt.Sprintf("upgrades %v", up == 1)); err != nil {
			return err
		}
		if status == recruit.OfferDeclined {
			if err := cascade(ctx, tx, by, o.RoundID, o.PostID); err != nil {
				return err
			}
		}
		out, err = scanOffer(tx.QueryRow(ctx, "SELECT "+offerColumns+" FROM offers WHERE id = $1", offerID).Scan)
		return err
	})
	return out, err
}

const dateTime = "2 January 2006 at 15:04 UTC"

func (db *DB) ExpireOffers(ctx context.Context, by auth.Actor, roundID int64) (int, error) {
	var n int
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := roundByID(ctx, tx, roundID); err != nil {
			return err
		}
		var err error
		n, err = expireDue(ctx, tx, by, roundID)
		return err
	})
	return n, err
}

// expireDue expires unanswered offers past their deadline and offers their
// places on down the ranking.
func expireDue(ctx context.Context, tx *Tx, by auth.Actor, roundID int64) (int, error) {
	due, err := offersWhere(ctx, tx, "round_id = $1 AND status = 'offered' AND deadline <= $2", roundID, tx.Now)
	if err != nil {
		return 0, err
	}
	for _, o := range due {
		if _, err := tx.Exec(ctx, "UPDATE offers SET status = 'expired', answered_at = $1 WHERE id = $2", tx.Now, o.ID); err != nil {
			return 0, err
		}
		if err := audit(ctx, tx, by, "offer.expire", "offer", o.ID, "not answered by "+o.Deadline.UTC().Format(time.RFC3339)); err != nil {
			return 0, err
		}
		if err := cascade(ctx, tx, by, roundID, o.PostID); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// cascade offers a post's free places down the ranking: to the best-ranked
// applicant who ranked the post and either has no live offer (and has not
// declined or let one expire) or holds a live offer they like less and
// opted in to upgrades. An upgrade frees the old place, which cascades in
// turn.
func cascade(ctx context.Context, tx *Tx, by auth.Actor, roundID, postID int64) error {
	r, err := roundByID(ctx, tx, roundID)
	if err != nil {
		return err
	}
	queue := []int64{postID}
	for len(queue) > 0 {
		post := queue[0]
		queue = queue[1:]
		var places, live int
		if err := tx.QueryRow(ctx, "SELECT places FROM posts WHERE id = $1", post).Scan(&places); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM offers WHERE post_id = $1 AND status IN ('offered', 'held', 'accepted')", post).Scan(&live); err != nil {
			return err
		}
		for ; live < places; live++ {
			// Candidates who ranked this post, best national rank first.
			rows, err := tx.Query(ctx, `SELECT a.id, p.rank FROM applications a JOIN preferences p ON p.application_id = a.id
				WHERE a.round_id = $1 AND p.post_id = $2 AND a.national_rank IS NOT NULL ORDER BY a.national_rank, a.id`, roundID, post)
			if err != nil {
				return err
			}
			type cand struct {
				app  int64
				pref int
			}
			var cands []cand
			for rows.Next() {
				var c cand
				if err := rows.Scan(&c.app, &c.pref); err != nil {
					rows.Close()
					return err
				}
				cands = append(cands, c)
			}
			rows.Close()
			chosen := int64(0)
			var replace *recruit.Offer
			for _, c := range cands {
				offers, err := offersWhere(ctx, tx, "application_id = $1", c.app)
				if err != nil {
					return err
				}
				out := false
				var current *recruit.Offer
				for i, o := range offers {
					switch o.Status {
					case recruit.OfferDeclined, recruit.OfferExpired:
						out = true // their application has ended
					case recruit.OfferOffered, recruit.OfferHeld, recruit.OfferAccepted:
						current = &offers[i]
					}
					if o.PostID == post && o.Status != recruit.OfferSuperseded {
						out = true // already offered this post once
					}
				}
				if out {
					continue
				}
				if current == nil {
					chosen = c.app
					break
				}
				if !current.Upgrades {
					continue
				}
				var currentPref int
				if err := tx.QueryRow(ctx, "SELECT rank FROM preferences WHERE application_id = $1 AND post_id = $2", c.app, current.PostID).Scan(&currentPref); err != nil {
					return err
				}
				if c.pref < currentPref {
					chosen, replace = c.app, current
					break
				}
			}
			if chosen == 0 {
				break // no one left who would take it
			}
			why := "cascade"
			if replace != nil {
				if _, err := tx.Exec(ctx, "UPDATE offers SET status = 'superseded', answered_at = $1 WHERE id = $2", tx.Now, replace.ID); err != nil {
					return err
				}
				if err := audit(ctx, tx, by, "offer.supersede", "offer", replace.ID, fmt.Sprintf("upgraded to post %d", post)); err != nil {
					return err
				}
				why = "upgrade"
				queue = append(queue, replace.PostID)
			}
			if err := createOffer(ctx, tx, by, roundID, chosen, post, recruit.AddWorkingDays(tx.Now, r.OfferWorkingDays), replace != nil, why); err != nil {
				return err
			}
		}
	}
	return nil
}
