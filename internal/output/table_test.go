package output

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func renderTable(t *testing.T, headers []string, rows [][]string, o TableOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTable(&buf, headers, rows, o); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	return buf.String()
}

func TestWriteTableGolden(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		rows    [][]string
		opts    TableOptions
	}{
		{"table_keys_relative", keyHeaders, keyRows(sampleKeys(), true), TableOptions{}},
		{"table_keys_absolute", keyHeaders, keyRows(sampleKeys(), false), TableOptions{}},
		{"table_keys_noheaders", keyHeaders, keyRows(sampleKeys(), false), TableOptions{NoHeaders: true}},
		{"table_empty", keyHeaders, nil, TableOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertGolden(t, c.name, []byte(renderTable(t, c.headers, c.rows, c.opts)))
		})
	}
}

func TestWriteTableLayout(t *testing.T) {
	out := renderTable(t, keyHeaders, keyRows(sampleKeys(), true), TableOptions{})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want header + 3 rows:\n%s", len(lines), out)
	}
	if !strings.HasPrefix(lines[0], "ID  ") || !strings.Contains(lines[0], "LAST USED") {
		t.Errorf("header not printed as given: %q", lines[0])
	}
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space on line %q", l)
		}
		if strings.ContainsAny(l, "│┃|─━┼├┤┌┐└┘+") {
			t.Errorf("border or separator characters in %q", l)
		}
		if strings.ContainsRune(l, 0x1b) {
			t.Errorf("raw ESC in %q", l)
		}
	}
	if !strings.Contains(lines[2], `evil\x1b[2Jname`) {
		t.Errorf("control characters in a name not escaped: %q", lines[2])
	}
	// Each full ID is present: cells are never truncated.
	for _, k := range sampleKeys() {
		if !strings.Contains(out, k.ID+"  ") {
			t.Errorf("ID %s missing or not followed by the column gap", k.ID)
		}
	}
	// The STATUS column starts at the same display column on every line, even
	// after a name holding a double-width emoji.
	statusCol := displayWidth(lines[0][:strings.Index(lines[0], "STATUS")])
	for i, l := range lines[1:] {
		status := sampleKeys()[i].Status
		idx := strings.Index(l, "  "+status+"  ")
		if idx < 0 {
			t.Fatalf("status %q not found as a cell in %q", status, l)
		}
		if got := displayWidth(l[:idx+2]); got != statusCol {
			t.Errorf("row %d: STATUS starts at display column %d, header at %d:\n%s", i+1, got, statusCol, out)
		}
	}
}

func TestWriteTableNoWrapping(t *testing.T) {
	long := strings.Repeat("abcdefghij", 30)
	out := renderTable(t, []string{"ID", "DESCRIPTION"}, [][]string{{"x1", long}}, TableOptions{})
	want := "ID  DESCRIPTION\nx1  " + long + "\n"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

func TestWriteTableKeepsCellsVerbatim(t *testing.T) {
	out := renderTable(t, []string{"a", "Mixed_Case"}, [][]string{{"  padded", "%s {{.x}} <b>"}}, TableOptions{})
	want := "a         Mixed_Case\n  padded  %s {{.x}} <b>\n"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

func TestWriteTableEmpty(t *testing.T) {
	if out := renderTable(t, []string{"ID", "NAME"}, [][]string{}, TableOptions{}); out != "ID  NAME\n" {
		t.Errorf("empty table with headers = %q, want the header line", out)
	}
	if out := renderTable(t, []string{"ID", "NAME"}, nil, TableOptions{NoHeaders: true}); out != "" {
		t.Errorf("empty table without headers = %q, want nothing", out)
	}
	if out := renderTable(t, nil, nil, TableOptions{}); out != "" {
		t.Errorf("no headers, no rows = %q, want nothing", out)
	}
}

func TestWriteTableWithoutHeaders(t *testing.T) {
	out := renderTable(t, nil, [][]string{{"a", "bb"}, {"ccc", "d"}}, TableOptions{})
	if want := "a    bb\nccc  d\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestWriteTableRowWidthMismatch(t *testing.T) {
	var buf bytes.Buffer
	err := WriteTable(&buf, []string{"A", "B"}, [][]string{{"1", "2"}, {"3"}}, TableOptions{})
	if err == nil || !strings.Contains(err.Error(), "row 2 has 1 cells, want 2") {
		t.Fatalf("err = %v, want a row width error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q despite the error", buf.String())
	}
	if err := WriteTable(&buf, nil, [][]string{{"1", "2"}, {"3", "4", "5"}}, TableOptions{}); err == nil {
		t.Error("ragged rows without headers: want an error")
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWritersReportWriteErrors(t *testing.T) {
	if err := WriteTable(failWriter{}, []string{"A"}, [][]string{{"1"}}, TableOptions{}); !errors.Is(err, errWrite) {
		t.Errorf("WriteTable err = %v", err)
	}
	if err := WriteJSON(failWriter{}, 1); !errors.Is(err, errWrite) {
		t.Errorf("WriteJSON err = %v", err)
	}
	if err := WriteYAML(failWriter{}, 1); !errors.Is(err, errWrite) {
		t.Errorf("WriteYAML err = %v", err)
	}
	if err := WriteKeyValues(failWriter{}, [][2]string{{"A", "1"}}); !errors.Is(err, errWrite) {
		t.Errorf("WriteKeyValues err = %v", err)
	}
}

func TestTrimLineEnds(t *testing.T) {
	cases := map[string]string{
		"":                "",
		"a  \nb \n":       "a\nb\n",
		"a  b  \n  \nc  ": "a  b\n\nc",
	}
	for in, want := range cases {
		if got := string(trimLineEnds([]byte(in))); got != want {
			t.Errorf("trimLineEnds(%q) = %q, want %q", in, got, want)
		}
	}
}

// On a terminal a table fits its width by truncating the Shrink column with
// "…"; without a width nothing is truncated.
func TestWriteTableFitsWidth(t *testing.T) {
	headers := []string{"ID", "NAME", "STATUS"}
	rows := [][]string{
		{"3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f", "iOS Production App with a very long name", "active"},
		{"4a1b2c3d-6d1e-4c8e-9a47-1b2f3c4d5e6f", "web", "revoked"},
		{"5b2c3d4e-6d1e-4c8e-9a47-1b2f3c4d5e6f", "日本語のとても長いキーの名前です", "active"},
	}
	var full bytes.Buffer
	if err := WriteTable(&full, headers, rows, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.String(), "iOS Production App with a very long name") {
		t.Fatalf("truncated without a width:\n%s", full.String())
	}
	for _, width := range []int{80, 70, 60} {
		var buf bytes.Buffer
		if err := WriteTable(&buf, headers, rows, TableOptions{MaxWidth: width, Shrink: 1}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if w := displayWidth(line); w > width {
				t.Errorf("width %d: line is %d cells: %q", width, w, line)
			}
		}
		if !strings.Contains(out, "3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f") || !strings.Contains(out, "iOS Pro") ||
			!strings.Contains(out, "…") || !strings.Contains(out, "  web ") {
			t.Errorf("width %d: ids must stay whole and names end in …:\n%s", width, out)
		}
	}
	// Too narrow to fit: the name keeps a minimum and the ID stays whole.
	var buf bytes.Buffer
	if err := WriteTable(&buf, headers, rows, TableOptions{MaxWidth: 20, Shrink: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "iOS Pro… ") || !strings.Contains(buf.String(), "3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f") {
		t.Errorf("narrow:\n%s", buf.String())
	}
}

// Painted cells keep the table's alignment: without the escape sequences it
// is the unpainted table.
func TestWriteTablePaintKeepsAlignment(t *testing.T) {
	headers := []string{"NAME", "STATUS", "CREATED"}
	rows := [][]string{{"ios", "active", "1h"}, {"web-production", "revoked", "2h"}}
	var plain, painted bytes.Buffer
	if err := WriteTable(&plain, headers, rows, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	paint := func(col int, s string) string {
		if col == 1 {
			return "\x1b[32m" + s + "\x1b[0m"
		}
		return s
	}
	if err := WriteTable(&painted, headers, rows, TableOptions{Paint: paint}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(painted.String(), "\x1b[32mrevoked\x1b[0m") {
		t.Fatalf("not painted: %q", painted.String())
	}
	stripped := strings.NewReplacer("\x1b[32m", "", "\x1b[0m", "").Replace(painted.String())
	if stripped != plain.String() {
		t.Errorf("painting moved the columns:\n%s\nwant\n%s", stripped, plain.String())
	}
}

// Escape sequences stand only around the painted cells: tablewriter's own
// resets after them are dropped, so the next cell starts plain.
func TestWriteTablePaintOnlyThePaintedCells(t *testing.T) {
	headers := []string{"NAME", "STATUS", "LAST USED"}
	rows := [][]string{{"ios", "active", "never"}, {"web", "revoked", "2h ago"}}
	paint := func(col int, s string) string {
		if col == 1 {
			return "\x1b[31m" + s + "\x1b[0m"
		}
		return s
	}
	var painted bytes.Buffer
	if err := WriteTable(&painted, headers, rows, TableOptions{Paint: paint}); err != nil {
		t.Fatal(err)
	}
	out := painted.String()
	if n := strings.Count(out, "\x1b["); n != 4 {
		t.Errorf("%d escape sequences, want 4 (a colour and a reset per status):\n%q", n, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		rest := line[strings.Index(line, "\x1b[0m")+len("\x1b[0m"):]
		if strings.Contains(rest, "\x1b") {
			t.Errorf("escape sequence after the painted cell: %q", line)
		}
	}
}
