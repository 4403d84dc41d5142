package recruit

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Station is one interview station of a round, set by the national school
// with its weight in the interview score.
type Station struct {
	ID      int64  `json:"id"`
	RoundID int64  `json:"round_id"`
	Name    string `json:"name"`
	Weight  int    `json:"weight"`
}

// InterviewScore is one assessor's score at one station.
type InterviewScore struct {
	ApplicationID int64     `json:"application_id"`
	StationID     int64     `json:"station_id"`
	AssessorID    int64     `json:"assessor_id"`
	Score         int       `json:"score"`
	CreatedAt     time.Time `json:"created_at"`
}

// Station limits.
const (
	MaxStations      = 12
	MaxStationWeight = 10
)

// ValidateStations checks a round's stations: one to twelve, each named
// once, each weighted 1 to 10.
func ValidateStations(stations []Station) error {
	if len(stations) == 0 || len(stations) > MaxStations {
		return apperr.Invalidf("stations", "A round needs 1 to %d interview stations", MaxStations)
	}
	seen := map[string]bool{}
	for i := range stations {
		s := &stations[i]
		field := fmt.Sprintf("stations[%d].", i)
		var err error
		if s.Name, err = text.Line(field+"name", fmt.Sprintf("Station %d's name", i+1), s.Name, 100); err != nil {
			return err
		}
		switch {
		case !text.Visible(s.Name):
			return apperr.Invalidf(field+"name", "station %d: give it a name of up to 100 characters", i+1)
		case seen[strings.ToLower(s.Name)]:
			return apperr.Invalidf(field+"name", "station %d: %q is named twice", i+1, s.Name)
		case s.Weight < 1 || s.Weight > MaxStationWeight:
			return apperr.Invalidf(field+"weight", "station %d: the weight must be 1 to %d", i+1, MaxStationWeight)
		}
		seen[strings.ToLower(s.Name)] = true
	}
	return nil
}

// CanSetStations says whether a round's stations may be set at t: until
// interviews begin.
func CanSetStations(r *Round, t time.Time) error {
	if t.Before(r.InterviewsOpen) {
		return nil
	}
	return apperr.Errorf(apperr.Conflict, "Interview stations could be changed until interviews began on %s.", r.InterviewsOpen.UTC().Format(dateFormat))
}

// CheckInterviewScore decides whether an assessor may score an application
// at a station: not their own application, only a station of its round,
// only when it was shortlisted, one score per station, and one station
// per assessor for each application.
func CheckInterviewScore(a *Application, by int64, shortlisted bool, stations []Station, scores []InterviewScore, stationID int64) error {
	i := slices.IndexFunc(stations, func(s Station) bool { return s.ID == stationID && s.RoundID == a.RoundID })
	switch {
	case a.UserID == by:
		return apperr.Errorf(apperr.Forbidden, "You cannot score your own interview.")
	case i < 0:
		return apperr.Invalidf("station", "station %d is not one of this round's interview stations", stationID)
	case !shortlisted:
		return apperr.Errorf(apperr.Conflict, "Application %s was not shortlisted for interview.", Reference(a.ID))
	}
	for _, sc := range scores {
		switch {
		case sc.StationID == stationID:
			return apperr.Errorf(apperr.Conflict, "Station %q is already scored for application %s.", stations[i].Name, Reference(a.ID))
		case sc.AssessorID == by:
			return apperr.Errorf(apperr.Conflict, "You have already scored application %s at another station; each station needs its own assessor.", Reference(a.ID))
		}
	}
	return nil
}

// WeightedInterview is the interview score: the stations' scores weighted
// by the stations' weights, 0 to 100, rounded half up. done is false until
// every station is scored.
func WeightedInterview(stations []Station, scores []InterviewScore) (score int, done bool) {
	total, weights := 0, 0
	for _, st := range stations {
		i := slices.IndexFunc(scores, func(sc InterviewScore) bool { return sc.StationID == st.ID })
		if i < 0 {
			return 0, false
		}
		total += st.Weight * scores[i].Score
		weights += st.Weight
	}
	if weights == 0 {
		return 0, false
	}
	return (2*total + weights) / (2 * weights), true
}
