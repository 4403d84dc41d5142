package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"hcs/internal/train"
)

// certificatePDFBytes sets a certificate on one A4 page, landscape, for
// people to print and keep: who, what, when, the certificate's address to
// check it at, and what its holder may now register for. The credential
// is what proves it; the PDF says where to check. It is set in DejaVu Sans
// (embedded at build time), so names in any Latin, Greek or Cyrillic
// script print as written, and dated by the certificate, so the same
// certificate always gives the same file.
func (s *Server) certificatePDFBytes(c *train.IssuedCertificate) ([]byte, error) {
	regular, err := s.font("fonts/DejaVuSans.ttf")
	if err != nil {
		return nil, err
	}
	bold, err := s.font("fonts/DejaVuSans-Bold.ttf")
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("DejaVu", "", regular)
	pdf.AddUTF8FontFromBytes("DejaVu", "B", bold)
	pdf.SetTitle(c.Name+": "+c.Holder, true)
	pdf.SetAuthor(train.IssuerName, true)
	pdf.SetSubject(c.Award+" in "+c.Specialism, true)
	pdf.SetCreator("hcs", true)
	pdf.SetLang("en-GB")
	pdf.SetCreationDate(c.IssuedAt)
	pdf.SetModificationDate(c.IssuedAt)
	pdf.SetMargins(25, 22, 25)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()

	// NHS blue border.
	pdf.SetDrawColor(0, 94, 184)
	pdf.SetLineWidth(1.5)
	pdf.Rect(10, 10, 277, 190, "D")

	centre := func(font string, size float64, h float64, text string) {
		pdf.SetFont("DejaVu", font, size)
		pdf.MultiCell(0, h, text, "", "C", false)
	}
	pdf.SetTextColor(0, 94, 184)
	centre("B", 14, 8, train.IssuerName)
	pdf.Ln(6)
	if c.RevokedAt != nil {
		// A revoked certificate says so first, and certifies nothing.
		pdf.SetTextColor(212, 53, 28)
		centre("B", 30, 14, "REVOKED on "+c.RevokedAt.UTC().Format("2 January 2006"))
		centre("B", 13, 7, "This certificate no longer stands and shows nothing.")
		pdf.Ln(4)
	}
	pdf.SetTextColor(33, 43, 50)
	centre("B", 22, 11, c.Name)
	pdf.Ln(8)
	if c.RevokedAt != nil {
		centre("", 13, 7, "It was issued to")
	} else {
		centre("", 13, 7, "This certifies that")
	}
	pdf.Ln(2)
	centre("B", 26, 13, c.Holder)
	pdf.Ln(2)
	if c.RevokedAt != nil {
		centre("", 13, 7, fmt.Sprintf("for the %s in %s", c.Programme, c.Specialism))
	} else {
		centre("", 13, 7, fmt.Sprintf("has completed the %s in %s", c.Programme, c.Specialism))
	}
	centre("", 13, 7, fmt.Sprintf("from %s to %s.", longDate(c.Started), longDate(c.Completed)))
	pdf.Ln(6)
	if c.Registration != "" && c.RevokedAt == nil {
		centre("", 11, 6, "What this certificate leads to: "+c.Registration)
		pdf.Ln(4)
	}
	pdf.SetY(160)
	pdf.SetFont("DejaVu", "", 10)
	status := "Issued on " + c.IssuedAt.UTC().Format("2 January 2006")
	if c.RevokedAt != nil {
		status += ". REVOKED on " + c.RevokedAt.UTC().Format("2 January 2006") + ": this certificate no longer stands"
	}
	pdf.MultiCell(0, 5.5, status+".", "", "C", false)
	pdf.MultiCell(0, 5.5, "Certificate "+c.ID, "", "C", false)
	pdf.MultiCell(0, 5.5, "Check it at "+s.train.CertificateURL(c.ID)+", or give the credential file to "+s.baseURL+"/verify.", "", "C", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("web: certificate PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// font reads a font the build embedded.
func (s *Server) font(logical string) ([]byte, error) {
	name, ok := s.assetNames[logical]
	if !ok {
		return nil, fmt.Errorf("web: %s is not in the front-end files' manifest: run make build", logical)
	}
	return fs.ReadFile(s.static, name)
}

// longDate writes YYYY-MM-DD as "1 September 2027".
func longDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}
