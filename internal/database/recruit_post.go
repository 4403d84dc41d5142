package database

import (
	"fmt"
	"strings"

	"hcs/internal/apperr"
	"hcs/internal/recruit"
)

const postColumns = "p.id, p.round_id, p.organisation_id, o.name, p.specialism, p.site, p.region, p.places, p.contact, p.status, p.in_service, p.created_at"

func scanPost(scan func(...any) error) (recruit.Post, error) {
	var p recruit.Post
	var inService int
	err := scan(&p.ID, &p.RoundID, &p.OrganisationID, &p.Organisation, &p.Specialism, &p.Site, &p.Region, &p.Places, &p.Contact, &p.Status, &inService, &p.CreatedAt)
	p.InService = inService == 1
	return p, err
}

func (t *recruitTx) InsertPost(p *recruit.Post) error {
	id, err := t.tx.Insert(t.ctx, `INSERT INTO posts (round_id, organisation_id, specialism, site, region, places, contact, status, in_service, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, p.RoundID, p.OrganisationID, p.Specialism, p.Site, p.Region, p.Places, p.Contact, p.Status,
		boolInt(p.InService), t.tx.Now)
	if apperr.Code(err) == apperr.Invalid {
		return apperr.Invalidf("organisation_id", "there is no organisation %d", p.OrganisationID)
	}
	if err != nil {
		return err
	}
	p.ID, p.CreatedAt = id, t.tx.Now
	return nil
}

func (t *recruitTx) UpdatePost(p *recruit.Post) error {
	_, err := t.tx.Exec(t.ctx, "UPDATE posts SET site = $1, places = $2, contact = $3, status = $4 WHERE id = $5", p.Site, p.Places, p.Contact, p.Status, p.ID)
	return err
}

func (t *recruitTx) Post(id int64) (*recruit.Post, error) {
	p, err := scanPost(t.tx.QueryRow(t.ctx, "SELECT "+postColumns+" FROM posts p JOIN organisations o ON o.id = p.organisation_id WHERE p.id = $1", id).Scan)
	if apperr.Code(err) == apperr.NotFound {
		return nil, apperr.Errorf(apperr.NotFound, "there is no post %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (t *recruitTx) Posts(roundID int64) ([]recruit.Post, error) {
	return queryAll(t, scanPost, "SELECT "+postColumns+" FROM posts p JOIN organisations o ON o.id = p.organisation_id WHERE p.round_id = $1 ORDER BY p.id", roundID)
}

func (t *recruitTx) PostsOf(organisationIDs []int64) ([]recruit.Post, error) {
	if len(organisationIDs) == 0 {
		return []recruit.Post{}, nil
	}
	marks, args := placeholders(organisationIDs)
	return queryAll(t, scanPost, "SELECT "+postColumns+" FROM posts p JOIN organisations o ON o.id = p.organisation_id JOIN rounds r ON r.id = p.round_id"+
		" WHERE p.organisation_id IN ("+marks+") ORDER BY r.applications_open DESC, p.round_id, p.specialism, p.site, p.id", args...)
}

// placeholders returns "$1, $2, …" and the arguments for a list of ids.
func placeholders(ids []int64) (string, []any) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	return strings.Join(marks, ", "), args
}

func (t *recruitTx) OpenPosts(f recruit.PostFilter) ([]recruit.OpenPost, error) {
	q := "SELECT " + postColumns + `, r.name, r.programme, r.shortlisting_open
		FROM posts p JOIN rounds r ON r.id = p.round_id JOIN organisations o ON o.id = p.organisation_id
		WHERE r.applications_open <= $1 AND $1 < r.shortlisting_open AND p.status = 'open'`
	args := []any{t.tx.Now}
	for _, c := range []struct{ column, value string }{{"p.specialism", f.Specialism}, {"p.region", f.Region}, {"r.programme", f.Programme}} {
		if c.value != "" {
			args = append(args, c.value)
			q += fmt.Sprintf(" AND %s = $%d", c.column, len(args))
		}
	}
	return queryAll(t, func(scan func(...any) error) (recruit.OpenPost, error) {
		var p recruit.OpenPost
		var inService int
		err := scan(&p.ID, &p.RoundID, &p.OrganisationID, &p.Organisation, &p.Specialism, &p.Site, &p.Region, &p.Places, &p.Contact, &p.Status, &inService,
			&p.CreatedAt, &p.RoundName, &p.Programme, &p.ApplicationsClose)
		p.InService = inService == 1
		return p, err
	}, q+" ORDER BY p.specialism, p.region, p.site, p.id", args...)
}
