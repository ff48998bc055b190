// Command bench is metabind's performance harness (`make bench`). It is not
// shipped.
//
// In one run it measures, side by side on the machine it runs on:
//
//  1. start-up: `metabind --version` against a minimal Go program it builds
//     with the same Go and flags (and `metabind keys --help`, and
//     `gh --version` when gh is installed);
//  2. one admin call: `metabind keys list --limit 20 -o json` against curl
//     making the same request to the same emulator;
//  3. scale: `metabind keys list --all -o json` at 1,000 and 10,000 keys,
//     wall time and peak RSS;
//  4. emulator throughput: authenticated client-API requests per second
//     against a bare net/http handler, both as separate processes, driven by
//     the same closed-loop load generator;
//  5. bulk: `keys revoke` of 1,000 keys by selector against the emulator at
//     its default rate limit and at --rate-limit 120 (wall time against the
//     lower bound the limit sets, requests per key, 429s), and the requests
//     of `keys show|revoke <full id>` in a project of 10,000 keys.
//
// Compared commands are interleaved (A, B, A, B, …) so that drift affects both
// alike, and medians and p90s are reported with the ratios, which are what
// matter on a noisy machine. The results are printed as Markdown for
// docs/benchmarks.md. Timings never fail the run: the exit status is 0 unless
// something did not work (a command failed, an output did not parse, a
// request was refused).
package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/metabind/metabind-cli/internal/redact"
)

type options struct {
	bin         string
	startupReps int
	callReps    int
	scaleReps   int
	scaleKeys   []int
	callKeys    int
	conns       []int
	warmup      time.Duration
	duration    time.Duration
	rounds      int
	maxReqs     int64
	sections    map[string]bool
	mdFile      string
	bulkKeys    int
	bulkLimits  []int
	refKeys     int
}

var allSections = []string{"startup", "call", "scale", "load", "bulk"}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-serve-bare" {
		os.Exit(serveBare())
	}
	if len(os.Args) >= 3 && os.Args[1] == "-spawn" {
		os.Exit(spawn(os.Args[2:]))
	}
	os.Exit(run())
}

func run() int {
	var o options
	var scaleKeys, conns, sections, bulkLimits string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "bin/metabind", "the metabind `path` to measure (built by make build)")
	fs.IntVar(&o.startupReps, "startup-reps", 200, "interleaved runs of each start-up command")
	fs.IntVar(&o.callReps, "call-reps", 100, "interleaved runs of the admin call and of curl")
	fs.IntVar(&o.scaleReps, "scale-reps", 7, "interleaved runs of keys list --all at each size")
	fs.StringVar(&scaleKeys, "scale-keys", "1000,10000", "key counts for the scale runs; the ratio is last/first")
	fs.IntVar(&o.callKeys, "call-keys", 100, "keys in the project of the admin-call comparison")
	fs.StringVar(&conns, "conns", "32,64", "concurrent connections of the load generator, one run per value")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "load: warm-up before each measured window")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "load: measured window of each run")
	fs.IntVar(&o.rounds, "rounds", 3, "load: rounds over every server and concurrency (interleaved)")
	fs.Int64Var(&o.maxReqs, "max-requests", 20_000_000, "load: upper bound on the requests of one run")
	fs.StringVar(&sections, "sections", strings.Join(allSections, ","), "which measurements to run")
	fs.StringVar(&o.mdFile, "md", "", "also write the Markdown results to this file")
	fs.IntVar(&o.bulkKeys, "bulk-keys", 1000, "bulk: keys revoked by selector at each rate limit")
	fs.StringVar(&bulkLimits, "bulk-limits", "600,120", "bulk: emulator --rate-limit values (requests a minute), one run each")
	fs.IntVar(&o.refKeys, "ref-keys", 10000, "bulk: keys in the project where requests per key reference are counted")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./cmd/bench [flags]\n\nMeasures metabind side by side with baselines and prints a Markdown table.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var err error
	if o.scaleKeys, err = parseInts(scaleKeys); err != nil || len(o.scaleKeys) == 0 {
		fmt.Fprintln(os.Stderr, "bench: -scale-keys: want a comma-separated list of positive integers")
		return 2
	}
	if o.bulkLimits, err = parseInts(bulkLimits); err != nil || len(o.bulkLimits) == 0 {
		fmt.Fprintln(os.Stderr, "bench: -bulk-limits: want a comma-separated list of positive integers")
		return 2
	}
	if o.conns, err = parseInts(conns); err != nil || len(o.conns) == 0 {
		fmt.Fprintln(os.Stderr, "bench: -conns: want a comma-separated list of positive integers")
		return 2
	}
	o.sections = map[string]bool{}
	for s := range strings.SplitSeq(sections, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(allSections, s) {
			fmt.Fprintf(os.Stderr, "bench: -sections: unknown section %q (valid: %s)\n", s, strings.Join(allSections, ", "))
			return 2
		}
		o.sections[s] = true
	}
	if o.startupReps < 1 || o.callReps < 1 || o.scaleReps < 1 || o.rounds < 1 || o.callKeys < 20 || o.bulkKeys < 1 || o.refKeys < 10 || o.duration <= 0 || o.warmup < 0 || o.maxReqs < 1 {
		fmt.Fprintln(os.Stderr, "bench: repetitions and durations must be positive, and -call-keys at least 20")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := newBench(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer b.close()
	rep, err := b.run(ctx)
	md := rep.markdown()
	fmt.Print(md)
	if o.mdFile != "" {
		if werr := os.WriteFile(o.mdFile, []byte(md), 0o644); werr != nil {
			fmt.Fprintln(os.Stderr, "bench:", werr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "\nbench: FAILED:", err)
		return 1
	}
	return 0
}

func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad number %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// bench holds what every section shares.
type bench struct {
	o       options
	bin     string // absolute path of metabind
	self    string // this executable, re-run as the bare server
	dir     string // scratch directory, removed at the end
	devnull *os.File
	rn      *runner
	baseEnv []string
	started time.Time
}

func newBench(o options) (*bench, error) {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("%s is not an executable; run `make build` first or pass -bin", o.bin)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "metabind-bench-")
	if err != nil {
		return nil, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b := &bench{o: o, bin: bin, self: self, dir: dir, devnull: devnull, rn: &runner{self: self, devnull: devnull}, started: time.Now()}
	// The children get the harness's environment minus anything that would
	// change what they do: metabind's own settings, proxies, GODEBUG.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		lk := strings.ToLower(k)
		if strings.HasPrefix(k, "MB_") || strings.HasSuffix(lk, "_proxy") || k == "GODEBUG" || k == "GOGC" || k == "GOMEMLIMIT" || k == "GOMAXPROCS" {
			continue
		}
		b.baseEnv = append(b.baseEnv, kv)
	}
	b.baseEnv = append(b.baseEnv, "MB_CONFIG_DIR="+filepath.Join(dir, "config"), "MB_NO_KEYRING=1")
	return b, nil
}

func (b *bench) close() {
	b.devnull.Close()
	os.RemoveAll(b.dir)
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%5.1fs] %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

func (b *bench) env(extra ...string) []string {
	return append(slices.Clip(b.baseEnv), extra...)
}

// run performs the selected sections. The report holds whatever was measured
// even when a later section fails.
func (b *bench) run(ctx context.Context) (*report, error) {
	rep := &report{machine: b.machine()}
	if b.o.sections["startup"] {
		b.logf("start-up: %d interleaved runs of each command", b.o.startupReps)
		if err := b.startup(ctx, rep); err != nil {
			return rep, fmt.Errorf("start-up: %w", err)
		}
	}
	if b.o.sections["call"] || b.o.sections["scale"] || b.o.sections["load"] {
		if err := b.withEmulator(ctx, rep); err != nil {
			return rep, err
		}
	}
	if b.o.sections["bulk"] {
		if err := b.bulk(ctx, rep); err != nil {
			return rep, err
		}
	}
	b.logf("done")
	return rep, nil
}

// machineInfo describes where the numbers were taken.
type machineInfo struct {
	NumCPU     int
	CPUModel   string
	Kernel     string
	GoVersion  string // the go command's, which built the minimal program
	BinGo      string // the Go that built metabind
	BinVersion string // metabind's own --version first line
	BinFlags   string
	Date       time.Time
	Notes      []string
}

func (b *bench) machine() machineInfo {
	m := machineInfo{NumCPU: runtime.NumCPU(), CPUModel: cpuModel(), Kernel: kernel(), Date: time.Now().UTC(), GoVersion: runtime.Version()}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.GoVersion = strings.TrimSpace(string(out))
	}
	if bi, err := buildinfo.ReadFile(b.bin); err == nil {
		m.BinGo = bi.GoVersion
		var flags []string
		for _, s := range bi.Settings {
			switch s.Key {
			case "-trimpath", "CGO_ENABLED", "-ldflags", "vcs.revision", "vcs.modified":
				v := s.Value
				if s.Key == "-ldflags" {
					v = strconv.Quote(v)
				}
				flags = append(flags, s.Key+"="+v)
			}
		}
		m.BinFlags = strings.Join(flags, " ")
	}
	if out, err := exec.Command(b.bin, "--version").Output(); err == nil {
		m.BinVersion, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	}
	if m.BinGo != "" && m.BinGo != m.GoVersion {
		m.Notes = append(m.Notes, fmt.Sprintf("metabind was built with %s but the go command is %s: rebuild with `make build` for a like-for-like start-up comparison.", m.BinGo, m.GoVersion))
	}
	return m
}

// ---------------------------------------------------------------------------
// 1. Start-up

type timedSeries struct {
	Label   string
	Display string // the command as the report shows it
	Wall    []time.Duration
	CPU     []time.Duration
	RSS     []int64
	Floor   int64 // largest helper footprint seen (see runResult.RSSFloorKiB)
}

func (s *timedSeries) add(r runResult) {
	s.Wall = append(s.Wall, r.Wall)
	s.CPU = append(s.CPU, r.CPU)
	s.RSS = append(s.RSS, r.MaxRSSKiB)
	s.Floor = max(s.Floor, r.RSSFloorKiB)
}

// rss prints a peak-RSS figure of the series, as "≤ floor" when the figure is
// no more than the footprint of the helper the command was forked from.
func (s *timedSeries) rss(kib int64) string {
	if s.Floor > 0 && kib <= s.Floor+256 {
		return "≤ " + fmtMB(s.Floor)
	}
	return fmtMB(kib)
}

// interleave runs every command reps times, rotating the order on each round
// (A,B,C; B,C,A; …) so that neither drift nor position favours one.
func (b *bench) interleave(ctx context.Context, cmds []command, warmups, reps int) ([]*timedSeries, error) {
	series := make([]*timedSeries, len(cmds))
	for i, c := range cmds {
		series[i] = &timedSeries{Label: c.Label}
	}
	for i := 0; i < warmups; i++ {
		for _, c := range cmds {
			if _, err := b.rn.run(ctx, c); err != nil {
				return nil, err
			}
		}
	}
	for i := 0; i < reps; i++ {
		for j := range cmds {
			k := (i + j) % len(cmds)
			r, err := b.rn.run(ctx, cmds[k])
			if err != nil {
				return nil, err
			}
			series[k].add(r)
		}
	}
	return series, nil
}

type startupResult struct {
	Series   []*timedSeries // metabind --version, minimal Go, keys --help, [libraries floor], [gh --version]
	GhNote   string
	LibsNote string
	Inits    []initCost
	InitSum  time.Duration // median total init clock of metabind --version
	HelloIn  time.Duration // the same for the minimal program
	LibsIn   time.Duration // and for the libraries floor
}

func (b *bench) startup(ctx context.Context, rep *report) error {
	hello, err := b.buildHello(ctx)
	if err != nil {
		return err
	}
	env := b.env()
	versionCheck := func(out []byte) error {
		if !strings.HasPrefix(string(out), "metabind ") {
			return fmt.Errorf("want a line starting with %q, got %q", "metabind ", firstLine(out))
		}
		return nil
	}
	// One checked run of each, capturing the output; the timed runs write to
	// /dev/null.
	checks := []command{
		{Label: "metabind", Path: b.bin, Args: []string{"--version"}, Env: env, Capture: true, Check: versionCheck},
		{Label: "hello", Path: hello, Env: env, Capture: true, Check: func(out []byte) error {
			if string(out) != "hello\n" {
				return fmt.Errorf("got %q", out)
			}
			return nil
		}},
		{Label: "metabind", Path: b.bin, Args: []string{"keys", "--help"}, Env: env, Capture: true, Check: func(out []byte) error {
			if !strings.Contains(strings.ToLower(string(out)), "usage") { // "Usage:" or "USAGE"
				return errors.New("no usage text")
			}
			return nil
		}},
	}
	for _, c := range checks {
		if _, err := b.rn.run(ctx, c); err != nil {
			return err
		}
	}
	cmds := []command{
		{Label: "metabind --version", Path: b.bin, Args: []string{"--version"}, Env: env},
		{Label: "minimal Go program", Path: hello, Env: env},
		{Label: "metabind keys --help", Path: b.bin, Args: []string{"keys", "--help"}, Env: env},
	}
	res := &startupResult{}
	if libs, err := b.buildLibsFloor(ctx); err == nil {
		cmds = append(cmds, command{Label: "minimal Go program + required libraries", Path: libs, Env: env})
	} else {
		res.LibsNote = "The libraries floor (the minimal program importing the required libraries) was skipped: " + err.Error()
		b.logf("%s", res.LibsNote)
	}
	if gh, err := exec.LookPath("gh"); err == nil {
		cmds = append(cmds, command{Label: "gh --version", Path: gh, Args: []string{"--version"}, Env: env})
	} else {
		res.GhNote = "gh is not installed on this machine; `gh --version` was skipped."
	}
	series, err := b.interleave(ctx, cmds, 5, b.o.startupReps)
	if err != nil {
		return err
	}
	res.Series = series
	b.logf("start-up: GODEBUG=inittrace=1")
	res.Inits, res.InitSum, err = b.initTrace(ctx, b.bin, []string{"--version"}, 15)
	if err != nil {
		return err
	}
	_, res.HelloIn, err = b.initTrace(ctx, hello, nil, 15)
	if err != nil {
		return err
	}
	if se := res.find("minimal Go program + required libraries"); se != nil {
		for _, c := range cmds {
			if c.Label == se.Label {
				if _, res.LibsIn, err = b.initTrace(ctx, c.Path, nil, 15); err != nil {
					return err
				}
			}
		}
	}
	rep.startup = res
	return nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// requiredLibraries are the libraries the project's design requires; the
// "libraries floor" program imports them and does nothing else, showing what
// their package initialisation alone costs at start-up.
var requiredLibraries = []string{
	"github.com/go-resty/resty/v2",
	"github.com/google/uuid",
	"github.com/olekukonko/tablewriter",
	"github.com/spf13/cobra",
	"github.com/spf13/viper",
	"github.com/zalando/go-keyring",
	"go.yaml.in/yaml/v3",
	"golang.org/x/term",
	"modernc.org/sqlite",
}

// goVersion is the go command's version without the "go" prefix, e.g. 1.26.8.
func goVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		v = strings.TrimPrefix(strings.TrimSpace(string(out)), "go")
	}
	if i := strings.IndexAny(v, " -"); i >= 0 {
		v = v[:i]
	}
	return v
}

// buildHello builds the minimal Go program with the same go command and flags
// as `make build`: CGO_ENABLED=0, -trimpath, -ldflags "-s -w".
func (b *bench) buildHello(ctx context.Context) (string, error) {
	return b.buildProgram(ctx, "hello", map[string]string{
		"go.mod":  "module hello\n\ngo " + goVersion() + "\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
	})
}

// buildLibsFloor builds the minimal program plus blank imports of the
// required libraries, resolved by the project's own go.mod and go.sum (found
// from the current directory, as `make bench` runs at the repository root).
func (b *bench) buildLibsFloor(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("not run inside the project's module")
	}
	mod, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(filepath.Dir(gomod), "go.sum"))
	if err != nil {
		return "", err
	}
	lines := strings.Split(string(mod), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "module ") {
			lines[i] = "module libsfloor"
		}
	}
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n\t\"fmt\"\n\n")
	for _, lib := range requiredLibraries {
		fmt.Fprintf(&src, "\t_ %q\n", lib)
	}
	src.WriteString(")\n\nfunc main() { fmt.Println(\"hello\") }\n")
	return b.buildProgram(ctx, "libsfloor", map[string]string{
		"go.mod":  strings.Join(lines, "\n"),
		"go.sum":  string(sum),
		"main.go": src.String(),
	})
}

func (b *bench) buildProgram(ctx context.Context, name string, files map[string]string) (string, error) {
	dir := filepath.Join(b.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for f, body := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	out := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", name, err, msg)
	}
	return out, nil
}

// initCost is one package's initialisation in GODEBUG=inittrace=1 output.
type initCost struct {
	Pkg    string
	Clock  time.Duration // median over the runs
	Bytes  int64
	Allocs int64
}

// initTrace runs a program n times with GODEBUG=inittrace=1 and returns the
// packages whose init took longest (median clock) and the median total.
func (b *bench) initTrace(ctx context.Context, path string, args []string, n int) ([]initCost, time.Duration, error) {
	clocks := map[string][]time.Duration{}
	mem := map[string][2]int64{}
	var totals []time.Duration
	for range n {
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Env = b.env("GODEBUG=inittrace=1")
		cmd.Stdout = b.devnull
		var errOut strings.Builder
		cmd.Stderr = &errOut
		if err := cmd.Run(); err != nil {
			return nil, 0, fmt.Errorf("%s with GODEBUG=inittrace=1: %v", filepath.Base(path), err)
		}
		var total time.Duration
		for line := range strings.SplitSeq(errOut.String(), "\n") {
			c, ok := parseInitLine(line)
			if !ok {
				continue
			}
			clocks[c.Pkg] = append(clocks[c.Pkg], c.Clock)
			mem[c.Pkg] = [2]int64{c.Bytes, c.Allocs}
			total += c.Clock
		}
		totals = append(totals, total)
	}
	var out []initCost
	for pkg, cs := range clocks {
		m := mem[pkg]
		out = append(out, initCost{Pkg: pkg, Clock: median(cs), Bytes: m[0], Allocs: m[1]})
	}
	slices.SortFunc(out, func(a, b initCost) int {
		if a.Clock != b.Clock {
			return int(b.Clock - a.Clock)
		}
		return strings.Compare(a.Pkg, b.Pkg)
	})
	return out, median(totals), nil
}

// parseInitLine parses "init PKG @0.5 ms, 0.12 ms clock, 1234 bytes, 5 allocs".
func parseInitLine(line string) (initCost, bool) {
	f := strings.Fields(line)
	if len(f) != 11 || f[0] != "init" || !strings.HasPrefix(f[2], "@") || f[5] != "ms" || f[6] != "clock," || f[8] != "bytes," || f[10] != "allocs" {
		return initCost{}, false
	}
	ms, err1 := strconv.ParseFloat(f[4], 64)
	by, err2 := strconv.ParseInt(f[7], 10, 64)
	al, err3 := strconv.ParseInt(f[9], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return initCost{}, false
	}
	return initCost{Pkg: f[1], Clock: time.Duration(ms * float64(time.Millisecond)), Bytes: by, Allocs: al}, true
}

// ---------------------------------------------------------------------------
// 2–4. Against the emulator

const (
	org         = "acme"
	callProject = "web"
)

func scaleProject(n int) string { return fmt.Sprintf("scale-%d", n) }

// withEmulator seeds a database, starts one emulator for the admin-call and
// scale sections, creates the API key for the load section, and runs them.
func (b *bench) withEmulator(ctx context.Context, rep *report) error {
	db := filepath.Join(b.dir, "emulator.db")
	seed := func(project string, keys int) error {
		c := command{Label: "metabind emulator seed", Path: b.bin, Env: b.env(),
			Args: []string{"emulator", "seed", "--db", db, "--org", org, "--project", project, "--keys", strconv.Itoa(keys)}}
		t0 := time.Now()
		if _, err := b.rn.run(ctx, c); err != nil {
			return err
		}
		b.logf("seeded %s/%s with %s keys in %s", org, project, fmtCount(int64(keys)), fmtDur(time.Since(t0)))
		return nil
	}
	if err := seed(callProject, b.o.callKeys); err != nil {
		return err
	}
	if b.o.sections["scale"] {
		for _, n := range b.o.scaleKeys {
			if err := seed(scaleProject(n), n); err != nil {
				return err
			}
		}
	}
	tokCmd := command{Label: "metabind emulator token", Path: b.bin, Env: b.env(), Capture: true,
		Args: []string{"emulator", "token", "--db", db, "--org", org, "--ttl", "2h"}}
	tr, err := b.rn.run(ctx, tokCmd)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(string(tr.Stdout))
	if strings.Count(token, ".") != 2 {
		return errors.New("metabind emulator token did not print a JWT")
	}

	logPath := filepath.Join(b.dir, "emulator.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	emu, err := startEmulator(ctx, "emulator", b.bin, b.env(), b.dir, db, nil, logFile)
	if err != nil {
		return err
	}
	defer func() {
		if emu != nil {
			emu.stop()
		}
	}()
	b.logf("emulator listening on %s", emu.URL)
	cliEnv := b.env("MB_API_URL="+emu.URL, "MB_TOKEN="+token, "MB_ORG="+org, "MB_PROJECT="+callProject)
	secrets := []string{token}

	if b.o.sections["call"] {
		b.logf("admin call: %d interleaved runs of metabind and curl", b.o.callReps)
		if err := b.adminCall(ctx, rep, emu.URL, token, cliEnv, secrets); err != nil {
			return fmt.Errorf("admin call: %w", err)
		}
	}
	if b.o.sections["scale"] {
		b.logf("scale: %d interleaved runs at %v keys", b.o.scaleReps, b.o.scaleKeys)
		if err := b.scale(ctx, rep, cliEnv, secrets); err != nil {
			return fmt.Errorf("scale: %w", err)
		}
	}
	var apiKey string
	if b.o.sections["load"] {
		c := command{Label: "metabind keys create", Path: b.bin, Env: cliEnv, Capture: true, Redact: secrets,
			Args: []string{"keys", "create", "--name", fmt.Sprintf("bench-load-%d", time.Now().UnixNano()), "-q"}}
		r, err := b.rn.run(ctx, c)
		if err != nil {
			return err
		}
		apiKey = strings.TrimSpace(string(r.Stdout))
		if apiKey == "" || strings.ContainsAny(apiKey, " \n") {
			return errors.New("metabind keys create -q did not print a key")
		}
	}
	emuRSS, _ := emu.stop()
	rep.emulatorRSS = emuRSS
	emu = nil
	if !b.o.sections["load"] {
		return nil
	}
	if err := b.load(ctx, rep, db, apiKey); err != nil {
		return fmt.Errorf("emulator throughput: %w", err)
	}
	return nil
}

type callResult struct {
	CurlNote string
	Series   []*timedSeries // metabind, curl
}

func (b *bench) adminCall(ctx context.Context, rep *report, base, token string, cliEnv, secrets []string) error {
	res := &callResult{}
	rep.call = res
	mb := command{Label: "metabind keys list --limit 20 -o json", Path: b.bin, Env: cliEnv, Capture: true, Redact: secrets,
		Args:  []string{"keys", "list", "--limit", "20", "-o", "json"},
		Check: func(out []byte) error { return checkKeyArray(out, 20) }}
	curl, err := exec.LookPath("curl")
	if err != nil {
		res.CurlNote = "curl is not installed on this machine; the admin-call comparison was skipped."
		b.logf("%s", res.CurlNote)
		return nil
	}
	u := base + "/app/v1/organizations/" + url.PathEscape(org) + "/projects/" + url.PathEscape(callProject) + "/api-keys?limit=20"
	cu := command{Label: "curl", Path: curl, Env: b.env(), Capture: true, Redact: secrets,
		Args: []string{"-s", "-H", "Authorization: Bearer " + token, u},
		Check: func(out []byte) error {
			var page struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(out, &page); err != nil {
				return err
			}
			if len(page.Data) != 20 {
				return fmt.Errorf("want 20 keys in data, got %d", len(page.Data))
			}
			return nil
		}}
	res.Series, err = b.interleave(ctx, []command{mb, cu}, 5, b.o.callReps)
	return err
}

// checkKeyArray checks that out is a JSON array of n key objects with n
// distinct ids.
func checkKeyArray(out []byte, n int) error {
	var keys []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(out, &keys); err != nil {
		return fmt.Errorf("not a JSON array of keys: %v", err)
	}
	if len(keys) != n {
		return fmt.Errorf("want %d keys, got %d", n, len(keys))
	}
	seen := make(map[string]bool, n)
	for _, k := range keys {
		if k.ID == "" || k.Name == "" {
			return errors.New("a key without id or name")
		}
		if seen[k.ID] {
			return fmt.Errorf("key %s listed twice", k.ID)
		}
		seen[k.ID] = true
	}
	return nil
}

type scaleResult struct {
	Keys    []int
	Series  []*timedSeries // -o json at each size
	Formats []*timedSeries // table and YAML at the largest size (information)
}

func (b *bench) scale(ctx context.Context, rep *report, cliEnv, secrets []string) error {
	var cmds []command
	list := func(n int, label, format string, check func([]byte) error) command {
		return command{
			Label: label, Path: b.bin, Env: cliEnv, Capture: true, Redact: secrets, Check: check,
			Args: []string{"keys", "list", "--all", "-o", format, "--project", scaleProject(n)},
		}
	}
	for _, n := range b.o.scaleKeys {
		cmds = append(cmds, list(n, fmt.Sprintf("-o json, %s keys", fmtCount(int64(n))), "json",
			func(out []byte) error { return checkKeyArray(out, n) }))
	}
	n := b.o.scaleKeys[len(b.o.scaleKeys)-1]
	cmds = append(cmds,
		list(n, fmt.Sprintf("-o table (piped), %s keys", fmtCount(int64(n))), "table", func(out []byte) error {
			// A header line and one line per key.
			if got := bytes.Count(out, []byte("\n")); got != n+1 {
				return fmt.Errorf("want %d lines, got %d", n+1, got)
			}
			return nil
		}),
		list(n, fmt.Sprintf("-o yaml, %s keys", fmtCount(int64(n))), "yaml", func(out []byte) error {
			if got := bytes.Count(out, []byte("\n- id: ")) + boolInt(bytes.HasPrefix(out, []byte("- id: "))); got != n {
				return fmt.Errorf("want %d YAML list items, got %d", n, got)
			}
			return nil
		}),
	)
	series, err := b.interleave(ctx, cmds, 1, b.o.scaleReps)
	if err != nil {
		return err
	}
	k := len(b.o.scaleKeys)
	rep.scale = &scaleResult{Keys: b.o.scaleKeys, Series: series[:k], Formats: series[k:]}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---------------------------------------------------------------------------
// 4. Throughput

// loadTarget is one kind of server the generator is pointed at.
type loadTarget struct {
	Label string
	Bare  bool
	Extra []string // emulator start flags
}

type loadRun struct {
	Target string
	Conns  int
	Result loadResult
	RSSKiB int64
}

type loadResults struct {
	Targets []loadTarget
	Conns   []int
	Runs    []loadRun
	Spec    string
}

func (b *bench) load(ctx context.Context, rep *report, db, apiKey string) error {
	targets := []loadTarget{
		{Label: "bare net/http handler", Bare: true},
		{Label: "emulator, lastUsed every 1m (default)"},
		{Label: "emulator, --last-used-resolution 0 (lastUsed written once a second)", Extra: []string{"--last-used-resolution", "0"}},
	}
	res := &loadResults{Targets: targets, Conns: b.o.conns,
		Spec: fmt.Sprintf("%d round(s); each run %s warm-up + %s measured", b.o.rounds, b.o.warmup, b.o.duration)}
	rep.load = res
	path := "/api/v1/organizations/" + url.PathEscape(org) + "/projects/" + url.PathEscape(callProject) + "/tags?limit=1"
	for round := 0; round < b.o.rounds; round++ {
		for ci, conns := range b.o.conns {
			for ti := range targets {
				// Rotate the order of the servers between rounds and
				// concurrencies, so none always runs first.
				t := targets[(ti+round+ci)%len(targets)]
				run, err := b.loadOnce(ctx, t, db, apiKey, path, conns)
				if err != nil {
					return fmt.Errorf("%s, %d connections: %w", t.Label, conns, err)
				}
				res.Runs = append(res.Runs, run)
				b.logf("load round %d: %-58s %3d conns %8.0f req/s  p50 %s  p99 %s", round+1, t.Label, conns,
					run.Result.ReqPerSec(), fmtDur(percentileSorted(run.Result.Latencies, 50)), fmtDur(percentileSorted(run.Result.Latencies, 99)))
			}
		}
	}
	return nil
}

func (b *bench) loadOnce(ctx context.Context, t loadTarget, db, apiKey, path string, conns int) (loadRun, error) {
	var srv *server
	var err error
	if t.Bare {
		srv, err = startBare(ctx, b.self)
	} else {
		srv, err = startEmulator(ctx, t.Label, b.bin, b.env(), b.dir, db, t.Extra, b.devnull)
	}
	if err != nil {
		return loadRun{}, err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.stop()
		}
	}()
	u, err := url.Parse(srv.URL)
	if err != nil {
		return loadRun{}, err
	}
	if err := probe(ctx, srv.URL+path, apiKey); err != nil {
		return loadRun{}, err
	}
	req := buildRequest(u.Host, path, [][2]string{{"x-api-key", apiKey}})
	r, err := runLoad(ctx, loadSpec{Addr: u.Host, Request: req, Conns: conns, Warmup: b.o.warmup, Duration: b.o.duration, MaxReqs: b.o.maxReqs}, srv.cmd.Process.Pid)
	stopped = true
	rss, _ := srv.stop()
	if err != nil {
		return loadRun{}, err
	}
	if r.Non2xx > 0 || r.IOErrors > 0 {
		return loadRun{}, fmt.Errorf("%d non-2xx responses and %d I/O errors; first: %s", r.Non2xx, r.IOErrors, redact.Values(r.FirstErr, []string{apiKey}))
	}
	if r.Requests == 0 {
		return loadRun{}, errors.New("no request completed in the measured window")
	}
	return loadRun{Target: t.Label, Conns: conns, Result: r, RSSKiB: rss}, nil
}

// probe checks that the server accepts the key and refuses a request without
// one, so the load is measured on the authenticated path.
func probe(ctx context.Context, u, apiKey string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(key string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, err
		}
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if st, err := do(apiKey); err != nil || st != http.StatusOK {
		return fmt.Errorf("GET with the API key: status %d, error %v; want 200", st, err)
	}
	if st, err := do(""); err != nil || st != http.StatusUnauthorized {
		return fmt.Errorf("GET without an API key: status %d, error %v; want 401", st, err)
	}
	return nil
}
