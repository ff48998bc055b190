package output

import (
	"fmt"
	"io"
	"strings"
)

// Format is an output format selected with -o/--output.
type Format string

// The output formats.
const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
	CSV   Format = "csv"
	TSV   Format = "tsv"
)

// Formats lists the valid formats in the order help text shows them.
func Formats() []Format { return []Format{Table, JSON, YAML, CSV, TSV} }

// ParseFormat parses a format name, ignoring case and surrounding space. The empty
// string means the default, Table. Anything else is an error that lists the valid
// values.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "" {
		return Table, nil
	}
	for _, f := range Formats() {
		if name == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("invalid output format %q: valid formats are %s", s, formatList())
}

func formatList() string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// Write writes v in the data format f: WriteJSON for JSON, WriteYAML for YAML.
// Table output is shaped by each command (WriteTable, WriteKeyValues), so Table
// and unknown formats are an error here.
func Write(w io.Writer, f Format, v any) error {
	switch f {
	case JSON:
		return WriteJSON(w, v)
	case YAML:
		return WriteYAML(w, v)
	}
	return fmt.Errorf("output.Write: %q is not a data format (want %s or %s)", f, JSON, YAML)
}
