package output

import (
	"errors"
	"fmt"
	"strings"
)

// ErrColumns marks a bad --columns value (a usage error).
var ErrColumns = errors.New("invalid --columns")

// Column is one column of a list view of items of type T: the header a table
// shows, the field name scripts select it by (--columns), and how an item renders
// as a cell.
type Column[T any] struct {
	Header string         // table header, upper case, e.g. "LAST USED"
	Field  string         // the JSON field name, e.g. "lastUsed"
	Value  func(T) string // the cell text; WriteTable sanitizes it
	// Null, when set, reports that the item's value is null (JSON null):
	// CSV and TSV show an empty cell, where a table shows Value's text
	// (e.g. "never").
	Null func(T) bool
	// Shrink marks the column a table on a terminal truncates, with "…", to
	// fit the terminal's width (a name; never an id).
	Shrink bool
}

// SelectColumns picks columns by name, in the order the names are given. A name
// matches a column's Field or Header ignoring case, spaces, "-" and "_", so
// "lastUsed", "last-used", "last_used" and "LAST USED" all pick the same column.
// No names selects every column. An unknown, empty or repeated name is an error;
// an unknown one lists the valid names.
// Its errors wrap ErrColumns.
func SelectColumns[T any](cols []Column[T], names []string) ([]Column[T], error) {
	if len(names) == 0 {
		return cols, nil
	}
	picked := make([]Column[T], 0, len(names))
	seen := make(map[int]bool, len(names))
	for _, name := range names {
		key := columnKey(name)
		if key == "" {
			return nil, fmt.Errorf("%w: empty column name: valid columns are %s", ErrColumns, columnNames(cols))
		}
		found := -1
		for i, c := range cols {
			if key == columnKey(c.Field) || key == columnKey(c.Header) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, fmt.Errorf("%w: unknown column %q: valid columns are %s", ErrColumns, name, columnNames(cols))
		}
		if seen[found] {
			return nil, fmt.Errorf("%w: column %q is selected twice", ErrColumns, name)
		}
		seen[found] = true
		picked = append(picked, cols[found])
	}
	return picked, nil
}

// TableData renders items under cols into the headers and rows WriteTable takes.
func TableData[T any](cols []Column[T], items []T) (headers []string, rows [][]string) {
	headers = make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Header
	}
	rows = make([][]string, len(items))
	for r, item := range items {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = c.Value(item)
		}
		rows[r] = row
	}
	return headers, rows
}

var columnSeparators = strings.NewReplacer(" ", "", "-", "", "_", "")

// columnKey normalises a column name for matching.
func columnKey(s string) string { return strings.ToLower(columnSeparators.Replace(s)) }

// columnNames lists the field names of cols for an error message.
func columnNames[T any](cols []Column[T]) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Field
	}
	return strings.Join(names, ", ")
}
