package database_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/database"
	"hcs/internal/privacy"
	"hcs/internal/testkit"
)

var system = auth.Actor{Address: "test"}

func TestAccounts(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		org := &auth.Organisation{Kind: auth.OrgTrust, Name: "Northshire Hospitals", Region: "North West"}
		if err := db.CreateOrganisation(ctx, system, org); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateOrganisation(ctx, system, &auth.Organisation{Kind: auth.OrgTrust, Name: "Northshire Hospitals", Region: "London"}); apperr.Code(err) != apperr.Conflict || apperr.Field(err) != "name" {
			t.Errorf("duplicate organisation: %v", err)
		}
		if err := db.CreateOrganisation(ctx, system, &auth.Organisation{Kind: auth.OrgTrust, Name: "X", Region: "Atlantis"}); apperr.Field(err) != "region" {
			t.Errorf("bad region: %v", err)
		}
		dept := &auth.Department{OrganisationID: org.ID, Name: "Audiology", Specialism: "audiology"}
		if err := db.CreateDepartment(ctx, system, dept); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateDepartment(ctx, system, &auth.Department{OrganisationID: 999999, Name: "Ghost"}); apperr.Code(err) != apperr.NotFound {
			t.Errorf("department of a missing organisation: %v", err)
		}

		hash, _ := auth.HashPassword(ctx, "correct horse battery")
		u := &auth.User{Email: " Ada@Example.org ", Name: "Ada Lovelace"}
		if err := db.CreateUser(ctx, system, u, hash, []auth.Grant{{Role: auth.RoleApplicant}}); err != nil {
			t.Fatal(err)
		}
		if u.Email != "ada@example.org" {
			t.Errorf("email stored as %q", u.Email)
		}
		if err := db.CreateUser(ctx, system, &auth.User{Email: "ADA@example.org", Name: "Another"}, hash, nil); apperr.Code(err) != apperr.Conflict || apperr.Field(err) != "email" {
			t.Errorf("duplicate email: %v", err)
		}
		g := &auth.Grant{UserID: u.ID, Role: auth.RoleTrainingOfficer, DepartmentID: dept.ID}
		if err := db.AddGrant(ctx, system, g); err != nil {
			t.Fatal(err)
		}
		if g.OrganisationID != org.ID {
			t.Errorf("department grant has organisation %d, want %d", g.OrganisationID, org.ID)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: u.ID, Role: auth.RoleTrainingOfficer, DepartmentID: dept.ID}); apperr.Code(err) != apperr.Conflict {
			t.Errorf("repeated grant: %v", err)
		}
		if err := db.AddGrant(ctx, system, &auth.Grant{UserID: u.ID, Role: auth.RoleEmployer}); apperr.Code(err) != apperr.Invalid {
			t.Errorf("employer grant without an organisation: %v", err)
		}

		// Sessions.
		token, tokenHash, _ := auth.NewToken()
		if err := db.CreateSession(ctx, system, u.ID, tokenHash, time.Hour); err != nil {
			t.Fatal(err)
		}
		p, err := db.SessionPrincipal(ctx, auth.HashToken(token))
		if err != nil || p.User.ID != u.ID || !p.Has(auth.RoleTrainingOfficer) {
			t.Fatalf("session principal: %+v, %v", p, err)
		}
		_, expiredHash, _ := auth.NewToken()
		db.CreateSession(ctx, system, u.ID, expiredHash, -time.Minute)
		if _, err := db.SessionPrincipal(ctx, expiredHash); apperr.Code(err) != apperr.NotFound {
			t.Errorf("expired session: %v", err)
		}
		if err := db.RevokeGrant(ctx, system, u.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.SessionPrincipal(ctx, tokenHash); p.Has(auth.RoleTrainingOfficer) {
			t.Error("a revoked role still applies to an open session")
		}

		// Password reset: single use, expiring, ends sessions.
		resetToken, resetHash, _ := auth.NewToken()
		msg := auth.Message{Recipient: u.Email, Subject: "Reset your password", Body: "link " + resetToken}
		if err := db.CreatePasswordReset(ctx, system, u.ID, resetHash, time.Hour, msg); err != nil {
			t.Fatal(err)
		}
		newHash, _ := auth.HashPassword(ctx, "a brand new password")
		if id, err := db.ResetPassword(ctx, auth.Actor{Address: "test"}, auth.HashToken(resetToken), newHash); err != nil || id != u.ID {
			t.Fatalf("reset: %d, %v", id, err)
		}
		if _, err := db.ResetPassword(ctx, system, resetHash, newHash); err == nil || !strings.Contains(err.Error(), "already been used") {
			t.Errorf("second use: %v", err)
		}
		if _, err := db.SessionPrincipal(ctx, tokenHash); apperr.Code(err) != apperr.NotFound {
			t.Error("sessions survived a password reset")
		}
		_, oldHash, _ := auth.NewToken()
		db.CreatePasswordReset(ctx, system, u.ID, oldHash, -time.Second, msg)
		if _, err := db.ResetPassword(ctx, system, oldHash, newHash); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Errorf("expired token: %v", err)
		}
		if got, _ := db.UserByEmail(ctx, u.Email); !checks(got.PasswordHash, "a brand new password") {
			t.Error("the new password does not work")
		}
		out, _ := db.Outbox(ctx, 10)
		if len(out) != 2 || !strings.Contains(out[0].Body, "link") {
			t.Errorf("outbox: %+v", out)
		}

		// Attempt limits: counted per key, refused at the limit without
		// counting, given back on success.
		limits := []auth.AttemptLimit{{Key: "account:h1", Max: 2}, {Key: "address:10.0.0.1", Max: 3}}
		for i := range 2 {
			if err := db.ClaimAttempts(ctx, limits, time.Minute); err != nil {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		if err := db.ClaimAttempts(ctx, limits, time.Minute); err != auth.ErrTooManyAttempts {
			t.Errorf("a third attempt on a limit of 2: %v", err)
		}
		if err := db.ClaimAttempts(ctx, []auth.AttemptLimit{{Key: "address:10.0.0.1", Max: 3}}, time.Minute); err != nil {
			t.Errorf("the refused attempt was counted against the address: %v", err)
		}
		if err := db.ReleaseAttempts(ctx, []string{"account:h1"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ClaimAttempts(ctx, limits[:1], time.Minute); err != nil {
			t.Errorf("after a success was given back: %v", err)
		}
		if n := testkit.Count(t, db, "SELECT attempts FROM sign_in_limits WHERE key = 'account:h1'"); n != 2 {
			t.Errorf("the account counter is %d, want 2", n)
		}
		if err := db.ClaimAttempts(ctx, limits[:1], 0); err != nil {
			t.Errorf("with the window passed, the count starts again: %v", err)
		}

		// Personal data and erasure.
		dp := privacy.NewService(db, db)
		pd, err := dp.Export(ctx, u.ID)
		if err != nil || len(pd.Audit) == 0 {
			t.Fatalf("personal data: %+v, %v", pd, err)
		}
		rows := map[string]int{}
		for _, r := range pd.Records {
			rows[r.Table] += len(r.Rows)
		}
		if rows["users"] != 1 || rows["outbox"] != 2 || rows["grants"] != 1 {
			t.Errorf("the export holds %v", rows)
		}
		if err := dp.Erase(ctx, system, u.ID); err != nil {
			t.Fatal(err)
		}
		erased, _ := db.User(ctx, u.ID)
		if erased.ErasedAt == nil || strings.Contains(erased.Email, "ada") || erased.Name == "Ada Lovelace" || erased.PasswordHash != "" {
			t.Errorf("after erasure: %+v", erased)
		}
		if len(erased.Grants) != 1 || erased.Grants[0].Role != auth.RoleApplicant {
			t.Error("erasure dropped the applicant role, which statistics need")
		}
		out, _ = db.Outbox(ctx, 10)
		for _, m := range out {
			if strings.Contains(m.Recipient, "ada") || strings.Contains(m.Body, "link") {
				t.Errorf("outbox still holds personal data: %+v", m)
			}
		}
		entries, _ := db.Audit(ctx, auth.AuditFilter{RecordType: "user", RecordID: "1"})
		if len(entries) == 0 || entries[0].Action != "user.erase" {
			t.Errorf("audit after erasure: %+v", entries)
		}
		for _, e := range entries {
			if strings.Contains(e.Detail, "ada") {
				t.Errorf("audit entry holds personal data: %+v", e)
			}
		}
		staff := &auth.User{Email: "staff@example.org", Name: "Staff"}
		db.CreateUser(ctx, system, staff, hash, []auth.Grant{{Role: auth.RoleSystemAdmin}})
		if err := dp.Erase(ctx, system, staff.ID); apperr.Code(err) != apperr.Invalid {
			t.Errorf("erasing a staff account: %v", err)
		}
	})
}

func checks(hash, password string) bool {
	ok, err := auth.CheckPassword(context.Background(), hash, password)
	return ok && err == nil
}
