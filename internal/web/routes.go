package web

import "net/http"

// routes is the index of the site and the API. Every explorer page and API
// answer is a pure function of its URL and the framework data, so the
// handlers built with s.page and s.api are cached and carry ETags.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Pages.
	mux.Handle("GET /{$}", s.page(s.homePage))
	mux.Handle("GET /areas", s.page(s.areasPage))
	mux.Handle("GET /areas/{id}", s.page(s.divisionPage))
	mux.Handle("GET /role-groups/{id}", s.page(s.roleGroupPage))
	mux.Handle("GET /specialisms", s.page(s.specialismsPage))
	mux.Handle("GET /specialisms/{id}", s.page(s.specialismPage))
	mux.Handle("GET /levels", s.page(s.levelsPage))
	mux.Handle("GET /levels/{id}", s.page(s.levelPage))
	mux.Handle("GET /programmes", s.page(s.programmesPage))
	mux.Handle("GET /programmes/{id}", s.page(s.programmePage))
	mux.Handle("GET /search", s.page(s.searchPage))
	mux.Handle("GET /compare", s.page(s.comparePage))
	mux.Handle("GET /pathway", s.page(s.pathwayPage))
	mux.Handle("GET /quiz", s.page(s.quizPage))
	mux.Handle("GET /quiz/results", s.page(s.quizResultsPage))

	// JSON API.
	mux.Handle("GET /api/v1/openapi.json", s.api(s.apiOpenAPI))
	mux.Handle("GET /api/v1/framework", s.api(s.apiFramework))
	mux.Handle("GET /api/v1/divisions", s.api(s.apiDivisions))
	mux.Handle("GET /api/v1/divisions/{id}", s.api(s.apiDivision))
	mux.Handle("GET /api/v1/role-groups", s.api(s.apiRoleGroups))
	mux.Handle("GET /api/v1/role-groups/{id}", s.api(s.apiRoleGroup))
	mux.Handle("GET /api/v1/specialisms", s.api(s.apiSpecialisms))
	mux.Handle("GET /api/v1/specialisms/{id}", s.api(s.apiSpecialism))
	mux.Handle("GET /api/v1/renamed/{id}", s.api(s.apiRenamed))
	mux.Handle("GET /api/v1/levels", s.api(s.apiLevels))
	mux.Handle("GET /api/v1/levels/{id}", s.api(s.apiLevel))
	mux.Handle("GET /api/v1/programmes", s.api(s.apiProgrammes))
	mux.Handle("GET /api/v1/programmes/{id}", s.api(s.apiProgramme))
	mux.Handle("GET /api/v1/starting-points", s.api(s.apiStartingPoints))
	mux.Handle("GET /api/v1/search", s.api(s.apiSearch))
	mux.Handle("GET /api/v1/compare", s.api(s.apiCompare))
	mux.Handle("GET /api/v1/pathway", s.api(s.apiPathway))
	mux.Handle("GET /api/v1/quiz", s.api(s.apiQuiz))
	mux.Handle("GET /api/v1/quiz/results", s.api(s.apiQuizResults))
	mux.Handle("/api/", s.api(s.apiNotFound))

	// Operations and assets.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /assets/", s.assets())

	mux.Handle("/", s.page(s.notFoundPage))
	return mux
}
