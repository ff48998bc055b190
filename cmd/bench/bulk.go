package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// 5. Bulk work under the rate limit, and requests per key reference

// bulkRun is one bulk revoke against an emulator with a rate limit.
type bulkRun struct {
	Limit    int // requests per minute (the burst is the same)
	Keys     int
	Requests int // answered by the emulator, from its log
	Refused  int // of which 429
	Wall     time.Duration
	Floor    time.Duration // the least time the limit allows for Requests
}

// refRun counts the requests of one command at a project's size.
type refRun struct {
	Label    string
	Keys     int
	Requests int
}

type bulkResults struct {
	Runs []bulkRun
	Refs []refRun
}

// logCounter is an emulator's stderr: it counts request log lines.
type logCounter struct {
	mu       sync.Mutex
	partial  []byte
	requests int
	refused  int
	changed  time.Time
}

func (l *logCounter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := l.partial[:i]
		if bytes.Contains(line, []byte("msg=request ")) {
			l.requests++
			if bytes.Contains(line, []byte(" status=429 ")) {
				l.refused++
			}
			l.changed = time.Now()
		}
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

// settle waits until no request line has arrived for 200 ms (the emulator logs
// a request after answering it) and returns the counts.
func (l *logCounter) settle() (requests, refused int) {
	for {
		l.mu.Lock()
		quiet := time.Since(l.changed) >= 200*time.Millisecond
		requests, refused = l.requests, l.refused
		l.mu.Unlock()
		if quiet {
			return requests, refused
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seededFor is how many keys to seed for n active ones (the seed revokes one
// in seven).
func seededFor(n int) int {
	m := n
	for m-m/7 < n {
		m++
	}
	return m
}

func (b *bench) bulk(ctx context.Context, rep *report) error {
	res := &bulkResults{}
	rep.bulk = res
	for _, limit := range b.o.bulkLimits {
		r, err := b.bulkRevoke(ctx, limit)
		if err != nil {
			return fmt.Errorf("bulk revoke at %d/min: %w", limit, err)
		}
		res.Runs = append(res.Runs, r)
	}
	refs, err := b.refCounts(ctx, b.o.refKeys)
	if err != nil {
		return fmt.Errorf("requests per reference: %w", err)
	}
	res.Refs = refs
	return nil
}

// bulkEmulator seeds a fresh database with keys in acme/bulk, mints a token
// and starts an emulator with extra flags; the caller stops it.
func (b *bench) bulkEmulator(ctx context.Context, name string, keys int, extra []string) (emu *server, lc *logCounter, secrets, env []string, err error) {
	db := filepath.Join(b.dir, name+".db")
	seed := command{Label: "metabind emulator seed", Path: b.bin, Env: b.env(),
		Args: []string{"emulator", "seed", "--db", db, "--org", org, "--project", "bulk", "--keys", strconv.Itoa(keys)}}
	if _, err := b.rn.run(ctx, seed); err != nil {
		return nil, nil, nil, nil, err
	}
	tr, err := b.rn.run(ctx, command{Label: "metabind emulator token", Path: b.bin, Env: b.env(), Capture: true,
		Args: []string{"emulator", "token", "--db", db, "--org", org, "--ttl", "2h"}})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	token := strings.TrimSpace(string(tr.Stdout))
	if strings.Count(token, ".") != 2 {
		return nil, nil, nil, nil, errors.New("metabind emulator token did not print a JWT")
	}
	lc = &logCounter{}
	emu, err = startEmulator(ctx, name, b.bin, b.env(), b.dir, db, extra, lc)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	env = b.env("MB_API_URL="+emu.URL, "MB_TOKEN="+token, "MB_ORG="+org, "MB_PROJECT=bulk")
	return emu, lc, []string{token}, env, nil
}

// bulkRevoke revokes b.o.bulkKeys keys by selector under a limit of limit
// requests a minute and reports wall time, requests and 429s.
func (b *bench) bulkRevoke(ctx context.Context, limit int) (bulkRun, error) {
	n := b.o.bulkKeys
	r := bulkRun{Limit: limit, Keys: n}
	emu, lc, secrets, env, err := b.bulkEmulator(ctx, fmt.Sprintf("bulk-%d", limit), seededFor(n), []string{"--rate-limit", strconv.Itoa(limit)})
	if err != nil {
		return r, err
	}
	defer emu.stop()
	before, _ := lc.settle()
	b.logf("bulk: revoking %s keys at --rate-limit %d (the limit allows about %s)", fmtCount(int64(n)), limit,
		fmtDur(time.Duration(max(0, n+n/100-limit))*time.Minute/time.Duration(limit)))
	c := command{Label: "metabind keys revoke --name-match 'bulk-key-*' --yes -o json", Path: b.bin, Env: env, Capture: true, Redact: secrets,
		Args: []string{"keys", "revoke", "--name-match", "bulk-key-*", "--yes", "-o", "json"},
		Check: func(out []byte) error {
			var got []struct {
				Outcome string `json:"outcome"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				return err
			}
			revoked := 0
			for _, g := range got {
				if g.Outcome == "revoked" {
					revoked++
				}
			}
			if revoked != n {
				return fmt.Errorf("%d keys revoked, want %d", revoked, n)
			}
			return nil
		}}
	res, err := b.rn.run(ctx, c)
	if err != nil {
		return r, err
	}
	after, refused := lc.settle()
	r.Wall, r.Requests, r.Refused = res.Wall, after-before, refused
	r.Floor = time.Duration(max(0, r.Requests-limit)) * time.Minute / time.Duration(limit)
	b.logf("bulk: %d requests (%d answered 429) in %s; the limit's lower bound is %s", r.Requests, r.Refused, fmtDur(r.Wall), fmtDur(r.Floor))
	return r, nil
}

// refCounts counts the requests of `keys show|revoke <full id>` (and of a
// revoke by name) in a project of n keys.
func (b *bench) refCounts(ctx context.Context, n int) ([]refRun, error) {
	emu, lc, secrets, env, err := b.bulkEmulator(ctx, "refs", n, nil)
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	b.logf("requests per reference at %s keys", fmtCount(int64(n)))
	// Ids of two active keys, by name (these listings are not counted).
	ids := map[string]string{}
	for _, name := range []string{"bulk-key-00001", "bulk-key-00002"} {
		r, err := b.rn.run(ctx, command{Label: "metabind keys show", Path: b.bin, Env: env, Capture: true, Redact: secrets,
			Args: []string{"keys", "show", name, "-o", "json", "--jq", ".id"}})
		if err != nil {
			return nil, err
		}
		ids[name] = strings.TrimSpace(string(r.Stdout))
	}
	var out []refRun
	for _, tc := range []struct {
		label string
		args  []string
	}{
		{"`keys show <full id>`", []string{"keys", "show", ids["bulk-key-00001"], "-o", "json"}},
		{"`keys revoke <full id> --yes`", []string{"keys", "revoke", ids["bulk-key-00002"], "--yes", "-o", "json"}},
		{"`keys revoke NAME --yes`", []string{"keys", "revoke", "bulk-key-00003", "--yes", "-o", "json"}},
	} {
		before, _ := lc.settle()
		if _, err := b.rn.run(ctx, command{Label: "metabind " + strings.Join(tc.args[:2], " "), Path: b.bin, Env: env, Capture: true, Redact: secrets, Args: tc.args}); err != nil {
			return nil, err
		}
		after, _ := lc.settle()
		out = append(out, refRun{Label: tc.label, Keys: n, Requests: after - before})
	}
	return out, nil
}

func (r *report) bulkDetail(b *strings.Builder) {
	res := r.bulk
	if res == nil {
		return
	}
	b.WriteString("### Bulk revoke under the rate limit\n\n")
	b.WriteString("`keys revoke --name-match 'bulk-key-*' --yes -o json` against `metabind emulator start --rate-limit R` " +
		"(a burst of R, then R a minute). The lower bound is the time the limit itself imposes on the requests sent: " +
		"(requests − R) ÷ R minutes. Requests and 429s are counted in the emulator's request log.\n\n")
	t := newTable(b, "lrrrrrrr", "limit (per minute)", "keys", "wall time", "lower bound", "wall ÷ bound", "requests", "requests per key", "answered 429")
	for _, run := range res.Runs {
		t.row(strconv.Itoa(run.Limit), fmtCount(int64(run.Keys)), fmtDur(run.Wall), fmtDur(run.Floor),
			fmtRatio(ratio(float64(run.Wall), float64(run.Floor))), strconv.Itoa(run.Requests),
			fmt.Sprintf("%.3f", float64(run.Requests)/float64(run.Keys)), strconv.Itoa(run.Refused))
	}
	b.WriteString("\n### Requests per key reference\n\n")
	t = newTable(b, "lrr", "command", "keys in the project", "requests")
	for _, ref := range res.Refs {
		t.row(ref.Label, fmtCount(int64(ref.Keys)), strconv.Itoa(ref.Requests))
	}
	b.WriteString("\n")
}
