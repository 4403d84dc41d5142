package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hcs/internal/apperr"
)

// decodeJSON reads a JSON request body into v strictly: one object, no
// unknown fields, within the size limit. Errors name the field or the
// position that is wrong.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return apperr.Invalidf("body", "send the body as application/json, not %s", mt)
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return jsonError(err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if field, ferr := blame(body, v); field != "" {
			return ferr
		}
		return jsonError(err)
	}
	if dec.More() {
		return apperr.Invalidf("body", "the body must hold one JSON object and nothing after it")
	}
	return nil
}

// blame finds the top-level field whose value a type's own decoder (such
// as time.Time's) refused, which encoding/json reports without naming it.
func blame(body []byte, v any) (string, error) {
	var fields map[string]json.RawMessage
	t := reflect.TypeOf(v)
	if json.Unmarshal(body, &fields) != nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return "", nil
	}
	shown := func(raw json.RawMessage) string {
		if len(raw) > 60 {
			return string(raw[:57]) + "…"
		}
		return string(raw)
	}
	st := t.Elem()
	for i := range st.NumField() {
		f := st.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, ok := fields[name]
		if name == "" || name == "-" || !ok {
			continue
		}
		err := json.Unmarshal(raw, reflect.New(f.Type).Interface())
		if err == nil {
			continue
		}
		if _, ok := errors.AsType[*time.ParseError](err); ok || f.Type == reflect.TypeFor[time.Time]() || f.Type == reflect.TypeFor[*time.Time]() {
			return name, apperr.Invalidf(name, "%s must be a date and time like \"2027-01-15T09:00:00Z\", not %s", name, shown(raw))
		}
		if _, ok := errors.AsType[*json.UnmarshalTypeError](err); !ok {
			return name, apperr.Invalidf(name, "%s is not a value this field takes: %s", name, shown(raw))
		}
	}
	return "", nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &apperr.Error{Code: apperr.Invalid, Field: "body", Message: fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit), Err: err}
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("body", "the body is empty; send a JSON object")
	case errors.As(err, &syntax):
		return apperr.Invalidf("body", "the body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.Invalidf("body", "the body must be a JSON object")
		}
		return apperr.Invalidf(field, "%s must be %s, not %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalidf(name, "%q is not a field this request takes", name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("body", "the body ends in the middle of the JSON")
	}
	return &apperr.Error{Code: apperr.Invalid, Field: "body", Message: "the body could not be read", Err: err}
}

func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "a list"
	}
	return "an object"
}

// parseForm reads a form body, naming the problem when it cannot. No value
// may hold a NUL or be invalid UTF-8, whatever field it is: no text like
// that is ever stored (PostgreSQL could not store it, SQLite would).
// Each field's own rules (package text) then trim it and check the rest.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.Invalidf("body", "the form is larger than %d bytes", tooBig.Limit)
		}
		return apperr.Invalidf("body", "the form could not be read")
	}
	for key, values := range r.Form {
		for _, v := range append(values, key) {
			if unreadable(v) {
				return apperr.Invalidf(key, "%s holds a NUL character or is not valid UTF-8, which is not accepted", key)
			}
		}
	}
	return nil
}

// unreadable is text no field accepts: a NUL, or bytes that are not UTF-8.
func unreadable(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }

// checkJSONText refuses a JSON body with a string that holds a NUL or is
// not valid UTF-8, naming the field.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return apperr.Invalidf("body", "the body is not valid UTF-8")
	}
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	key := "body"
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the decoder proper reports malformed JSON
		}
		if s, ok := tok.(string); ok {
			if strings.ContainsRune(s, 0) {
				return apperr.Invalidf(key, "%s holds a NUL character, which is not accepted", key)
			}
			key = s // the last string seen: an object key, or a value
		}
	}
}

// formID reads a positive id from a form or path value; name is the field
// to blame.
func formID(value, name string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf(name, "%s must be a positive whole number, not %q", name, value)
	}
	return id, nil
}

// pathID reads the {id} path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := formID(r.PathValue(name), name)
	if err != nil {
		return 0, apperr.Errorf(apperr.NotFound, "there is no record %q", r.PathValue(name))
	}
	return id, nil
}

// pathAndBody reads the {id} path value and decodes the JSON body: the
// start of most API handlers that change a record.
func pathAndBody[T any](r *http.Request) (int64, T, error) {
	var req T
	id, err := pathID(r, "id")
	if err != nil {
		return 0, req, err
	}
	return id, req, decodeJSON(r, &req)
}
