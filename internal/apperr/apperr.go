// Package apperr is hcs's one application error type: a small set of codes,
// a message that is safe to show to the person who caused it, the field or
// value that is wrong, and the wrapped cause for the logs.
package apperr

import (
	"errors"
	"fmt"
)

// Codes. The web package maps each to an HTTP status in one table.
const (
	Invalid      = "invalid"
	NotFound     = "not_found"
	Conflict     = "conflict"
	Unauthorized = "unauthorized"
	Forbidden    = "forbidden"
	// TooManyRequests is a limit reached, such as failed sign-ins.
	TooManyRequests = "too_many_requests"
	// Unavailable is a passing shortage, such as the database refusing
	// more connections: the same request may succeed in a moment.
	Unavailable = "unavailable"
	Internal    = "internal"
)

// Error is an error with a code and a safe message.
type Error struct {
	Code    string
	Message string
	// Field names the input that is wrong, when there is one.
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an invalid-input error about one field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Code returns the code of an *Error in err's chain, or Internal.
func Code(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// Message returns the safe message of an *Error in err's chain; internal
// errors get a generic message so that nothing private leaks.
func Message(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Code != Internal {
		return e.Message
	}
	return "Something went wrong on our side. Please try again later."
}

// Field returns the field an error is about, if any.
func Field(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}
