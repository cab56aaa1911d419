// Package schedule runs vigie's pipelines: declarative definitions read
// from pipelines/*.yaml, fired by cron schedules, never overlapping
// themselves, each run recorded in ClickHouse with the checkpoint it
// reached, so that the next run resumes where the last one stopped.
package schedule

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/vigie-data/vigie/internal/source"
)

// Pipeline is one definition file of pipelines/.
type Pipeline struct {
	File        string        `json:"file"`
	Name        string        `json:"name"`
	Description string        `json:"description,omitempty"`
	Source      string        `json:"source"`
	Schedule    string        `json:"schedule"`
	URL         string        `json:"url"`
	Resources   string        `json:"resources,omitempty"` // decp: url is a data.gouv.fr dataset API; ingest the resources whose title or file name match
	Rate        float64       `json:"rate"`                // requests per second to the upstream host
	Burst       int           `json:"burst"`
	Lookback    time.Duration `json:"-"` // how far back each run re-reads
	Timeout     time.Duration `json:"-"` // a run's deadline (0: none, runs by hand)
	Enabled     bool          `json:"enabled"`

	schedule  cron.Schedule
	resources *regexp.Regexp
}

// Next is when the schedule fires next after t.
func (p Pipeline) Next(t time.Time) time.Time { return p.schedule.Next(t) }

// Host is the upstream host named by the URL (the key of its rate limit).
func (p Pipeline) Host() string {
	u, _ := url.Parse(p.URL)
	return u.Host
}

// cronParser accepts the standard 5 fields, an optional leading seconds
// field (tests fire every second) and descriptors (@daily, @every 6h).
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// FieldError is a problem with one field of a definition file.
type FieldError struct {
	File   string
	Line   int
	Field  string
	Reason string
}

func (e FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Field == "" {
		return loc + ": " + e.Reason
	}
	return fmt.Sprintf("%s: field %q: %s", loc, e.Field, e.Reason)
}

// LoadError lists every problem found in a pipelines directory.
type LoadError struct{ Problems []FieldError }

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid pipeline definitions (%d problems):", len(e.Problems))
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Load reads every *.yaml / *.yml file of dir, one pipeline per file, and
// validates them all, a source: being one of sources: on any problem it
// returns a *LoadError naming each file, field and reason, and no
// pipelines.
func Load(dir string, sources map[string]source.Source) ([]Pipeline, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pipelines directory: %w", err)
	}
	var out []Pipeline
	var problems []FieldError
	byName := map[string]string{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			continue
		}
		path := filepath.Join(dir, n)
		p, errs := LoadFile(path, sources)
		if len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		if prev, dup := byName[p.Name]; dup {
			problems = append(problems, FieldError{File: path, Field: "name", Reason: fmt.Sprintf("%q is already the name of %s", p.Name, prev)})
			continue
		}
		byName[p.Name] = path
		out = append(out, p)
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	// An empty directory is valid: a scheduler with nothing to run (the
	// caller says so); a missing one is an error.
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// definition is a pipeline file as written; Pipeline is what it means.
type definition struct {
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	Source      string  `yaml:"source"`
	Schedule    string  `yaml:"schedule"`
	URL         string  `yaml:"url"`
	Resources   string  `yaml:"resources"`
	Rate        float64 `yaml:"rate"`
	Burst       int     `yaml:"burst"`
	Lookback    string  `yaml:"lookback"`
	Timeout     string  `yaml:"timeout"`
	Enabled     bool    `yaml:"enabled"`
}

// DefaultTimeout is a pipeline run's deadline when its file gives none:
// far beyond a national DECP load (minutes), short enough that a run
// stuck for a reason no timeout below it catches gives way within a day.
const DefaultTimeout = 6 * time.Hour

// fieldKinds names what each field of a definition holds, for messages.
var fieldKinds = func() map[string]string {
	kinds := map[string]string{}
	t := reflect.TypeOf(definition{})
	for i := 0; i < t.NumField(); i++ {
		kind := "string"
		switch t.Field(i).Type.Kind() {
		case reflect.Float64:
			kind = "number"
		case reflect.Int:
			kind = "whole number"
		case reflect.Bool:
			kind = "boolean (true or false)"
		}
		kinds[t.Field(i).Tag.Get("yaml")] = kind
	}
	return kinds
}()

var knownFields = []string{"name", "description", "source", "schedule", "url", "resources", "rate", "burst", "lookback", "timeout", "enabled"}

// LoadFile reads and validates one definition file.
func LoadFile(path string, sources map[string]source.Source) (Pipeline, []FieldError) {
	p := Pipeline{File: path}
	bad := func(line int, field, reason string) []FieldError {
		return []FieldError{{File: path, Line: line, Field: field, Reason: reason}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return p, bad(0, "", err.Error())
	}
	// The node tree gives each field's line for the messages; the
	// decoder, with KnownFields, the values and what is wrong with them.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return p, bad(0, "", "not valid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return p, bad(doc.Line, "", "want a mapping of fields (name: ..., source: ...)")
	}
	seen := map[string]int{} // the line of each field
	var errs []FieldError
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if l, dup := seen[k.Value]; dup {
			errs = append(errs, FieldError{path, k.Line, k.Value, fmt.Sprintf("given twice (first on line %d)", l)})
			continue
		}
		seen[k.Value] = k.Line
	}
	if len(errs) > 0 {
		return p, errs // the decoder reads no further than a key given twice
	}
	def := definition{Rate: 1, Burst: 1, Enabled: true}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&def); err != nil {
		errs = decodeErrors(path, err, m)
	}
	p = Pipeline{File: path, Name: def.Name, Description: def.Description, Source: def.Source, Schedule: def.Schedule,
		URL: def.URL, Resources: def.Resources, Rate: def.Rate, Burst: def.Burst, Enabled: def.Enabled}
	lookback := def.Lookback
	p.Timeout = DefaultTimeout
	if def.Timeout != "" {
		d, err := ParseLookback(def.Timeout)
		if err != nil || d <= 0 {
			errs = append(errs, FieldError{path, seen["timeout"], "timeout", fmt.Sprintf("%q: want a duration > 0 (\"2h\", \"1d\")", def.Timeout)})
		}
		p.Timeout = d
	}
	line := func(f string) int { return seen[f] }
	need := func(f, val string) {
		if strings.TrimSpace(val) == "" {
			errs = append(errs, FieldError{path, line(f), f, "required"})
		}
	}
	need("name", p.Name)
	need("source", p.Source)
	need("schedule", p.Schedule)
	need("url", p.URL)
	if p.Name != "" && !nameRe.MatchString(p.Name) {
		errs = append(errs, FieldError{path, line("name"), "name", fmt.Sprintf("%q: use lower-case letters, digits, - and _", p.Name)})
	}
	if _, ok := sources[p.Source]; !ok && p.Source != "" {
		errs = append(errs, FieldError{path, line("source"), "source", fmt.Sprintf("%q is not one of %s", p.Source, strings.Join(names(sources, nil), ", "))})
	}
	if p.Schedule != "" {
		s, err := cronParser.Parse(p.Schedule)
		if err != nil {
			errs = append(errs, FieldError{path, line("schedule"), "schedule", fmt.Sprintf("%q is not a cron spec: %v (e.g. \"0 */6 * * *\", \"@daily\", \"@every 4h\")", p.Schedule, err)})
		}
		p.schedule = s
	}
	if p.URL != "" {
		u, err := url.Parse(p.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, FieldError{path, line("url"), "url", fmt.Sprintf("%q is not an http(s) URL", p.URL)})
		}
	}
	if p.Resources != "" {
		if _, ok := sources[p.Source].(source.DatasetReader); !ok {
			readers := names(sources, func(s source.Source) bool { _, ok := s.(source.DatasetReader); return ok })
			errs = append(errs, FieldError{path, line("resources"), "resources", fmt.Sprintf("only %s pipelines read a dataset's resources", strings.Join(readers, ", "))})
		}
		re, err := regexp.Compile(p.Resources)
		if err != nil {
			errs = append(errs, FieldError{path, line("resources"), "resources", fmt.Sprintf("%q is not a regular expression: %v", p.Resources, err)})
		}
		p.resources = re
	}
	if p.Rate <= 0 {
		errs = append(errs, FieldError{path, line("rate"), "rate", fmt.Sprintf("%v: want requests per second > 0", p.Rate)})
	}
	if p.Burst < 1 {
		errs = append(errs, FieldError{path, line("burst"), "burst", fmt.Sprintf("%d: want at least 1", p.Burst)})
	}
	if lookback != "" {
		d, err := ParseLookback(lookback)
		if err != nil {
			errs = append(errs, FieldError{path, line("lookback"), "lookback", err.Error()})
		}
		p.Lookback = d
	}
	return p, errs
}

// names lists the names of the sources that keep says (all when nil),
// the order of a pipeline file's examples: decp, boamp, then the others.
func names(sources map[string]source.Source, keep func(source.Source) bool) []string {
	var out []string
	for n, s := range sources {
		if keep == nil || keep(s) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

var yamlError = regexp.MustCompile(`^line (\d+): (.*)$`)

// decodeErrors turns the decoder's complaints ("line 8: field shedule not
// found in type ...") into field errors: the field named by its line in
// the mapping m, the reason in the words of the other messages.
func decodeErrors(path string, err error, m *yaml.Node) []FieldError {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []FieldError{{File: path, Reason: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	var out []FieldError
	for _, msg := range te.Errors {
		sm := yamlError.FindStringSubmatch(msg)
		if sm == nil {
			out = append(out, FieldError{File: path, Reason: msg})
			continue
		}
		line, _ := strconv.Atoi(sm[1])
		fe := FieldError{File: path, Line: line, Reason: sm[2]}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if k.Line != line && v.Line != line {
				continue
			}
			fe.Field = k.Value
			switch {
			case strings.Contains(sm[2], " not found in type "):
				fe.Reason = "unknown field (known: " + strings.Join(knownFields, ", ") + ")"
			case v.Kind != yaml.ScalarNode:
				fe.Reason = "want a single value"
			default:
				fe.Reason = fmt.Sprintf("%q is not a %s", v.Value, fieldKinds[k.Value])
			}
			break
		}
		out = append(out, fe)
	}
	return out
}

// ParseLookback reads a duration in days ("3d") or as Go writes it ("36h").
func ParseLookback(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: want a number of days (\"3d\") or a duration (\"36h\")", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a number of days (\"3d\") or a duration (\"36h\")", s)
	}
	return d, nil
}

// Find returns the pipeline called name.
func Find(ps []Pipeline, name string) (Pipeline, error) {
	var names []string
	for _, p := range ps {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Pipeline{}, fmt.Errorf("no pipeline %q; defined: %s", name, strings.Join(names, ", "))
}

// ErrRunning is returned when a pipeline is asked to run while it runs.
var ErrRunning = errors.New("pipeline is already running")
