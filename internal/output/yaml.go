package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// WriteYAML writes v as block-style YAML with two-space indentation. v is first
// encoded as JSON, and that JSON document is then re-expressed node for node as
// YAML, so the YAML form has exactly the field names, key order and value formats
// of WriteJSON's output (times as RFC 3339 strings, a never-used key's lastUsed as
// null, an empty list as []).
//
// Strings stay strings: a value that YAML would otherwise read as another type
// ("yes", "null", "123", "2026-01-01T00:00:00Z", "") is quoted, as is one with
// leading or trailing spaces, ": " or control characters (escaped inside double
// quotes). Decoding the YAML gives back the values of the JSON form. The YAML
// library escapes characters outside the Basic Multilingual Plane, such as most
// emoji, as "\U0001F680"; the value is unchanged.
func WriteYAML(w io.Writer, v any) error {
	v = emptyIfNilSlice(v)
	// A list is written one item at a time, so memory stays flat however many
	// keys are listed; the bytes are the same as encoding the list whole.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Len() > 0 && rv.Type().Elem().Kind() != reflect.Uint8 {
		bw := bufio.NewWriter(w)
		for i := 0; i < rv.Len(); i++ {
			if err := writeYAMLValue(bw, rv.Index(i).Interface(), true); err != nil {
				return err
			}
		}
		return bw.Flush()
	}
	var buf bytes.Buffer
	if err := writeYAMLValue(&buf, v, false); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeYAMLValue encodes v through its JSON form; asItem writes it as one item of
// a block sequence ("- ...").
func writeYAMLValue(w io.Writer, v any, asItem bool) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root, err := jsonToNode(dec)
	if err != nil {
		return fmt.Errorf("converting JSON to YAML: %w", err)
	}
	if asItem {
		root = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{root}}
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return err
	}
	return enc.Close()
}

// jsonToNode reads one JSON value from dec and returns it as a YAML node tree in
// block style. (The JSON text is not handed to the YAML parser: YAML forbids some
// characters that JSON carries raw, such as DEL and U+0085.)
func jsonToNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				name, ok := key.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", key)
				}
				value, err := jsonToNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, stringNode(name), value)
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				value, err := jsonToNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, value)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", tok)
	case string:
		return stringNode(tok), nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(tok), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(tok)}, nil
	case bool:
		value := "false"
		if tok {
			value = "true"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: value}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, errors.New("unexpected JSON token")
}

// stringNode is a string scalar with no style of its own: the encoder quotes it
// when its plain form would read back as another type under YAML 1.2, or when the
// characters require it. Strings that only YAML 1.1 readers (PyYAML, older tools)
// would misread — yes/no/on/off and sexagesimal numbers — are quoted here.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11NonString(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

var (
	yaml11Bool = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$`)
	})
	yaml11Base60 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`) })
)

// yaml11NonString reports whether a YAML 1.1 parser would read plain s as
// something other than a string.
func yaml11NonString(s string) bool {
	return yaml11Bool().MatchString(s) || yaml11Base60().MatchString(s)
}
