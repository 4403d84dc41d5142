package framework

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// origin records where an entry was read from, for error messages.
type origin struct {
	file string
	line int
}

func (o *origin) setOrigin(file string, line int) { o.file, o.line = file, line }

type locatable interface{ setOrigin(file string, line int) }

// Problem is one thing wrong with the data, located by file, line and entry.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Entry   string `json:"entry,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Entry != "" {
		b.WriteString(p.Entry + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError lists everything wrong with a set of data files.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("framework data has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Load reads, validates and links the framework data files in fsys (the
// contents of data/framework). It returns a *ValidationError naming every
// problem found, not just the first.
func Load(fsys fs.FS) (*Framework, error) {
	l := &loader{fsys: fsys}
	f := &Framework{}

	var manifest struct {
		Version   string  `yaml:"version"`
		Published string  `yaml:"published"`
		Title     string  `yaml:"title"`
		Licence   Licence `yaml:"licence"`
	}
	l.decode("framework.yaml", &manifest)
	f.Version, f.Published, f.Title, f.Licence = manifest.Version, manifest.Published, manifest.Title, manifest.Licence

	f.Sources = decodeList[Source](l, "sources.yaml")
	f.Divisions = decodeList[Division](l, "divisions.yaml")
	f.RoleGroups = decodeList[RoleGroup](l, "role-groups.yaml")
	specialismFiles, err := fs.Glob(fsys, "specialisms/*.yaml")
	if err != nil || len(specialismFiles) == 0 {
		l.add(Problem{File: "specialisms/", Message: "no specialism files found"})
	}
	for _, file := range specialismFiles {
		f.Specialisms = append(f.Specialisms, decodeList[Specialism](l, file)...)
	}
	f.Renamed = decodeList[Renamed](l, "renamed.yaml")
	f.Levels = decodeList[Level](l, "levels.yaml")
	f.Programmes = decodeList[Programme](l, "programmes.yaml")

	var pathways struct {
		Credentials    []*Credential    `yaml:"credentials"`
		StartingPoints []*StartingPoint `yaml:"starting_points"`
	}
	l.decode("pathways.yaml", &pathways)
	f.Credentials, f.StartingPoints = pathways.Credentials, pathways.StartingPoints

	l.decode("pay.yaml", &f.PayScales)
	f.Titles = decodeList[Title](l, "titles.yaml")

	f.Quiz = &Quiz{}
	l.decode("quiz.yaml", f.Quiz)
	f.Vocabulary = &Vocabulary{}
	l.decode("search.yaml", f.Vocabulary)

	if len(l.problems) == 0 {
		validate(f, l)
	}
	if len(l.problems) > 0 {
		return nil, &ValidationError{Problems: l.problems}
	}
	return f, nil
}

type loader struct {
	fsys     fs.FS
	problems []Problem
}

func (l *loader) add(p Problem) { l.problems = append(l.problems, p) }

// read returns a file's bytes, or nil after recording a problem.
func (l *loader) read(file string) []byte {
	b, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(Problem{File: file, Message: "cannot read file: " + err.Error()})
		return nil
	}
	return b
}

// decode reads a YAML mapping file strictly: unknown fields are errors.
func (l *loader) decode(file string, into any) {
	b := l.read(file)
	if b == nil {
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil && !errors.Is(err, io.EOF) {
		l.add(yamlProblem(file, err))
	}
}

// decodeList reads a YAML file holding a list of entries, records each
// entry's line, and drops nil entries (an empty "- " item) as problems.
func decodeList[T any, PT interface {
	*T
	locatable
}](l *loader, file string) []*T {
	b := l.read(file)
	if b == nil {
		return nil
	}
	var list []*T
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		if errors.Is(err, io.EOF) {
			l.add(Problem{File: file, Message: "file is empty"})
		} else {
			l.add(yamlProblem(file, err))
		}
		return nil
	}
	var doc yaml.Node
	_ = yaml.Unmarshal(b, &doc) // already decoded once, so it parses
	var items []*yaml.Node
	if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.SequenceNode {
		items = doc.Content[0].Content
	}
	out := list[:0]
	for i, v := range list {
		line := 0
		if i < len(items) {
			line = items[i].Line
		}
		if v == nil {
			l.add(Problem{File: file, Line: line, Message: fmt.Sprintf("entry %d is empty", i+1)})
			continue
		}
		PT(v).setOrigin(file, line)
		out = append(out, v)
	}
	return out
}

func yamlProblem(file string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	return Problem{File: path.Clean(file), Message: msg}
}

// sortedKeys returns a map's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
