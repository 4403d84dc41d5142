package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// Sign-in limits: failures within signInWindow, per account and per
// address. They are counted in the database, so they hold across every
// hcs process.
const (
	signInWindow          = 15 * time.Minute
	maxFailuresPerAccount = 5
	maxFailuresPerAddress = 20
	resetLifetime         = time.Hour
)

var errBadCredentials = apperr.Invalidf("email", "Enter a correct email address and password")

// authenticate checks an email address and password, counting failures
// and refusing once either limit is reached.
func (s *Server) authenticate(r *http.Request, email, password string) (*auth.User, error) {
	email = auth.NormaliseEmail(email)
	if email == "" || password == "" {
		return nil, errBadCredentials
	}
	sum := sha256.Sum256([]byte(email))
	emailHash := hex.EncodeToString(sum[:])
	address := clientAddress(r)
	byEmail, byAddress, err := s.store.RecentFailures(r.Context(), emailHash, address, signInWindow)
	if err != nil {
		return nil, err
	}
	if byEmail >= maxFailuresPerAccount || byAddress >= maxFailuresPerAddress {
		return nil, &apperr.Error{Code: apperr.TooManyRequests, Field: "email",
			Message: "Too many failed attempts to sign in. Wait 15 minutes and try again, or reset your password."}
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	if err != nil && apperr.Code(err) != apperr.NotFound {
		return nil, err
	}
	hash := ""
	if u != nil && u.ErasedAt == nil {
		hash = u.PasswordHash
	}
	ok := auth.CheckPassword(hash, password) // runs even without an account, to take the same time
	if err := s.store.RecordSignIn(r.Context(), emailHash, address, ok); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errBadCredentials
	}
	return u, nil
}

// homeOf is where a person goes after signing in: their first role's home.
func homeOf(u *auth.User) string {
	for _, role := range auth.Roles {
		for _, g := range u.Grants {
			if g.Role == role {
				return auth.HomePath[role]
			}
		}
	}
	return "/account"
}

// localPath accepts only paths on this site, so that ?next= cannot send
// people elsewhere.
func localPath(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return ""
}

type formPage struct {
	Values map[string]string
	Error  error
	Notice string
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if p := principal(r); p != nil {
		http.Redirect(w, r, homeOf(p.User), http.StatusSeeOther)
		return nil
	}
	fp := formPage{Values: map[string]string{"next": localPath(r.URL.Query().Get("next"))}}
	if r.URL.Query().Get("reset") == "1" {
		fp.Notice = "Your password has been changed. Sign in with your new password."
	}
	return s.show(w, r, http.StatusOK, "sign-in", "Sign in", nil, fp)
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email, next := r.PostForm.Get("email"), localPath(r.PostForm.Get("next"))
	u, err := s.authenticate(r, email, r.PostForm.Get("password"))
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.TooManyRequests {
			return err
		}
		return s.show(w, r, errorStatus(err), "sign-in", "Sign in", nil, formPage{Values: map[string]string{"email": email, "next": next}, Error: err})
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		return err
	}
	if next == "" {
		next = homeOf(u)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) signUpPage(w http.ResponseWriter, r *http.Request) error {
	return s.show(w, r, http.StatusOK, "sign-up", "Create an account", nil, formPage{Values: map[string]string{}})
}

// signUpFields checks a new account's details.
func signUpFields(name, email, password, confirm string) error {
	if err := auth.ValidateName(name); err != nil {
		return err
	}
	if err := auth.ValidateEmail(auth.NormaliseEmail(email)); err != nil {
		return err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return err
	}
	if password != confirm {
		return apperr.Invalidf("confirm", "The passwords do not match")
	}
	return nil
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	values := map[string]string{"name": f.Get("name"), "email": f.Get("email")}
	err := signUpFields(f.Get("name"), f.Get("email"), f.Get("password"), f.Get("confirm"))
	var u *auth.User
	if err == nil {
		u = &auth.User{Name: f.Get("name"), Email: f.Get("email")}
		var hash string
		if hash, err = auth.HashPassword(f.Get("password")); err == nil {
			by := actor(r)
			by.SigningUp = true
			err = s.store.CreateUser(r.Context(), by, u, hash, []auth.Grant{{Role: auth.RoleApplicant}})
		}
	}
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.Conflict {
			return err
		}
		return s.show(w, r, errorStatus(err), "sign-up", "Create an account", nil, formPage{Values: values, Error: err})
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/applicant", http.StatusSeeOther)
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.store.DeleteSession(r.Context(), actor(r), auth.HashToken(c.Value)); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := s.store.DeleteUserSessions(r.Context(), actor(r), p.User.ID); err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}

func (s *Server) passwordResetPage(w http.ResponseWriter, r *http.Request) error {
	return s.show(w, r, http.StatusOK, "password-reset", "Reset your password", nil, formPage{Values: map[string]string{}})
}

// requestPasswordReset puts a single-use link in the outbox when the
// address has an account. The answer is the same either way, so the page
// does not reveal who has an account.
func (s *Server) requestPasswordReset(r *http.Request, email string) error {
	email = auth.NormaliseEmail(email)
	if err := auth.ValidateEmail(email); err != nil {
		return err
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	if apperr.Code(err) == apperr.NotFound || (err == nil && u.ErasedAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	link := s.publicURL(r) + "/password-reset/" + token
	msg := auth.Message{Recipient: u.Email, Subject: "Reset your hcs password",
		Body: "Hello " + u.Name + ",\n\nUse this link within one hour to choose a new password:\n\n" + link +
			"\n\nThe link works once. If you did not ask for it, you can ignore this message.\n"}
	return s.store.CreatePasswordReset(r.Context(), actor(r), u.ID, hash, resetLifetime, msg)
}

// publicURL is the address links in messages point to.
func (s *Server) publicURL(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) passwordResetRequest(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email := r.PostForm.Get("email")
	if err := s.requestPasswordReset(r, email); err != nil {
		if apperr.Code(err) != apperr.Invalid {
			return err
		}
		return s.show(w, r, http.StatusBadRequest, "password-reset", "Reset your password", nil, formPage{Values: map[string]string{"email": email}, Error: err})
	}
	return s.show(w, r, http.StatusOK, "password-reset", "Check your email", nil, formPage{Values: map[string]string{},
		Notice: "If an account uses that address, we have sent it a link to reset the password. The link works once, within one hour."})
}

func (s *Server) newPasswordPage(w http.ResponseWriter, r *http.Request) error {
	return s.show(w, r, http.StatusOK, "password-new", "Choose a new password", nil, formPage{Values: map[string]string{"token": r.PathValue("token")}})
}

func (s *Server) newPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	token := r.PathValue("token")
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	err := auth.ValidatePassword(pw)
	if err == nil && pw != confirm {
		err = apperr.Invalidf("confirm", "The passwords do not match")
	}
	if err == nil {
		var hash string
		if hash, err = auth.HashPassword(pw); err == nil {
			_, err = s.store.ResetPassword(r.Context(), actor(r), auth.HashToken(token), hash)
		}
	}
	if err != nil {
		if apperr.Code(err) != apperr.Invalid {
			return err
		}
		return s.show(w, r, http.StatusBadRequest, "password-new", "Choose a new password", nil, formPage{Values: map[string]string{"token": token}, Error: err})
	}
	http.Redirect(w, r, "/sign-in?reset=1", http.StatusSeeOther)
	return nil
}

// accountView describes a person's roles with their organisations' names.
type accountView struct {
	User   *auth.User
	Grants []grantView
}

type grantView struct {
	auth.Grant
	RoleName string
	Scope    string
	Home     string
}

func (s *Server) grantViews(r *http.Request, grants []auth.Grant) ([]grantView, error) {
	var out []grantView
	for _, g := range grants {
		v := grantView{Grant: g, RoleName: auth.RoleNames[g.Role], Home: auth.HomePath[g.Role]}
		if g.OrganisationID != 0 {
			org, _, err := s.store.Organisation(r.Context(), g.OrganisationID)
			if err != nil {
				return nil, err
			}
			v.Scope = org.Name
		}
		if g.DepartmentID != 0 {
			d, err := s.store.Department(r.Context(), g.DepartmentID)
			if err != nil {
				return nil, err
			}
			v.Scope = d.Name + ", " + v.Scope
		}
		if g.RoundID != 0 {
			rd, err := s.recruit.Round(r.Context(), g.RoundID)
			if err != nil {
				return nil, err
			}
			v.Scope = rd.Name
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	grants, err := s.grantViews(r, p.Grants)
	if err != nil {
		return err
	}
	return s.show(w, r, http.StatusOK, "account", "Your account", nil, accountView{User: p.User, Grants: grants})
}

func (s *Server) accountData(w http.ResponseWriter, r *http.Request) error {
	pd, err := s.store.PersonalData(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="hcs-my-data.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pd)
}

// redirectBack sends the browser back to a page after a form, with a
// notice in the query string.
func redirectBack(w http.ResponseWriter, r *http.Request, path, notice string) {
	if notice != "" {
		path += "?done=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
