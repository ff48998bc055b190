package keys

import (
	"fmt"
	"io"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/output"
)

// listHeaders are the columns of `keys list`.
var listHeaders = []string{"ID", "NAME", "STATUS", "LAST USED", "CREATED"}

func keyRow(k api.Key, now time.Time, relative bool) []string {
	created := k.CreatedAt
	return []string{k.ID, k.Name, k.Status, output.FormatTime(k.LastUsed, now, relative), output.FormatTime(&created, now, relative)}
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

// writeKey prints one key: key/value lines for a table, the bare object otherwise.
func writeKey(w io.Writer, format output.Format, k api.Key, now time.Time) error {
	if format == output.Table {
		return output.WriteKeyValues(w, keyPairs(k, now))
	}
	return output.Write(w, format, k)
}

// writeKeys prints a list of keys: a table, or a JSON/YAML array ([] when empty).
func writeKeys(w io.Writer, format output.Format, keys []api.Key, now time.Time, relative bool) error {
	if keys == nil {
		keys = []api.Key{}
	}
	if format != output.Table {
		return output.Write(w, format, keys)
	}
	rows := make([][]string, len(keys))
	for i, k := range keys {
		rows[i] = keyRow(k, now, relative)
	}
	return output.WriteTable(w, listHeaders, rows, output.TableOptions{})
}

// shortID is the first block of a key id, as shown in prompts.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
