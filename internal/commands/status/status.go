// Package status implements `metabind status`: auth state, the saved context and
// whether the project's api-keys endpoint answers with the stored credential.
package status

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/output"
)

// Options holds the inputs of `status`: only its dependencies, as it takes no
// flags but the output ones (which reach the Printer).
type Options struct {
	cmdutil.Deps
}

// NewCmdStatus returns the status command.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Deps: f.Deps()}
	return cmdutil.WithOutputFlags(f, cmdutil.OutputData, &cobra.Command{
		Use:   "status",
		Short: "Show auth state, the saved context and whether the API answers",
		Long: `Show who is logged in, which organization and project commands act on (and where
each setting comes from), and whether the project's api-keys endpoint answers with
the stored credential, with the names of the organization and project beside their
ids (one request each). Exits non-zero when something is wrong, with the exit code
of that problem.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	})
}

// Report is the machine-readable form of `status`.
type Report struct {
	APIURL       string     `json:"apiUrl"`
	Profile      string     `json:"profile"`
	LoggedIn     bool       `json:"loggedIn"`
	User         string     `json:"user,omitempty"`
	TokenSource  string     `json:"tokenSource,omitempty"`
	TokenExpires *time.Time `json:"tokenExpiresAt,omitempty"`
	// Malformed is true when the token is not a JWT at all, as in auth
	// status; MalformedReason says why without quoting it.
	Malformed       bool   `json:"malformed,omitempty"`
	MalformedReason string `json:"malformedReason,omitempty"`
	Org             string `json:"org,omitempty"`
	OrgName         string `json:"orgName,omitempty"`
	OrgSource       string `json:"orgSource,omitempty"`
	Project         string `json:"project,omitempty"`
	ProjectName     string `json:"projectName,omitempty"`
	ProjectSource   string `json:"projectSource,omitempty"`
	Reachable       bool   `json:"reachable"`
	HTTPStatus      int    `json:"httpStatus,omitempty"`
	Error           string `json:"error,omitempty"`
	RequestID       string `json:"requestId,omitempty"`
	LatencyMS       int64  `json:"latencyMs,omitempty"`
}

func statusRun(ctx context.Context, opts *Options) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	now := opts.Now()
	rep := Report{APIURL: cfg.Get("api-url"), Profile: cfg.Profile()}
	var problem error

	tok, claims, tokErr := opts.Token()
	if tokErr == nil && claims == nil {
		// Not a JWT at all: no request can succeed with it, so no one is
		// logged in and none is made.
		_, err := credstore.ParseClaims(tok.Value)
		rep.TokenSource, rep.Malformed, rep.MalformedReason = string(tok.Source), true, credstore.MalformedReason(err)
		tokErr = cmdutil.Errorf(cmdutil.ExitAuth, "%s", tok.NotAJWT(rep.MalformedReason)).WithHint(tok.NotAJWTHint())
		problem = tokErr
	} else if tokErr == nil {
		rep.LoggedIn, rep.TokenSource = true, string(tok.Source)
		if claims != nil {
			rep.User, rep.TokenExpires = claims.Subject, claims.ExpiresAt
		}
	} else {
		problem = tokErr
		if cmdutil.IsExpiredToken(tokErr) && claims != nil {
			// Not logged in, but say whose token expired and when.
			rep.User, rep.TokenSource, rep.TokenExpires = claims.Subject, string(tok.Source), claims.ExpiresAt
		}
	}
	scope, scopeErr := opts.Scope()
	rep.Org, rep.Project = scope.Org, scope.Project
	rep.OrgSource, rep.ProjectSource = string(scope.OrgSource), string(scope.ProjectSource)
	if scopeErr != nil && problem == nil {
		problem = scopeErr
	}

	if tokErr == nil && scopeErr == nil {
		client, err := opts.APIClient()
		if err != nil {
			return err
		}
		start := time.Now()
		page, err := client.ListKeys(ctx, scope.Org, scope.Project, api.ListOptions{Limit: 1})
		rep.LatencyMS = time.Since(start).Milliseconds()
		var ae *api.Error
		switch {
		case err == nil:
			rep.Reachable, rep.HTTPStatus, rep.RequestID = true, 200, page.RequestID
			// The names beside the ids; a failure here only leaves them out.
			if o, err := client.GetOrganization(ctx, scope.Org); err == nil {
				rep.OrgName = o.Name
			}
			if p, err := client.GetProject(ctx, scope.Org, scope.Project); err == nil {
				rep.ProjectName = p.Name
			}
			if err := ctx.Err(); err != nil {
				return err // interrupted: no report that looks complete
			}
		case errors.As(err, &ae):
			rep.Reachable, rep.HTTPStatus, rep.RequestID = true, ae.StatusCode, ae.RequestID
			rep.Error = ae.Error()
			problem = err
		default:
			if errors.Is(err, context.Canceled) {
				return err
			}
			rep.Error = err.Error()
			problem = err
		}
	}

	if p.Structured() {
		if err := p.Data(opts.IO.Out, rep); err != nil {
			return err
		}
	} else {
		pairs := [][2]string{{"API", rep.APIURL}}
		if rep.Profile != "default" {
			pairs = append(pairs, [2]string{"Profile", rep.Profile})
		}
		if rep.LoggedIn {
			who := rep.User
			if who == "" {
				who = "(token without a subject)"
			}
			pairs = append(pairs, [2]string{"Logged in", fmt.Sprintf("%s, token from %s%s", who, rep.TokenSource, expiryNote(rep.TokenExpires, now))})
		} else if rep.Malformed {
			pairs = append(pairs, [2]string{"Logged in", "no (" + tok.NotAJWT(rep.MalformedReason) + ")"})
		} else if rep.TokenExpires != nil {
			pairs = append(pairs, [2]string{"Logged in", "no (token expired " + output.RelativeTime(now, *rep.TokenExpires) + ")"})
		} else {
			pairs = append(pairs, [2]string{"Logged in", "no (run `metabind auth login`)"})
		}
		pairs = append(pairs,
			[2]string{"Organization", withSource(rep.Org, rep.OrgName, rep.OrgSource)},
			[2]string{"Project", withSource(rep.Project, rep.ProjectName, rep.ProjectSource)},
		)
		switch {
		case rep.HTTPStatus == 200:
			pairs = append(pairs, [2]string{"API keys endpoint", fmt.Sprintf("answers (HTTP 200 in %d ms)", rep.LatencyMS)})
		case rep.Error != "":
			pairs = append(pairs, [2]string{"API keys endpoint", "fails: " + rep.Error})
		default:
			pairs = append(pairs, [2]string{"API keys endpoint", "not checked"})
		}
		if err := output.WriteKeyValues(opts.IO.Out, pairs); err != nil {
			return err
		}
	}
	return problem
}

// withSource is "Name (id, from where)", or "id (from where)" without a name.
func withSource(v, name, src string) string {
	if v == "" {
		return "(not set)"
	}
	from := "from " + src
	if src == "token" {
		from = "from the token's org claim"
	}
	if name != "" && name != v {
		return fmt.Sprintf("%s (%s, %s)", name, v, from)
	}
	return fmt.Sprintf("%s (%s)", v, from)
}

func expiryNote(exp *time.Time, now time.Time) string {
	if exp == nil {
		return ""
	}
	if exp.After(now) {
		return ", expires in " + output.Duration(exp.Sub(now))
	}
	return ", expired " + output.RelativeTime(now, *exp)
}
