package keys

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/redact"
)

// idLike matches strings that could be a key id (ids are UUIDs on the real API).
var idLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{7,127}$`) })

// resolver turns ID|NAME arguments into keys. It lists the project's keys at most
// once, however many arguments it resolves.
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
		all, err := r.client.ListAllKeys(ctx, r.scope.Org, r.scope.Project, api.ListOptions{Limit: 100}, nil)
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

// resolve finds the one key that arg names: its id, its name (case-insensitive)
// or, failing both, a unique id prefix. "id:ID" and "name:NAME" say which is
// meant. No match is exit 5; several are exit 2.
func (r *resolver) resolve(ctx context.Context, arg string) (api.Key, error) {
	want := strings.TrimSpace(arg)
	byID, byName := true, true
	switch {
	case strings.HasPrefix(want, "id:"):
		want, byName = strings.TrimSpace(want[len("id:"):]), false
	case strings.HasPrefix(want, "name:"):
		want, byID = strings.TrimSpace(want[len("name:"):]), false
	}
	if want == "" {
		return api.Key{}, cmdutil.FlagErrorf("an empty key id or name was given")
	}
	if redact.LooksLikeJWT(want) || redact.LooksLikeAPIKey(want) {
		// Never sent, never echoed: a secret pasted where an id belongs.
		return api.Key{}, cmdutil.FlagErrorf("that argument looks like a secret (a token or an API key's value), not a key id or name; it was not sent").
			WithHint("name a key by its id or name (`metabind keys list`); to check a key's value use `metabind keys test --stdin`")
	}
	var matches []match
	if byID && idLike().MatchString(want) {
		k, err := r.client.GetKey(ctx, r.scope.Org, r.scope.Project, want)
		switch {
		case err == nil:
			matches = append(matches, match{*k, "id"})
		case api.IsNotFound(err):
			// Not an id; an unknown org or project surfaces from the list below.
		default:
			return api.Key{}, err
		}
	}
	all, err := r.keys(ctx)
	if err != nil {
		return api.Key{}, err
	}
	for _, k := range all {
		if byName && equalFoldTrim(k.Name, want) && !hasID(matches, k.ID) {
			matches = append(matches, match{k, "name"})
		}
	}
	if byID && len(matches) == 0 && len(want) >= 4 {
		for _, k := range all {
			if strings.HasPrefix(strings.ToLower(k.ID), strings.ToLower(want)) {
				matches = append(matches, match{k, "id prefix"})
			}
		}
	}
	switch len(matches) {
	case 0:
		hint := "list the project's keys with `metabind keys list`"
		if byID && len(want) < 4 {
			hint = "an id prefix needs at least 4 characters; " + hint
		}
		return api.Key{}, cmdutil.Errorf(cmdutil.ExitNotFound, "no API key matches %q in project %s", want, r.scope.Project).
			WithHint(hint)
	case 1:
		return matches[0].key, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%q matches %d keys:", want, len(matches))
	for _, m := range matches {
		fmt.Fprintf(&b, "\n  %s  %s  (by %s)", m.key.ID, output.Sanitize(m.key.Name), m.by)
	}
	named, exact := 0, 0
	for _, m := range matches {
		switch m.by {
		case "name":
			named++
		case "id":
			exact++
		}
	}
	hint := "name one of them by its full id"
	switch {
	case named == 1 && exact == 1:
		hint = fmt.Sprintf("say which you mean: id:%s or name:%s", want, want)
	case named == 1:
		hint = fmt.Sprintf("say which you mean: name:%s for the key with that name, or the other's full id", want)
	}
	return api.Key{}, cmdutil.FlagErrorf("%s", b.String()).WithHint(hint)
}

func hasID(ms []match, id string) bool {
	for _, m := range ms {
		if m.key.ID == id {
			return true
		}
	}
	return false
}

// resolveAll resolves every argument before anything changes.
func (r *resolver) resolveAll(ctx context.Context, args []string) ([]api.Key, error) {
	out := make([]api.Key, 0, len(args))
	seen := map[string]bool{}
	for _, a := range args {
		k, err := r.resolve(ctx, a)
		if err != nil {
			return nil, err
		}
		if !seen[k.ID] {
			seen[k.ID] = true
			out = append(out, k)
		}
	}
	return out, nil
}
