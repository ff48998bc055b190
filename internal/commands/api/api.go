// Package api implements `metabind api PATH`: an authenticated request to any
// path of the Metabind API, modelled on `gh api`.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	mbapi "github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/redact"
)

// Size limits of what the command reads.
const (
	maxKeyBytes   = 64 << 10
	maxFieldBytes = 1 << 20
)

// Options holds the inputs of `api`.
type Options struct {
	// Deps's APIClient sends the stored token.
	cmdutil.Deps
	AnonymousClient func() (*mbapi.Client, error) // without the token (--key-stdin)
	ReadFile        func(string) ([]byte, error)
	// Filtered reports whether --jq or --template is given.
	Filtered func() bool

	Path        string
	Method      string
	RawFields   []string // -f key=value
	TypedFields []string // -F key=value, key=@file
	Headers     []string // -H "Name: value"
	Paginate    bool
	KeyStdin    bool
	Include     bool
}

// NewCmdAPI returns the api command.
func NewCmdAPI(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Deps: f.Deps(), AnonymousClient: f.AnonymousClient, ReadFile: os.ReadFile,
		Filtered: func() bool { return f.Output.JQ != "" || f.Output.Template != "" }}
	cmd := &cobra.Command{
		Use:   "api PATH",
		Short: "Make an authenticated request to the Metabind API",
		Long: `Make a request to any path of the Metabind API and print the response, for what
no other command does yet.

PATH is a path under the API URL (--api-url), such as
/app/v1/organizations/{org}/projects/{project}/api-keys; {org} and {project} are
filled in from the context (--org/--project, MB_ORG/MB_PROJECT, the saved context,
the token's org claim). An absolute URL is accepted only for the API's own host:
the credential is never sent anywhere else.

The admin API (/app/v1) gets the stored token. The client API (/api/v1) takes an
API key instead: with --key-stdin it is read from standard input and sent as
x-api-key, and the token is not sent. Each credential goes only to its own API.

The method is GET, or POST when fields are given (GET with --paginate); -X sets it.
Fields make a JSON object body; for GET they become query parameters instead:
  -f name=value   a string
  -F name=value   true, false, null and whole numbers become JSON values;
                  name=@file reads the value from a file, name=@- from stdin

--paginate follows the pages of a list (the lastKey cursor or page/pages) and prints
the items of every page as one JSON array. --jq and --template apply to the
response, as with every command.

Requests are retried, timed out (--timeout) and traced (--debug, secrets masked) as
every other command's; GET, PUT and DELETE are retried on transient failures, POST
and PATCH never. Exit codes follow the answer: 401 and 403 are 4, 404 is 5, 409 is
6, other failures 1.`,
		Example: `  metabind api /app/v1/organizations/{org}
  metabind api /app/v1/organizations/{org}/projects/{project}/api-keys -f status=active --paginate --jq '.[].name'
  metabind api -X PUT /app/v1/organizations/{org}/projects/{project}/api-keys/ID -f name=renamed
  metabind api /app/v1/organizations/{org}/projects/{project}/api-keys -F name=@name.txt
  echo "$KEY" | metabind api --key-stdin -X GET /api/v1/organizations/{org}/projects/{project}/tags -f limit=5`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.FlagErrorf("give one PATH, e.g. `metabind api /app/v1/organizations/{org}`, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			if redact.LooksLikeJWT(opts.Path) || redact.LooksLikeAPIKey(opts.Path) {
				return cmdutil.FlagErrorf("PATH looks like a secret (a token or an API key's value); nothing was sent").
					WithHint("credentials are never taken as arguments: the stored token is sent, or a key piped in with --key-stdin")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return apiRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Method, "method", "X", "", "HTTP method (default GET, or POST with fields)")
	fl.StringArrayVarP(&opts.RawFields, "raw-field", "f", nil, "add a string field `name=value`")
	fl.StringArrayVarP(&opts.TypedFields, "field", "F", nil, "add a typed field `name=value` (JSON literals and numbers typed; @file, @- read)")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "add a request header `\"Name: value\"`")
	fl.BoolVar(&opts.Paginate, "paginate", false, "follow every page of a list and print all items as one JSON array")
	fl.BoolVar(&opts.KeyStdin, "key-stdin", false, "send an API key read from standard input as x-api-key (client API)")
	fl.BoolVarP(&opts.Include, "include", "i", false, "print the response's status line and headers to stderr")
	_ = cmd.RegisterFlagCompletionFunc("method", cobra.FixedCompletions(methods, cobra.ShellCompDirectiveNoFileComp))
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}

// request is what apiRun sends, built and checked before anything is sent.
type request struct {
	raw    mbapi.RawRequest
	fields map[string]any
}

func apiRun(ctx context.Context, opts *Options) error {
	// Output expressions first: one that does not compile is exit 2, nothing sent.
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	req, err := build(ctx, opts)
	if err != nil {
		return err
	}
	if opts.Paginate && req.raw.Method != http.MethodGet {
		return cmdutil.FlagErrorf("--paginate works with GET only, not %s", req.raw.Method)
	}
	path, err := fillPlaceholders(opts.Path, opts.Scope)
	if err != nil {
		return err
	}
	var client *mbapi.Client
	if opts.KeyStdin {
		key, err := readKey(ctx, opts)
		if err != nil {
			return err
		}
		req.raw.APIKey = key
		client, err = opts.AnonymousClient()
		if err != nil {
			return err
		}
	} else if client, err = opts.APIClient(); err != nil {
		return err
	}
	if req.raw.Path, err = client.ResolvePath(path); err != nil {
		return cmdutil.FlagErrorf("%v; nothing was sent", err)
	}
	// Each credential goes only to the API that takes it.
	clientAPI := strings.HasPrefix(req.raw.Path, "/api/")
	switch {
	case clientAPI && !opts.KeyStdin:
		return cmdutil.FlagErrorf("the client API (/api/...) takes an API key, not the admin token; nothing was sent").
			WithHint("pipe the key in: `metabind api --key-stdin PATH < key.txt`")
	case !clientAPI && opts.KeyStdin:
		return cmdutil.FlagErrorf("--key-stdin is for the client API (/api/...); the admin API takes the stored token; nothing was sent").
			WithHint("drop --key-stdin to send the stored token (`metabind auth login` or MB_TOKEN)")
	}

	if opts.Paginate {
		items, last, err := client.RawPages(ctx, req.raw)
		if err != nil {
			return err
		}
		if opts.Include && last != nil {
			printHead(opts.IO.ErrOut, last)
		}
		if items == nil {
			items = []json.RawMessage{}
		}
		return p.Data(opts.IO.Out, items)
	}

	resp, err := client.Raw(ctx, req.raw)
	if opts.Include && resp != nil {
		printHead(opts.IO.ErrOut, resp)
	}
	if err != nil {
		return err
	}
	if perr := printBody(opts, p, resp); perr != nil {
		if changes(req.raw.Method) {
			// The request took effect; say so rather than exit as if nothing happened.
			return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("%s %s succeeded (HTTP %d, request id %s), but its response could not be printed: %w",
				req.raw.Method, req.raw.Path, resp.StatusCode, resp.RequestID, perr))
		}
		return perr
	}
	return nil
}

// changes reports whether a successful request with method may have changed
// something on the server.
func changes(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// printBody prints a JSON response through the output layer (--jq, --template,
// -o yaml), any other body as it came, and nothing for an empty one.
func printBody(opts *Options, p *output.Printer, resp *mbapi.RawResponse) error {
	body := resp.Body
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	var doc json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		if opts.Filtered() {
			return fmt.Errorf("the response is not JSON (Content-Type %q), so --jq and --template cannot apply", output.Sanitize(resp.Header.Get("Content-Type")))
		}
		_, err := opts.IO.Out.Write(body)
		return err
	}
	return p.Data(opts.IO.Out, doc)
}

func printHead(w io.Writer, resp *mbapi.RawResponse) {
	fmt.Fprintf(w, "HTTP %d %s\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	for _, name := range sortedKeys(resp.Header) {
		for _, v := range resp.Header[name] {
			fmt.Fprintf(w, "%s: %s\n", output.Sanitize(name), output.Sanitize(v))
		}
	}
	fmt.Fprintln(w)
}

// build parses the method, fields and headers. Every mistake is a usage error
// before anything is read or sent.
func build(ctx context.Context, opts *Options) (*request, error) {
	req := &request{fields: map[string]any{}}
	var order []string
	add := func(flag, spec string, typed bool) error {
		key, value, ok := strings.Cut(spec, "=")
		if !ok || key == "" {
			return cmdutil.FlagErrorf("invalid %s %q: use key=value", flag, shorten(spec))
		}
		v, err := fieldValue(ctx, opts, key, value, typed)
		if err != nil {
			return err
		}
		if _, dup := req.fields[key]; !dup {
			order = append(order, key)
		}
		req.fields[key] = v
		return nil
	}
	for _, f := range opts.RawFields {
		if err := add("-f", f, false); err != nil {
			return nil, err
		}
	}
	for _, f := range opts.TypedFields {
		if err := add("-F", f, true); err != nil {
			return nil, err
		}
	}

	method := strings.ToUpper(strings.TrimSpace(opts.Method))
	switch {
	case method == "" && len(req.fields) > 0 && !opts.Paginate:
		method = http.MethodPost
	case method == "":
		method = http.MethodGet
	}
	known := false
	for _, m := range append(methods, http.MethodOptions) {
		known = known || m == method
	}
	if !known {
		return nil, cmdutil.FlagErrorf("unknown method %q: use one of %s", shorten(opts.Method), strings.Join(methods, ", "))
	}
	req.raw.Method = method

	if len(req.fields) > 0 {
		if method == http.MethodGet || method == http.MethodHead {
			q := url.Values{}
			for _, k := range order {
				q.Set(k, queryValue(req.fields[k]))
			}
			req.raw.Query = q
		} else {
			body, err := json.Marshal(req.fields)
			if err != nil {
				return nil, cmdutil.FlagErrorf("the fields cannot be encoded as JSON: %v", err)
			}
			req.raw.Body = body
		}
	}

	for _, h := range opts.Headers {
		name, value, ok := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r > unicode.MaxASCII }) {
			return nil, cmdutil.FlagErrorf("invalid -H %q: use \"Name: value\"", shorten(h))
		}
		if mbapi.ForbiddenHeader(name) {
			return nil, cmdutil.FlagErrorf("the header %s cannot be set with -H", http.CanonicalHeaderKey(name)).
				WithHint("credentials are never taken as arguments: the stored token is sent, or a key piped in with --key-stdin")
		}
		if redact.LooksLikeJWT(value) || redact.LooksLikeAPIKey(value) {
			return nil, cmdutil.FlagErrorf("the value of -H %s looks like a secret; nothing was sent", http.CanonicalHeaderKey(name)).
				WithHint("credentials are never taken as arguments: the stored token is sent, or a key piped in with --key-stdin")
		}
		if req.raw.Header == nil {
			req.raw.Header = http.Header{}
		}
		req.raw.Header.Add(name, value)
	}
	return req, nil
}

// fieldValue is the value of one field: a string for -f; for -F a JSON
// literal, a whole number, the contents of @file (or @- for stdin), or a string.
func fieldValue(ctx context.Context, opts *Options, key, value string, typed bool) (any, error) {
	if !typed || !strings.HasPrefix(value, "@") {
		if redact.LooksLikeJWT(value) || redact.LooksLikeAPIKey(value) {
			return nil, cmdutil.FlagErrorf("the value of field %q looks like a secret (a token or an API key); it is not taken as an argument", shorten(key)).
				WithHint(fmt.Sprintf("put it in a file and pass -F %s=@FILE (or -F %s=@- to read it from standard input)", shorten(key), shorten(key)))
		}
	}
	if !typed {
		return value, nil
	}
	switch value {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		return n, nil
	}
	if !strings.HasPrefix(value, "@") {
		return value, nil
	}
	src := value[1:]
	var (
		b   []byte
		err error
	)
	if src == "-" {
		if opts.KeyStdin {
			return nil, cmdutil.FlagErrorf("-F %s=@- and --key-stdin both read standard input; give the field in a file", shorten(key))
		}
		b, err = iostreams.ReadAll(ctx, opts.IO.In, maxFieldBytes)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("reading field %q from standard input: %w", shorten(key), err)
		}
	} else {
		b, err = opts.ReadFile(src)
		if err != nil {
			return nil, cmdutil.FlagErrorf("cannot read field %q from %s: %v", shorten(key), src, pathProblem(err))
		}
	}
	if len(b) > maxFieldBytes {
		return nil, cmdutil.FlagErrorf("field %q is over %d KiB", shorten(key), maxFieldBytes>>10)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func pathProblem(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func queryValue(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	default:
		return fmt.Sprint(t)
	}
}

// fillPlaceholders replaces {org} and {project} in the path with the
// context's values, path-escaped. The context is read only when needed.
func fillPlaceholders(path string, scope func() (cmdutil.Scope, error)) (string, error) {
	if !strings.Contains(path, "{org}") && !strings.Contains(path, "{project}") {
		return path, nil
	}
	s, err := scope()
	if err != nil {
		needProject := strings.Contains(path, "{project}")
		if s.Org == "" || needProject && s.Project == "" {
			return "", err
		}
	}
	path = strings.ReplaceAll(path, "{org}", url.PathEscape(s.Org))
	return strings.ReplaceAll(path, "{project}", url.PathEscape(s.Project)), nil
}

// readKey reads the API key for --key-stdin.
func readKey(ctx context.Context, opts *Options) (string, error) {
	if opts.IO.IsStdinTTY() {
		return "", cmdutil.FlagErrorf("--key-stdin reads the key from standard input, which is a terminal").
			WithHint("pipe it in: `metabind api --key-stdin PATH < key.txt`")
	}
	b, err := iostreams.ReadAll(ctx, opts.IO.In, maxKeyBytes)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("reading the key from standard input: %w", err)
	}
	key := strings.TrimSpace(string(b))
	switch {
	case key == "":
		return "", cmdutil.FlagErrorf("--key-stdin: no API key on standard input")
	case strings.ContainsFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", cmdutil.FlagErrorf("--key-stdin: standard input holds more than one line or spaces; give exactly one key")
	}
	return key, nil
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
