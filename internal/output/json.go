package output

import (
	"encoding/json"
	"io"
	"reflect"
)

// WriteJSON writes v as JSON: indented by two spaces, ending in a newline, with
// "<", ">" and "&" left as they are (no HTML escaping). Field names and their
// order are those of v's json tags, which for API types are the API's own.
//
// A list must print as [] when empty, never null: callers pass empty slices, and
// as a safety net a nil slice given directly as v is written as []. (A nil slice
// nested inside a struct still follows its json tags.)
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	// Encode marshals completely before its single Write, so a value that cannot
	// be encoded leaves w untouched.
	return enc.Encode(emptyIfNilSlice(v))
}

// emptyIfNilSlice turns a nil slice (other than a byte slice, which JSON encodes
// as a string) into an empty slice of the same type.
func emptyIfNilSlice(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || !rv.IsNil() || rv.Type().Elem().Kind() == reflect.Uint8 {
		return v
	}
	return reflect.MakeSlice(rv.Type(), 0, 0).Interface()
}
