package output

import (
	"bytes"
	"testing"
)

func TestWriteKeyValues(t *testing.T) {
	k := sampleKeys()[1]
	var buf bytes.Buffer
	err := WriteKeyValues(&buf, [][2]string{
		{"ID", k.ID},
		{"Name", k.Name},
		{"Status", k.Status},
		{"Last used", FormatTime(k.LastUsed, now, true)},
		{"Key", ""},
		{"Note", "two\nlines"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"ID:         0b7c2e91-1111-4a2b-8c3d-000000000002\n" +
		"Name:       evil\\x1b[2Jname\n" +
		"Status:     revoked\n" +
		"Last used:  never\n" +
		"Key:\n" +
		"Note:       two\\nlines\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteKeyValuesWideLabels(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteKeyValues(&buf, [][2]string{{"名前", "a"}, {"Name", "b"}}); err != nil {
		t.Fatal(err)
	}
	// 名前 is four display cells wide, like "Name".
	if want := "名前:  a\nName:  b\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestWriteKeyValuesEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteKeyValues(&buf, nil); err != nil || buf.Len() != 0 {
		t.Errorf("got %q, %v; want nothing", buf.String(), err)
	}
}
