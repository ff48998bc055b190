package output

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, v); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	return buf.String()
}

func writeYAML(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteYAML(&buf, v); err != nil {
		t.Fatalf("WriteYAML: %v", err)
	}
	return buf.String()
}

func TestWriteJSONGolden(t *testing.T) {
	assertGolden(t, "keys_list.json", []byte(writeJSON(t, sampleKeys())))
	assertGolden(t, "key.json", []byte(writeJSON(t, sampleKeys()[1])))
}

func TestWriteYAMLGolden(t *testing.T) {
	assertGolden(t, "keys_list.yaml", []byte(writeYAML(t, sampleKeys())))
	assertGolden(t, "key.yaml", []byte(writeYAML(t, sampleKeys()[1])))
}

func TestWriteJSONFormatting(t *testing.T) {
	out := writeJSON(t, sampleKeys()[2])
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("want a trailing newline, got %q", out)
	}
	if !strings.Contains(out, "\n  \"id\": ") {
		t.Errorf("want two-space indentation, got %q", out)
	}
	if !strings.Contains(out, `"🚀 Launch <beta> & café"`) {
		t.Errorf("HTML characters or unicode escaped: %s", out)
	}
	if !strings.Contains(out, `"lastUsed": "2026-11-26T09:59:35Z"`) {
		t.Errorf("time not RFC 3339: %s", out)
	}
	if strings.Contains(out, `"key"`) {
		t.Errorf("omitempty field printed: %s", out)
	}
	if !strings.Contains(writeJSON(t, sampleKeys()[1]), `"lastUsed": null`) {
		t.Error("nil *time.Time must print as null")
	}
	// Field order is the struct's, i.e. the API's.
	if i, j := strings.Index(out, `"id"`), strings.Index(out, `"updatedAt"`); i < 0 || j < i {
		t.Errorf("field order not preserved: %s", out)
	}
}

func TestEmptyListsPrintAsEmptyArrays(t *testing.T) {
	var nilKeys []sampleKey
	var nilStrings []string
	cases := []struct {
		name string
		v    any
	}{
		{"nil slice of structs", nilKeys},
		{"nil slice of strings", nilStrings},
		{"empty slice", []sampleKey{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := writeJSON(t, c.v); got != "[]\n" {
				t.Errorf("JSON = %q, want []", got)
			}
			if got := writeYAML(t, c.v); got != "[]\n" {
				t.Errorf("YAML = %q, want []", got)
			}
		})
	}
	// A byte slice is not a list (JSON encodes bytes as a base64 string): left alone.
	var b []byte
	if got := writeJSON(t, b); got != "null\n" {
		t.Errorf("nil []byte = %q, want null", got)
	}
}

func TestWriteJSONUnsupportedValue(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, map[string]any{"f": func() {}}); err == nil {
		t.Fatal("want an error for a value JSON cannot encode")
	}
	if buf.Len() != 0 {
		t.Errorf("partial output written: %q", buf.String())
	}
	if err := WriteYAML(&buf, make(chan int)); err == nil {
		t.Fatal("WriteYAML: want an error for a value JSON cannot encode")
	}
}

// trickyStrings are values that YAML would read as something other than the
// string they are, or that need quoting or escaping to survive.
var trickyStrings = []string{
	"yes", "Yes", "no", "NO", "y", "n", "on", "off", "true", "False",
	"null", "Null", "~", "", " ",
	"123", "-7", "+1", "0x1F", "0o17", "017", "1_000", "1.5", "1e3", ".inf", "-.Inf", ".nan", "1:20", "190:20:30.15",
	"2026-01-01", "2026-11-26T10:00:00Z",
	" leading", "trailing ", "a: b", "a:b", "key:", "- dash", "-", "#hash", "a #b", "@at", "`tick", "!bang",
	"&anchor", "*alias", "[x]", "{x: y}", "|", ">", "%TAG", "?", ":", ",", "<<",
	"multi\nline", "multi\nline\n", "trailing newline\n", "tab\there", "cr\rhere", "esc\x1b[2J", "nul\x00byte", "del\x7f",
	"c1\u0085here", "bidi\u202etxt", "ls\u2028ps\u2029",
	`quote"s`, "single'q", `back\slash`, "😀 emoji", "café", "日本語", "'", `"`,
	strings.Repeat("long words ", 20),
}

type tricky struct {
	Values []string          `json:"values"`
	ByKey  map[string]string `json:"byKey"`
	Nested struct {
		Number float64    `json:"number"`
		Big    int64      `json:"big"`
		Flag   bool       `json:"flag"`
		Never  *time.Time `json:"never"`
		Empty  []int      `json:"empty"`
		Map    struct{}   `json:"map"`
	} `json:"nested"`
}

func TestWriteYAMLRoundTripsAsJSON(t *testing.T) {
	var v tricky
	v.Values = trickyStrings
	v.ByKey = map[string]string{}
	for i, s := range trickyStrings {
		v.ByKey[s] = trickyStrings[len(trickyStrings)-1-i]
	}
	v.Nested.Number = 1.25e+06
	v.Nested.Big = 1<<53 + 1
	v.Nested.Flag = true
	v.Nested.Empty = []int{}

	jsonOut := writeJSON(t, v)
	yamlOut := writeYAML(t, v)

	var fromJSON any
	if err := json.Unmarshal([]byte(jsonOut), &fromJSON); err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal([]byte(yamlOut), &fromYAML); err != nil {
		t.Fatalf("YAML output does not parse: %v\n%s", err, yamlOut)
	}
	// Bring the YAML values into JSON's types (int vs float64) before comparing.
	normalized, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatalf("YAML value not representable as JSON (a non-string key or a timestamp?): %v", err)
	}
	var fromYAMLAsJSON any
	if err := json.Unmarshal(normalized, &fromYAMLAsJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromJSON, fromYAMLAsJSON) {
		t.Errorf("YAML decodes to different values than JSON\nJSON: %v\nYAML: %v\nYAML text:\n%s", fromJSON, fromYAMLAsJSON, yamlOut)
	}

	// Decoding into typed Go values catches a string read back as a bool, number,
	// null or time, which the comparison above would also see; check the list
	// element by element for a precise message.
	var back struct {
		Values []string `yaml:"values"`
	}
	if err := yaml.Unmarshal([]byte(yamlOut), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Values) != len(trickyStrings) {
		t.Fatalf("got %d values back, want %d", len(back.Values), len(trickyStrings))
	}
	for i, s := range trickyStrings {
		if back.Values[i] != s {
			t.Errorf("value %q came back as %q", s, back.Values[i])
		}
	}
}

// flowStyle matches a flow mapping or sequence starting a value or list item.
var flowStyle = regexp.MustCompile(`(?m)(^|: |- )[\[{]`)

func TestWriteYAMLStyle(t *testing.T) {
	out := writeYAML(t, sampleKeys())
	if flowStyle.MatchString(out) {
		t.Errorf("flow style in YAML output:\n%s", out)
	}
	if !strings.HasPrefix(out, "- id: afd8012b") || !strings.Contains(out, "\n  name: iOS Production App\n") {
		t.Errorf("want a block sequence of mappings with two-space indentation:\n%s", out)
	}
	if !strings.Contains(out, "\n  lastUsed: null\n") {
		t.Errorf("nil time must be null:\n%s", out)
	}
	// Old YAML 1.1 booleans are quoted so that every YAML reader keeps them strings.
	if got := writeYAML(t, map[string]string{"a": "yes", "b": "off"}); got != "a: \"yes\"\nb: \"off\"\n" {
		t.Errorf("YAML 1.1 booleans not quoted: %q", got)
	}
	// Key order follows the JSON form (struct order), not alphabetical order.
	if i, j := strings.Index(out, "status:"), strings.Index(out, "createdBy:"); i < 0 || j < i {
		t.Errorf("key order differs from JSON:\n%s", out)
	}
}

func TestWriteYAMLNestedEmptyCollections(t *testing.T) {
	v := map[string]any{"list": []int{}, "map": map[string]int{}, "nested": map[string]any{"items": []string{"a"}}}
	want := "list: []\nmap: {}\nnested:\n  items:\n    - a\n"
	if got := writeYAML(t, v); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
