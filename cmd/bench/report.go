package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Targets, from the performance issue.
const (
	targetStartupRatio = 4.0
	targetCallRatio    = 1.5
	targetScaleWall    = 2 * time.Second
	targetScaleRSSKiB  = 60e6 / 1024 // 60 MB
	targetScaleRatio   = 12.0
	targetReqPerSec    = 10_000.0
	targetBareShare    = 0.40
)

type report struct {
	machine     machineInfo
	startup     *startupResult
	call        *callResult
	scale       *scaleResult
	load        *loadResults
	bulk        *bulkResults
	emulatorRSS int64 // peak RSS of the emulator that served the admin call and scale runs
}

// mdTable accumulates a Markdown table.
type mdTable struct {
	b *strings.Builder
}

func newTable(b *strings.Builder, align string, headers ...string) mdTable {
	b.WriteString("| " + strings.Join(headers, " | ") + " |\n|")
	for i := range headers {
		if i < len(align) && align[i] == 'r' {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	return mdTable{b: b}
}

func (t mdTable) row(cells ...string) {
	t.b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

func (r *report) markdown() string {
	var b strings.Builder
	m := r.machine
	b.WriteString("## Results\n\n")
	fmt.Fprintf(&b, "Machine: %d CPUs (nproc), %s, %s; Go %s; run %s.  \n", m.NumCPU, m.CPUModel, m.Kernel, strings.TrimPrefix(m.GoVersion, "go"), m.Date.Format("2006-01-02 15:04 UTC"))
	if m.BinVersion != "" || m.BinFlags != "" {
		fmt.Fprintf(&b, "Binary: %s, built with %s", m.BinVersion, m.BinGo)
		if m.BinFlags != "" {
			fmt.Fprintf(&b, " (%s)", m.BinFlags)
		}
		b.WriteString(".\n")
	}
	for _, n := range m.Notes {
		fmt.Fprintf(&b, "\n> Note: %s\n", n)
	}
	b.WriteString("\n")
	r.summary(&b)
	r.startupDetail(&b)
	r.callDetail(&b)
	r.scaleDetail(&b)
	r.loadDetail(&b)
	r.bulkDetail(&b)
	return b.String()
}

func (r *report) summary(b *strings.Builder) {
	b.WriteString("### Summary\n\n")
	t := newTable(b, "lrrrll", "Measurement", "metabind", "baseline", "ratio", "target", "result")
	if s := r.startup; s != nil {
		mbS, helloS := s.find("metabind --version"), s.find("minimal Go program")
		if mbS != nil && helloS != nil {
			mb, hello := median(mbS.Wall), median(helloS.Wall)
			rt := ratio(float64(mb), float64(hello))
			t.row("Start-up: `metabind --version` vs a minimal Go program (median wall)", fmtDur(mb), fmtDur(hello), fmtRatio(rt), "≤ 4×", verdict(rt <= targetStartupRatio))
			if se := s.find("minimal Go program + required libraries"); se != nil {
				lf := median(se.Wall)
				t.row("Start-up: the minimal program importing the required libraries (floor) vs the minimal program", fmtDur(lf), fmtDur(hello), fmtRatio(ratio(float64(lf), float64(hello))), "(information)", "")
				t.row("Start-up: `metabind --version` vs that floor (what project code adds)", fmtDur(mb), fmtDur(lf), fmtRatio(ratio(float64(mb), float64(lf))), "(information)", "")
			}
			if se := s.find("metabind keys --help"); se != nil {
				kh := median(se.Wall)
				t.row("Start-up: `metabind keys --help` vs the minimal program", fmtDur(kh), fmtDur(hello), fmtRatio(ratio(float64(kh), float64(hello))), "(information)", "")
			}
			if se := s.find("gh --version"); se != nil {
				gh := median(se.Wall)
				t.row("Start-up: `metabind --version` vs `gh --version`", fmtDur(mb), fmtDur(gh), fmtRatio(ratio(float64(mb), float64(gh))), "(information)", "")
			}
		}
	}
	if c := r.call; c != nil {
		if len(c.Series) == 2 {
			mb, cu := median(c.Series[0].Wall), median(c.Series[1].Wall)
			rt := ratio(float64(mb), float64(cu))
			t.row("One admin call: `keys list --limit 20 -o json` vs curl (median wall)", fmtDur(mb), fmtDur(cu), fmtRatio(rt), "≤ 1.5×", verdict(rt <= targetCallRatio))
		} else {
			t.row("One admin call vs curl", "—", "—", "—", "≤ 1.5×", "skipped: "+c.CurlNote)
		}
	}
	if s := r.scale; s != nil && len(s.Series) >= 2 {
		first, last := s.Series[0], s.Series[len(s.Series)-1]
		nf, nl := fmtCount(int64(s.Keys[0])), fmtCount(int64(s.Keys[len(s.Keys)-1]))
		wl, wf := median(last.Wall), median(first.Wall)
		rss := slices.Max(last.RSS)
		t.row(fmt.Sprintf("Scale: `keys list --all -o json`, %s keys, wall (median)", nl), fmtDur(wl), "", "", "≤ 2 s", verdict(wl <= targetScaleWall))
		t.row(fmt.Sprintf("Scale: %s keys, peak RSS (max of runs)", nl), fmtMB(rss), "", "", "≤ 60 MB", verdict(float64(rss) <= targetScaleRSSKiB))
		rt := ratio(float64(wl), float64(wf))
		t.row(fmt.Sprintf("Scale: %s keys vs %s keys, time", nl, nf), fmtDur(wl), fmtDur(wf), fmtRatio(rt), "≤ 12×", verdict(rt <= targetScaleRatio))
	}
	if l := r.load; l != nil && len(l.Runs) > 0 {
		agg := l.aggregate()
		if best, ok := l.best(agg, 1); ok {
			bare := agg[aggKey{0, best.Conns}]
			share := ratio(best.ReqPerSec, bare.ReqPerSec)
			t.row(fmt.Sprintf("Emulator: client-API req/s, lastUsed on (default 1m), %d connections", best.Conns),
				fmtCount(int64(best.ReqPerSec)), fmtCount(int64(bare.ReqPerSec))+" (bare net/http)", fmt.Sprintf("%.0f%%", share*100),
				"≥ 10,000 req/s and ≥ 40%", verdict(best.ReqPerSec >= targetReqPerSec && share >= targetBareShare))
		}
		if best, ok := l.best(agg, 2); ok {
			bare := agg[aggKey{0, best.Conns}]
			share := ratio(best.ReqPerSec, bare.ReqPerSec)
			t.row(fmt.Sprintf("Emulator: client-API req/s, `--last-used-resolution 0`, %d connections", best.Conns),
				fmtCount(int64(best.ReqPerSec)), fmtCount(int64(bare.ReqPerSec))+" (bare net/http)", fmt.Sprintf("%.0f%%", share*100), "(information)", "")
		}
	}
	b.WriteString("\n")
}

func (r *report) startupDetail(b *strings.Builder) {
	s := r.startup
	if s == nil {
		return
	}
	fmt.Fprintf(b, "### Start-up\n\n%d runs of each command, interleaved, output to /dev/null; the minimal Go program (`fmt.Println(\"hello\")`) is built by the harness with the same go command, `CGO_ENABLED=0 -trimpath -ldflags \"-s -w\"`.\n\n", len(s.Series[0].Wall))
	t := newTable(b, "lrrrrrr", "Command", "median", "p90", "min", "CPU (median)", "peak RSS (median)", "ratio (median)")
	base := median(s.find("minimal Go program").Wall)
	for _, se := range s.Series {
		t.row("`"+se.Label+"`", fmtDur(median(se.Wall)), fmtDur(percentile(se.Wall, 90)), fmtDur(slices.Min(se.Wall)),
			fmtDur(median(se.CPU)), se.rss(medianInt64(se.RSS)), fmtRatio(ratio(float64(median(se.Wall)), float64(base))))
	}
	if s.Floor() > 0 {
		fmt.Fprintf(b, "\nPeak RSS is read from the kernel's accounting of each command, forked from a helper process; a figure shown as \"≤ X\" is no larger than the helper's own footprint X and so not resolved further.\n")
	}
	for _, n := range []string{s.LibsNote, s.GhNote} {
		if n != "" {
			fmt.Fprintf(b, "\n%s\n", n)
		}
	}
	if len(s.Inits) > 0 {
		fmt.Fprintf(b, "\nPackage initialisation (`GODEBUG=inittrace=1 metabind --version`, median of 15 runs): %s in all, against %s for the minimal program", fmtDur(s.InitSum), fmtDur(s.HelloIn))
		if s.LibsIn > 0 {
			fmt.Fprintf(b, " and %s for the libraries floor", fmtDur(s.LibsIn))
		}
		b.WriteString(" (wall-clock time inside init functions, inflated by the tracing itself). The costliest:\n\n")
		t := newTable(b, "lrrr", "Package", "init clock", "bytes", "allocs")
		for i, c := range s.Inits {
			if i == 10 {
				break
			}
			t.row("`"+c.Pkg+"`", fmt.Sprintf("%.3f ms", float64(c.Clock)/float64(time.Millisecond)), fmtCount(c.Bytes), fmtCount(c.Allocs))
		}
	}
	b.WriteString("\n")
}

// find returns the series with the given label, or nil.
func (s *startupResult) find(label string) *timedSeries {
	for _, se := range s.Series {
		if se.Label == label {
			return se
		}
	}
	return nil
}

// Floor is the largest helper footprint of the start-up runs.
func (s *startupResult) Floor() int64 {
	var f int64
	for _, se := range s.Series {
		f = max(f, se.Floor)
	}
	return f
}

func (r *report) callDetail(b *strings.Builder) {
	c := r.call
	if c == nil {
		return
	}
	b.WriteString("### One admin call\n\n")
	if len(c.Series) != 2 {
		fmt.Fprintf(b, "%s\n\n", c.CurlNote)
		return
	}
	fmt.Fprintf(b, "%d runs of each, interleaved, against the same emulator (project with enough keys for a full page of 20); output captured through a pipe and checked (20 keys).\n\n", len(c.Series[0].Wall))
	t := newTable(b, "lrrrrr", "Command", "median", "p90", "CPU (median)", "peak RSS (median)", "ratio (median)")
	base := median(c.Series[1].Wall)
	for i, se := range c.Series {
		label := "`metabind keys list --limit 20 -o json`"
		if i == 1 {
			label = "`curl -s -H \"Authorization: Bearer $T\" $URL/app/v1/organizations/acme/projects/web/api-keys?limit=20`"
		}
		t.row(label, fmtDur(median(se.Wall)), fmtDur(percentile(se.Wall, 90)), fmtDur(median(se.CPU)), se.rss(medianInt64(se.RSS)), fmtRatio(ratio(float64(median(se.Wall)), float64(base))))
	}
	b.WriteString("\n")
}

func (r *report) scaleDetail(b *strings.Builder) {
	s := r.scale
	if s == nil {
		return
	}
	fmt.Fprintf(b, "### Scale\n\n`metabind keys list --all -o json`, %d runs at each size, interleaved, keys seeded by `metabind emulator seed --keys N`; every output checked to be a JSON array of N distinct keys.\n\n", len(s.Series[0].Wall))
	t := newTable(b, "rrrrrrr", "Keys", "median wall", "p90 wall", "CPU (median)", "peak RSS (median)", "peak RSS (max)", "time vs first size")
	base := median(s.Series[0].Wall)
	for i, se := range s.Series {
		t.row(fmtCount(int64(s.Keys[i])), fmtDur(median(se.Wall)), fmtDur(percentile(se.Wall, 90)), fmtDur(median(se.CPU)),
			se.rss(medianInt64(se.RSS)), se.rss(slices.Max(se.RSS)), fmtRatio(ratio(float64(median(se.Wall)), float64(base))))
	}
	if len(s.Formats) > 0 {
		b.WriteString("\nThe other output formats at the largest size, for information (no target):\n\n")
		t := newTable(b, "lrrrrr", "Output", "median wall", "p90 wall", "CPU (median)", "peak RSS (median)", "peak RSS (max)")
		for _, se := range s.Formats {
			t.row("`"+se.Label+"`", fmtDur(median(se.Wall)), fmtDur(percentile(se.Wall, 90)), fmtDur(median(se.CPU)), se.rss(medianInt64(se.RSS)), se.rss(slices.Max(se.RSS)))
		}
	}
	if r.emulatorRSS > 0 {
		fmt.Fprintf(b, "\nPeak RSS of the emulator that served these runs: %s.\n", fmtMB(r.emulatorRSS))
	}
	b.WriteString("\n")
}

type aggKey struct {
	target int
	conns  int
}

type aggResult struct {
	Conns     int
	ReqPerSec float64 // median over rounds
	P50, P99  time.Duration
	SrvCPU    time.Duration // per request, median over rounds
	GenCPU    time.Duration
	RSSKiB    int64
	Rounds    int
}

func (l *loadResults) aggregate() map[aggKey]aggResult {
	out := map[aggKey]aggResult{}
	for ti, t := range l.Targets {
		for _, c := range l.Conns {
			var rps []float64
			var lats []time.Duration
			var srv, gen []time.Duration
			var rss int64
			for _, run := range l.Runs {
				if run.Target != t.Label || run.Conns != c {
					continue
				}
				rps = append(rps, run.Result.ReqPerSec())
				lats = append(lats, run.Result.Latencies...)
				if n := run.Result.Requests; n > 0 {
					srv = append(srv, run.Result.ServerCPU/time.Duration(n))
					gen = append(gen, run.Result.GenCPU/time.Duration(n))
				}
				rss = max(rss, run.RSSKiB)
			}
			if len(rps) == 0 {
				continue
			}
			slices.Sort(lats)
			out[aggKey{ti, c}] = aggResult{Conns: c, ReqPerSec: medianFloat(rps), P50: percentileSorted(lats, 50), P99: percentileSorted(lats, 99),
				SrvCPU: median(srv), GenCPU: median(gen), RSSKiB: rss, Rounds: len(rps)}
		}
	}
	return out
}

// best returns target ti's result at the concurrency where it served the most.
func (l *loadResults) best(agg map[aggKey]aggResult, ti int) (aggResult, bool) {
	var best aggResult
	ok := false
	for _, c := range l.Conns {
		a, found := agg[aggKey{ti, c}]
		if found && (!ok || a.ReqPerSec > best.ReqPerSec) {
			best, ok = a, true
		}
	}
	return best, ok
}

func (r *report) loadDetail(b *strings.Builder) {
	l := r.load
	if l == nil || len(l.Runs) == 0 {
		return
	}
	fmt.Fprintf(b, "### Emulator throughput\n\n`GET /api/v1/organizations/acme/projects/web/tags?limit=1` with a valid `x-api-key` (the emulator with `--rate-limit 0`, its request log to /dev/null) against a bare net/http handler returning a body of the same shape, each a separate process on loopback, driven by the same closed-loop generator over keep-alive connections (%s; the servers interleaved). req/s is the median over rounds; latencies are pooled over rounds; CPU per request is the server's (from /proc) and the load generator's.\n\n", l.Spec)
	agg := l.aggregate()
	t := newTable(b, "lrrrrrrrr", "Server", "conns", "req/s", "% of bare", "p50", "p99", "server CPU/req", "generator CPU/req", "server peak RSS")
	for ti, tg := range l.Targets {
		for _, c := range l.Conns {
			a, ok := agg[aggKey{ti, c}]
			if !ok {
				continue
			}
			share := ""
			if bare, ok := agg[aggKey{0, c}]; ok && ti != 0 {
				share = fmt.Sprintf("%.0f%%", ratio(a.ReqPerSec, bare.ReqPerSec)*100)
			}
			t.row(tg.Label, fmt.Sprint(c), fmtCount(int64(a.ReqPerSec)), share, fmtDur(a.P50), fmtDur(a.P99), fmtDur(a.SrvCPU), fmtDur(a.GenCPU), fmtMB(a.RSSKiB))
		}
	}
	b.WriteString("\n")
}
