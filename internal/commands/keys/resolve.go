package keys

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	namerule "github.com/metabind/metabind-cli/internal/names"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/redact"
)

// A key reference (ID|NAME) is one of:
//
//   - a full key id (a UUID): fetched with one GET, no listing;
//   - an id prefix, at least cmdutil.MinIDPrefixHex hex digits of a UUID's text;
//   - a name, matched locally (trimmed, case-insensitively) against the listed
//     keys and never put in a URL;
//   - "id:" or "name:" followed by one of these, to say which is meant.
//
// Anything that is neither an id form nor a listed name is "no such key"
// (exit 5), and nothing about it is sent: a secret pasted by mistake reaches
// neither the server's access log nor --debug. A full id that the GET does not
// find is exit 5 naming the id, with the 404's status and request id
// (idNotFound).

// refKind says how an argument may name a key.
type refKind int

const (
	refUUID     refKind = iota // a full id
	refPrefix                  // an id prefix only ("id:")
	refName                    // a name only
	refEither                  // an id prefix or a name
	refNotFound                // neither: "no such key" without a request
)

type keyRef struct {
	arg  string // as given, trimmed
	want string // without "id:"/"name:"
	kind refKind
}

// parseRef classifies one argument. Secrets and empty arguments are usage
// errors; nothing is sent for them.
func parseRef(arg string) (keyRef, error) {
	want := strings.TrimSpace(arg)
	r := keyRef{arg: want}
	explicitID, explicitName := false, false
	switch {
	case strings.HasPrefix(want, "id:"):
		want, explicitID = strings.TrimSpace(want[len("id:"):]), true
	case strings.HasPrefix(want, "name:"):
		want, explicitName = strings.TrimSpace(want[len("name:"):]), true
	}
	if want == "" {
		return r, cmdutil.FlagErrorf("an empty key id or name was given")
	}
	if redact.LooksLikeJWT(want) || redact.LooksLikeAPIKey(want) {
		// Never sent, never echoed: a secret pasted where an id belongs.
		return r, cmdutil.FlagErrorf("that argument looks like a secret (a token or an API key's value), not a key id or name; it was not sent").
			WithHint("name a key by its id or name (`metabind keys list`); to check a key's value use `metabind keys test --stdin`")
	}
	r.want = want
	full, prefix := cmdutil.IDShape(want)
	switch {
	case explicitName:
		r.kind = refName
	case full:
		r.kind = refUUID
	case explicitID && prefix:
		r.kind = refPrefix
	case explicitID:
		r.kind = refNotFound
	case prefix:
		r.kind = refEither
	default:
		r.kind = refName
	}
	return r, nil
}

// needsList reports whether resolving r needs the project's key list.
func (r keyRef) needsList() bool {
	return r.kind == refPrefix || r.kind == refName || r.kind == refEither
}

// resolver turns ID|NAME arguments into keys. It lists the project's keys at
// most once, however many arguments it resolves, and only when an argument is
// a name or an id prefix.
type resolver struct {
	client  *api.Client
	scope   cmdutil.Scope
	all     []api.Key
	fetched bool
}

func newResolver(client *api.Client, scope cmdutil.Scope) *resolver {
	return &resolver{client: client, scope: scope}
}

func (r *resolver) keys(ctx context.Context) ([]api.Key, error) {
	if !r.fetched {
		all, err := r.client.ListAllKeys(ctx, r.scope.Org, r.scope.Project, api.ListOptions{Limit: maxPageSize}, nil)
		if err != nil {
			return nil, err
		}
		r.all, r.fetched = all, true
	}
	return r.all, nil
}

type match struct {
	key api.Key
	by  string // "id", "name", "id prefix"
}

// resolve finds the one key that arg names. No match is exit 5; several are
// exit 2.
func (r *resolver) resolve(ctx context.Context, arg string) (api.Key, error) {
	ref, err := parseRef(arg)
	if err != nil {
		return api.Key{}, err
	}
	return r.resolveRef(ctx, ref)
}

func (r *resolver) resolveRef(ctx context.Context, ref keyRef) (api.Key, error) {
	switch ref.kind {
	case refNotFound:
		return api.Key{}, r.notFound(ref)
	case refUUID:
		if r.fetched {
			// The list is already here: no request needed.
			for _, k := range r.all {
				if strings.EqualFold(k.ID, ref.want) {
					return k, nil
				}
			}
			return api.Key{}, idNotFound(strings.ToLower(ref.want), r.scope, nil)
		}
		k, err := r.client.GetKey(ctx, r.scope.Org, r.scope.Project, strings.ToLower(ref.want))
		switch {
		case err == nil:
			return *k, nil
		case api.IsNotFound(err) && !isProjectMissing(err):
			return api.Key{}, idNotFound(strings.ToLower(ref.want), r.scope, err)
		default:
			return api.Key{}, err
		}
	}
	all, err := r.keys(ctx)
	if err != nil {
		return api.Key{}, err
	}
	var byName, byPrefix []match
	if ref.kind == refName || ref.kind == refEither {
		for _, k := range all {
			if equalFoldTrim(k.Name, ref.want) {
				byName = append(byName, match{k, "name"})
			}
		}
	}
	if ref.kind == refPrefix || ref.kind == refEither {
		low := strings.ToLower(ref.want)
		for _, k := range all {
			if strings.HasPrefix(strings.ToLower(k.ID), low) && !hasID(byName, k.ID) {
				byPrefix = append(byPrefix, match{k, "id prefix"})
			}
		}
	}
	matches := append(byName, byPrefix...)
	switch len(matches) {
	case 0:
		return api.Key{}, r.notFound(ref)
	case 1:
		return matches[0].key, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s matches %d keys:", quoteArg(ref.arg), len(matches))
	for _, m := range matches {
		fmt.Fprintf(&b, "\n  %s  %s  (by %s)", m.key.ID, output.Sanitize(m.key.Name), m.by)
	}
	hint := "give more of the id, or the full id"
	switch {
	case len(byName) == 1 && len(byPrefix) > 0:
		hint = fmt.Sprintf("say which you mean: name:%s for the key with that name, id:%s for the id prefix (or the full id)", ref.want, ref.want)
	case len(byName) > 1:
		hint = "name one of them by its full id"
	}
	return api.Key{}, cmdutil.FlagErrorf("%s", b.String()).WithHint(hint)
}

// isProjectMissing tells a 404 for the project or organization from one for
// the key: only the latter means "no such key".
func isProjectMissing(err error) bool {
	var ae *api.Error
	if !errors.As(err, &ae) {
		return false
	}
	msg := strings.ToLower(ae.Message)
	return !strings.Contains(msg, "key") && (strings.Contains(msg, "project") || strings.Contains(msg, "organization"))
}

// notFound is exit 5 for an argument that names no key.
func (r *resolver) notFound(ref keyRef) error {
	hint := "list the project's keys with `metabind keys list`"
	switch ref.kind {
	case refNotFound:
		hint = "after id: give a full key id or at least 4 of its leading hex digits; " + hint
	case refName:
		if strings.HasPrefix(ref.arg, "name:") {
			break
		}
		hint = "a key id is a UUID or at least 4 of its leading hex digits; " + hint
	}
	if similar := r.similar(ref); len(similar) > 0 {
		quoted := make([]string, len(similar))
		for i, name := range similar {
			quoted[i] = `"` + output.Sanitize(name) + `"`
		}
		hint = "did you mean " + strings.Join(quoted, ", ") + "? Otherwise " + hint
	}
	return cmdutil.Errorf(cmdutil.ExitNotFound, "no API key matches %s in project %s", quoteArg(ref.arg), r.scope.Project).
		WithHint(hint)
}

// idNotFoundError is a full key id the project does not have. API is the
// API's answer to the request for it (a 404), nil when the listing already
// showed it missing; its status and request id stay in the message, and in the
// JSON error through Unwrap.
type idNotFoundError struct {
	ID, Project string
	API         *api.Error
}

func (e *idNotFoundError) Error() string {
	msg := fmt.Sprintf("no API key has the id %s in project %s", e.ID, e.Project)
	if e.API == nil {
		return msg
	}
	if e.API.RequestID == "" {
		return fmt.Sprintf("%s (HTTP %d)", msg, e.API.StatusCode)
	}
	return fmt.Sprintf("%s (HTTP %d, request id %s)", msg, e.API.StatusCode, output.Sanitize(e.API.RequestID))
}

func (e *idNotFoundError) Unwrap() error {
	if e.API == nil {
		return nil
	}
	return e.API
}

// idNotFound is exit 5 for a full key id that names no key: the same message
// for every verb, naming the id (an id is no secret: it went into the URL).
// cause is the API's error for the request that found nothing, or nil.
func idNotFound(id string, scope cmdutil.Scope, cause error) error {
	e := &idNotFoundError{ID: id, Project: scope.Project}
	var ae *api.Error
	if errors.As(cause, &ae) {
		e.API = ae
	}
	return cmdutil.NewError(cmdutil.ExitNotFound, e).
		WithHint("list the project's keys with `metabind keys list`")
}

// maxSimilar is how many names a "did you mean" hint offers.
const maxSimilar = 3

// similar returns up to maxSimilar names of listed keys close to what ref
// gave: names that contain it (compared as names are, NFKC and case-folded),
// then names within a small edit distance of it, closest first. Nothing is
// offered for an id form ("id:", a full id: looked up or refused without a
// listing) or when the argument is not shown in the message
// (quoteArg): a name that contains or nearly spells out a possible secret
// would repeat it.
func (r *resolver) similar(ref keyRef) []string {
	if !r.fetched || (ref.kind != refName && ref.kind != refEither) || !strings.HasPrefix(quoteArg(ref.arg), `"`) {
		return nil
	}
	want := namerule.Key(ref.want)
	wantLen := utf8.RuneCountInString(want)
	if wantLen < 2 {
		return nil
	}
	// A typo of a short word is a large share of it: allow one edit for up
	// to 4 characters, two up to 8, three beyond.
	maxDist := 1 + min(2, (wantLen-1)/4)
	type cand struct {
		name string
		rank int // 0 starts with it, 1 contains it, 2 within maxDist edits
		dist int
	}
	var cands []cand
	seen := map[string]bool{}
	for _, k := range r.all {
		key := namerule.Key(k.Name)
		if seen[key] {
			continue
		}
		c := cand{name: k.Name}
		switch {
		case strings.HasPrefix(key, want):
			c.rank = 0
		case strings.Contains(key, want):
			c.rank = 1
		default:
			c.dist = editDistance(want, key, maxDist)
			if c.dist > maxDist {
				continue
			}
			c.rank = 2
		}
		seen[key] = true
		cands = append(cands, c)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if la, lb := utf8.RuneCountInString(a.name), utf8.RuneCountInString(b.name); la != lb {
			return la < lb
		}
		return a.name < b.name
	})
	out := make([]string, 0, maxSimilar)
	for _, c := range cands[:min(len(cands), maxSimilar)] {
		out = append(out, c.name)
	}
	return out
}

// editDistance is the edit distance between a and b in runes (insertions,
// deletions, substitutions and swaps of two neighbours: optimal string
// alignment), or limit+1 once it is certainly more than limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	before := make([]int, len(rb)+1) // row i-2
	prev := make([]int, len(rb)+1)   // row i-1
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(rb)]
}

// quoteArg quotes an argument for a message, unless it might be (part of) a
// secret: long unbroken words are not echoed.
func quoteArg(s string) string {
	if utf8.RuneCountInString(s) < 20 || strings.ContainsAny(s, " \t") {
		return fmt.Sprintf("%q", output.Sanitize(s))
	}
	return fmt.Sprintf("the argument (%d characters, not shown)", utf8.RuneCountInString(s))
}

func hasID(ms []match, id string) bool {
	for _, m := range ms {
		if m.key.ID == id {
			return true
		}
	}
	return false
}

// target is one key a bulk command acts on. When known is false, only its id
// is known (a full id taken as given); the answer to the command's own request
// fills in the rest.
type target struct {
	key   api.Key
	known bool
}

// resolveTargets resolves every argument before anything changes, listing at
// most once. Full ids are fetched one GET each unless a listing is made anyway;
// with direct (commands that can act on a key by its id alone) they are not
// fetched at all: the action's answer describes the key. Every argument is
// classified before any request, so a bad one changes nothing.
func (r *resolver) resolveTargets(ctx context.Context, args []string, direct bool) ([]target, error) {
	refs := make([]keyRef, 0, len(args))
	list := false
	for _, a := range args {
		ref, err := parseRef(a)
		if err != nil {
			return nil, err
		}
		if ref.kind == refNotFound {
			return nil, r.notFound(ref)
		}
		list = list || ref.needsList()
		refs = append(refs, ref)
	}
	if list {
		if _, err := r.keys(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]target, 0, len(refs))
	seen := map[string]bool{}
	for _, ref := range refs {
		t := target{key: api.Key{ID: strings.ToLower(ref.want)}}
		if ref.kind != refUUID || !direct || r.fetched {
			k, err := r.resolveRef(ctx, ref)
			if err != nil {
				return nil, err
			}
			t = target{key: k, known: true}
		}
		if !seen[t.key.ID] {
			seen[t.key.ID] = true
			out = append(out, t)
		}
	}
	return out, nil
}
