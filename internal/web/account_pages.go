package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/text"
)

// Account limits. Sign-in attempts are counted in the database before a
// password is checked, so they hold across every hcs process and against
// parallel requests.
const (
	signInWindow           = 15 * time.Minute
	maxAttemptsPerAccount  = 5
	maxAttemptsPerAddress  = 20
	resetLifetime          = time.Hour
	signUpLifetime         = 24 * time.Hour
	messagesPerAddressHour = 5
)

var errBadCredentials = apperr.Invalidf("email", "Enter a correct email address and password")

// attemptKeys are the sign-in counters an attempt counts against: the
// account and the client's address, each by a hash.
func attemptKeys(email, address string) []string {
	return []string{auth.AccountKey(email), auth.AddressKey(address)}
}

// authenticate checks an email address and password. The attempt is
// counted before the password is checked and refused once either limit is
// reached; a success gives its attempt back. An unknown address takes the
// same path, checking the password against a dummy hash.
func (s *Server) authenticate(r *http.Request, email, password string) (*auth.User, error) {
	email, err := auth.CheckEmail(email)
	if err != nil || password == "" || len(password) > 4*auth.MaxPasswordLength {
		return nil, errBadCredentials
	}
	keys := attemptKeys(email, clientAddress(r))
	limits := []auth.AttemptLimit{{Key: keys[0], Max: maxAttemptsPerAccount}, {Key: keys[1], Max: maxAttemptsPerAddress}}
	if err := s.store.ClaimAttempts(r.Context(), limits, signInWindow); err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	if err != nil && apperr.Code(err) != apperr.NotFound {
		return nil, err
	}
	hash := ""
	if u != nil && u.ErasedAt == nil {
		hash = u.PasswordHash
	}
	ok, err := auth.CheckPassword(r.Context(), hash, password)
	if err != nil {
		return nil, errors.Join(err, s.store.ReleaseAttempts(r.Context(), keys)) // not checked: not counted
	}
	if !ok {
		return nil, errBadCredentials
	}
	return u, s.store.ReleaseAttempts(r.Context(), keys)
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

// localPath accepts only a path on this site, so that ?next= cannot send
// people elsewhere: it must start with one slash and hold no backslash,
// space or control character (browsers drop tabs and line breaks, which
// turns "/\t/host" into "//host").
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsFunc(next, func(r rune) bool {
		return r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
	}) {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

type formPage struct {
	Values map[string]string
	Error  error
	Notice string
	// Sent is the message the form just queued, shown only in a
	// demonstration without a mail server (Config.ShowMessages).
	Sent *auth.Message
}

// sentTo is the newest message to an address, when the server shows
// messages on the page (a demonstration without a mail server).
func (s *Server) sentTo(r *http.Request, email string) *auth.Message {
	if !s.showMessages {
		return nil
	}
	msgs, err := s.store.Outbox(r.Context(), 50)
	if err != nil {
		return nil
	}
	for _, m := range msgs {
		if m.Recipient == email {
			return &m
		}
	}
	return nil
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if p := principal(r); p != nil {
		http.Redirect(w, r, homeOf(p.User), http.StatusSeeOther)
		return nil
	}
	fp := formPage{Values: map[string]string{"next": localPath(r.URL.Query().Get("next"))}, Notice: takeNotice(w, r)}
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

// signUpFields checks a new account's details and returns the name and
// address cleaned.
func signUpFields(name, email, password, confirm string) (string, string, error) {
	name, err := auth.CheckName(name)
	if err != nil {
		return "", "", err
	}
	if email, err = auth.CheckEmail(email); err != nil {
		return "", "", err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return "", "", err
	}
	if password != confirm {
		return "", "", apperr.Invalidf("confirm", "The passwords do not match")
	}
	return name, email, nil
}

// signUp asks for an account. Whether or not the address already has one,
// the answer is the same page and the same work: the password is hashed
// and a message goes to the address, with a link to finish (a new
// address) or a note that the address has an account.
func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	values := map[string]string{"name": f.Get("name"), "email": f.Get("email")}
	name, email, err := signUpFields(f.Get("name"), f.Get("email"), f.Get("password"), f.Get("confirm"))
	if err == nil {
		err = s.requestSignUp(r, name, email, f.Get("password"))
	}
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.TooManyRequests {
			return err
		}
		return s.show(w, r, errorStatus(err), "sign-up", "Create an account", nil, formPage{Values: values, Error: err})
	}
	return s.show(w, r, http.StatusOK, "sign-up", "Check your email", nil, formPage{Values: map[string]string{"email": email},
		Notice: "We have sent a message to " + email + ". Open the link in it within 24 hours to finish creating your account.",
		Sent:   s.sentTo(r, email)})
}

func (s *Server) requestSignUp(r *http.Request, name, email, password string) error {
	hash, err := auth.HashPassword(r.Context(), password)
	if err != nil {
		return err
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		return err
	}
	return s.store.RequestSignUp(r.Context(), actor(r), auth.SignUpRequest{
		Name: name, Email: email, PasswordHash: hash, TokenHash: tokenHash, Lifetime: signUpLifetime, MaxPerHour: messagesPerAddressHour,
		Confirm: auth.Message{Subject: "Finish creating your hcs account",
			Body: "To finish creating your hcs account, open this link within 24 hours:\n\n" + s.baseURL + "/sign-up/" + token +
				"\n\nIf you did not ask for an account, ignore this message and no account will be made.\n"},
		Existing: auth.Message{Subject: "You already have an hcs account",
			Body: "Someone tried to create an hcs account with this email address, but it already has one.\n\n" +
				"Sign in at " + s.baseURL + "/sign-in\n\nIf you have forgotten your password, reset it at " + s.baseURL + "/password-reset\n\n" +
				"If it was not you, ignore this message: nothing has changed.\n"},
	})
}

// linkToken reads a sign-up or reset token from the path. Anything that is
// not the shape of a token hcs issued is refused before any page renders.
func linkToken(r *http.Request) (string, error) {
	token := r.PathValue("token")
	if !auth.ValidToken(token) {
		return "", apperr.Errorf(apperr.NotFound, "This link is not valid. Check that you copied the whole link from the email.")
	}
	return token, nil
}

// linkPage shows a sign-up or reset link's page: the form when the link
// can be used, or why it cannot.
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request, page, title string, check func(tokenHash string) error, fp formPage) error {
	token, err := linkToken(r)
	if err == nil {
		err = check(auth.HashToken(token))
	}
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.NotFound {
			return err
		}
		return s.show(w, r, errorStatus(err), page, title, nil, formPage{Values: map[string]string{}, Error: err})
	}
	if fp.Values == nil {
		fp.Values = map[string]string{}
	}
	fp.Values["token"] = token
	return s.show(w, r, http.StatusOK, page, title, nil, fp)
}

func (s *Server) confirmSignUpPage(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "sign-up-confirm", "Finish creating your account", func(h string) error {
		return s.store.CheckSignUp(r.Context(), h)
	}, formPage{})
}

func (s *Server) confirmSignUp(w http.ResponseWriter, r *http.Request) error {
	token, err := linkToken(r)
	var u *auth.User
	if err == nil {
		u, err = s.store.CompleteSignUp(r.Context(), actor(r), auth.HashToken(token))
	}
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.NotFound {
			return err
		}
		return s.show(w, r, errorStatus(err), "sign-up-confirm", "Finish creating your account", nil, formPage{Values: map[string]string{}, Error: err})
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		return err
	}
	redirectBack(w, r, "/applicant", "Your account is ready")
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

// requestPasswordReset sends a single-use link when the address has an
// account, and a note that no account uses it when it has not: the same
// work and the same answer either way, so the page does not reveal who has
// an account.
func (s *Server) requestPasswordReset(r *http.Request, email string) error {
	email, err := auth.CheckEmail(email)
	if err != nil {
		return err
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		return err
	}
	return s.store.RequestPasswordReset(r.Context(), actor(r), auth.ResetRequest{
		Email: email, TokenHash: tokenHash, Lifetime: resetLifetime, MaxPerHour: messagesPerAddressHour,
		Link: auth.Message{Subject: "Reset your hcs password",
			Body: "Someone asked to reset the password of the hcs account that uses this email address.\n\n" +
				"To choose a new password, open this link within one hour:\n\n" + s.baseURL + "/password-reset/" + token +
				"\n\nThe link works once. If you did not ask for it, ignore this message: your password has not changed.\n"},
		NoAccount: auth.Message{Subject: "Reset your hcs password",
			Body: "Someone asked to reset the password of an hcs account using this email address, but no account uses it.\n\n" +
				"If it was you, you may have used a different address, or you can create an account at " + s.baseURL + "/sign-up\n\n" +
				"If it was not you, ignore this message.\n"},
	})
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
		Notice: "We have sent a message to that address. If it has an account, the message has a link to choose a new password, which works once, within one hour.",
		Sent:   s.sentTo(r, auth.NormaliseEmail(email))})
}

func (s *Server) newPasswordPage(w http.ResponseWriter, r *http.Request) error {
	return s.linkPage(w, r, "password-new", "Choose a new password", func(h string) error {
		return s.store.CheckPasswordReset(r.Context(), h)
	}, formPage{})
}

// newPassword uses a reset link. The cheap checks come first (the link's
// shape, the new password's rules, the link in the database) and only
// then is the password hashed, in one of the bounded hashing slots.
func (s *Server) newPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	token, err := linkToken(r)
	if err == nil {
		err = s.store.CheckPasswordReset(r.Context(), auth.HashToken(token))
	}
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.NotFound {
			return err
		}
		return s.show(w, r, errorStatus(err), "password-new", "Choose a new password", nil, formPage{Values: map[string]string{}, Error: err})
	}
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	err = auth.ValidatePassword(pw)
	if err == nil && pw != confirm {
		err = apperr.Invalidf("confirm", "The passwords do not match")
	}
	if err == nil {
		var hash string
		if hash, err = auth.HashPassword(r.Context(), pw); err == nil {
			_, err = s.store.ResetPassword(r.Context(), actor(r), auth.HashToken(token), hash)
		}
	}
	if err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.TooManyRequests {
			return err
		}
		values := map[string]string{}
		if apperr.Field(err) != "token" {
			values["token"] = token
		}
		return s.show(w, r, errorStatus(err), "password-new", "Choose a new password", nil, formPage{Values: values, Error: err})
	}
	redirectBack(w, r, "/sign-in", "Your password has been changed. Sign in with your new password.")
	return nil
}

// changePassword changes a signed-in person's password. The current
// password is checked under the same attempt limit as signing in; every
// other session ends and every reset link stops working.
func (s *Server) changePassword(r *http.Request, current, password, confirm string) error {
	p := principal(r)
	if err := auth.ValidatePassword(password); err != nil {
		return err
	}
	if password != confirm {
		return apperr.Invalidf("confirm", "The passwords do not match")
	}
	keys := attemptKeys(p.User.Email, clientAddress(r))
	if err := s.store.ClaimAttempts(r.Context(), []auth.AttemptLimit{{Key: keys[0], Max: maxAttemptsPerAccount}}, signInWindow); err != nil {
		return err
	}
	// The current password is checked against the account as stored now,
	// not as this process may have kept it with the session.
	u, err := s.store.User(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	ok, err := auth.CheckPassword(r.Context(), u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalidf("current", "Your current password is not correct")
	}
	if err := s.store.ReleaseAttempts(r.Context(), keys[:1]); err != nil {
		return err
	}
	hash, err := auth.HashPassword(r.Context(), password)
	if err != nil {
		return err
	}
	keep := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		keep = auth.HashToken(c.Value)
	}
	return s.store.SetPassword(r.Context(), actor(r), p.User.ID, hash, keep)
}

func (s *Server) changePasswordPage(w http.ResponseWriter, r *http.Request) error {
	return s.show(w, r, http.StatusOK, "password-change", "Change your password", nil, formPage{Values: map[string]string{}})
}

func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	if err := s.changePassword(r, f.Get("current"), f.Get("password"), f.Get("confirm")); err != nil {
		if code := apperr.Code(err); code != apperr.Invalid && code != apperr.TooManyRequests {
			return err
		}
		return s.show(w, r, errorStatus(err), "password-change", "Change your password", nil, formPage{Values: map[string]string{}, Error: err})
	}
	redirectBack(w, r, "/account", "Your password has been changed, and you have been signed out on every other device.")
	return nil
}

// accountView describes a person's roles with their organisations' names.
type accountView struct {
	User   *auth.User
	Grants []grantView
	Notice string
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
	return s.show(w, r, http.StatusOK, "account", "Your account", nil, accountView{User: p.User, Grants: grants, Notice: takeNotice(w, r)})
}

func (s *Server) accountData(w http.ResponseWriter, r *http.Request) error {
	pd, err := s.myData(r)
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
// notice for that page carried in a short-lived cookie: notices come only
// from hcs, never from a link someone else made.
func redirectBack(w http.ResponseWriter, r *http.Request, path, notice string) {
	if notice != "" {
		http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: url.QueryEscape(notice), Path: "/", MaxAge: 120,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

const noticeCookie = "hcs_notice"

// takeNotice returns the notice redirectBack left for this page, once.
func takeNotice(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(noticeCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	notice, err := url.QueryUnescape(c.Value)
	if err != nil || !text.Visible(notice) || len(notice) > 300 {
		return ""
	}
	return notice
}
