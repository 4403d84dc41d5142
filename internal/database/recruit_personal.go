package database

import "hcs/internal/privacy"

// theirApplications selects a person's applications, for the tables that
// hang off them.
const theirApplications = "application_id IN (SELECT id FROM applications WHERE user_id = $1)"

// recruitmentPersonal registers the personal data national recruitment
// holds. Erasure keeps the numbers a round's statistics need (scores,
// ranks, preferences, offers' outcomes) against the pseudonymous account,
// and removes what the person wrote and the profile they gave.
var recruitmentPersonal = privacy.Register{
	Personal: []privacy.Table{
		{Name: "profiles", As: "applicant", About: "user_id = $1", Describe: "Your profile: qualifications, registrations, right to work and employer",
			Erase: privacy.Delete, Columns: []privacy.Column{{Name: "user_id"}, {Name: "qualifications", Treat: privacy.Content},
				{Name: "registrations", Treat: privacy.Content}, {Name: "notes", Treat: privacy.Content}, {Name: "right_to_work", Treat: privacy.Content},
				{Name: "employer_id", Treat: privacy.Content}, {Name: "updated_at"}}},
		{Name: "applications", As: "applicant", About: "user_id = $1", Describe: "Your applications, with their scores and rank",
			AuditType: "application", Erase: privacy.Scrub,
			Columns: []privacy.Column{{Name: "id"}, {Name: "round_id"}, {Name: "user_id"}, {Name: "specialism"},
				{Name: "statement", Treat: privacy.Content}, {Name: "submitted", Treat: privacy.Content, Erased: "{}"}, {Name: "created_at"},
				{Name: "shortlist_score"}, {Name: "interview_score"}, {Name: "national_rank"}, {Name: "decided_by"}, {Name: "withdrawn_at"}}},
		{Name: "preferences", As: "applicant", About: theirApplications, Describe: "Your ranking of posts", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "application_id"}, {Name: "post_id"}, {Name: "rank"}}},
		{Name: "offers", As: "applicant", About: theirApplications, Describe: "Places offered to you, your answers, and why an employer withdrew an offer",
			AuditType: "offer", Erase: privacy.Scrub, Columns: []privacy.Column{{Name: "id"}, {Name: "round_id"}, {Name: "application_id"}, {Name: "post_id"},
				{Name: "seat"}, {Name: "status"}, {Name: "deadline"}, {Name: "upgrades"}, {Name: "created_at"}, {Name: "answered_at"},
				{Name: "reason", Treat: privacy.Content}}},
		{Name: "offer_checks", As: "applicant", About: "offer_id IN (SELECT id FROM offers WHERE " + theirApplications + ")",
			Describe: "Employers' pre-employment checks of your accepted offers", Erase: privacy.Scrub,
			Columns: []privacy.Column{{Name: "offer_id"}, {Name: "kind"}, {Name: "status"}, {Name: "next_actor"}, {Name: "note", Treat: privacy.Content},
				{Name: "changed_at"}, {Name: "changed_by", Treat: privacy.Other}}},
		{Name: "post_rankings", As: "applicant", About: theirApplications, Describe: "Where employers placed you on their own lists", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "post_id"}, {Name: "application_id"}, {Name: "rank"}}},
		{Name: "review_assignments", As: "applicant", About: theirApplications, Describe: "The reviewing of your applications", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "application_id"}, {Name: "reviewer_id", Treat: privacy.Other}, {Name: "slot"}, {Name: "created_at"}}},
		{Name: "reviews", As: "applicant", About: theirApplications, Describe: "Reviewers' scores of your applications", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "application_id"}, {Name: "reviewer_id", Treat: privacy.Other}, {Name: "slot"},
				{Name: "score"}, {Name: "created_at"}}},
		{Name: "moderations", As: "applicant", About: theirApplications, Describe: "Moderated scores of your applications", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "application_id"}, {Name: "moderator_id", Treat: privacy.Other}, {Name: "score"}, {Name: "created_at"}}},
		{Name: "interview_scores", As: "applicant", About: theirApplications, Describe: "Your interview scores", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "application_id"}, {Name: "station_id"}, {Name: "score"},
				{Name: "assessor_id", Treat: privacy.Other}, {Name: "created_at"}}},
		{Name: "test_scores", As: "applicant", About: theirApplications, Describe: "Your online test scores (in hundredths of a point), as the test provider reported them",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "application_id"}, {Name: "round_id"}, {Name: "score_hundredths"}, {Name: "taken_on"}, {Name: "imported_at"}}},
		{Name: "test_outcomes", As: "applicant", About: theirApplications, Describe: "Whether your applications went on from the online test, as published",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "application_id"}, {Name: "round_id"}, {Name: "score_hundredths"}, {Name: "cut_hundredths"},
				{Name: "goes_on"}, {Name: "reason"}, {Name: "published_at"}}},
		{Name: "shortlist_outcomes", As: "applicant", About: theirApplications, Describe: "Your shortlisting outcomes as published, and any invitation from the reserve list",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "application_id"}, {Name: "round_id"}, {Name: "specialism"}, {Name: "score"}, {Name: "outcome"},
				{Name: "position"}, {Name: "reserve_place"}, {Name: "decided_by"}, {Name: "interviews"}, {Name: "reserves"}, {Name: "published_at"}, {Name: "promoted_at"}}},

		{Name: "nominations", As: "applicant", About: "user_id = $1", Describe: "Your nominations by your employer for the in-service route",
			Erase: privacy.Keep, Columns: []privacy.Column{{Name: "id"}, {Name: "round_id"}, {Name: "post_id"}, {Name: "organisation_id"},
				{Name: "user_id"}, {Name: "nominated_by", Treat: privacy.Other}, {Name: "created_at"}}},

		// The same tables hold staff as the people who scored.
		{Name: "reviewers", As: "reviewer", About: "user_id = $1", Describe: "Rounds you were appointed to review", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "round_id"}, {Name: "user_id"}, {Name: "organisation_id"}, {Name: "created_at"}}},
		{Name: "review_assignments", As: "reviewer", About: "reviewer_id = $1", Describe: "Applications assigned to you to review", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "application_id"}, {Name: "reviewer_id"}, {Name: "slot"}, {Name: "created_at"}}},
		{Name: "reviews", As: "reviewer", About: "reviewer_id = $1", Describe: "Your scores of applications", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "application_id"}, {Name: "reviewer_id"}, {Name: "slot"}, {Name: "score"}, {Name: "created_at"}}},
		{Name: "moderations", As: "moderator", About: "moderator_id = $1", Describe: "Scores you settled as moderator", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "application_id"}, {Name: "moderator_id"}, {Name: "score"}, {Name: "created_at"}}},
		{Name: "nominations", As: "recruiter", About: "nominated_by = $1", Describe: "Employees you nominated for the in-service route", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "round_id"}, {Name: "post_id"}, {Name: "organisation_id"}, {Name: "user_id", Treat: privacy.Other},
				{Name: "nominated_by"}, {Name: "created_at"}}},
		{Name: "offer_checks", As: "recruiter", About: "changed_by = $1", Describe: "Pre-employment checks you recorded for your employer", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "offer_id"}, {Name: "kind"}, {Name: "status"}, {Name: "next_actor"}, {Name: "note", Treat: privacy.Other},
				{Name: "changed_at"}, {Name: "changed_by"}}},
		{Name: "interview_scores", As: "assessor", About: "assessor_id = $1", Describe: "Interview scores you gave", Erase: privacy.Keep,
			Columns: []privacy.Column{{Name: "id"}, {Name: "application_id"}, {Name: "station_id"}, {Name: "score"}, {Name: "assessor_id"}, {Name: "created_at"}}},
	},
	Free: []privacy.Free{
		{Table: "rounds", Reason: "recruitment rounds: programmes, timetables and rules the national school publishes"},
		{Table: "round_stations", Reason: "a round's interview stations: names and weights"},
		{Table: "posts", Reason: "training posts as employers publish them; the contact is the work contact an employer chooses to publish, linked to no account"},
	},
}
