package iostreams

import (
	"strings"

	"github.com/fatih/color"
)

// ColorScheme paints the few things metabind colours, and only when the
// stream it is for takes colour: status words (active green, revoked red),
// the ✓/✗ marks and the "error:" prefix. Without colour every method returns
// its text unchanged, so callers never branch on it.
//
// The escape sequences come from github.com/fatih/color; the decision whether
// to colour is made here (colorFor), per stream, not by the library's global
// check of os.Stdout.
type ColorScheme struct {
	enabled bool
}

// Enabled reports whether the scheme paints.
func (c *ColorScheme) Enabled() bool { return c != nil && c.enabled }

func (c *ColorScheme) paint(s string, attrs ...color.Attribute) string {
	if !c.Enabled() || s == "" {
		return s
	}
	p := color.New(attrs...)
	p.EnableColor()
	return p.Sprint(s)
}

// Green, Red and Yellow paint s.
func (c *ColorScheme) Green(s string) string  { return c.paint(s, color.FgGreen) }
func (c *ColorScheme) Red(s string) string    { return c.paint(s, color.FgRed) }
func (c *ColorScheme) Yellow(s string) string { return c.paint(s, color.FgYellow) }

// SuccessIcon is a green ✓; FailureIcon a red ✗.
func (c *ColorScheme) SuccessIcon() string { return c.Green("✓") }
func (c *ColorScheme) FailureIcon() string { return c.Red("✗") }

// Status paints a key's status word: active green, revoked red; any other
// text is returned as it is.
func (c *ColorScheme) Status(s string) string {
	switch s {
	case "active":
		return c.Green(s)
	case "revoked":
		return c.Red(s)
	}
	return s
}

// ErrorPrefix paints the "error:" that begins a message red (and a
// "warning:" yellow); the rest of the message is left as it is.
func (c *ColorScheme) ErrorPrefix(msg string) string {
	for _, p := range []struct {
		prefix string
		paint  func(string) string
	}{{"error:", c.Red}, {"warning:", c.Yellow}} {
		if rest, ok := strings.CutPrefix(msg, p.prefix); ok {
			return p.paint(p.prefix) + rest
		}
	}
	return msg
}

// ColorScheme is the scheme for stdout; ErrColorScheme the one for stderr.
func (s *IOStreams) ColorScheme() *ColorScheme    { return &ColorScheme{enabled: s.color} }
func (s *IOStreams) ErrColorScheme() *ColorScheme { return &ColorScheme{enabled: s.errColor} }

// colorFor decides whether a stream takes colour, as gh does. NO_COLOR (any
// value) never; CLICOLOR_FORCE (any value but 0) always, even piped;
// CLICOLOR=0 never otherwise; else only a terminal whose TERM is not dumb.
// --no-color turns both streams off (SetColorEnabled).
func colorFor(tty bool, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if getenv("CLICOLOR") == "0" {
		return false
	}
	return tty && getenv("TERM") != "dumb"
}
