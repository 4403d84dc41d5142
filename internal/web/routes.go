package web

import (
	"net/http"
	"strings"

	"hcs/internal/auth"
)

// Route is one entry of the routing table: the pattern, the action it
// performs (checked against the permission table before the handler runs)
// and the handler.
type Route struct {
	Pattern string
	Action  auth.Action
	handler http.Handler
}

// API reports whether the route is part of the JSON API.
func (rt Route) API() bool {
	_, path, _ := strings.Cut(rt.Pattern, " ")
	return strings.HasPrefix(path, "/api/")
}

// Routes is the index of the site and the API. Every route names its
// action; a route cannot be added without one.
func (s *Server) Routes() []Route {
	pub := auth.ActionPublic
	return []Route{
		// The public careers explorer: cached, the same for everyone.
		{"GET /{$}", pub, s.page(s.homePage)},
		{"GET /areas", pub, s.page(s.areasPage)},
		{"GET /areas/{id}", pub, s.page(s.divisionPage)},
		{"GET /role-groups/{id}", pub, s.page(s.roleGroupPage)},
		{"GET /specialisms", pub, s.page(s.specialismsPage)},
		{"GET /specialisms/{id}", pub, s.page(s.specialismPage)},
		{"GET /levels", pub, s.page(s.levelsPage)},
		{"GET /levels/{id}", pub, s.page(s.levelPage)},
		{"GET /programmes", pub, s.page(s.programmesPage)},
		{"GET /programmes/{id}", pub, s.page(s.programmePage)},
		{"GET /search", pub, s.page(s.searchPage)},
		{"GET /compare", pub, s.page(s.comparePage)},
		{"GET /pathway", pub, s.page(s.pathwayPage)},
		{"GET /quiz", pub, s.page(s.quizPage)},
		{"GET /quiz/results", pub, s.page(s.quizResultsPage)},
		{"GET /posts", pub, s.page(s.postsPage)},

		// Signing in and out, and password reset.
		{"GET /sign-in", pub, s.dynamic(s.signInPage)},
		{"POST /sign-in", pub, s.dynamic(s.signIn)},
		{"GET /sign-up", pub, s.dynamic(s.signUpPage)},
		{"POST /sign-up", pub, s.dynamic(s.signUp)},
		{"POST /sign-out", pub, s.dynamic(s.signOut)},
		{"GET /password-reset", pub, s.dynamic(s.passwordResetPage)},
		{"POST /password-reset", pub, s.dynamic(s.passwordResetRequest)},
		{"GET /password-reset/{token}", pub, s.dynamic(s.newPasswordPage)},
		{"POST /password-reset/{token}", pub, s.dynamic(s.newPassword)},

		// The signed-in person's own account.
		{"GET /account", auth.ActionAccountView, s.dynamic(s.accountPage)},
		{"GET /account/data", auth.ActionAccountView, s.dynamic(s.accountData)},
		{"POST /account/sign-out-everywhere", auth.ActionAccountView, s.dynamic(s.signOutEverywhere)},

		// Each role's home page.
		{"GET /applicant", auth.ActionApplicantHome, s.dynamic(s.applicantHome)},
		{"GET /applications/{id}/preferences", auth.ActionApply, s.dynamic(s.preferencesPage)},
		{"POST /applications/{id}/preferences", auth.ActionApply, s.dynamic(s.savePreferences)},
		{"GET /offers/{id}", auth.ActionApply, s.dynamic(s.offerPage)},
		{"POST /offers/{id}", auth.ActionApply, s.dynamic(s.answerOfferForm)},
		{"GET /employer", auth.ActionEmployerHome, s.dynamic(s.employerHome)},
		{"GET /training", auth.ActionTrainingHome, s.dynamic(s.trainingHome)},
		{"GET /school", auth.ActionSchoolHome, s.dynamic(s.schoolHome)},
		{"GET /workforce", auth.ActionWorkforceHome, s.dynamic(s.workforceHome)},
		{"GET /admin", auth.ActionAdminHome, s.dynamic(s.adminHome)},
		{"GET /review", auth.ActionReviewerHome, s.dynamic(s.reviewerHome)},

		// Organisations and departments.
		{"GET /organisations/{id}", auth.ActionOrgView, s.dynamic(s.organisationPage)},
		{"POST /organisations", auth.ActionOrgCreate, s.dynamic(s.createOrganisation)},
		{"POST /organisations/{id}/departments", auth.ActionDeptCreate, s.dynamic(s.createDepartment)},
		{"GET /departments/{id}", auth.ActionDeptView, s.dynamic(s.departmentPage)},

		// Administration.
		{"GET /admin/users", auth.ActionUsersList, s.dynamic(s.usersPage)},
		{"POST /admin/users", auth.ActionUsersCreate, s.dynamic(s.createUser)},
		{"GET /admin/users/{id}", auth.ActionUsersList, s.dynamic(s.userPage)},
		{"POST /admin/users/{id}/grants", auth.ActionUsersGrant, s.dynamic(s.addGrant)},
		{"POST /admin/users/{id}/grants/{grant}/revoke", auth.ActionUsersGrant, s.dynamic(s.revokeGrant)},
		{"POST /admin/users/{id}/erase", auth.ActionUsersErase, s.dynamic(s.eraseUser)},
		{"GET /admin/audit", auth.ActionAuditRead, s.dynamic(s.auditPage)},
		{"GET /admin/audit.csv", auth.ActionAuditRead, s.dynamic(s.auditCSV)},
		{"GET /admin/outbox", auth.ActionOutboxRead, s.dynamic(s.outboxPage)},

		// The explorer's JSON API.
		{"GET /api/v1/openapi.json", pub, s.api(s.apiOpenAPI)},
		{"GET /api/v1/framework", pub, s.api(s.apiFramework)},
		{"GET /api/v1/divisions", pub, s.api(s.apiDivisions)},
		{"GET /api/v1/divisions/{id}", pub, s.api(s.apiDivision)},
		{"GET /api/v1/role-groups", pub, s.api(s.apiRoleGroups)},
		{"GET /api/v1/role-groups/{id}", pub, s.api(s.apiRoleGroup)},
		{"GET /api/v1/specialisms", pub, s.api(s.apiSpecialisms)},
		{"GET /api/v1/specialisms/{id}", pub, s.api(s.apiSpecialism)},
		{"GET /api/v1/renamed/{id}", pub, s.api(s.apiRenamed)},
		{"GET /api/v1/levels", pub, s.api(s.apiLevels)},
		{"GET /api/v1/levels/{id}", pub, s.api(s.apiLevel)},
		{"GET /api/v1/programmes", pub, s.api(s.apiProgrammes)},
		{"GET /api/v1/programmes/{id}", pub, s.api(s.apiProgramme)},
		{"GET /api/v1/starting-points", pub, s.api(s.apiStartingPoints)},
		{"GET /api/v1/search", pub, s.api(s.apiSearch)},
		{"GET /api/v1/compare", pub, s.api(s.apiCompare)},
		{"GET /api/v1/pathway", pub, s.api(s.apiPathway)},
		{"GET /api/v1/quiz", pub, s.api(s.apiQuiz)},
		{"GET /api/v1/quiz/results", pub, s.api(s.apiQuizResults)},
		{"GET /api/v1/posts", pub, s.api(s.apiOpenPosts)},

		// The accounts API.
		{"POST /api/v1/session", pub, s.apiJSON(s.apiSignIn)},
		{"DELETE /api/v1/session", auth.ActionAccountView, s.apiJSON(s.apiSignOut)},
		{"GET /api/v1/me", auth.ActionAccountView, s.apiJSON(s.apiMe)},
		{"GET /api/v1/me/data", auth.ActionAccountView, s.apiJSON(s.apiMyData)},
		{"GET /api/v1/organisations", auth.ActionOrgView, s.apiJSON(s.apiOrganisations)},
		{"POST /api/v1/organisations", auth.ActionOrgCreate, s.apiJSON(s.apiCreateOrganisation)},
		{"GET /api/v1/organisations/{id}", auth.ActionOrgView, s.apiJSON(s.apiOrganisation)},
		{"POST /api/v1/organisations/{id}/departments", auth.ActionDeptCreate, s.apiJSON(s.apiCreateDepartment)},
		{"GET /api/v1/users", auth.ActionUsersList, s.apiJSON(s.apiUsers)},
		{"POST /api/v1/users", auth.ActionUsersCreate, s.apiJSON(s.apiCreateUser)},
		{"POST /api/v1/users/{id}/grants", auth.ActionUsersGrant, s.apiJSON(s.apiAddGrant)},
		{"DELETE /api/v1/users/{id}/grants/{grant}", auth.ActionUsersGrant, s.apiJSON(s.apiRevokeGrant)},
		{"POST /api/v1/users/{id}/erase", auth.ActionUsersErase, s.apiJSON(s.apiEraseUser)},
		{"GET /api/v1/audit", auth.ActionAuditRead, s.apiJSON(s.apiAudit)},
		{"GET /api/v1/outbox", auth.ActionOutboxRead, s.apiJSON(s.apiOutbox)},

		// National recruitment.
		{"GET /api/v1/rounds", pub, s.apiJSON(s.apiRounds)},
		{"POST /api/v1/rounds", auth.ActionRoundManage, s.apiJSON(s.apiCreateRound)},
		{"GET /api/v1/rounds/{id}", pub, s.apiJSON(s.apiRound)},
		{"GET /api/v1/rounds/{id}/posts", pub, s.apiJSON(s.apiRoundPosts)},
		{"POST /api/v1/rounds/{id}/posts", auth.ActionPostCreate, s.apiJSON(s.apiCreatePost)},
		{"GET /api/v1/me/profile", auth.ActionApply, s.apiJSON(s.apiProfile)},
		{"PUT /api/v1/me/profile", auth.ActionApply, s.apiJSON(s.apiSaveProfile)},
		{"GET /api/v1/me/applications", auth.ActionApply, s.apiJSON(s.apiMyApplications)},
		{"GET /api/v1/rounds/{id}/eligibility", auth.ActionApply, s.apiJSON(s.apiEligibility)},
		{"POST /api/v1/rounds/{id}/applications", auth.ActionApply, s.apiJSON(s.apiApply)},
		{"GET /api/v1/rounds/{id}/review", auth.ActionReview, s.apiJSON(s.apiForReview)},
		{"POST /api/v1/applications/{id}/reviews", auth.ActionReview, s.apiJSON(s.apiReview)},
		{"POST /api/v1/applications/{id}/moderation", auth.ActionModerate, s.apiJSON(s.apiModerate)},
		{"POST /api/v1/applications/{id}/interview-scores", auth.ActionInterview, s.apiJSON(s.apiInterviewScore)},
		{"POST /api/v1/rounds/{id}/rank", auth.ActionRoundManage, s.apiJSON(s.apiRank)},
		{"PUT /api/v1/applications/{id}/preferences", auth.ActionApply, s.apiJSON(s.apiSetPreferences)},
		{"PUT /api/v1/posts/{id}/ranking", auth.ActionPostCreate, s.apiJSON(s.apiPostRanking)},
		{"POST /api/v1/rounds/{id}/match", auth.ActionRoundManage, s.apiJSON(s.apiMatch)},
		{"POST /api/v1/rounds/{id}/what-if", auth.ActionRoundManage, s.apiJSON(s.apiWhatIf)},
		{"GET /api/v1/applications/{id}/result", auth.ActionApply, s.apiJSON(s.apiResult)},
		{"GET /api/v1/applications/{id}/offers", auth.ActionApply, s.apiJSON(s.apiApplicationOffers)},
		{"POST /api/v1/offers/{id}/answer", auth.ActionApply, s.apiJSON(s.apiAnswerOffer)},
		{"GET /api/v1/rounds/{id}/offers", auth.ActionRoundManage, s.apiJSON(s.apiRoundOffers)},
		{"POST /api/v1/rounds/{id}/offers/expire", auth.ActionRoundManage, s.apiJSON(s.apiExpireOffers)},

		// Operations and assets.
		{"GET /healthz", pub, http.HandlerFunc(s.healthz)},
		{"GET /assets/", pub, s.assets()},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, s.guard(rt.Action, rt.API(), rt.handler))
	}
	mux.Handle("/api/", s.api(s.apiNotFound))
	mux.Handle("/", s.page(s.notFoundPage))
	return mux
}
