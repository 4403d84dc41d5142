package train

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hcs/internal/apperr"
	"hcs/internal/text"
)

// Attachment is a file attached to an entry of the e-portfolio: a scan of
// a signed form, a photograph of a poster, a report. The store keeps its
// bytes with its size and SHA-256, and every read checks them.
type Attachment struct {
	ID         int64     `json:"id"`
	EvidenceID int64     `json:"evidence_id"`
	TraineeID  int64     `json:"trainee_id"`
	Name       string    `json:"name"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"` // hex
	CreatedAt  time.Time `json:"created_at"`
	// Content is loaded only when the file itself is asked for.
	Content []byte `json:"-"`
}

// Limits on attachments: a file's size, how many one entry holds, and
// how much one training record holds in all. The last keeps a record's
// archive, which carries its files in base64, within what an import
// takes (MaxArchiveBytes).
const (
	MaxFileBytes     = 10_000_000
	MaxFilesPerEntry = 10
	MaxFileName      = 200
	MaxRecordBytes   = 100_000_000
)

// FileType is a kind of file the e-portfolio accepts.
type FileType struct {
	MediaType  string
	Name       string // as people read it
	Extensions []string
}

// FileTypes are the kinds of file accepted: documents and images a
// trainee scans, photographs or writes, none of which runs code.
var FileTypes = []FileType{
	{"application/pdf", "PDF", []string{".pdf"}},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", []string{".docx"}},
	{"image/png", "PNG image", []string{".png"}},
	{"image/jpeg", "JPEG image", []string{".jpg", ".jpeg"}},
	{"text/plain", "text file", []string{".txt"}},
}

// fileType finds an accepted type by its media type.
func fileType(mediaType string) *FileType {
	for i := range FileTypes {
		if FileTypes[i].MediaType == mediaType {
			return &FileTypes[i]
		}
	}
	return nil
}

// acceptedFiles says which files are accepted, for error messages.
const acceptedFiles = "a PDF, a Word document (.docx), a PNG or JPEG image, or a text file (.txt)"

// CheckFile checks an uploaded file and names its type from its contents,
// not from what the browser said: it must be one of FileTypes, within the
// size limit, and named with an extension of the type it holds. It
// returns the name to keep (without any folders a browser sent).
func CheckFile(name string, content []byte) (kept, mediaType string, err error) {
	name = strings.ReplaceAll(name, `\`, "/") // some browsers send a Windows path
	name = path.Base(strings.TrimSpace(name))
	if name == "." || name == "/" {
		name = ""
	}
	if name, err = text.Line("file", "The file's name", name, MaxFileName); err != nil {
		return "", "", err
	}
	switch {
	case len(content) == 0 && name == "":
		return "", "", apperr.Invalidf("file", "Choose a file to attach")
	case len(content) == 0:
		return "", "", apperr.Invalidf("file", "%s is empty", name)
	case name == "":
		return "", "", apperr.Invalidf("file", "The file has no name")
	case len(content) > MaxFileBytes:
		return "", "", apperr.Invalidf("file", "%s is %s; a file can be at most %s", name, FileSize(int64(len(content))), FileSize(MaxFileBytes))
	}
	mediaType, what := sniff(content)
	ft := fileType(mediaType)
	if ft == nil {
		return "", "", apperr.Invalidf("file", "%s is %s, which cannot be attached: attach %s", name, what, acceptedFiles)
	}
	ext := strings.ToLower(path.Ext(name))
	if !slices.Contains(ft.Extensions, ext) {
		if ext == "" {
			return "", "", apperr.Invalidf("file", "%s has no extension: it holds a %s, so name it %s%s", name, ft.Name, name, ft.Extensions[0])
		}
		return "", "", apperr.Invalidf("file", "%s is named as %s but holds a %s: rename it to end %s", name, extensionName(ext), ft.Name, ft.Extensions[0])
	}
	return name, mediaType, nil
}

// extensionName says what a file's extension claims it is.
func extensionName(ext string) string {
	for _, ft := range FileTypes {
		if slices.Contains(ft.Extensions, ext) {
			return "a " + ft.Name
		}
	}
	return "a " + ext + " file"
}

// sniff names what a file holds from its bytes: an accepted media type, or
// "" with a description of what it is instead.
func sniff(b []byte) (mediaType, what string) {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf", "a PDF"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", "a PNG image"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg", "a JPEG image"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return sniffZip(b)
	case plainText(b):
		return "text/plain", "a text file"
	case bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")):
		return "", "text in UTF-16 (save it as UTF-8 text and attach it again)"
	case !utf8.Valid(b) && !bytes.ContainsRune(b, 0) && !bytes.ContainsAny(b, "\x01\x02\x03\x04\x05\x06\x07\x08"):
		return "", "text that is not UTF-8 (save it as UTF-8 text and attach it again)"
	}
	return "", "not a kind of file hcs recognises"
}

// sniffZip tells a Word document from other ZIP archives by the parts it
// lists. A document with macros is refused: a macro part under any name
// or case, or one that its content types or relationships declare (read
// up to zipPartLimit bytes each, so that a small archive cannot unpack
// into a large one).
func sniffZip(b []byte) (string, string) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", "a damaged ZIP archive"
	}
	has := map[string]bool{}
	var declarations []*zip.File
	for _, f := range z.File {
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		has[name] = true
		if strings.Contains(name, "vbaproject") || strings.Contains(name, "vbadata") {
			return "", "a Word document with macros"
		}
		if name == "[content_types].xml" || strings.HasSuffix(name, ".rels") {
			declarations = append(declarations, f)
		}
	}
	if !has["[content_types].xml"] || !has["word/document.xml"] {
		return "", "a ZIP archive"
	}
	if len(declarations) > zipDeclarations {
		return "", "a ZIP archive with more parts than a Word document has"
	}
	budget := int64(zipDeclarationBytes)
	for _, f := range declarations {
		rc, err := f.Open()
		if err != nil {
			return "", "a damaged ZIP archive"
		}
		part, err := io.ReadAll(io.LimitReader(rc, min(zipPartLimit, budget)))
		rc.Close()
		if budget -= int64(len(part)); budget <= 0 {
			return "", "a ZIP archive whose declarations unpack to more than a Word document's"
		}
		if err != nil {
			return "", "a damaged ZIP archive"
		}
		lower := bytes.ToLower(part)
		if bytes.Contains(lower, []byte("vbaproject")) || bytes.Contains(lower, []byte("macroenabled")) {
			return "", "a Word document with macros"
		}
	}
	return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document"
}

// What of a Word document's declarations is read: each part up to
// zipPartLimit, all of them together up to zipDeclarationBytes, and at
// most zipDeclarations of them, so that a small file cannot make the
// check unpack a large one.
const (
	zipPartLimit        = 1 << 20
	zipDeclarationBytes = 4 << 20
	zipDeclarations     = 200
)

// plainText reports whether b is UTF-8 text without control characters
// other than tabs, line ends and form feeds.
func plainText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	return true
}

// Checksum is a file's SHA-256 in hex, as attachments keep it.
func Checksum(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// Intact checks a stored file against its size and checksum. A damaged
// copy is never served; the error says so plainly, since only a backup
// can bring the file back once its entry is submitted.
func (a *Attachment) Intact() error {
	if int64(len(a.Content)) != a.Size || Checksum(a.Content) != a.SHA256 {
		return apperr.Errorf(apperr.Conflict, "The stored copy of %s (file %d) does not match its checksum: it is damaged and cannot be served. "+
			"Tell the service desk, who can restore it from a backup.", a.Name, a.ID)
	}
	return nil
}

// FileSize writes a size in bytes as people read it.
func FileSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}

// TypeName says what kind of file a media type is.
func TypeName(mediaType string) string {
	if ft := fileType(mediaType); ft != nil {
		return ft.Name
	}
	return mediaType
}

// VisibleTo reports whether a viewer of a trainee's record sees an entry:
// the trainee sees all of theirs, everyone else what the team sees.
func (e *Evidence) VisibleTo(t *Trainee, viewer int64) bool {
	return viewer == t.UserID || e.VisibleToTeam()
}

// VisibleFiles keeps the files of the entries a viewer of a trainee's
// record sees.
func VisibleFiles(t *Trainee, viewer int64, evidence []Evidence, files []Attachment) []Attachment {
	seen := map[int64]bool{}
	for i := range evidence {
		seen[evidence[i].ID] = evidence[i].VisibleTo(t, viewer)
	}
	out := []Attachment{}
	for _, f := range files {
		if seen[f.EvidenceID] {
			out = append(out, f)
		}
	}
	return out
}
