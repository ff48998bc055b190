package output

import (
	"bytes"
	"io"
	"strings"
)

// WriteKeyValues writes one "Label:  value" line per pair, the labels padded so
// that the values line up two spaces after the widest label's colon:
//
//	ID:         afd8012b
//	Name:       iOS Production App
//	Last used:  never
//
// Labels and values go through Sanitize, so a multi-line or hostile value stays on
// its line. An empty value leaves just the label, with no trailing spaces.
func WriteKeyValues(w io.Writer, pairs [][2]string) error { return writeKeyValues(w, pairs, nil) }

// writeKeyValues is WriteKeyValues with values painted by paint (label, value)
// after sanitizing, when paint is set.
func writeKeyValues(w io.Writer, pairs [][2]string, paint func(label, value string) string) error {
	labels := make([]string, len(pairs))
	widest := 0
	for i, p := range pairs {
		labels[i] = Sanitize(p[0]) + ":"
		widest = max(widest, displayWidth(labels[i]))
	}
	var buf bytes.Buffer
	for i, p := range pairs {
		buf.WriteString(labels[i])
		if v := Sanitize(p[1]); v != "" {
			buf.WriteString(strings.Repeat(" ", widest-displayWidth(labels[i])+len(columnGap)))
			if paint != nil {
				v = paint(p[0], v)
			}
			buf.WriteString(v)
		}
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}
