package output

import (
	"io"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	cases := map[string]Format{"table": Table, "json": JSON, "yaml": YAML, " JSON ": JSON, "Yaml": YAML, "": Table, "csv": CSV, "TSV": TSV}
	for in, want := range cases {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"yml", "xml", "cvs", "table,json"} {
		_, err := ParseFormat(in)
		if err == nil || !strings.Contains(err.Error(), "table, json, yaml, csv, tsv") || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseFormat(%q) error = %v; want one naming the value and listing the formats", in, err)
		}
	}
}

func TestWriteDispatches(t *testing.T) {
	v := map[string]any{"name": "yes", "n": 1}
	var got, want strings.Builder
	for _, c := range []struct {
		f     Format
		write func(io.Writer, any) error
	}{{JSON, WriteJSON}, {YAML, WriteYAML}} {
		got.Reset()
		want.Reset()
		if err := Write(&got, c.f, v); err != nil {
			t.Fatalf("Write(%s): %v", c.f, err)
		}
		if err := c.write(&want, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("Write(%s) = %q, want %q", c.f, got.String(), want.String())
		}
	}
	for _, f := range []Format{Table, "xml"} {
		got.Reset()
		if err := Write(&got, f, v); err == nil || got.Len() != 0 {
			t.Errorf("Write(%q) = %q, %v; want an error and no output", f, got.String(), err)
		}
	}
}
