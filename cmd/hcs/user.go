package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"hcs/internal/apperr"
	"hcs/internal/auth"
)

// The command line acts as the system: audit entries record it as such.
var cliActor = auth.Actor{Process: "command line", Address: "command line"}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"user needs a subcommand: create, grant, revoke or list"}
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("user "+sub, stderr)
	dbURL := dbFlag(fs)
	email := fs.String("email", "", "the person's email address")
	name := fs.String("name", "", "the person's full name (create)")
	role := fs.String("role", "", "a role: applicant, employer-recruiter, training-officer, national-school-admin, workforce-planner, system-admin, reviewer")
	org := fs.Int64("organisation", 0, "organisation id, for employer-recruiter")
	dept := fs.Int64("department", 0, "department id, for training-officer (its organisation is recorded with it)")
	round := fs.Int64("round", 0, "recruitment round id, for reviewer")
	publicURL := fs.String("public-url", "http://127.0.0.1:8080", "where hcs is served, for the password link")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()

	grant := func(userID int64) (*auth.Grant, error) {
		r, err := auth.ParseRole(*role)
		if err != nil {
			return nil, err
		}
		g := &auth.Grant{UserID: userID, Role: r, OrganisationID: *org, DepartmentID: *dept, RoundID: *round}
		return g, g.Validate()
	}
	switch sub {
	case "list":
		users, err := db.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES")
		for _, u := range users {
			roles := ""
			for i, g := range u.Grants {
				if i > 0 {
					roles += ", "
				}
				roles += g.String()
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, roles)
		}
		return tw.Flush()
	case "create":
		u := &auth.User{Email: *email, Name: *name}
		var grants []auth.Grant
		if *role != "" {
			g, err := grant(0)
			if err != nil {
				return err
			}
			grants = append(grants, *g)
		}
		if err := db.CreateUser(ctx, cliActor, u, "", grants); err != nil {
			return err
		}
		token, hash, err := auth.NewToken()
		if err != nil {
			return err
		}
		link := strings.TrimSuffix(*publicURL, "/") + "/password-reset/" + token
		msg := auth.NewAccountMessage(strings.TrimSuffix(*publicURL, "/"), token)
		msg.Recipient = u.Email
		if err := db.CreatePasswordReset(ctx, cliActor, u.ID, hash, auth.NewAccountLinkLifetime, msg); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %d (%s). They choose a password at:\n%s\n", u.ID, u.Email, link)
		return nil
	case "grant", "revoke":
		u, err := db.UserByEmail(ctx, *email)
		if err != nil {
			return apperr.Errorf(apperr.NotFound, "there is no account for %q", *email)
		}
		g, err := grant(u.ID)
		if err != nil {
			return err
		}
		if sub == "grant" {
			if err := db.AddGrant(ctx, cliActor, g); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "granted %s to %s\n", g, u.Email)
			return nil
		}
		for _, have := range u.Grants {
			if have.Role == g.Role && (g.OrganisationID == 0 || have.OrganisationID == g.OrganisationID) &&
				(g.DepartmentID == 0 || have.DepartmentID == g.DepartmentID) && (g.RoundID == 0 || have.RoundID == g.RoundID) {
				if err := db.RevokeGrant(ctx, cliActor, u.ID, have.ID); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "revoked %s from %s\n", have, u.Email)
				return nil
			}
		}
		return apperr.Errorf(apperr.NotFound, "%s does not hold %s", u.Email, g)
	}
	return usageError{fmt.Sprintf("unknown user subcommand %q; use create, grant, revoke or list", sub)}
}
