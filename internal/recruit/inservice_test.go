package recruit_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

// TestMayHold: an in-service post only for its own employer's nominee; a
// nominee only an in-service post of that employer.
func TestMayHold(t *testing.T) {
	direct := &recruit.Post{OrganisationID: 7}
	inService := &recruit.Post{OrganisationID: 7, InService: true}
	for _, tc := range []struct {
		post        *recruit.Post
		nominatedBy int64
		want        bool
	}{
		{direct, 0, true},
		{direct, 7, false},
		{direct, 8, false},
		{inService, 0, false},
		{inService, 7, true},
		{inService, 8, false},
	} {
		if got := recruit.MayHold(tc.post, tc.nominatedBy); got != tc.want {
			t.Errorf("post of %d (in-service %v), nominated by %d: %v, want %v", tc.post.OrganisationID, tc.post.InService, tc.nominatedBy, got, tc.want)
		}
	}
}

// TestInServiceMatch: the best-ranked direct-entry applicant, who wants
// the in-service post most, is never matched to it; each nominee gets
// their own employer's in-service post, never the other trust's, whatever
// they asked for.
func TestInServiceMatch(t *testing.T) {
	rank := func(n int) *int { return &n }
	posts := []recruit.Post{
		{ID: 10, OrganisationID: 1, Specialism: "audiology", Places: 1, Status: recruit.PostOpen},
		{ID: 11, OrganisationID: 1, Specialism: "audiology", Places: 1, Status: recruit.PostOpen, InService: true},
		{ID: 12, OrganisationID: 2, Specialism: "audiology", Places: 1, Status: recruit.PostOpen, InService: true},
	}
	apps := []recruit.Application{
		{ID: 1, Specialism: "audiology", NationalRank: rank(1), Preferences: []int64{11, 12, 10}},
		{ID: 2, Specialism: "audiology", NationalRank: rank(1), Preferences: []int64{12, 10, 11}}, // trust 1's nominee
		{ID: 3, Specialism: "audiology", NationalRank: rank(2), Preferences: []int64{11, 10, 12}}, // trust 2's nominee
	}
	rm, err := recruit.NewRoundMarket(posts, apps, nil, map[int64]int64{2: 1, 3: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, out := rm.Run()
	if fmt.Sprint(out.Assignments) != "map[1:10 2:11 3:12]" || !out.Verification.OK() {
		t.Errorf("the match: %+v", out)
	}
}

// TestInServiceMatchProperty: over random markets with nominees of
// several employers and preferences that name any post, every assignment
// is one the rules allow, and the match is verified stable.
func TestInServiceMatchProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		orgs := rapid.IntRange(1, 3).Draw(rt, "orgs")
		var posts []recruit.Post
		for i := range rapid.IntRange(1, 6).Draw(rt, "posts") {
			posts = append(posts, recruit.Post{ID: int64(100 + i), OrganisationID: int64(rapid.IntRange(1, orgs).Draw(rt, "org")), Specialism: "audiology",
				Places: rapid.IntRange(1, 2).Draw(rt, "places"), Status: recruit.PostOpen, InService: rapid.Bool().Draw(rt, "in-service")})
		}
		nominated := map[int64]int64{}
		var apps []recruit.Application
		for i := range rapid.IntRange(1, 10).Draw(rt, "applications") {
			id := int64(i + 1)
			r := i + 1
			a := recruit.Application{ID: id, Specialism: "audiology", NationalRank: &r}
			for _, j := range rapid.Permutation(posts).Draw(rt, "preferences")[:rapid.IntRange(0, len(posts)).Draw(rt, "ranked")] {
				a.Preferences = append(a.Preferences, j.ID)
			}
			if rapid.IntRange(0, 2).Draw(rt, "nominee") == 0 {
				nominated[id] = int64(rapid.IntRange(1, orgs).Draw(rt, "nominated by"))
			}
			apps = append(apps, a)
		}
		rm, err := recruit.NewRoundMarket(posts, apps, nil, nominated, nil)
		if err != nil {
			rt.Fatal(err)
		}
		_, out := rm.Run()
		if !out.Verification.OK() {
			rt.Fatalf("not verified: %+v", out.Verification)
		}
		for app, post := range out.Assignments {
			if post == 0 {
				continue
			}
			for _, p := range posts {
				if p.ID == post && !recruit.MayHold(&p, nominated[app]) {
					rt.Fatalf("application %d (nominated by %d) matched to post %d of %d (in-service %v)", app, nominated[app], post, p.OrganisationID, p.InService)
				}
			}
		}
	})
}

// TestCanNominate: who may be nominated, through which post, when.
func TestCanNominate(t *testing.T) {
	close := time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC)
	r := &recruit.Round{ShortlistingOpen: close}
	post := &recruit.Post{ID: 5, RoundID: 1, OrganisationID: 7, Specialism: "audiology", Status: recruit.PostOpen, InService: true}
	before := close.Add(-time.Hour)
	for _, tc := range []struct {
		name     string
		post     *recruit.Post
		by, user int64
		existing []recruit.Nomination
		applied  *recruit.Application
		when     time.Time
		code     string
	}{
		{"an employee, before applications close", post, 1, 2, nil, nil, before, ""},
		{"one who applied in the post's specialism", post, 1, 2, nil, &recruit.Application{Specialism: "audiology"}, before, ""},
		{"one who applied elsewhere", post, 1, 2, nil, &recruit.Application{Specialism: "genomics"}, before, apperr.Conflict},
		{"a direct-entry post", &recruit.Post{Status: recruit.PostOpen}, 1, 2, nil, nil, before, apperr.Conflict},
		{"a withdrawn post", &recruit.Post{Status: recruit.PostWithdrawn, InService: true}, 1, 2, nil, nil, before, apperr.Conflict},
		{"when applications have closed", post, 1, 2, nil, nil, close, apperr.Conflict},
		{"oneself", post, 2, 2, nil, nil, before, apperr.Invalid},
		{"twice in a round", post, 1, 2, []recruit.Nomination{{UserID: 2}}, nil, before, apperr.Conflict},
	} {
		err := recruit.CanNominate(r, tc.post, tc.by, tc.user, tc.existing, tc.applied, tc.when)
		if apperr.Code(err) != tc.code && !(tc.code == "" && err == nil) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
	}
}
