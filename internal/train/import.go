package train

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"hcs/internal/apperr"
	"hcs/internal/auth"
	"hcs/internal/text"
)

// MaxArchiveBytes bounds an archive to import; its files travel inside it.
const MaxArchiveBytes = 200_000_000

// Transfer is what the receiving training officer gives with an archive:
// whose record it is here, and the team they train with.
type Transfer struct {
	Email string
	Team  Team
}

// Imported is what an import made.
type Imported struct {
	Trainee  *Trainee `json:"trainee"`
	Changes  int      `json:"changes"`
	Entries  int      `json:"entries"`
	Files    int      `json:"files"`
	SignOffs int      `json:"sign_offs"`
	Reviews  int      `json:"reviews"`
	Records  int      `json:"records"`
	// Redrafted are the titles of assessments that were waiting for an
	// assessor where the record came from: their links do not work here,
	// so they are drafts again, for the trainee to send to an assessor.
	Redrafted []string `json:"redrafted"`
}

// ReadArchive decodes an archive strictly: one JSON object of the
// archive's format, with no field it does not define.
func ReadArchive(b []byte) (*Archive, error) {
	if len(b) > MaxArchiveBytes {
		return nil, apperr.Invalidf("archive", "The archive is larger than %s, the most that can be imported", FileSize(MaxArchiveBytes))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, apperr.Invalidf("archive", "Choose the archive to import: the JSON file exported from the trainee's record")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var a Archive
	if err := dec.Decode(&a); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var b64 base64.CorruptInputError
		var when *time.ParseError
		switch {
		case errors.As(err, &b64):
			return nil, apperr.Invalidf("archive", "A file in the archive is not valid base64: the archive is damaged")
		case errors.As(err, &when):
			return nil, apperr.Invalidf("archive", "The archive holds a time that is not written as RFC 3339 (%q)", when.Value)
		case errors.As(err, &syntax):
			return nil, apperr.Invalidf("archive", "The archive is not valid JSON (at byte %d): it may be damaged, or not an archive", syntax.Offset)
		case errors.As(err, &typ):
			return nil, apperr.Invalidf("archive", "The archive's %s holds the wrong kind of value", typ.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return nil, apperr.Invalidf("archive", "The archive has a field this service does not know (%s): it is not an archive of format %s",
				strings.TrimPrefix(err.Error(), "json: unknown field "), ArchiveFormat)
		}
		return nil, apperr.Invalidf("archive", "The archive could not be read: it is not an hcs training archive")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, apperr.Invalidf("archive", "The archive holds something after its one JSON object")
	}
	if a.Format != ArchiveFormat {
		return nil, apperr.Invalidf("archive", "This is not an hcs training archive of format %s (its format is %q)", ArchiveFormat, a.Format)
	}
	return &a, nil
}

// Import makes a training record here from an archive exported by another
// hcs service (or this one), for a trainee who transfers: the record,
// its changes, the e-portfolio with its files, the sign-offs, reviews and
// records, in one transaction, each checked against the curriculum as
// entered here. Nothing is saved when anything is wrong, and the error
// says which part of the archive it is. The record waits for its
// training officer's confirmation, as a new one does. Sign-offs made
// elsewhere keep who made them and where; the importing officer accepts
// them. A completed record is not imported: its certificate is the
// trainee's proof and verifies on its own.
func (s *Service) Import(ctx context.Context, by auth.Actor, a *Archive, in Transfer) (*Imported, error) {
	// The files are checked and summed before the transaction, which
	// holds the record (and on SQLite every write) while it runs.
	files := make([][]*Attachment, len(a.Evidence))
	var total int64
	for i, ae := range a.Evidence {
		if len(ae.Files) > MaxFilesPerEntry {
			return nil, inArchive(apperr.Invalidf("archive", "it has %d files; an entry holds at most %d", len(ae.Files), MaxFilesPerEntry),
				"Entry %d (%q)", i+1, ae.Title)
		}
		for _, af := range ae.Files {
			name, mediaType, err := CheckFile(af.Name, af.Content)
			if err != nil {
				return nil, inArchive(err, "Entry %d (%q)", i+1, ae.Title)
			}
			f := &Attachment{Name: name, MediaType: mediaType, Size: int64(len(af.Content)), SHA256: Checksum(af.Content), Content: af.Content}
			if f.SHA256 != strings.ToLower(af.SHA256) || f.Size != af.Size || mediaType != af.MediaType {
				return nil, inArchive(apperr.Invalidf("archive", "the file %s does not match its size, type or checksum: the archive is damaged", name),
					"Entry %d (%q)", i+1, ae.Title)
			}
			if total += f.Size; total > MaxRecordBytes {
				return nil, apperr.Invalidf("archive", "The archive's files come to more than %s, the most a training record holds here", FileSize(MaxRecordBytes))
			}
			files[i] = append(files[i], f)
		}
	}
	source, err := archiveSource(a.Source)
	if err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx Tx) (*Imported, error) {
		at := a.Trainee
		switch at.Status {
		case TraineeCompleted:
			return nil, apperr.Errorf(apperr.Conflict, "This record was completed: the trainee's certificate is their proof, and verifies wherever they take it.")
		case TraineePending, TraineeActive, TraineeLeft:
		default:
			return nil, apperr.Invalidf("archive", "The archive's record has the status %q, which is not one this service knows", at.Status)
		}
		cu := s.curricula.Curriculum(at.Curriculum)
		if cu == nil {
			return nil, apperr.Invalidf("archive", "The record follows the curriculum %q, which this service does not have", at.Curriculum)
		}
		if cu.Programme != at.Programme || !cu.Covers(at.Specialism) {
			return nil, apperr.Invalidf("archive", "The curriculum %s is not followed in the %s in %s", cu.ID, s.programmeName(at.Programme), s.specialismName(at.Specialism))
		}
		if at.CurriculumVersion != cu.Version {
			return nil, apperr.Invalidf("archive", "The record follows version %s of %s; this service has version %s", at.CurriculumVersion, cu.Name, cu.Version)
		}
		prog := s.f.Programme(cu.Programme)
		if prog == nil || prog.DurationMonths <= 0 {
			return nil, apperr.Errorf(apperr.Conflict, "Programme %q has no length in the framework data, so training cannot be planned.", cu.Programme)
		}
		// The team first, so that a request with a made-up team learns
		// nothing of whether an address has an account.
		d, err := tx.Department(in.Team.DepartmentID)
		if apperr.Code(err) == apperr.NotFound {
			return nil, apperr.Invalidf("department_id", "Choose the department the trainee trains in")
		}
		if err != nil {
			return nil, err
		}
		if _, err := s.checkTeam(tx, 0, d.OrganisationID, at.Specialism, &in.Team); err != nil {
			return nil, err
		}
		email, err := auth.CheckEmail(in.Email)
		if err != nil {
			return nil, apperr.Invalidf("email", "Give the trainee's email address, like name@nhs.net")
		}
		person, err := tx.LockPersonByEmail(email)
		if apperr.Code(err) == apperr.NotFound {
			return nil, apperr.Invalidf("email", "No account here has the address %s: ask the trainee to create one first", email)
		}
		if err != nil {
			return nil, err
		}
		if person.ID == by.UserID {
			return nil, apperr.Errorf(apperr.Forbidden, "You cannot import your own training record: another training officer of the department does.")
		}
		if !sameName(person.Name, at.Name) {
			return nil, apperr.Invalidf("email", "The archive is %s's record, and the account with the address %s is %s's: check the address, or ask the trainee to put the same name on both",
				at.Name, email, person.Name)
		}
		if person.ID == in.Team.TrainingOfficerID || slices.Contains(in.Team.Supervisors, person.ID) {
			return nil, apperr.Invalidf("supervisors", "The trainee cannot be their own training officer or supervisor")
		}
		if err := noRecordInProgress(tx, person.ID); err != nil {
			return nil, err
		}
		org, err := tx.Organisation(d.OrganisationID)
		if err != nil {
			return nil, err
		}
		today := tx.Now()
		if a.ExportedAt.IsZero() || a.ExportedAt.After(today.Add(time.Hour)) {
			return nil, apperr.Invalidf("archive", "The archive has no time of export, or one in the future")
		}
		start, err := ParseDate("archive", "The archive's start date", at.StartDate)
		if err != nil {
			return nil, err
		}
		if start.After(today) {
			return nil, apperr.Invalidf("archive", "The archive's start date, %s, is in the future", at.StartDate)
		}

		// The changes first: they move the expected end.
		var changes []Change
		for i, ac := range a.Changes {
			c := Change{Kind: ac.Kind, From: ac.From, To: ac.To, Percent: ac.Percent, Reason: ac.Reason}
			if err := validImported(&c); err != nil {
				return nil, inArchive(err, "Change %d (%s from %s)", i+1, ac.Kind, ac.From)
			}
			if c.From < at.StartDate {
				return nil, inArchive(apperr.Invalidf("from", "it begins before training started on %s", at.StartDate), "Change %d (%s from %s)", i+1, ac.Kind, ac.From)
			}
			if err := c.Overlaps(changes); err != nil {
				return nil, inArchive(err, "Change %d (%s from %s)", i+1, ac.Kind, ac.From)
			}
			changes = append(changes, c)
		}
		end, err := ExpectedEnd(at.StartDate, prog.DurationMonths, changes)
		if err != nil {
			return nil, err
		}
		t := &Trainee{UserID: person.ID, Name: person.Name, Programme: cu.Programme, Specialism: at.Specialism, Curriculum: cu.ID,
			OrganisationID: d.OrganisationID, Organisation: org.Name, DepartmentID: d.ID, Department: d.Name, Region: org.Region,
			TrainingOfficerID: in.Team.TrainingOfficerID, Supervisors: in.Team.Supervisors, StartDate: at.StartDate, ExpectedEnd: end,
			Status: TraineePending, ImportedFrom: fmt.Sprintf("%s, exported on %s", source, a.ExportedAt.UTC().Format("2 January 2006"))}
		if err := tx.InsertTrainee(t); err != nil {
			return nil, err
		}
		out := &Imported{Trainee: t, Redrafted: []string{}}
		for i := range changes {
			changes[i].TraineeID = t.ID
			if err := tx.InsertChange(&changes[i]); err != nil {
				return nil, err
			}
			out.Changes++
		}

		for i, ae := range a.Evidence {
			where := func(err error) error { return inArchive(err, "Entry %d (%q)", i+1, ae.Title) }
			e := &Evidence{TraineeID: t.ID, Kind: ae.Kind, Module: ae.Module, Competencies: ae.Competencies, Title: ae.Title, OccurredOn: ae.OccurredOn,
				Body: ae.Body, Status: ae.Status, Shared: ae.Shared, AssessorName: ae.AssessorName, Judgement: ae.Judgement, Feedback: ae.Feedback,
				AssessedAt: ae.AssessedAt, SubmittedAt: ae.SubmittedAt}
			if err := e.Validate(cu, today); err != nil {
				return nil, where(err)
			}
			if e.OccurredOn < t.StartDate {
				return nil, where(apperr.Invalidf("occurred_on", "it happened on %s, before training started on %s", e.OccurredOn, t.StartDate))
			}
			if err := importedStatus(e, t.StartDate, today); err != nil {
				return nil, where(err)
			}
			if ae.Status == EvidenceAwaiting {
				out.Redrafted = append(out.Redrafted, e.Title)
			}
			if err := SaveEvidence(tx, e); err != nil {
				return nil, where(err)
			}
			for _, f := range files[i] {
				f.EvidenceID, f.TraineeID = e.ID, t.ID
				if err := tx.InsertAttachment(f); err != nil {
					return nil, err
				}
				out.Files++
			}
			out.Entries++
		}

		for i, as := range a.SignOffs {
			item := Item(as.Module, as.Competency)
			where := func(err error) error { return inArchive(err, "Sign-off %d (%s)", i+1, item) }
			m := cu.Module(as.Module)
			if m == nil {
				return nil, where(apperr.Invalidf("archive", "%q is not a module of the %s", as.Module, cu.Name))
			}
			if as.Competency != "" && m.Competency(as.Competency) == nil {
				return nil, where(apperr.Invalidf("archive", "%q is not a competency of module %s", as.Competency, m.Code))
			}
			if as.Status != SignedOff && as.Status != Reopened {
				return nil, where(apperr.Invalidf("archive", "its status %q is neither signed nor reopened", as.Status))
			}
			signer, err := text.Name("archive", "The name of who signed it off", as.SignedBy, 200)
			if err != nil || signer == "" {
				return nil, where(apperr.Invalidf("archive", "it does not name who signed it off"))
			}
			if as.SignedAt.IsZero() || as.SignedAt.After(today) || as.SignedAt.UTC().Format(DateFormat) < t.StartDate {
				return nil, where(apperr.Invalidf("archive", "its sign-off time is missing, in the future or before training started"))
			}
			// Signed there, or (imported there first) accepted there.
			provenance := fmt.Sprintf("signed off by %s at %s", signer, source)
			if as.ImportedFrom != "" {
				earlier, err := text.Line("archive", "Where it was signed off", as.ImportedFrom, 500)
				if err != nil {
					return nil, where(err)
				}
				provenance = fmt.Sprintf("%s; accepted by %s at %s", earlier, signer, source)
			}
			so := &SignOff{TraineeID: t.ID, Module: as.Module, Competency: as.Competency, Status: as.Status, SignedBy: by.UserID,
				SignedAt: as.SignedAt, ImportedFrom: provenance}
			if as.Status == Reopened {
				if as.ReopenedAt == nil || as.ReopenedAt.After(today) || as.ReopenedAt.Before(as.SignedAt) {
					return nil, where(apperr.Invalidf("archive", "it is reopened but its time of reopening is missing, in the future or before it was signed off"))
				}
				if so.ReopenReason, err = text.Para("archive", "The reason it was reopened", as.ReopenReason, 1000); err != nil {
					return nil, where(err)
				}
				if so.ReopenReason == "" {
					return nil, where(apperr.Invalidf("archive", "it is reopened without a reason"))
				}
				so.ReopenedAt = as.ReopenedAt
				if as.ReopenedBy != "" { // unknown when it was reopened before an earlier transfer
					reopener, err := text.Name("archive", "The name of who reopened it", as.ReopenedBy, 200)
					if err != nil {
						return nil, where(err)
					}
					so.ImportedFrom += "; reopened by " + reopener
				}
			}
			if err := tx.InsertSignOff(so); err != nil {
				return nil, where(err)
			}
			out.SignOffs++
		}

		for i, ar := range a.Reviews {
			where := func(err error) error { return inArchive(err, "Review %d (%s, month %d)", i+1, ar.Review, ar.Month) }
			rv := cu.Review(ar.Review)
			if rv == nil {
				return nil, where(apperr.Invalidf("archive", "%q is not a review of the %s", ar.Review, cu.Name))
			}
			r := &ReviewRecord{TraineeID: t.ID, Review: ar.Review, Month: ar.Month, HeldOn: ar.HeldOn, Met: ar.Met, Missing: ar.Missing,
				Outcome: ar.Outcome, Panel: ar.Panel, Notes: ar.Notes}
			if err := r.Validate(rv, t, today); err != nil {
				return nil, where(err)
			}
			for j, m := range r.Missing {
				if r.Missing[j], err = text.Line("archive", "What the review found missing", m, 1000); err != nil {
					return nil, where(err)
				}
			}
			if err := tx.InsertReview(r); err != nil {
				return nil, where(err)
			}
			out.Reviews++
		}

		for i, ar := range a.Records {
			where := func(err error) error { return inArchive(err, "Record %d (%q)", i+1, ar.Name) }
			if !slices.Contains(cu.Records(), ar.Name) {
				return nil, where(apperr.Invalidf("archive", "it is not one of the records the %s reads", cu.Name))
			}
			day, err := ParseDate("archive", "The date it was recorded", ar.RecordedOn)
			if err != nil {
				return nil, where(err)
			}
			if day.After(today) || ar.RecordedOn < t.StartDate {
				return nil, where(apperr.Invalidf("archive", "it was recorded on %s, in the future or before training started", ar.RecordedOn))
			}
			if err := tx.InsertRecord(&Record{TraineeID: t.ID, Name: ar.Name, RecordedOn: ar.RecordedOn}); err != nil {
				return nil, where(err)
			}
			out.Records++
		}

		if err := tx.GrantTrainee(t.UserID); err != nil {
			return nil, err
		}
		sup, err := names(tx, t.Supervisors)
		if err != nil {
			return nil, err
		}
		if err := auditf(tx, by, "trainee.import", t.ID, "imported from %s: %s in %s, %s, %s; curriculum %s; started %s, expected end %s; supervisors %s; "+
			"%d changes, %d entries with %d files, %d sign-offs, %d reviews, %d records", t.ImportedFrom, prog.Name, s.specialismName(t.Specialism),
			t.Organisation, t.Department, cu.ID, t.StartDate, t.ExpectedEnd, sup, out.Changes, out.Entries, out.Files, out.SignOffs, out.Reviews, out.Records); err != nil {
			return nil, err
		}
		to, err := tx.Person(t.TrainingOfficerID)
		if err != nil {
			return nil, err
		}
		return out, tx.Send(*to, t.UserID, "Confirm a transferred trainee", fmt.Sprintf(
			"%s's training record in the %s in %s was imported from %s into %s, and you are named as their training officer.\n\n"+
				"Check the record, including the sign-offs made before the transfer, and confirm it: %s/training/trainees/%d\n",
			t.Name, prog.Name, s.specialismName(t.Specialism), source, t.Department, s.publicURL, t.ID))
	})
}

// validImported checks a change from an archive. A transfer names a
// department of the service it was made in, which means nothing here:
// only its days count.
func validImported(c *Change) error {
	if c.Kind == ChangeTransfer {
		c.ToDepartmentID = -1
		defer func() { c.ToDepartmentID = 0 }()
	}
	return c.Validate()
}

// importedStatus checks an imported entry's status against its kind and
// times, and clears what its kind and status do not hold. An assessment
// that was waiting for its assessor becomes a draft: the link its
// assessor holds belongs to the service it came from.
func importedStatus(e *Evidence, start string, today time.Time) error {
	if !Assessed(e.Kind) {
		e.AssessorName, e.Judgement, e.Feedback, e.AssessedAt = "", "", "", nil
	} else {
		var err error
		if e.AssessorName, err = text.Name("archive", "The assessor's name", e.AssessorName, 200); err != nil {
			return err
		}
	}
	switch e.Status {
	case EvidenceDraft:
		e.SubmittedAt, e.AssessedAt, e.Judgement, e.Feedback = nil, nil, "", ""
	case EvidenceAwaiting:
		if !Assessed(e.Kind) {
			return apperr.Invalidf("archive", "it waits for an assessor, but a %s is not assessed", EvidenceNames[e.Kind])
		}
		e.Status, e.SubmittedAt, e.AssessedAt, e.Judgement, e.Feedback = EvidenceDraft, nil, nil, "", ""
	case EvidenceSubmitted:
		if Assessed(e.Kind) {
			return apperr.Invalidf("archive", "it is a work-based assessment marked submitted without its assessor's judgement")
		}
		if e.SubmittedAt == nil || strings.TrimSpace(e.Body) == "" {
			return apperr.Invalidf("archive", "it is submitted but has no time of submission, or says nothing")
		}
	case EvidenceAssessed:
		if !Assessed(e.Kind) {
			return apperr.Invalidf("archive", "it is marked assessed, but a %s is not assessed", EvidenceNames[e.Kind])
		}
		if _, ok := JudgementNames[e.Judgement]; !ok || e.AssessedAt == nil || e.SubmittedAt == nil || e.AssessorName == "" {
			return apperr.Invalidf("archive", "it is marked assessed without its assessor, judgement or times")
		}
		if e.AssessedAt.Before(*e.SubmittedAt) {
			return apperr.Invalidf("archive", "it was assessed before it was submitted")
		}
		var err error
		if e.Feedback, err = text.Para("archive", "The assessor's feedback", e.Feedback, 5000); err != nil {
			return err
		}
		if e.Feedback == "" {
			return apperr.Invalidf("archive", "it is assessed without the assessor's feedback")
		}
	default:
		return apperr.Invalidf("archive", "its status %q is not one this service knows", e.Status)
	}
	for _, at := range []*time.Time{e.SubmittedAt, e.AssessedAt} {
		if at != nil && (at.After(today) || at.UTC().Format(DateFormat) < start || at.UTC().Format(DateFormat) < e.OccurredOn) {
			return apperr.Invalidf("archive", "it has a time in the future, before training started, or before it happened")
		}
	}
	return nil
}

// archiveSource checks where an archive says it came from: the address of
// the service that exported it, which the record and messages name.
func archiveSource(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s) > 300 || !text.Visible(s) {
		return "", apperr.Invalidf("archive", "The archive does not say which service exported it (its source must be that service's web address)")
	}
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/"), nil
}

// sameName reports whether two names are one person's as typed: the same
// letters, whatever the case and spacing.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// inArchive says which part of an archive an error is about. Every
// problem with an archive's content is the archive's: the field is
// "archive".
func inArchive(err error, format string, args ...any) error {
	if c := apperr.Code(err); c != apperr.Invalid && c != apperr.Conflict {
		return err
	}
	return apperr.Invalidf("archive", "%s: %s", fmt.Sprintf(format, args...), apperr.Message(err))
}
