package recruit_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/recruit"
	"hcs/internal/testkit"
)

// TestFeedbackAgreesWithRecomputation: over random rounds whose offers are
// accepted, held, declined, left to expire, made unconditional or
// withdrawn after a failed check (each cascading), the stored offers
// agree at every step with an independent model of the match and the
// cascade (offersModel), and every applicant's feedback agrees with what
// is worked out again here from the stored scores and the offers standing
// at the end: their shortlisting and
// interview scores, their national rank (sorted again from the scores),
// their rank at each post they ranked, the rank of the last person holding
// each post's places, and which post they hold. On SQLite and PostgreSQL.
func TestFeedbackAgreesWithRecomputation(t *testing.T) {
	dbs := map[string]func() *database.DB{"sqlite": func() *database.DB { return testkit.SQLiteDB(t) }}
	if os.Getenv("HCS_TEST_POSTGRES") != "" {
		dbs["postgres"] = func() *database.DB { return testkit.PostgresDB(t) }
	}
	// Each case stages a whole round on a new database: 25 cases each,
	// not the thousands TestMain asks of the pure property tests.
	if f := flag.Lookup("rapid.checks"); f != nil {
		was := f.Value.String()
		f.Value.Set("25")
		defer f.Value.Set(was)
	}
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				db := open()
				n := rapid.IntRange(2, 6).Draw(rt, "applicants")
				places := rapid.SliceOfN(rapid.IntRange(1, 2), 1, 3).Draw(rt, "places")
				sr := testkit.StageRound(t, db, testkit.StageOptions{Applicants: n, Places: places, Reviewers: 2, Until: testkit.UntilRanked})
				svc := sr.Service
				if _, err := svc.PublishMatch(ctx, as(sr.School), sr.Round.ID); err != nil {
					rt.Fatal(err)
				}
				model := newOffersModel(rt, sr)
				model.match(sr.Clock.Now())
				model.agree(rt, sr, "the match")
				steps := rapid.IntRange(0, 10).Draw(rt, "steps")
				for step := range steps {
					live, err := svc.Offers(ctx, recruit.OfferFilter{RoundID: sr.Round.ID, Live: true})
					if err != nil {
						rt.Fatal(err)
					}
					action := rapid.IntRange(0, 9).Draw(rt, "action")
					if len(live) == 0 || action == 0 {
						// Days pass (some deadlines with them), and the expiry
						// runs.
						sr.Clock.Set(sr.Clock.Now().AddDate(0, 0, rapid.IntRange(1, 8).Draw(rt, "days")))
						if _, err := svc.ExpireOffers(ctx, sr.Round.ID); err != nil {
							rt.Fatal(err)
						}
						model.expire(sr.Clock.Now())
						model.agree(rt, sr, fmt.Sprintf("step %d, an expiry", step))
						continue
					}
					o := live[rapid.IntRange(0, len(live)-1).Draw(rt, "offer")]
					// What a state refuses is a conflict, and changes nothing
					// (the model refuses it too).
					switch {
					case action <= 2:
						// The employer fails a check, or passes all six.
						pass := action == 1
						if pass {
							for _, kind := range recruit.CheckKinds {
								svc.RecordCheck(ctx, as(sr.Employer), o.PostID, o.ID, passed(kind))
							}
						} else {
							svc.RecordCheck(ctx, as(sr.Employer), o.PostID, o.ID, recruit.Check{Kind: recruit.CheckDBS, Status: recruit.CheckFailed, Note: "barred"})
						}
						model.check(o.ID, pass, sr.Clock.Now())
						model.agree(rt, sr, fmt.Sprintf("step %d, checks of offer %d passed %v", step, o.ID, pass))
					default:
						answer := rapid.SampledFrom([]recruit.Answer{recruit.AnswerAccept, recruit.AnswerHold, recruit.AnswerDecline}).Draw(rt, "answer")
						upgrades := rapid.Bool().Draw(rt, "upgrades")
						who := sr.Applicants[slices.IndexFunc(sr.Apps, func(a *recruit.Application) bool { return a.ID == o.ApplicationID })]
						svc.AnswerOffer(ctx, auth.Actor{UserID: who.ID}, o.ID, answer, upgrades)
						model.answer(o.ID, answer, upgrades, sr.Clock.Now())
						model.agree(rt, sr, fmt.Sprintf("step %d, %s to offer %d", step, answer, o.ID))
					}
				}
				checkFeedback(rt, sr)
			})
		})
	}
}

// checkFeedback works every applicant's feedback out again.
func checkFeedback(rt *rapid.T, sr *testkit.StagedRound) {
	svc, rid := sr.Service, sr.Round.ID
	live, err := svc.Offers(ctx, recruit.OfferFilter{RoundID: rid, Live: true})
	if err != nil {
		rt.Fatal(err)
	}
	stations, err := svc.Stations(ctx, rid)
	if err != nil {
		rt.Fatal(err)
	}
	// The national rank again: by weighted score, interview, then
	// shortlisting score (the staged scores leave no exact ties).
	type scoredApp struct {
		id                        int64
		reviews                   []int
		shortlist, interview, sum int
	}
	var all []scoredApp
	var reviews []recruit.Review
	var scores []recruit.InterviewScore
	if err := sr.DB.Recruitment().Read(ctx, func(tx recruit.Tx) error {
		var err error
		if reviews, err = tx.Reviews(recruit.Query{RoundID: rid}); err != nil {
			return err
		}
		scores, err = tx.InterviewScores(recruit.Query{RoundID: rid})
		return err
	}); err != nil {
		rt.Fatal(err)
	}
	for _, a := range sr.Apps {
		s := scoredApp{id: a.ID}
		for _, r := range reviews {
			if r.ApplicationID == a.ID {
				s.reviews = append(s.reviews, r.Score)
			}
		}
		s.shortlist = (s.reviews[0] + s.reviews[1] + 1) / 2
		total, weights := 0, 0
		for _, st := range stations {
			for _, sc := range scores {
				if sc.ApplicationID == a.ID && sc.StationID == st.ID {
					total += st.Weight * sc.Score
					weights += st.Weight
				}
			}
		}
		s.interview = (2*total + weights) / (2 * weights)
		s.sum = sr.Round.ShortlistWeight*s.shortlist + sr.Round.InterviewWeight*s.interview
		all = append(all, s)
	}
	slices.SortFunc(all, func(x, y scoredApp) int {
		switch {
		case x.sum != y.sum:
			return y.sum - x.sum
		case x.interview != y.interview:
			return y.interview - x.interview
		}
		return y.shortlist - x.shortlist
	})
	rank := map[int64]int{}
	for i, s := range all {
		rank[s.id] = i + 1
	}
	last, holds, held := map[int64]int{}, map[int64]int64{}, map[int64]int{}
	for _, o := range live {
		last[o.PostID] = max(last[o.PostID], rank[o.ApplicationID])
		holds[o.ApplicationID] = o.PostID
		held[o.PostID]++
	}
	for _, p := range sr.Posts {
		if held[p.ID] > p.Places {
			rt.Fatalf("post %d has %d live offers for %d places", p.ID, held[p.ID], p.Places)
		}
	}
	for i, a := range sr.Apps {
		fb, err := svc.Feedback(ctx, a.ID)
		if err != nil {
			rt.Fatal(err)
		}
		s := all[slices.IndexFunc(all, func(s scoredApp) bool { return s.id == a.ID })]
		sh, iv := fb.Shortlisting, fb.Interview
		switch {
		case sh == nil || fmt.Sprint(sh.Reviews) != fmt.Sprint(s.reviews) || sh.Score == nil || *sh.Score != s.shortlist || !sh.Shortlisted:
			rt.Fatalf("applicant %d's shortlisting: %+v, want reviews %v and score %d", i, sh, s.reviews, s.shortlist)
		case iv == nil || iv.Score == nil || *iv.Score != s.interview || len(iv.Stations) != len(stations):
			rt.Fatalf("applicant %d's interview: %+v, want %d", i, iv, s.interview)
		case fb.NationalRank == nil || *fb.NationalRank != rank[a.ID]:
			rt.Fatalf("applicant %d's national rank: %v, want %d", i, fb.NationalRank, rank[a.ID])
		case len(fb.Posts) != len(sr.Posts):
			rt.Fatalf("applicant %d's feedback covers %d posts, want %d", i, len(fb.Posts), len(sr.Posts))
		}
		for j, pf := range fb.Posts {
			p := sr.Posts[j] // every applicant ranked every post, in order
			wantLast := last[p.ID]
			switch {
			case pf.PostID != p.ID || pf.Preference != j+1 || pf.Places != p.Places:
				rt.Fatalf("applicant %d's choice %d: %+v, want post %d with %d places", i, j+1, pf, p.ID, p.Places)
			case pf.YourRank == nil || *pf.YourRank != rank[a.ID]:
				rt.Fatalf("applicant %d's rank at post %d: %v, want %d", i, p.ID, pf.YourRank, rank[a.ID])
			case pf.Holding != (holds[a.ID] == p.ID):
				rt.Fatalf("applicant %d holding post %d: %v, want %v", i, p.ID, pf.Holding, holds[a.ID] == p.ID)
			case wantLast == 0 && pf.LastPlacedRank != nil, wantLast != 0 && (pf.LastPlacedRank == nil || *pf.LastPlacedRank != wantLast):
				rt.Fatalf("post %d's last placed rank for applicant %d: %v, want %d", p.ID, i, pf.LastPlacedRank, wantLast)
			case pf.Explanation == "":
				rt.Fatalf("applicant %d's choice %d has no explanation", i, j+1)
			}
		}
	}
}
