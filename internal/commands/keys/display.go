package keys

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/output"
)

// defaultColumns are the columns of `keys list`; keyColumns has them all.
var defaultColumns = []string{"id", "name", "status", "lastUsed", "createdAt"}

// keyColumns are the columns a key can show in a table, CSV or TSV, selectable
// with --columns by their JSON field names. Times are relative when relative is
// set (a table on a terminal), else RFC 3339.
func keyColumns(now time.Time, relative bool) []output.Column[api.Key] {
	at := func(t time.Time) string { return output.FormatTime(&t, now, relative) }
	return []output.Column[api.Key]{
		{Header: "ID", Field: "id", Value: func(k api.Key) string { return k.ID }},
		{Header: "NAME", Field: "name", Value: func(k api.Key) string { return k.Name }, Shrink: true},
		{Header: "STATUS", Field: "status", Value: func(k api.Key) string { return k.Status }},
		{Header: "LAST USED", Field: "lastUsed", Value: func(k api.Key) string { return output.FormatTime(k.LastUsed, now, relative) },
			Null: func(k api.Key) bool { return k.LastUsed == nil || k.LastUsed.IsZero() }},
		{Header: "CREATED", Field: "createdAt", Value: func(k api.Key) string { return at(k.CreatedAt) }},
		{Header: "UPDATED", Field: "updatedAt", Value: func(k api.Key) string { return at(k.UpdatedAt) }},
		{Header: "PROJECT", Field: "projectId", Value: func(k api.Key) string { return k.ProjectID }},
		{Header: "CREATED BY", Field: "createdBy", Value: func(k api.Key) string { return k.CreatedBy }},
		{Header: "KEY", Field: "key", Value: func(k api.Key) string { return k.Key }},
	}
}

// keyPairs is the key/value view of one key, every field shown.
func keyPairs(k api.Key, now time.Time) [][2]string {
	pairs := [][2]string{
		{"ID", k.ID},
		{"Name", k.Name},
		{"Status", k.Status},
		{"Project", k.ProjectID},
		{"Created by", k.CreatedBy},
		{"Created", absRel(&k.CreatedAt, now)},
		{"Updated", absRel(&k.UpdatedAt, now)},
		{"Last used", absRel(k.LastUsed, now)},
	}
	if k.Key != "" {
		pairs = append(pairs, [2]string{"Key", k.Key})
	}
	return pairs
}

func absRel(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("%s (%s)", output.FormatTime(t, now, false), output.RelativeTime(now, *t))
}

// writeKey prints one key: the bare object as data, key/value lines as a table,
// one row in CSV or TSV (with the key column when the secret is present).
func writeKey(w io.Writer, p *output.Printer, k api.Key, now time.Time) error {
	switch {
	case p.Structured():
		return p.Data(w, k)
	case p.Format == output.Table && len(p.Columns) == 0:
		return p.KeyValues(w, keyPairs(k, now))
	}
	cols := defaultColumns
	if k.Key != "" {
		cols = append(append([]string{}, defaultColumns...), "key")
	}
	return output.PrintList(p, w, []api.Key{k}, keyColumns(now, false), cols)
}

// writeKeys prints a list of keys: a table, CSV or TSV, or a JSON/YAML array
// ([] when empty).
func writeKeys(w io.Writer, p *output.Printer, keys []api.Key, now time.Time, relative bool) error {
	if p.Format != output.Table {
		relative = false
	}
	return output.PrintList(p, w, keys, keyColumns(now, relative), defaultColumns)
}

// confirmShown is how many keys a confirmation names; --dry-run lists them all.
const confirmShown = 10

// confirmList names keys for a confirmation prompt: the first confirmShown as
// "name" (short id), then how many more there are and that --dry-run lists
// them, so a prompt for hundreds of keys stays a few lines.
func confirmList(keys []api.Key) string {
	n := min(len(keys), confirmShown)
	parts := make([]string, n)
	for i, k := range keys[:n] {
		parts[i] = fmt.Sprintf("%q (%s)", k.Name, shortID(k.ID))
	}
	s := strings.Join(parts, ", ")
	if more := len(keys) - n; more > 0 {
		s += fmt.Sprintf(" and %d more (--dry-run lists them all)", more)
	}
	return s
}

// shortID is the first block of a key id, as shown in prompts.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
