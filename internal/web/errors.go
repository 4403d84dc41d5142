package web

import (
	"encoding/json"
	"net/http"

	"hcs/internal/apperr"
)

// statusOf maps application error codes to HTTP statuses.
var statusOf = map[string]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Unauthorized:    http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.TooManyRequests: http.StatusTooManyRequests,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.Internal:        http.StatusInternalServerError,
}

func errorStatus(err error) int {
	if st, ok := statusOf[apperr.Code(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func (s *Server) logIfInternal(r *http.Request, err error) {
	if apperr.Code(err) != apperr.Internal {
		return
	}
	if r.Context().Err() != nil {
		// The client closed the connection or gave up waiting: nothing
		// went wrong here, and nobody will read the answer.
		s.log.Info("client went away", "method", r.Method, "path", r.URL.Path, "client", clientAddress(r), "request_id", requestIDOf(r), "err", r.Context().Err())
		return
	}
	s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "client", clientAddress(r), "request_id", requestIDOf(r), "err", err)
}

func (s *Server) jsonError(err error) *response {
	var body apiError
	body.Error.Code = apperr.Code(err)
	body.Error.Message = apperr.Message(err)
	body.Error.Field = apperr.Field(err)
	b, _ := json.Marshal(body)
	return newResponse(errorStatus(err), "application/json", append(b, '\n'))
}

// renderError writes an error page for err.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	s.logIfInternal(r, err)
	s.retryLater(w, r, err)
	resp := s.errorPage(r, err)
	resp.write(w, r, "no-store")
}

func (s *Server) errorPage(r *http.Request, err error) *response {
	status := errorStatus(err)
	title := "Sorry, there is a problem with the service"
	switch status {
	case http.StatusNotFound:
		title = "Page not found"
	case http.StatusBadRequest:
		title = "There is a problem with your request"
	case http.StatusMethodNotAllowed:
		title = "That action is not allowed here"
	case http.StatusForbidden:
		title = "You do not have permission to see this page"
	case http.StatusTooManyRequests:
		title = "Too many attempts"
	case http.StatusServiceUnavailable:
		title = "Sorry, the service is busy"
	}
	resp, rerr := s.render(r, status, "error", title, nil, map[string]any{"Status": status, "Message": apperr.Message(err)})
	if rerr != nil {
		return newResponse(status, "text/plain; charset=utf-8", []byte(title+"\n"))
	}
	return resp
}
