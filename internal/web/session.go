package web

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// Session cookie. The token is random; the database holds only its hash.
const (
	sessionCookie   = "hcs_session"
	sessionLifetime = 12 * time.Hour
)

type principalKey struct{}

// lazyPrincipal finds the signed-in person the first time anything asks,
// so that requests that never ask (the cached explorer) never touch the
// session table.
type lazyPrincipal struct {
	once sync.Once
	load func() (*auth.Principal, error)
	p    *auth.Principal
	err  error
}

func (l *lazyPrincipal) get() (*auth.Principal, error) {
	l.once.Do(func() { l.p, l.err = l.load() })
	return l.p, l.err
}

// principal returns the signed-in person for the request, or nil. A
// session that cannot be read counts as signed out here; the guard
// reports the error for routes that need someone signed in.
func principal(r *http.Request) *auth.Principal {
	l, _ := r.Context().Value(principalKey{}).(*lazyPrincipal)
	if l == nil {
		return nil
	}
	p, _ := l.get()
	return p
}

// actor is who is making this request, for the audit log.
func actor(r *http.Request) auth.Actor {
	a := auth.Actor{Address: clientAddress(r)}
	if p := principal(r); p != nil {
		a.UserID = p.User.ID
	}
	return a
}

// loadPrincipal reads the session cookie and finds the signed-in person.
// A missing, unknown or expired session is simply "not signed in".
func (s *Server) loadPrincipal(r *http.Request) (*auth.Principal, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	p, err := s.store.SessionPrincipal(r.Context(), auth.HashToken(c.Value))
	if apperr.Code(err) == apperr.NotFound {
		return nil, nil
	}
	return p, err
}

// startSession signs a person in: a new session row and its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64) error {
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	by := actor(r)
	by.UserID = userID
	if err := s.store.CreateSession(r.Context(), by, userID, hash, sessionLifetime); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionLifetime.Seconds()),
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// secureCookies marks cookies Secure when the request came over TLS, or
// when the server is configured as sitting behind a TLS terminator.
func (s *Server) secureCookies(r *http.Request) bool { return r.TLS != nil || s.alwaysSecure }

// guard checks the route's action before the handler runs. Signed-out
// people are sent to sign in (pages) or told 401 (API); signed-in people
// without the right get 403. Handlers then check the record's scope with
// s.authorize.
func (s *Server) guard(action auth.Action, api bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lazy := &lazyPrincipal{load: func() (*auth.Principal, error) { return s.loadPrincipal(r) }}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, lazy))
		if action == auth.ActionPublic {
			next.ServeHTTP(w, r)
			return
		}
		p, err := lazy.get()
		if err != nil {
			s.fail(w, r, api, err)
			return
		}
		if !p.Can(action) {
			if p == nil {
				if api {
					s.fail(w, r, true, apperr.Errorf(apperr.Unauthorized, "sign in first: POST /api/v1/session"))
					return
				}
				http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, api, apperr.Errorf(apperr.Forbidden, "You do not have permission to do that."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorize checks the action against a particular record.
func authorize(r *http.Request, action auth.Action, t auth.Target) error {
	if !principal(r).Allowed(action, t) {
		return apperr.Errorf(apperr.Forbidden, "You do not have permission to do that.")
	}
	return nil
}

// fail writes an error as JSON for the API or as a page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, err error) {
	if api {
		s.logIfInternal(r, err)
		s.retryLater(w, r, err)
		s.jsonError(err).write(w, r, "no-store")
		return
	}
	s.renderError(w, r, err)
}

// retryLater marks an answer to an error that passes, such as the
// database refusing more connections, so that clients and proxies try
// again in a moment.
func (s *Server) retryLater(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.Code(err) == apperr.Unavailable {
		w.Header().Set("Retry-After", "1")
		s.log.Warn("unavailable", "method", r.Method, "path", r.URL.Path, "request_id", requestIDOf(r), "err", err)
	}
}
