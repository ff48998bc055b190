package output

// This file holds every call into github.com/olekukonko/tablewriter in the project.

import (
	"bytes"
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// TableOptions adjusts WriteTable.
type TableOptions struct {
	// NoHeaders drops the header row (--no-headers), for scripts that cut columns.
	NoHeaders bool
	// MaxWidth, when positive, is the width the table must fit (a terminal's):
	// cells of column Shrink are truncated with "…" until it does. Other
	// columns are never truncated. 0 never truncates (piped output).
	MaxWidth int
	Shrink   int
	// Paint, when set, colours a cell (column col) after it is sanitized and
	// fitted; widths are measured without the escape sequences.
	Paint func(col int, text string) string
}

// minShrunkWidth is the narrowest a shrunk column becomes, "…" included.
const minShrunkWidth = 8

// columnGap separates columns; the widest cell of a column is followed by it.
const columnGap = "  "

// WriteTable writes rows under headers as a plain table in the style of gh and
// doctl: no borders or rules, every column left-aligned and separated from the
// next by at least two spaces, headers printed as given (pass them in upper case),
// no trailing spaces. Cells are never wrapped, and never truncated except the
// column o.Shrink when o.MaxWidth (a terminal's width) is set, so an ID can be
// copied from the output. Column widths count display cells, so emoji and CJK text align.
//
// Every header and cell goes through Sanitize. Each row must have one cell per
// header (or, without headers, as many cells as the first row). With no rows only
// the header line is written, and nothing at all when NoHeaders is set.
func WriteTable(w io.Writer, headers []string, rows [][]string, o TableOptions) error {
	columns := len(headers)
	if columns == 0 && len(rows) > 0 {
		columns = len(rows[0])
	}
	for i, row := range rows {
		if len(row) != columns {
			return fmt.Errorf("table row %d has %d cells, want %d", i+1, len(row), columns)
		}
	}
	showHeader := !o.NoHeaders && len(headers) > 0
	if !showHeader && len(rows) == 0 {
		return nil
	}

	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Lines:      tw.LinesNone,
				Separators: tw.SeparatorsNone,
			},
		})),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: columnGap, Overwrite: true}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithTrimTab(tw.Off),
	)
	if showHeader {
		t.Header(sanitizeAll(headers))
	}
	clean := make([][]string, len(rows))
	for i, row := range rows {
		clean[i] = sanitizeAll(row)
	}
	if o.MaxWidth > 0 && o.Shrink >= 0 && o.Shrink < columns {
		var head []string
		if showHeader {
			head = sanitizeAll(headers)
		}
		fitWidth(head, clean, columns, o.MaxWidth, o.Shrink)
	}
	if o.Paint != nil {
		for _, row := range clean {
			for c := range row {
				row[c] = o.Paint(c, row[c])
			}
		}
	}
	if err := t.Bulk(clean); err != nil {
		return fmt.Errorf("building table: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("rendering table: %w", err)
	}
	out := buf.Bytes()
	if o.Paint != nil {
		out = dropRepeatedResets(out)
	}
	_, err := w.Write(trimLineEnds(out))
	return err
}

// dropRepeatedResets removes the reset tablewriter writes at the start of the
// cell after a painted one ("\x1b[0m  \x1b[0mnext"): the painted cell has reset
// already. Cells are sanitized, so every escape sequence is Paint's or this one.
func dropRepeatedResets(b []byte) []byte {
	const reset = "\x1b[0m"
	var out []byte
	for {
		i := bytes.Index(b, []byte(reset))
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i+len(reset)]...)
		b = b[i+len(reset):]
		spaces := len(b) - len(bytes.TrimLeft(b, " "))
		if bytes.HasPrefix(b[spaces:], []byte(reset)) {
			out = append(out, b[:spaces]...)
			b = b[spaces+len(reset):]
		}
	}
}

func sanitizeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Sanitize(c)
	}
	return out
}

// trimLineEnds removes the spaces the last column's padding leaves at the end of
// every line, in place.
func trimLineEnds(b []byte) []byte {
	out := b[:0]
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte{'\n'})
		out = append(out, bytes.TrimRight(line, " ")...)
		if found {
			out = append(out, '\n')
		}
		b = rest
	}
	return out
}

// displayWidth is the number of terminal cells s occupies, measured as the table
// measures it.
func displayWidth(s string) int { return twwidth.Width(s) }

// fitWidth truncates the cells of column shrink, with "…", so that the table
// of header and rows is at most max cells wide; the column keeps at least
// minShrunkWidth cells (or its header's width).
func fitWidth(header []string, rows [][]string, columns, max, shrink int) {
	widths := make([]int, columns)
	total := len(columnGap) * (columns - 1)
	for c := range widths {
		if header != nil {
			widths[c] = displayWidth(header[c])
		}
		for _, r := range rows {
			widths[c] = maxInt(widths[c], displayWidth(r[c]))
		}
		total += widths[c]
	}
	if total <= max {
		return
	}
	floor := minShrunkWidth
	if header != nil {
		floor = maxInt(floor, displayWidth(header[shrink]))
	}
	allowed := maxInt(widths[shrink]-(total-max), floor)
	for _, r := range rows {
		if displayWidth(r[shrink]) > allowed {
			r[shrink] = twwidth.Truncate(r[shrink], allowed-1) + "…"
		}
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
