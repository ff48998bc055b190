package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"

	"github.com/metabind/metabind-cli/internal/config/securefile"
)

// StartOptions holds what `metabind emulator start` needs.
type StartOptions struct {
	Deps

	Addr               string
	DBPath             string
	Seed               bool
	Org                string
	Project            string
	RateLimit          int
	FailedAuthLimit    int
	LastUsedResolution time.Duration
	ReadyFile          string
	TokenFile          string
	TokenTTL           time.Duration

	// Listen opens the listening socket; tests replace it.
	Listen func(ctx context.Context, network, addr string) (net.Listener, error)
}

// NewCmdStart returns `metabind emulator start`.
func NewCmdStart(f *cmdutil.Factory, runF func(context.Context, *StartOptions) error) *cobra.Command {
	opts := &StartOptions{Deps: newDeps(f), Listen: new(net.ListenConfig).Listen}
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Serve the emulated Metabind API",
		Long: `Serve the emulated admin API (/app/v1) and client API (/api/v1) until
interrupted. On SIGINT or SIGTERM the emulator stops accepting connections,
finishes the requests in flight and closes its database.

The address is bound before the database is opened: when it is in use the
command fails at once and the database is left as it was (a missing one is not
created). One server at a time serves a database, whatever path (symbolic or
hard link) names it; a second one is refused with the first one's pid and URL.

The listening URL is printed on stderr; with --addr 127.0.0.1:0 a free port is
chosen, and --ready-file writes the URL to a file once the server is listening.
One log line per request goes to stderr.

Exit codes:
  0  stopped by SIGINT or SIGTERM after a graceful shutdown
  1  could not start or serve: the address is in use, another emulator serves
     the database, or the database cannot be opened
  2  invalid flags (nothing was started)
  130, 143  SIGINT or SIGTERM, but the shutdown was not clean: a second
     signal arrived, or requests in flight were cut off after 15 s`,
		Example: `  metabind emulator start --seed
  metabind emulator start --db :memory: --seed --token-file ./token --ready-file ./url --addr 127.0.0.1:0
  metabind emulator start --rate-limit 0 --last-used-resolution 0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateAddr(opts.Addr); err != nil {
				return err
			}
			if opts.RateLimit < 0 {
				return cmdutil.FlagErrorf("--rate-limit must be 0 (off) or more, got %d", opts.RateLimit)
			}
			if opts.FailedAuthLimit < 1 {
				return cmdutil.FlagErrorf("--failed-auth-limit must be 1 or more, got %d", opts.FailedAuthLimit)
			}
			if opts.LastUsedResolution < 0 {
				return cmdutil.FlagErrorf("--last-used-resolution must be 0 or more, got %s", opts.LastUsedResolution)
			}
			if opts.Seed || opts.TokenFile != "" {
				if err := validateID("org", opts.Org); err != nil {
					return err
				}
			}
			if opts.Seed {
				if err := validateID("project", opts.Project); err != nil {
					return err
				}
			}
			if opts.TokenTTL <= 0 {
				return cmdutil.FlagErrorf("--token-ttl must be positive, got %s", opts.TokenTTL)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return startRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8787", "`host:port` to listen on (port 0 picks a free port)")
	fl.StringVar(&opts.DBPath, "db", "", dbFlagUsage+`, or ":memory:"`)
	fl.BoolVar(&opts.Seed, "seed", false, "create --org and --project with sample content before serving")
	fl.StringVar(&opts.Org, "org", "acme", "organization for --seed and --token-file")
	fl.StringVar(&opts.Project, "project", "web", "project for --seed")
	fl.IntVar(&opts.RateLimit, "rate-limit", emulator.DefaultRateLimit, "requests per minute per credential; 0 turns off this and the failed-authentication limit")
	fl.IntVar(&opts.FailedAuthLimit, "failed-auth-limit", emulator.DefaultFailedAuthLimit, "failed authentications per minute per client address")
	fl.DurationVar(&opts.LastUsedResolution, "last-used-resolution", emulator.DefaultLastUsedResolution, "record a key's lastUsed at most once per this window; 0 records every call")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "write the base URL to this `file` once listening (removed on exit)")
	fl.StringVar(&opts.TokenFile, "token-file", "", "write an owner token for --org to this `file` (mode 0600), e.g. for a :memory: database")
	fl.DurationVar(&opts.TokenTTL, "token-ttl", 24*time.Hour, "lifetime of the --token-file token")
	return cmd
}

func validateAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return cmdutil.FlagErrorf("invalid --addr %q: want host:port, e.g. 127.0.0.1:8787", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cmdutil.FlagErrorf("invalid --addr %q: the port must be a number from 0 to 65535", addr)
	}
	return nil
}

// startRun serves until ctx ends (SIGINT or SIGTERM), then stops gracefully.
func startRun(ctx context.Context, opts *StartOptions) error {
	errOut := opts.IO.ErrOut
	dbPath, err := opts.resolveDBPath(opts.DBPath)
	if err != nil {
		return err
	}

	// The address first: when it is taken nothing else happens, and the
	// database (which may not exist yet) is left as it was.
	ln, err := opts.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		hint := "check --addr: a host (an IP address of this machine, or localhost) and a port, e.g. --addr 127.0.0.1:8787"
		if errors.Is(err, syscall.EADDRINUSE) {
			hint = "another process is using it; pick another port with --addr (--addr 127.0.0.1:0 picks a free one) and point MB_API_URL at it"
		}
		return cmdutil.Errorf(cmdutil.ExitError, "cannot listen on %s: %v", opts.Addr, listenReason(err)).WithHint(hint)
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String()
	if err := ctx.Err(); err != nil {
		return err // interrupted while starting: no lock, no database
	}

	unlock, err := emulator.LockForServing(dbPath, url)
	if err != nil {
		if errors.Is(err, emulator.ErrServing) {
			return cmdutil.Errorf(cmdutil.ExitError, "%v", err).
				WithHint("use the running emulator, stop it first, or give this one its own --db")
		}
		return cmdutil.Errorf(cmdutil.ExitError, "%v", err)
	}
	defer unlock()
	logger := slog.New(slog.NewTextHandler(errOut, nil))
	cfg := emulator.DefaultConfig()
	cfg.DBPath = dbPath
	cfg.RateLimit = opts.RateLimit
	cfg.FailedAuthLimit = opts.FailedAuthLimit
	cfg.LastUsedResolution = opts.LastUsedResolution
	cfg.Logger = logger
	e, err := emulator.Open(ctx, cfg)
	if err != nil {
		return cmdutil.Errorf(cmdutil.ExitError, "%v", err)
	}
	defer closeQuietly(e, errOut)

	if opts.Seed {
		res, err := e.Seed(ctx, opts.Org, opts.Project)
		if err != nil {
			return cmdutil.Errorf(cmdutil.ExitError, "seed: %v", err)
		}
		fmt.Fprintln(errOut, describeSeed(res))
	}
	if opts.TokenFile != "" {
		tok, err := e.MintToken(emulator.TokenRequest{Org: opts.Org, TTL: opts.TokenTTL})
		if err != nil {
			return cmdutil.Errorf(cmdutil.ExitError, "mint token: %v", err)
		}
		if err := securefile.Write(opts.TokenFile, []byte(tok+"\n"), securefile.WriteOptions{}); err != nil {
			return cmdutil.Errorf(cmdutil.ExitError, "write --token-file: %v", err)
		}
	}

	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintf(errOut, "warning: %s is not a loopback address; anyone who can reach it can use the emulator\n", ln.Addr())
	}
	fmt.Fprintf(errOut, "metabind emulator listening on %s\n", url)
	fmt.Fprintf(errOut, "database: %s\n", e.DBPath())
	if opts.ReadyFile != "" {
		if err := securefile.Write(opts.ReadyFile, []byte(url+"\n"), securefile.WriteOptions{Mode: 0o644}); err != nil {
			return cmdutil.Errorf(cmdutil.ExitError, "write --ready-file: %v", err)
		}
		defer os.Remove(opts.ReadyFile)
	}

	serveErr := e.Serve(ctx, ln)
	if serveErr != nil && !errors.Is(serveErr, net.ErrClosed) {
		return cmdutil.Errorf(cmdutil.ExitError, "emulator: %v", serveErr)
	}
	// Stopped by SIGINT or SIGTERM: a graceful shutdown is this command's
	// normal end, so it exits 0 (and "kill %1; wait" works under set -e).
	fmt.Fprintln(errOut, "metabind emulator stopped")
	return nil
}

// listenReason shortens a listen error to its cause ("address already in use"),
// without the "listen tcp 127.0.0.1:8787:" the message already says.
func listenReason(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

func describeSeed(r emulator.SeedResult) string {
	state := func(created bool) string {
		if created {
			return "created"
		}
		return "existing"
	}
	return fmt.Sprintf("seeded organization %q (%s), project %q (%s): %d tags, %d content types, %d published and %d draft items",
		r.Org, state(r.OrgCreated), r.Project, state(r.ProjectCreated), r.Tags, r.ContentTypes, r.Published, r.Drafts)
}
