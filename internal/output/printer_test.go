package output

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

type row struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	N    int    `json:"n"`
}

var rowCols = []Column[row]{
	{Header: "ID", Field: "id", Value: func(r row) string { return r.ID }},
	{Header: "NAME", Field: "name", Value: func(r row) string { return r.Name }},
}

func printList(t *testing.T, p *Printer, items []row) string {
	t.Helper()
	var buf bytes.Buffer
	if err := PrintList(p, &buf, items, rowCols, []string{"id", "name"}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestPrinterFormats(t *testing.T) {
	items := []row{{"a1", "web, app", 1}, {"b2", "tab\there", 2}}
	cases := []struct {
		name      string
		format    Format
		jq, tmpl  string
		columns   []string
		noHeaders bool
		want      string
	}{
		{name: "jq strings raw", format: JSON, jq: ".[].id", want: "a1\nb2\n"},
		{name: "jq objects compact", format: Table, jq: ".[0] | {id}", want: "{\"id\":\"a1\"}\n"},
		{name: "jq length", format: Table, jq: "length", want: "2\n"},
		{name: "template", format: Table, tmpl: "{{range .}}{{.id}}={{.n}};{{end}}", want: "a1=1;b2=2;"},
		{name: "csv quotes commas", format: CSV, want: "id,name\na1,\"web, app\"\nb2,tab\\there\n"},
		{name: "tsv", format: TSV, noHeaders: true, want: "a1\tweb, app\nb2\ttab\\there\n"},
		{name: "columns", format: CSV, columns: []string{"name"}, want: "name\n\"web, app\"\ntab\\there\n"},
		{name: "table no headers", format: Table, noHeaders: true, columns: []string{"id"}, want: "a1\nb2\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := NewPrinter(c.format, c.jq, c.tmpl, c.columns, c.noHeaders)
			if err != nil {
				t.Fatal(err)
			}
			if got := printList(t, p, items); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestPrinterEmptyListIsEmptyArray(t *testing.T) {
	p, _ := NewPrinter(JSON, "", "", nil, false)
	if got := printList(t, p, nil); got != "[]\n" {
		t.Fatalf("got %q", got)
	}
	p, _ = NewPrinter(JSON, "length", "", nil, false)
	if got := printList(t, p, nil); got != "0\n" {
		t.Fatalf("jq over an empty list: %q", got)
	}
}

func TestNewPrinterRejectsBadOptions(t *testing.T) {
	for _, c := range []struct{ jq, tmpl string }{{"][", ""}, {"", "{{"}, {".a", "{{.}}"}, {"$undefined", ""}} {
		if _, err := NewPrinter(JSON, c.jq, c.tmpl, nil, false); err == nil {
			t.Errorf("jq %q template %q: want an error", c.jq, c.tmpl)
		}
	}
	p, _ := NewPrinter(Table, "", "", []string{"nope"}, false)
	var buf bytes.Buffer
	err := PrintList(p, &buf, []row{{"a", "b", 1}}, rowCols, nil)
	if err == nil || !strings.Contains(err.Error(), "valid columns are id, name") {
		t.Fatalf("unknown column: %v", err)
	}
}

func TestJQRuntimeErrorIsReported(t *testing.T) {
	p, err := NewPrinter(JSON, ".[] | .name | tonumber", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := PrintList(p, &buf, []row{{"a", "x", 1}}, rowCols, nil); err == nil || !strings.Contains(err.Error(), "--jq") {
		t.Fatalf("want a --jq error, got %v", err)
	}
}

func TestTemplateErrorsReadAsTheUsersTerms(t *testing.T) {
	if _, err := NewPrinter(JSON, "", "{{.foo", nil, false); err == nil || err.Error() != "invalid --template: line 1: unclosed action" {
		t.Errorf("parse error = %v", err)
	}
	p, err := NewPrinter(JSON, "", "{{.foo.bar}}", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Data(io.Discard, []map[string]string{{"name": "x"}})
	want := "--template: line 1, column 6, at .foo.bar: can't evaluate field foo in a list"
	if err == nil || err.Error() != want || !errors.Is(err, ErrTemplate) {
		t.Errorf("run error = %v, want %q", err, want)
	}
	var oe *OptionError
	if _, err := NewPrinter(JSON, ".[", "", nil, false); !errors.As(err, &oe) || oe.Hint == "" {
		t.Errorf("a bad --jq gives %v, want an *OptionError with a hint", err)
	}
}

// CSV and TSV headers are JSON field names and a null is an empty cell; a
// table keeps the display header and text.
func TestDelimitedNullsAndFieldHeaders(t *testing.T) {
	type item struct{ used *int }
	one := 1
	cols := []Column[item]{{Header: "LAST USED", Field: "lastUsed",
		Value: func(i item) string {
			if i.used == nil {
				return "never"
			}
			return "once"
		},
		Null: func(i item) bool { return i.used == nil }}}
	items := []item{{&one}, {nil}}
	for format, want := range map[Format]string{CSV: "lastUsed\nonce\n\n", TSV: "lastUsed\nonce\n\n", Table: "LAST USED\nonce\nnever\n"} {
		p, err := NewPrinter(format, "", "", nil, false)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := PrintList(p, &buf, items, cols, nil); err != nil {
			t.Fatal(err)
		}
		got := buf.String()
		if format == Table {
			got = strings.Join(strings.Fields(strings.ReplaceAll(got, "LAST USED", "LAST_USED")), "\n") + "\n"
			got = strings.ReplaceAll(got, "LAST_USED", "LAST USED")
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
}
