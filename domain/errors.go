// Package domain holds what every layer of thidua shares: the small set of
// error codes the API speaks, and the errors that carry them.
package domain

import (
	"errors"
	"fmt"
)

// Code is the machine-readable kind of an error; it is what clients see in
// extensions.code.
type Code string

// The codes of the API contract (docs/api.md).
const (
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeInvalid         Code = "BAD_USER_INPUT"
	CodeConflict        Code = "CONFLICT"
	CodeUnavailable     Code = "SERVICE_UNAVAILABLE"
	CodeInternal        Code = "INTERNAL_SERVER_ERROR"
	CodeParse           Code = "GRAPHQL_PARSE_FAILED"
	CodeValidation      Code = "GRAPHQL_VALIDATION_FAILED"
	CodeTooComplex      Code = "QUERY_TOO_COMPLEX"
	CodeNotPersisted    Code = "PERSISTED_QUERY_NOT_FOUND"
	CodeRateLimited     Code = "RATE_LIMITED"
	// Protocol codes of the HTTP surface (not in api.md's list: a request
	// refused before it is a GraphQL request; docs/api-guide.md, "Errors").
	CodeMethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	CodeNotAcceptable    Code = "NOT_ACCEPTABLE"
	CodeTooLarge         Code = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedType  Code = "UNSUPPORTED_MEDIA_TYPE"
)

// The one error table: each code, the HTTP status it is answered with where
// an error decides the status (reports, protocol refusals, authentication;
// a GraphQL response that has data keeps 200), and whether it is the
// client's doing (a refusal, audited as DENIED) or the service's (FAILED).
var table = map[Code]struct {
	Status int
	Denied bool
}{
	CodeUnauthenticated:  {401, true},
	CodeForbidden:        {403, true},
	CodeNotFound:         {404, true},
	CodeInvalid:          {400, true},
	CodeConflict:         {409, true},
	CodeParse:            {400, true},
	CodeValidation:       {400, true},
	CodeTooComplex:       {400, true},
	CodeNotPersisted:     {200, true}, // the Apollo protocol: the client resends the query text
	CodeRateLimited:      {429, true},
	CodeMethodNotAllowed: {405, true},
	CodeNotAcceptable:    {406, true},
	CodeTooLarge:         {413, true},
	CodeUnsupportedType:  {415, true},
	CodeUnavailable:      {503, false},
	CodeInternal:         {500, false},
}

// HTTPStatus is the HTTP status of an error with code c.
func (c Code) HTTPStatus() int {
	if e, ok := table[c]; ok {
		return e.Status
	}
	return 500
}

// Denied reports whether an error with code c is a refusal of the request
// (the client's doing), not a failure of the service.
func (c Code) Denied() bool { return table[c].Denied }

// Error is an application error: a code, a message fit for a client and,
// for invalid input, the field at fault.
type Error struct {
	Code    Code
	Field   string // dotted path of the offending input field, for CodeInvalid
	Message string
	Err     error // the cause, never shown to a client
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid reports bad input in field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that a record does not exist or is not visible to the caller.
func NotFound(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q not found", kind, id)}
}

// Conflict reports a write that lost a race or would break a uniqueness rule.
func Conflict(format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...)}
}

// Forbidden reports that the caller's roles do not allow the action.
func Forbidden(format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, args...)}
}

// Unavailable reports that a dependency (the database) cannot be reached.
func Unavailable(err error) *Error {
	return &Error{Code: CodeUnavailable, Message: "service temporarily unavailable", Err: err}
}

// ErrorCode returns the code of err, or CodeInternal when err is not an
// application error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
