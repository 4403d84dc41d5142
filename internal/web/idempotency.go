package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/idempotency"
)

// idempotencyStale is how long a claimed key whose request wrote nothing
// holds off retries: longer than any request takes, after which the
// process that claimed it is taken to have gone.
const idempotencyStale = time.Minute

// idempotent carries out an API write once per account and
// Idempotency-Key: the first request's answer is kept, in the database, and
// a retry with the same key and request gets it back (marked
// Idempotent-Replayed) from any server, without doing the write again.
// Requests without the header, signed-out requests and password changes
// pass through.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if err := checkIdempotencyKey(key); err != nil {
			s.fail(w, r, true, err)
			return
		}
		p := principal(r)
		if p == nil || s.keys == nil || noIdempotency[r.URL.Path] {
			// Signed-out writes (signing in, signing up) and password
			// changes repeat safely, and their bodies hold passwords,
			// which must not be kept even as a hash.
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.fail(w, r, true, apperr.Invalidf("body", "the request body is larger than %d bytes, the most this address takes", tooBig.Limit))
				return
			}
			s.fail(w, r, true, apperr.Invalidf("body", "the request body could not be read: %v", err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fingerprint := r.Method + " " + r.URL.RequestURI() + " " + hex.EncodeToString(bodyDigest(r.Header.Get("Content-Type"), body))
		claim := idempotency.Claim{UserID: p.User.ID, Key: key}

		held, claimed, err := s.keys.ClaimKey(r.Context(), claim, fingerprint, idempotencyStale)
		if err != nil {
			s.fail(w, r, true, err)
			return
		}
		if !claimed {
			s.answerHeld(w, r, held, fingerprint)
			return
		}
		rec := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(idempotency.WithClaim(r.Context(), claim)))
		if rec.status >= 500 {
			// Nothing is kept for a failure: if the write was made, the
			// key stays committed and a retry is told so; if not, the
			// retry carries the request out.
			if err := s.keys.ReleaseKey(r.Context(), claim); err != nil {
				s.log.Error("release idempotency key", "request_id", requestIDOf(r), "err", err)
			}
			return
		}
		if err := s.keys.SaveAnswer(r.Context(), claim, rec.status, rec.Header().Get("Content-Type"), rec.body.String()); err != nil {
			s.log.Error("keep the answer to an idempotent request", "request_id", requestIDOf(r), "err", err)
		}
	})
}

// noIdempotency are the API writes that ignore Idempotency-Key.
var noIdempotency = map[string]bool{"/api/v1/session": true, "/api/v1/me/password": true}

// answerHeld answers a request whose key was used before.
func (s *Server) answerHeld(w http.ResponseWriter, r *http.Request, held *idempotency.Record, fingerprint string) {
	switch {
	case held.Fingerprint != fingerprint:
		s.fail(w, r, true, &apperr.Error{Code: apperr.Invalid, Field: "Idempotency-Key",
			Message: "this Idempotency-Key was used for a different request; use a new key for each request"})
	case held.Status != 0:
		w.Header().Set("Content-Type", held.ContentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(held.Status)
		io.WriteString(w, held.Body)
	case held.Committed && time.Since(held.CreatedAt) > idempotencyStale:
		// The write was made and the process that made it went before
		// keeping the answer.
		s.fail(w, r, true, apperr.Errorf(apperr.Conflict,
			"this request was carried out, but its answer was not kept; read the record to see the result"))
	default:
		w.Header().Set("Retry-After", strconv.Itoa(1))
		s.fail(w, r, true, apperr.Errorf(apperr.Conflict,
			"a request with this Idempotency-Key is still being carried out; try again in a moment"))
	}
}

// checkIdempotencyKey accepts 1 to 255 visible ASCII characters, such as
// a UUID.
func checkIdempotencyKey(key string) error {
	if len(key) > 255 {
		return apperr.Invalidf("Idempotency-Key", "the Idempotency-Key is longer than 255 characters")
	}
	for i := range len(key) {
		if key[i] < 0x21 || key[i] > 0x7e {
			return apperr.Invalidf("Idempotency-Key", "the Idempotency-Key may hold only visible ASCII characters, such as a UUID")
		}
	}
	return nil
}

// recordingWriter passes a response on and keeps a copy of it.
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bodyDigest identifies a request's body for its key: a hash of its
// bytes, or for a multipart form of its parts (each one's name, file name
// and content), since every client draws a new boundary for each request
// and a retried upload must match the first.
func bodyDigest(contentType string, body []byte) []byte {
	if mt, params, err := mime.ParseMediaType(contentType); err == nil && mt == "multipart/form-data" && params["boundary"] != "" {
		h := sha256.New()
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return h.Sum(nil)
			}
			if err != nil {
				break // not a form that reads: its bytes identify it
			}
			part := sha256.New()
			if _, err := io.Copy(part, p); err != nil {
				break
			}
			fmt.Fprintf(h, "%q %q %x\n", p.FormName(), p.FileName(), part.Sum(nil))
		}
	}
	sum := sha256.Sum256(body)
	return sum[:]
}
