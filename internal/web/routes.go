package web

import (
	"net/http"
	"strings"
	"time"

	"hcs/internal/auth"
	"hcs/internal/train"
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
	training := s.trainingAPI()
	return []Route{
		// The public careers explorer: cached, the same for everyone.
		{"GET /{$}", pub, s.page(s.homePage)},
		{"GET /areas", pub, s.page(s.areasPage)},
		{"GET /areas/{id}", pub, s.page(s.divisionPage)},
		{"GET /role-groups/{id}", pub, s.page(s.roleGroupPage)},
		{"GET /specialisms", pub, s.page(s.specialismsPage)},
		{"GET /specialisms/{id}", pub, s.livePage(s.specialismPage)},
		{"GET /levels", pub, s.page(s.levelsPage)},
		{"GET /levels/{id}", pub, s.page(s.levelPage)},
		{"GET /programmes", pub, s.page(s.programmesPage)},
		{"GET /programmes/{id}", pub, s.page(s.programmePage)},
		{"GET /search", pub, s.page(s.searchPage)},
		{"GET /compare", pub, s.page(s.comparePage)},
		{"GET /pathway", pub, s.page(s.pathwayPage)},
		{"GET /pay", pub, s.page(s.payPage)},
		{"GET /sources", pub, s.page(s.sourcesPage)},
		{"GET /robots.txt", pub, s.page(s.robots)},
		{"GET /sitemap.xml", pub, s.page(s.sitemap)},
		{"GET /data/framework.json", pub, s.page(s.dataJSON)},
		{"GET /data/{file}", pub, s.page(s.dataCSV)},
		{"GET /fhir/CodeSystem/{id}", pub, s.page(s.fhirTerminology("CodeSystem"))},
		{"GET /fhir/ValueSet/{id}", pub, s.page(s.fhirTerminology("ValueSet"))},
		{"GET /quiz", pub, s.page(s.quizPage)},
		{"GET /quiz/results", pub, s.page(s.quizResultsPage)},
		{"GET /posts", pub, s.livePage(s.postsPage)},
		{"GET /posts/{id}", pub, s.dynamic(s.postPage)},
		{"GET /rounds/{id}/progress", pub, s.livePage(s.offerProgressPage)},

		// Signing in and out, and password reset.
		{"GET /sign-in", pub, s.dynamic(s.signInPage)},
		// Every form that costs work before anyone is signed in is limited
		// per address.
		{"POST /sign-in", pub, s.limited(s.dynamic(s.signIn))},
		{"GET /sign-up", pub, s.dynamic(s.signUpPage)},
		{"POST /sign-up", pub, s.limited(s.dynamic(s.signUp))},
		{"GET /sign-up/{token}", pub, s.dynamic(s.confirmSignUpPage)},
		{"POST /sign-up/{token}", pub, s.limited(s.dynamic(s.confirmSignUp))},
		{"POST /sign-out", pub, s.dynamic(s.signOut)},
		{"GET /password-reset", pub, s.dynamic(s.passwordResetPage)},
		{"POST /password-reset", pub, s.limited(s.dynamic(s.passwordResetRequest))},
		{"GET /password-reset/{token}", pub, s.dynamic(s.newPasswordPage)},
		{"POST /password-reset/{token}", pub, s.limited(s.dynamic(s.newPassword))},

		// The signed-in person's own account.
		{"GET /account", auth.ActionAccountView, s.dynamic(s.accountPage)},
		{"GET /account/data", auth.ActionAccountView, s.dynamic(s.accountData)},
		{"GET /account/password", auth.ActionAccountView, s.dynamic(s.changePasswordPage)},
		{"POST /account/password", auth.ActionAccountView, s.dynamic(s.changePasswordForm)},
		{"POST /account/sign-out-everywhere", auth.ActionAccountView, s.dynamic(s.signOutEverywhere)},

		// Each role's home page.
		{"GET /applicant", auth.ActionApplicantHome, s.dynamic(s.applicantHome)},
		{"GET /employer", auth.ActionEmployerHome, s.dynamic(s.employerHome)},
		{"GET /training", auth.ActionTrainingHome, s.dynamic(s.trainingHome)},
		{"GET /trainee", auth.ActionTraineeHome, s.dynamic(s.traineeHome)},
		{"GET /supervisor", auth.ActionSupervisorHome, s.dynamic(s.supervisorHome)},
		{"GET /review", auth.ActionReviewerHome, s.dynamic(s.reviewerHome)},
		{"GET /school", auth.ActionSchoolHome, s.dynamic(s.schoolHome)},
		{"GET /workforce", auth.ActionWorkforceHome, s.dynamic(s.workforceHome)},
		{"GET /workforce/figures.csv", auth.ActionWorkforceHome, s.dynamic(s.workforceFiguresCSV)},
		{"GET /workforce/quarters.csv", auth.ActionWorkforceHome, s.dynamic(s.workforceSeriesCSV)},
		{"GET /workforce/flows.csv", auth.ActionWorkforceHome, s.dynamic(s.workforceFlowsCSV)},
		{"GET /workforce/forecast", auth.ActionWorkforceHome, s.dynamic(s.workforceForecastPage)},
		{"GET /workforce/pipeline", auth.ActionPipeline, s.dynamic(s.workforcePipelinePage)},
		{"GET /workforce/pipeline.csv", auth.ActionPipeline, s.dynamic(s.workforcePipelineCSV)},
		{"GET /workforce/employer", auth.ActionWorkforceStaff, s.dynamic(s.workforceEmployerPage)},
		{"GET /workforce/employer.csv", auth.ActionWorkforceStaff, s.dynamic(s.workforceEmployerCSV)},
		{"POST /workforce/forecast/scenarios", auth.ActionWorkforceHome, s.dynamic(s.workforceSaveScenario)},
		{"GET /workforce/import", auth.ActionWorkforceImport, s.dynamic(s.workforceImportPage)},
		{"POST /workforce/import", auth.ActionWorkforceImport, upload{s.dynamic(s.workforceImport), maxStaffFileBytes + 64<<10}},
		{"GET /admin", auth.ActionAdminHome, s.dynamic(s.adminHome)},

		// Applicants: profile, applying, where they stand, preferences, offers.
		{"GET /profile", auth.ActionApply, s.dynamic(s.profilePage)},
		{"POST /profile", auth.ActionApply, s.dynamic(s.saveProfile)},
		{"GET /rounds/{id}/apply", auth.ActionApply, s.dynamic(s.applyPage)},
		{"POST /rounds/{id}/apply", auth.ActionApply, s.dynamic(s.apply)},
		{"GET /applications/{id}", auth.ActionApply, s.dynamic(s.applicationPage)},
		{"GET /applications/{id}/preferences", auth.ActionApply, s.dynamic(s.preferencesPage)},
		{"POST /applications/{id}/preferences", auth.ActionApply, s.dynamic(s.savePreferences)},
		{"GET /applications/{id}/withdraw", auth.ActionApply, s.dynamic(s.withdrawApplicationPage)},
		{"POST /applications/{id}/withdraw", auth.ActionApply, s.dynamic(s.withdrawApplication)},
		{"GET /offers/{id}", auth.ActionApply, s.dynamic(s.offerPage)},
		{"POST /offers/{id}", auth.ActionApply, s.dynamic(s.answerOfferForm)},

		// Employers: their posts, interviews and own lists.
		{"GET /employer/rounds/{id}/posts/new", auth.ActionPostCreate, s.dynamic(s.newPostPage)},
		{"POST /employer/rounds/{id}/posts", auth.ActionPostCreate, s.dynamic(s.createPost)},
		{"GET /employer/posts/{id}", auth.ActionPostCreate, s.dynamic(s.employerPostPage)},
		{"POST /employer/posts/{id}", auth.ActionPostCreate, s.dynamic(s.updatePost)},
		{"POST /employer/posts/{id}/withdraw", auth.ActionPostCreate, s.dynamic(s.withdrawPost)},
		{"POST /employer/posts/{id}/ranking", auth.ActionPostCreate, s.dynamic(s.savePostRanking)},
		{"POST /employer/posts/{id}/nominations", auth.ActionNominate, s.dynamic(s.nominate)},
		{"POST /employer/posts/{id}/nominations/{nomination}/withdraw", auth.ActionNominate, s.dynamic(s.withdrawNomination)},
		{"GET /employer/posts/{id}/offers/{offer}", auth.ActionOfferChecks, s.dynamic(s.offerChecksPage)},
		{"POST /employer/posts/{id}/offers/{offer}/checks", auth.ActionOfferChecks, s.dynamic(s.recordCheckForm)},
		{"GET /employer/rounds/{id}/interviews", auth.ActionInterview, s.dynamic(s.interviewsPage)},
		{"POST /employer/applications/{id}/interview", auth.ActionInterview, s.dynamic(s.scoreInterview)},

		// Reviewers: the blind queue of applications assigned to them.
		{"GET /review/rounds/{id}", auth.ActionReview, s.dynamic(s.reviewQueuePage)},
		{"GET /review/applications/{id}", auth.ActionReview, s.dynamic(s.reviewPage)},
		{"POST /review/applications/{id}", auth.ActionReview, s.dynamic(s.submitReview)},

		// The national school: rounds from opening to offers.
		{"GET /school/rounds/new", auth.ActionRoundManage, s.dynamic(s.newRoundPage)},
		{"POST /school/rounds", auth.ActionRoundManage, s.dynamic(s.createRound)},
		{"GET /school/rounds/{id}", auth.ActionRoundManage, s.dynamic(s.roundDashboard)},
		{"GET /school/rounds/{id}/timetable", auth.ActionRoundManage, s.dynamic(s.timetablePage)},
		{"POST /school/rounds/{id}/timetable", auth.ActionRoundManage, s.dynamic(s.changeTimetable)},
		{"GET /school/rounds/{id}/stations", auth.ActionRoundManage, s.dynamic(s.stationsPage)},
		{"POST /school/rounds/{id}/stations", auth.ActionRoundManage, s.dynamic(s.setStations)},
		{"GET /school/rounds/{id}/test", auth.ActionRoundManage, s.dynamic(s.testStagePage)},
		{"POST /school/rounds/{id}/test/rule", auth.ActionRoundManage, s.dynamic(s.setTestRule)},
		{"POST /school/rounds/{id}/test/scores", auth.ActionRoundManage, upload{s.dynamic(s.importTestScores), maxTestFileBytes + 64<<10}},
		{"POST /school/rounds/{id}/test/publish", auth.ActionRoundManage, s.dynamic(s.publishTestOutcomes)},
		{"GET /school/rounds/{id}/shortlist", auth.ActionRoundManage, s.dynamic(s.shortlistPage)},
		{"POST /school/rounds/{id}/shortlist/publish", auth.ActionRoundManage, s.dynamic(s.publishShortlist)},
		{"POST /school/rounds/{id}/reviewers", auth.ActionRoundManage, s.dynamic(s.appointReviewer)},
		{"POST /school/rounds/{id}/assignments", auth.ActionRoundManage, s.dynamic(s.assignReviewers)},
		{"POST /school/applications/{id}/moderation", auth.ActionModerate, s.dynamic(s.moderate)},
		{"POST /school/rounds/{id}/rank", auth.ActionRoundManage, s.dynamic(s.rankRound)},
		{"GET /school/rounds/{id}/what-if", auth.ActionRoundManage, s.dynamic(s.whatIfPage)},
		{"GET /school/rounds/{id}/publish", auth.ActionRoundManage, s.dynamic(s.publishPage)},
		{"POST /school/rounds/{id}/publish", auth.ActionRoundManage, s.dynamic(s.publishMatch)},
		{"POST /school/rounds/{id}/expire", auth.ActionRoundManage, s.dynamic(s.expireOffers)},

		// Training to registration: a trainee's record as each of its
		// people sees it, the e-portfolio, sign-off, reviews and
		// completion, and the assessor's link.
		{"GET /training/placements/{id}", auth.ActionTrainingManage, s.dynamic(s.enrolPage)},
		{"POST /training/placements/{id}", auth.ActionTrainingManage, s.dynamic(s.enrol)},
		{"GET /training/departments/{id}/import", auth.ActionTrainingManage, s.dynamic(s.importRecordPage)},
		{"POST /training/departments/{id}/import", auth.ActionTrainingManage, upload{s.dynamic(s.importRecord), importBodyBytes}},
		{"GET /training/trainees/{id}", auth.ActionTrainingView, s.dynamic(s.traineeRecordPage)},
		{"POST /training/trainees/{id}/confirm", auth.ActionTrainingManage, s.dynamic(s.recordAction(auth.ActionTrainingManage, s.confirmTrainee))},
		{"GET /training/trainees/{id}/team", auth.ActionTrainingManage, s.dynamic(s.traineeTeamPage)},
		{"POST /training/trainees/{id}/team", auth.ActionTrainingManage, s.dynamic(s.changeTeam)},
		{"POST /training/trainees/{id}/changes", auth.ActionTrainingManage, s.dynamic(s.recordAction(auth.ActionTrainingManage, s.recordChange))},
		{"POST /training/invitations/{id}", auth.ActionTrainingManage, s.dynamic(s.approveAssessor)},
		{"POST /training/trainees/{id}/sign-off", auth.ActionSignOff, s.dynamic(s.recordAction(auth.ActionSignOff, s.signOffItem))},
		{"POST /training/trainees/{id}/reopen", auth.ActionSignOff, s.dynamic(s.recordAction(auth.ActionSignOff, s.reopenItem))},
		{"POST /training/trainees/{id}/reviews", auth.ActionTrainingReview, s.dynamic(s.recordAction(auth.ActionTrainingReview, s.recordReview))},
		{"POST /training/trainees/{id}/records", auth.ActionTrainingReview, s.dynamic(s.recordAction(auth.ActionTrainingReview, s.addRecord))},
		{"POST /training/trainees/{id}/complete", auth.ActionTrainingReview, s.dynamic(s.recordAction(auth.ActionTrainingReview, s.completeTrainee))},
		{"GET /school/training", auth.ActionTrainingReview, s.dynamic(s.schoolTrainingPage)},
		{"GET /trainee/evidence/new", auth.ActionEvidence, s.dynamic(s.newEvidencePage)},
		{"POST /trainee/evidence", auth.ActionEvidence, s.dynamic(s.createEvidence)},
		{"GET /trainee/evidence/{id}", auth.ActionEvidence, s.dynamic(s.evidencePage)},
		{"POST /trainee/evidence/{id}", auth.ActionEvidence, s.dynamic(s.saveEvidence)},
		{"POST /trainee/evidence/{id}/resend", auth.ActionEvidence, s.dynamic(s.resendInvitation)},
		{"POST /trainee/evidence/{id}/files", auth.ActionEvidence, upload{s.dynamic(s.attachFile), uploadBodyBytes}},
		{"POST /trainee/evidence/{id}/files/{file}/remove", auth.ActionEvidence, s.dynamic(s.removeFile)},
		{"GET /training/files/{id}", auth.ActionTrainingView, s.dynamic(s.fileDownload)},
		{"GET /training/trainees/{id}/archive.json", auth.ActionTrainingView, s.dynamic(s.archiveDownload)},
		{"GET /training/trainees/{id}/xapi.json", auth.ActionTrainingView, s.dynamic(s.statementsDownload)},
		{"POST /training/trainees/{id}/certificates", auth.ActionTrainingReview, s.dynamic(s.recordAction(auth.ActionTrainingReview, s.reissueCertificate))},
		{"POST /training/trainees/{id}/certificates/{cert}/revoke", auth.ActionTrainingReview, s.dynamic(s.recordAction(auth.ActionTrainingReview, s.revokeCertificate))},
		// Certificates, for anyone: each one's page, credential and PDF;
		// checking one; the issuer's keys and revocation lists.
		{"GET /certificates/{id}", pub, s.dynamic(s.certificatePage)},
		{"GET /certificates/{id}/credential.json", pub, s.dynamic(s.certificateCredential)},
		{"GET /certificates/{id}/certificate.pdf", pub, s.dynamic(s.certificatePDF)},
		{"GET /verify", pub, s.dynamic(s.verifyForm)},
		{"POST /verify", pub, s.limitedChecks(s.dynamic(s.verifyCredential))},
		{"GET /.well-known/did.json", pub, s.dynamic(s.didDocument)},
		{"GET /credentials/status/{list}", pub, s.dynamic(s.statusList)},
		{"GET /achievements/{curriculum}/{specialism}", pub, s.dynamic(s.achievement)},
		{"GET /assess/{token}", pub, s.dynamic(s.assessPage)},
		{"POST /assess/{token}", pub, s.limited(s.dynamic(s.assess))},
		{"GET /assess/{token}/files/{id}", pub, s.dynamic(s.assessFile)},

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
		{"GET /api/v1/posts", pub, s.liveAPI(s.apiOpenPosts)},
		{"GET /api/v1/rounds/{id}/progress", pub, s.liveAPI(s.apiOfferProgress)},

		// The accounts API.
		{"POST /api/v1/session", pub, s.limited(s.apiJSON(s.apiSignIn))},
		{"DELETE /api/v1/session", auth.ActionAccountView, s.apiJSON(s.apiSignOut)},
		{"GET /api/v1/me", auth.ActionAccountView, s.apiJSON(s.apiMe)},
		{"GET /api/v1/me/data", auth.ActionAccountView, s.apiJSON(s.apiMyData)},
		{"POST /api/v1/me/password", auth.ActionAccountView, s.apiJSON(s.apiChangePassword)},
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

		// National recruitment: rounds, posts, applications, scoring, the
		// match and offers.
		{"GET /api/v1/rounds", pub, s.apiJSON(s.apiRounds)},
		{"POST /api/v1/rounds", auth.ActionRoundManage, s.apiJSON(s.apiCreateRound)},
		{"GET /api/v1/rounds/{id}", pub, s.apiJSON(s.apiRound)},
		{"PUT /api/v1/rounds/{id}/timetable", auth.ActionRoundManage, s.apiJSON(s.apiTimetable)},
		{"PUT /api/v1/rounds/{id}/stations", auth.ActionRoundManage, s.apiJSON(s.apiSetStations)},
		{"GET /api/v1/rounds/{id}/summary", auth.ActionRoundManage, s.apiJSON(s.apiSummary)},
		{"GET /api/v1/rounds/{id}/test", auth.ActionRoundManage, s.apiJSON(s.apiTestStage)},
		{"PUT /api/v1/rounds/{id}/test/rule", auth.ActionRoundManage, s.apiJSON(s.apiSetTestRule)},
		{"POST /api/v1/rounds/{id}/test/scores", auth.ActionRoundManage, upload{s.apiJSON(s.apiImportTestScores), maxTestFileBytes + 1}},
		{"POST /api/v1/rounds/{id}/test/publish", auth.ActionRoundManage, s.apiJSON(s.apiPublishTestOutcomes)},
		{"GET /api/v1/rounds/{id}/shortlist", auth.ActionRoundManage, s.apiJSON(s.apiShortlist)},
		{"POST /api/v1/rounds/{id}/shortlist/publish", auth.ActionRoundManage, s.apiJSON(s.apiPublishShortlist)},
		{"GET /api/v1/rounds/{id}/reviewers", auth.ActionRoundManage, s.apiJSON(s.apiReviewers)},
		{"POST /api/v1/rounds/{id}/reviewers", auth.ActionRoundManage, s.apiJSON(s.apiAppointReviewer)},
		{"POST /api/v1/rounds/{id}/assignments", auth.ActionRoundManage, s.apiJSON(s.apiAssignReviewers)},
		{"GET /api/v1/rounds/{id}/posts", pub, s.apiJSON(s.apiRoundPosts)},
		{"POST /api/v1/rounds/{id}/posts", auth.ActionPostCreate, s.apiJSON(s.apiCreatePost)},
		{"GET /api/v1/posts/{id}", pub, s.apiJSON(s.apiPost)},
		{"PATCH /api/v1/posts/{id}", auth.ActionPostCreate, s.apiJSON(s.apiUpdatePost)},
		{"POST /api/v1/posts/{id}/withdraw", auth.ActionPostCreate, s.apiJSON(s.apiWithdrawPost)},
		{"GET /api/v1/posts/{id}/offers", auth.ActionPostCreate, s.apiJSON(s.apiPostOffers)},
		{"GET /api/v1/posts/{id}/nominations", auth.ActionPostCreate, s.apiJSON(s.apiPostNominations)},
		{"POST /api/v1/posts/{id}/nominations", auth.ActionNominate, s.apiJSON(s.apiNominate)},
		{"DELETE /api/v1/posts/{id}/nominations/{nomination}", auth.ActionNominate, s.apiJSON(s.apiWithdrawNomination)},
		{"GET /api/v1/posts/{id}/offers/{offer}/checks", auth.ActionOfferChecks, s.apiJSON(s.apiOfferChecks)},
		{"PUT /api/v1/posts/{id}/offers/{offer}/checks/{kind}", auth.ActionOfferChecks, s.apiJSON(s.apiRecordCheck)},
		{"PUT /api/v1/posts/{id}/ranking", auth.ActionPostCreate, s.apiJSON(s.apiPostRanking)},
		{"GET /api/v1/me/profile", auth.ActionApply, s.apiJSON(s.apiProfile)},
		{"PUT /api/v1/me/profile", auth.ActionApply, s.apiJSON(s.apiSaveProfile)},
		{"GET /api/v1/me/applications", auth.ActionApply, s.apiJSON(s.apiMyApplications)},
		{"GET /api/v1/rounds/{id}/eligibility", auth.ActionApply, s.apiJSON(s.apiEligibility)},
		{"POST /api/v1/rounds/{id}/applications", auth.ActionApply, s.apiJSON(s.apiApply)},
		{"GET /api/v1/applications/{id}", auth.ActionApply, s.apiJSON(s.apiApplication)},
		{"GET /api/v1/rounds/{id}/review", auth.ActionReview, s.apiJSON(s.apiReviewQueue)},
		{"POST /api/v1/applications/{id}/reviews", auth.ActionReview, s.apiJSON(s.apiReview)},
		{"POST /api/v1/applications/{id}/moderation", auth.ActionModerate, s.apiJSON(s.apiModerate)},
		{"GET /api/v1/rounds/{id}/interviews", auth.ActionInterview, s.apiJSON(s.apiInterviewQueue)},
		{"POST /api/v1/applications/{id}/interview-scores", auth.ActionInterview, s.apiJSON(s.apiInterviewScore)},
		// Training.
		{"GET /api/v1/trainees", auth.ActionTrainingView, s.apiJSON(s.apiTrainees)},
		{"GET /api/v1/trainees/{id}", auth.ActionTrainingView, s.apiJSON(s.apiTrainee)},
		{"GET /api/v1/trainees/{id}/history", auth.ActionTrainingView, s.apiJSON(s.apiTraineeHistory)},
		{"GET /api/v1/placements", auth.ActionTrainingManage, s.apiJSON(s.apiPlacements)},
		{"POST /api/v1/placements/{id}/trainee", auth.ActionTrainingManage, s.apiJSON(s.apiEnrol)},
		{"POST /api/v1/departments/{id}/trainees", auth.ActionTrainingManage, upload{s.apiJSON(s.apiImport), importBodyBytes}},
		{"POST /api/v1/trainees/{id}/confirm", auth.ActionTrainingManage, s.apiJSON(training["confirm"])},
		{"PUT /api/v1/trainees/{id}/team", auth.ActionTrainingManage, s.apiJSON(training["team"])},
		{"POST /api/v1/trainees/{id}/changes", auth.ActionTrainingManage, s.apiJSON(training["change"])},
		{"POST /api/v1/invitations/{id}/decision", auth.ActionTrainingManage, s.apiJSON(s.apiAssessorDecision)},
		{"POST /api/v1/trainees/{id}/evidence", auth.ActionEvidence, s.apiJSON(training["evidence"])},
		{"GET /api/v1/evidence/{id}", auth.ActionEvidence, s.apiJSON(s.apiEvidence)},
		{"PATCH /api/v1/evidence/{id}", auth.ActionEvidence, s.apiJSON(s.apiEditEvidence)},
		{"POST /api/v1/evidence/{id}/submit", auth.ActionEvidence, s.apiJSON(s.apiSubmitEvidence)},
		{"POST /api/v1/evidence/{id}/files", auth.ActionEvidence, upload{s.apiJSON(s.apiAttachFile), uploadBodyBytes}},
		{"GET /api/v1/trainees/{id}/files", auth.ActionTrainingView, s.apiJSON(s.apiFiles)},
		{"GET /api/v1/files/{id}", auth.ActionTrainingView, http.HandlerFunc(s.apiFile)},
		{"DELETE /api/v1/files/{id}", auth.ActionEvidence, s.apiJSON(s.apiRemoveFile)},
		{"POST /api/v1/trainees/{id}/sign-offs", auth.ActionSignOff, s.apiJSON(training["sign-off"])},
		{"POST /api/v1/trainees/{id}/reopenings", auth.ActionSignOff, s.apiJSON(training["reopen"])},
		{"POST /api/v1/trainees/{id}/reviews", auth.ActionTrainingReview, s.apiJSON(training["review"])},
		{"POST /api/v1/trainees/{id}/records", auth.ActionTrainingReview, s.apiJSON(training["record"])},
		{"POST /api/v1/trainees/{id}/complete", auth.ActionTrainingReview, s.apiJSON(training["complete"])},
		{"GET /api/v1/trainees/{id}/certificates", auth.ActionTrainingView, s.apiJSON(s.apiCertificates)},
		{"GET /api/v1/trainees/{id}/archive", auth.ActionTrainingView, s.apiJSON(s.apiArchive)},
		{"GET /api/v1/trainees/{id}/statements", auth.ActionTrainingView, s.apiJSON(s.apiStatements)},
		{"POST /api/v1/trainees/{id}/certificates", auth.ActionTrainingReview, s.apiJSON(s.apiIssueCertificate)},
		{"POST /api/v1/trainees/{id}/certificates/{cert}/revoke", auth.ActionTrainingReview, s.apiJSON(s.apiRevokeCertificate)},
		{"POST /api/v1/credentials/verify", pub, s.limitedChecks(s.apiJSON(s.apiVerify))},
		{"GET /api/v1/assessments/{token}", pub, s.apiJSON(s.apiAssignment)},
		{"POST /api/v1/assessments/{token}", pub, s.limited(s.apiJSON(s.apiAssess))},
		{"POST /api/v1/rounds/{id}/rank", auth.ActionRoundManage, s.apiJSON(s.apiRank)},
		{"GET /api/v1/rounds/{id}/ranking", auth.ActionRoundManage, s.apiJSON(s.apiRanking)},
		{"PUT /api/v1/applications/{id}/preferences", auth.ActionApply, s.apiJSON(s.apiSetPreferences)},
		{"POST /api/v1/rounds/{id}/what-if", auth.ActionRoundManage, s.apiJSON(s.apiWhatIf)},
		{"POST /api/v1/rounds/{id}/match", auth.ActionRoundManage, s.apiJSON(s.apiMatch)},
		{"GET /api/v1/applications/{id}/result", auth.ActionApply, s.apiJSON(s.apiResult)},
		{"POST /api/v1/applications/{id}/withdraw", auth.ActionApply, s.apiJSON(s.apiWithdrawApplication)},
		{"GET /api/v1/applications/{id}/feedback", auth.ActionApply, s.apiJSON(s.apiFeedback)},
		{"GET /api/v1/applications/{id}/offers", auth.ActionApply, s.apiJSON(s.apiApplicationOffers)},
		{"GET /api/v1/offers/{id}", auth.ActionApply, s.apiJSON(s.apiOffer)},
		{"POST /api/v1/offers/{id}/answer", auth.ActionApply, s.apiJSON(s.apiAnswerOffer)},
		{"GET /api/v1/rounds/{id}/offers", auth.ActionRoundManage, s.apiJSON(s.apiRoundOffers)},
		{"POST /api/v1/rounds/{id}/offers/expire", auth.ActionRoundManage, s.apiJSON(s.apiExpireOffers)},

		// The workforce's figures, with small numbers suppressed.
		{"GET /api/v1/workforce/figures", auth.ActionWorkforceHome, s.apiJSON(s.apiWorkforceFigures)},
		{"GET /api/v1/workforce/quarters", auth.ActionWorkforceHome, s.apiJSON(s.apiWorkforceSeries)},
		{"GET /api/v1/workforce/flows", auth.ActionWorkforceHome, s.apiJSON(s.apiWorkforceFlows)},
		{"GET /api/v1/workforce/fhir/{type}", auth.ActionWorkforceStaff, s.dynamic(s.workforceFHIRStaff)},
		{"GET /api/v1/workforce/forecast", auth.ActionWorkforceHome, s.apiJSON(s.apiWorkforceForecast)},
		{"GET /api/v1/workforce/pipeline", auth.ActionPipeline, s.apiJSON(s.apiWorkforcePipeline)},
		{"GET /api/v1/fhir/CodeSystem/{id}", pub, s.page(s.fhirTerminology("CodeSystem"))},
		{"GET /api/v1/fhir/ValueSet/{id}", pub, s.page(s.fhirTerminology("ValueSet"))},

		// Operations and assets.
		{"GET /healthz", pub, http.HandlerFunc(s.healthz)},
		{"GET /readyz", pub, http.HandlerFunc(s.readyz)},
		{"GET /assets/", pub, s.assets()},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		h := s.guard(rt.Action, rt.API(), rt.handler)
		if u, ok := rt.handler.(upload); ok {
			h = uploadBody(u.limit, h)
		} else {
			h = limitBody(maxBodyBytes, h)
		}
		mux.Handle(rt.Pattern, h)
	}
	mux.Handle("/api/", limitBody(maxBodyBytes, s.api(s.apiNotFound)))
	mux.Handle("/", limitBody(maxBodyBytes, s.page(s.notFoundPage)))
	return mux
}

// maxBodyBytes bounds request bodies, except a route's that takes a file.
const maxBodyBytes = 64 << 10

// upload marks a route that takes a file: its bodies may be up to limit
// bytes.
type upload struct {
	http.Handler
	limit int64
}

// uploadBodyBytes bounds a request carrying one attached file: the file
// and the form around it.
const uploadBodyBytes = train.MaxFileBytes + 64<<10

// uploadRate is the slowest upload a route that takes a file waits for:
// 64 KB a second, half a megabit. Its request may take as long as its
// largest body needs at that rate, beyond the server's usual deadlines.
const uploadRate = 64 << 10

// uploadTime is how long a request of up to limit bytes may take.
func uploadTime(limit int64) time.Duration {
	return 30*time.Second + time.Duration(limit/uploadRate)*time.Second
}

func uploadBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		deadline := time.Now().Add(uploadTime(limit))
		// Not every writer supports deadlines (a test's recorder does not).
		rc.SetReadDeadline(deadline)
		rc.SetWriteDeadline(deadline.Add(time.Minute))
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

func limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
