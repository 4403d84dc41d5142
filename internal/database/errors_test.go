package database_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"hcs/internal/apperr"
	"hcs/internal/database"
)

// PostgreSQL refusing a connection (full, or starting up) is a passing
// shortage, reported as unavailable rather than an internal error.
func TestFullDatabaseIsUnavailable(t *testing.T) {
	for _, code := range []string{"53300", "57P03"} {
		err := database.MapError(&pgconn.PgError{Code: code, Message: "sorry, too many clients already"})
		if apperr.Code(err) != apperr.Unavailable {
			t.Errorf("SQLSTATE %s: %v (%s)", code, err, apperr.Code(err))
		}
	}
	if err := database.MapError(&pgconn.PgError{Code: "XX000"}); apperr.Code(err) != apperr.Internal {
		t.Errorf("an internal error: %s", apperr.Code(err))
	}
}
