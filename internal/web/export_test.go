package web

import "net/http"

// FailForTest answers with an error as a handler would.
func (s *Server) FailForTest(w http.ResponseWriter, r *http.Request, api bool, err error) {
	s.fail(w, r, api, err)
}
