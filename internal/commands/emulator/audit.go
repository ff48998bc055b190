package emulator

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/redact"
)

// AuditOptions holds what `metabind emulator audit` needs.
type AuditOptions struct {
	// Deps.Printer applies -o/--output (MB_OUTPUT, the profile), --jq,
	// --template, --columns and --no-headers.
	Deps

	DBPath  string
	Key     string
	Action  string
	Org     string
	Project string
	Since   string
	Limit   int
}

// NewCmdAudit returns `metabind emulator audit`.
func NewCmdAudit(f *cmdutil.Factory, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{Deps: newDeps(f)}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the emulator's audit trail of key changes",
		Long: `Show every create, rename, revoke, update and delete of an API key that the
emulator recorded, in time order (oldest first): when, who (the token's subject),
what, which key (id and name; a deleted key shows the name it had), and the
request id and client address. The trail is append-only.

--key narrows to one key: by id, by a unique prefix of its id (4 or more hex
digits, as the keys commands take) or by name (a deleted key's name works too);
--action to one action, --org and --project to events in that organization and
project (the org and project columns; here they are filters, and the configured
organization and project are not used), --since to events at or after a time
(a duration such as 24h, a date 2006-01-02, or an RFC 3339 time), and --limit to
the newest N of the events that match (still printed oldest first). Filters
that match nothing print an empty list ([] with -o json) and exit 0.

-o json and -o yaml print every field; the table is the default; -o csv and -o tsv
use the JSON field names, and --columns picks fields (e.g. time,action,keyId).`,
		Example: `  metabind emulator audit
  metabind emulator audit --key "iOS Production App" --since 24h
  metabind emulator audit --key 3f0c9a52 -o json
  metabind emulator audit --action revoke --limit 10 -o json
  metabind emulator audit --org acme --project web --since 2026-01-02`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOneShotDB(opts.DBPath, "audit"); err != nil {
				return err
			}
			if redact.Contains(opts.Key) {
				return cmdutil.FlagErrorf("--key takes a key's id or name, and this looks like a secret (a key's value or a token); it was not used").
					WithHint("the audit trail never holds key values: find the key's id with `metabind keys list`")
			}
			if opts.Action != "" && !slices.Contains(emulator.AuditActions, opts.Action) {
				return cmdutil.FlagErrorf("invalid --action %q: want one of %s", opts.Action, strings.Join(emulator.AuditActions, ", "))
			}
			for _, id := range []struct{ flag, v string }{{"org", opts.Org}, {"project", opts.Project}} {
				if id.v == "" {
					continue
				}
				if err := validateID(id.flag, id.v); err != nil {
					return err
				}
			}
			if opts.Limit < 0 {
				return cmdutil.FlagErrorf("--limit must be 0 (all) or more, got %d", opts.Limit)
			}
			if _, err := parseSince(opts.Since, time.Now()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return auditRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DBPath, "db", "", dbFlagUsage)
	cmd.Flags().StringVar(&opts.Key, "key", "", "only events of this key (`ID|NAME`)")
	cmd.Flags().StringVar(&opts.Action, "action", "", "only this action: "+strings.Join(emulator.AuditActions, ", "))
	cmd.Flags().StringVar(&opts.Org, "org", "", "only events in this organization (`ORG`)")
	cmd.Flags().StringVar(&opts.Project, "project", "", "only events in projects with this id (`PROJECT`)")
	cmd.Flags().StringVar(&opts.Since, "since", "", "only events at or after this `time` (24h, 2006-01-02 or RFC 3339)")
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, "only the newest `N` events (0 = all)")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

func auditRun(ctx context.Context, opts *AuditOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	since, err := parseSince(opts.Since, time.Now())
	if err != nil {
		return err
	}
	// Reading the log makes nothing: a mistyped --db is an error, not a new
	// empty database.
	return opts.withDatabase(ctx, opts.DBPath, true, func(e *emulator.Emulator) error {
		scope := emulator.AuditFilter{Org: opts.Org, Project: opts.Project}
		key, err := resolveKey(ctx, e, scope, opts.Key)
		if err != nil {
			return err
		}
		filter := scope
		filter.Key, filter.Action, filter.Since, filter.Limit = key, opts.Action, since, opts.Limit
		events, err := e.Audit(ctx, filter)
		if errors.Is(err, emulator.ErrNoSuchKey) {
			return cmdutil.Errorf(cmdutil.ExitNotFound, "no key %q in the audit trail", opts.Key).
				WithHint("give a key id or a name the emulator has seen (metabind emulator audit lists them)")
		}
		if err != nil {
			return ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "%v", err))
		}
		if len(events) == 0 && !p.Structured() {
			_, err := opts.IO.ErrOut.Write([]byte("no audit events yet\n"))
			return err
		}
		return output.PrintList(p, opts.IO.Out, events, auditColumns, auditDefaultColumns)
	})
}

// resolveKey returns what --key names for the audit query: key itself (an
// id, a name, or "" for every key), or, when key has the shape of an id
// prefix (cmdutil.IDShape) and is no key's name, the id of the one key in the
// trail (within scope's org and project, when given) that starts with it. A
// prefix of several keys' ids, or one that is also a name, is exit 2; of
// none, the query's "no key" (exit 5).
func resolveKey(ctx context.Context, e *emulator.Emulator, scope emulator.AuditFilter, key string) (string, error) {
	if _, prefix := cmdutil.IDShape(key); !prefix {
		return key, nil
	}
	all, err := e.Audit(ctx, scope)
	if err != nil {
		return "", ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "%v", err))
	}
	ids := idsWithPrefix(all, key)
	named := scope
	named.Key = key
	namedEvents, err := e.Audit(ctx, named)
	if err != nil && !errors.Is(err, emulator.ErrNoSuchKey) {
		return "", ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "%v", err))
	}
	isName := map[string]bool{} // the ids of the keys named key
	for _, ev := range namedEvents {
		isName[ev.KeyID] = true
	}
	if len(isName) > 0 {
		for _, id := range ids {
			if !isName[id] {
				return "", cmdutil.FlagErrorf("--key %q is both a key's name and the start of another key's id", key).
					WithHint("give the key's full id (the keyId column of `metabind emulator audit`)")
			}
		}
		return key, nil
	}
	switch len(ids) {
	case 0:
		return key, nil // no key at all: the query says so
	case 1:
		return ids[0], nil
	}
	shown := strings.Join(ids[:min(len(ids), 3)], ", ")
	if len(ids) > 3 {
		shown += ", …"
	}
	return "", cmdutil.FlagErrorf("--key %q is the start of %d keys' ids (%s)", key, len(ids), shown).
		WithHint("give more of the id, or all of it")
}

// idsWithPrefix returns the distinct key ids of events that start with
// prefix (in any case), in the order they first appear.
func idsWithPrefix(events []emulator.AuditEvent, prefix string) []string {
	prefix = strings.ToLower(prefix)
	seen := map[string]bool{}
	var ids []string
	for _, ev := range events {
		if !seen[ev.KeyID] && strings.HasPrefix(strings.ToLower(ev.KeyID), prefix) {
			seen[ev.KeyID] = true
			ids = append(ids, ev.KeyID)
		}
	}
	return ids
}

// auditColumns are the columns of the audit table, CSV and TSV, selectable
// with --columns by their JSON field names.
var auditColumns = []output.Column[emulator.AuditEvent]{
	{Header: "TIME", Field: "time", Value: func(ev emulator.AuditEvent) string { return ev.Time.UTC().Format(time.RFC3339) }},
	{Header: "ACTION", Field: "action", Value: func(ev emulator.AuditEvent) string { return ev.Action }},
	{Header: "KEY ID", Field: "keyId", Value: func(ev emulator.AuditEvent) string { return ev.KeyID }},
	{Header: "KEY NAME", Field: "keyName", Value: func(ev emulator.AuditEvent) string { return dash(ev.KeyName) }},
	{Header: "ACTOR", Field: "actor", Value: func(ev emulator.AuditEvent) string { return ev.Actor }},
	{Header: "ORG", Field: "org", Value: func(ev emulator.AuditEvent) string { return ev.Org }},
	{Header: "PROJECT", Field: "project", Value: func(ev emulator.AuditEvent) string { return ev.Project }},
	{Header: "REQUEST ID", Field: "requestId", Value: func(ev emulator.AuditEvent) string { return ev.RequestID }},
	{Header: "REMOTE", Field: "remoteAddr", Value: func(ev emulator.AuditEvent) string { return ev.RemoteAddr }},
	{Header: "DETAIL", Field: "detail", Value: func(ev emulator.AuditEvent) string { return dash(ev.Detail) },
		Null: func(ev emulator.AuditEvent) bool { return ev.Detail == "" }},
	{Header: "ID", Field: "id", Value: func(ev emulator.AuditEvent) string { return strconv.FormatInt(ev.ID, 10) }},
}

var auditDefaultColumns = []string{"time", "action", "keyId", "keyName", "actor", "org", "project", "requestId", "remoteAddr", "detail"}

// parseSince reads --since: "" (no bound), a duration back from now (24h,
// 90m), a date (2006-01-02, UTC) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, cmdutil.FlagErrorf("invalid --since %q: give a duration (24h), a date (2006-01-02) or an RFC 3339 time", s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
