package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/itchyny/gojq"
)

// ErrTemplate and ErrJQ mark a --template or --jq that failed on the data: a
// usage error, since the expression is the user's.
var (
	ErrTemplate = errors.New("--template")
	ErrJQ       = errors.New("--jq")
)

// Printer applies the script-facing output options to what a command prints:
// -o/--output, --jq, --template, --columns and --no-headers. Commands hand it
// their data; it is the single place that decides the shape.
type Printer struct {
	Format    Format
	Columns   []string
	NoHeaders bool
	// Width is the terminal's width when stdout is one: tables are fitted to
	// it by truncating a Shrink column. 0 (piped output) never truncates.
	Width int
	// Paint, when set (stdout takes colour), colours a table cell or a
	// key/value value after it is sanitized; name is the column's field name
	// or the lower-cased label. CSV, TSV and data are never painted.
	Paint func(name, text string) string

	jq   *gojq.Code
	tmpl *template.Template
}

// NewPrinter validates the options; errors describe the bad flag value.
func NewPrinter(format Format, jq, tmpl string, columns []string, noHeaders bool) (*Printer, error) {
	p := &Printer{Format: format, Columns: columns, NoHeaders: noHeaders}
	if jq != "" && tmpl != "" {
		return nil, &OptionError{"--jq and --template cannot be used together", "choose one: --jq takes a jq expression, --template a Go template"}
	}
	const jqHint = "--jq takes a jq expression over the JSON output, e.g. --jq '.[].name' or --jq '.key'"
	if jq != "" {
		q, err := gojq.Parse(jq)
		if err != nil {
			return nil, &OptionError{"invalid --jq expression: " + err.Error(), jqHint}
		}
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, &OptionError{"invalid --jq expression: " + err.Error(), jqHint}
		}
		p.jq = code
	}
	if tmpl != "" {
		t, err := template.New("output").Option("missingkey=zero").Funcs(templateFuncs).Parse(tmpl)
		if err != nil {
			return nil, &OptionError{"invalid --template: " + templateProblem(err),
				`--template takes a Go template over the JSON output, e.g. --template '{{range .}}{{.name}}{{"\n"}}{{end}}'`}
		}
		p.tmpl = t
	}
	return p, nil
}

// templateRunProblem is a template execution error in the user's terms:
// `template: output:1:2: executing "output" at <.foo.bar>: can't evaluate field
// foo in type []interface {}` → `line 1, column 2, at .foo.bar: can't evaluate
// field foo in a list`.
func templateRunProblem(err error) string {
	msg := templateProblem(err)
	if before, after, ok := strings.Cut(msg, `executing "output" at <`); ok {
		if at, rest, ok := strings.Cut(after, ">: "); ok {
			msg = strings.TrimSuffix(before, ": ") + ", at " + at + ": " + rest
		}
	}
	return strings.NewReplacer(
		"in type []interface {}", "in a list",
		"in type map[string]interface {}", "in an object",
		"in type string", "in a string",
		"in type float64", "in a number",
		"in type bool", "in a boolean",
	).Replace(msg)
}

// OptionError is a bad --jq or --template, with what to do about it.
type OptionError struct {
	Message, Hint string
}

func (e *OptionError) Error() string { return e.Message }

// templateProblem is a template error without the package's own prefix
// ("template: output:1: unclosed action" → "line 1: unclosed action").
func templateProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	if rest, ok := strings.CutPrefix(msg, "output:"); ok {
		if line, problem, ok := strings.Cut(rest, ": "); ok {
			if _, col, ok := strings.Cut(line, ":"); ok {
				line = strings.SplitN(line, ":", 2)[0] + ", column " + col
			}
			return "line " + line + ": " + problem
		}
	}
	return msg
}

var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join": func(sep string, v []any) string {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, sep)
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
}

// Structured reports whether output is data (JSON, YAML, --jq or --template)
// rather than a table, CSV or TSV.
func (p *Printer) Structured() bool {
	return p.jq != nil || p.tmpl != nil || p.Format == JSON || p.Format == YAML
}

// Data prints v as data: through --jq or --template when given, else as JSON or
// YAML. Both filters see the JSON form of v, with the API's field names.
func (p *Printer) Data(w io.Writer, v any) error {
	switch {
	case p.jq != nil:
		return p.runJQ(w, v)
	case p.tmpl != nil:
		doc, err := jsonForm(v)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := p.tmpl.Execute(&buf, doc); err != nil {
			return fmt.Errorf("%w: %s", ErrTemplate, templateRunProblem(err))
		}
		_, err = w.Write(buf.Bytes())
		return err
	case p.Format == YAML:
		return WriteYAML(w, v)
	}
	return WriteJSON(w, v)
}

func (p *Printer) runJQ(w io.Writer, v any) error {
	doc, err := jsonForm(v)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	iter := p.jq.Run(doc)
	for {
		out, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := out.(error); isErr {
			return fmt.Errorf("%w: %v", ErrJQ, err)
		}
		if s, isStr := out.(string); isStr {
			buf.WriteString(s)
		} else {
			b, err := gojq.Marshal(out)
			if err != nil {
				return fmt.Errorf("--jq: %v", err)
			}
			buf.Write(b)
		}
		buf.WriteByte('\n')
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// jsonForm converts v to the generic value its JSON encoding decodes to.
func jsonForm(v any) (any, error) {
	b, err := json.Marshal(emptyIfNilSlice(v))
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// Rows prints a tabular view (table, CSV or TSV) of rows under headers,
// honouring --no-headers. Cells are sanitized.
func (p *Printer) Rows(w io.Writer, headers []string, rows [][]string) error {
	switch p.Format {
	case CSV, TSV:
		return writeDelimited(w, p.Format, headers, rows, p.NoHeaders)
	}
	return WriteTable(w, headers, rows, TableOptions{NoHeaders: p.NoHeaders})
}

// rowsFitted is Rows with column shrink (-1: none) truncated to fit p.Width,
// and cells painted, when the output is a table.
func (p *Printer) rowsFitted(w io.Writer, headers []string, rows [][]string, shrink int, paint func(col int, text string) string) error {
	if p.Format == Table {
		return WriteTable(w, headers, rows, TableOptions{NoHeaders: p.NoHeaders, MaxWidth: p.Width, Shrink: shrink, Paint: paint})
	}
	return p.Rows(w, headers, rows)
}

func writeDelimited(w io.Writer, f Format, headers []string, rows [][]string, noHeaders bool) error {
	cw := csv.NewWriter(w)
	if f == TSV {
		cw.Comma = '\t'
	}
	clean := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = Sanitize(c)
		}
		return out
	}
	if !noHeaders {
		if err := cw.Write(headers); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := cw.Write(clean(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// PrintList prints items: as data when the output is structured, else as rows
// of the columns picked by --columns (defaults when none are given). A table's
// header row is the columns' headers; CSV and TSV have their JSON field names,
// and an empty cell for a null value.
func PrintList[T any](p *Printer, w io.Writer, items []T, cols []Column[T], defaults []string) error {
	if items == nil {
		items = []T{}
	}
	if p.Structured() {
		return p.Data(w, items)
	}
	names := p.Columns
	if len(names) == 0 {
		names = defaults
	}
	picked, err := SelectColumns(cols, names)
	if err != nil {
		return err
	}
	headers, rows := TableData(picked, items)
	if p.Format == CSV || p.Format == TSV {
		// Scripts read CSV and TSV: the header row is the JSON field names.
		for i, c := range picked {
			headers[i] = c.Field
			if c.Null == nil {
				continue
			}
			for r, item := range items {
				if c.Null(item) {
					rows[r][i] = ""
				}
			}
		}
	}
	shrink := -1
	for i, c := range picked {
		if c.Shrink {
			shrink = i
		}
	}
	var paint func(int, string) string
	if p.Paint != nil {
		paint = func(col int, text string) string { return p.Paint(picked[col].Field, text) }
	}
	return p.rowsFitted(w, headers, rows, shrink, paint)
}

// KeyValues writes the key/value view of pairs (WriteKeyValues), painting
// values when p.Paint is set.
func (p *Printer) KeyValues(w io.Writer, pairs [][2]string) error {
	var paint func(string, string) string
	if p.Paint != nil {
		paint = func(label, text string) string { return p.Paint(strings.ToLower(label), text) }
	}
	return writeKeyValues(w, pairs, paint)
}
