// Package output is the CLI's one output layer: every command prints its payload
// through it, so tables, JSON and YAML look the same everywhere.
//
//   - Tables (WriteTable) are plain and space-aligned like gh and doctl: no borders,
//     an upper-case header row, cells never wrapped or truncated so IDs stay
//     copy-pasteable. All calls into the table library live in table.go.
//   - JSON (WriteJSON) uses the API's field names; YAML (WriteYAML) is derived from
//     that JSON, so both forms carry the same names in the same order.
//   - Text meant for a human terminal (table cells, key/value views) passes through
//     Sanitize, so a key name holding terminal control sequences is printed escaped
//     and can never move the cursor, clear the screen or retitle the window. JSON and
//     YAML are data formats and carry values unchanged (their own escaping applies).
//   - Times are shown relative ("3 hours ago") on a terminal and as RFC 3339 UTC
//     otherwise (FormatTime).
package output
