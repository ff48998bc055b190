package output

import (
	"reflect"
	"strings"
	"testing"
)

var keyColumns = []Column[sampleKey]{
	{Header: "ID", Field: "id", Value: func(k sampleKey) string { return k.ID }},
	{Header: "NAME", Field: "name", Value: func(k sampleKey) string { return k.Name }},
	{Header: "STATUS", Field: "status", Value: func(k sampleKey) string { return k.Status }},
	{Header: "LAST USED", Field: "lastUsed", Value: func(k sampleKey) string { return FormatTime(k.LastUsed, now, false) }},
}

func headersOf(cols []Column[sampleKey]) []string {
	h, _ := TableData(cols, nil)
	return h
}

func TestSelectColumns(t *testing.T) {
	cases := []struct {
		names []string
		want  []string
	}{
		{nil, []string{"ID", "NAME", "STATUS", "LAST USED"}},
		{[]string{"lastUsed", "id"}, []string{"LAST USED", "ID"}},
		{[]string{"last-used"}, []string{"LAST USED"}},
		{[]string{"LAST_USED"}, []string{"LAST USED"}},
		{[]string{"last used", " Name "}, []string{"LAST USED", "NAME"}},
	}
	for _, c := range cases {
		cols, err := SelectColumns(keyColumns, c.names)
		if err != nil {
			t.Errorf("SelectColumns(%q): %v", c.names, err)
			continue
		}
		if got := headersOf(cols); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SelectColumns(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}

func TestSelectColumnsErrors(t *testing.T) {
	cases := []struct {
		names []string
		want  string
	}{
		{[]string{"id", "secret"}, `unknown column "secret": valid columns are id, name, status, lastUsed`},
		{[]string{"id", ""}, "empty column name"},
		{[]string{"id", "ID"}, `column "ID" is selected twice`},
	}
	for _, c := range cases {
		_, err := SelectColumns(keyColumns, c.names)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SelectColumns(%q) error = %v, want %q", c.names, err, c.want)
		}
	}
}

func TestTableData(t *testing.T) {
	cols, err := SelectColumns(keyColumns, []string{"name", "lastUsed"})
	if err != nil {
		t.Fatal(err)
	}
	headers, rows := TableData(cols, sampleKeys()[:2])
	wantRows := [][]string{{"iOS Production App", "2026-11-26T06:48:00Z"}, {"evil\x1b[2Jname", "never"}}
	if !reflect.DeepEqual(headers, []string{"NAME", "LAST USED"}) || !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("TableData = %q, %q", headers, rows)
	}
	if _, rows := TableData(cols, []sampleKey{}); len(rows) != 0 {
		t.Errorf("no items: got %d rows", len(rows))
	}
}
