package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/metabind/metabind-cli/internal/redact"
)

// command is one program invocation to time.
type command struct {
	Label   string   // how the report names it
	Path    string   // resolved executable
	Args    []string // arguments, without argv[0]
	Env     []string // complete environment
	Capture bool     // collect stdout (through a pipe, as $(…) would); else /dev/null
	// Check, when set, validates the captured stdout of every run.
	Check func(stdout []byte) error
	// Redact lists strings (secrets) never to be shown in a message.
	Redact []string
}

// runResult is one timed invocation.
type runResult struct {
	Wall      time.Duration // from fork to exit, as the caller of the program sees it
	CPU       time.Duration // user + system
	MaxRSSKiB int64
	// RSSFloorKiB, when non-zero, is the footprint of the helper the command
	// was forked from: a MaxRSSKiB at or below it means "at most this".
	RSSFloorKiB int64
	Stdout      []byte
}

// display is the command line for messages, with secrets masked.
func (c command) display() string {
	s := strings.Join(append([]string{c.Label}, c.Args...), " ")
	return redact.Values(s, c.Redact)
}

// runner runs commands for timing.
type runner struct {
	self    string   // this executable, for the -spawn helper
	devnull *os.File // stdout of commands whose output is not captured
}

// run executes c once and times it. A non-zero exit or a failed Check is an
// error: the harness measures only commands that work.
//
// Where supported, the command is started by this program re-executed as a
// small helper (-spawn) that forks it, waits for it and reports its wall time,
// CPU time and peak RSS; see spawn for why.
func (rn *runner) run(ctx context.Context, c command) (runResult, error) {
	var cmd *exec.Cmd
	var report *os.File
	if spawnSupported {
		r, w, err := os.Pipe()
		if err != nil {
			return runResult{}, err
		}
		defer r.Close()
		defer w.Close()
		report = r
		cmd = exec.CommandContext(ctx, rn.self, append([]string{"-spawn", c.Path}, c.Args...)...)
		cmd.ExtraFiles = []*os.File{w}
	} else {
		cmd = exec.CommandContext(ctx, c.Path, c.Args...)
	}
	cmd.Env = c.Env
	var out, errBuf bytes.Buffer
	if c.Capture {
		cmd.Stdout = &out
	} else {
		cmd.Stdout = rn.devnull
	}
	cmd.Stderr = &limitedBuffer{buf: &errBuf, max: 8 << 10}
	childAttrs(cmd)
	t0 := time.Now()
	err := cmd.Start()
	if report != nil {
		cmd.ExtraFiles[0].Close() // the helper holds the write end now
	}
	if err == nil {
		err = cmd.Wait()
	}
	wall := time.Since(t0)
	rss, cpu := usage(cmd.ProcessState)
	res := runResult{Wall: wall, CPU: cpu, MaxRSSKiB: rss}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err != nil {
		return res, fmt.Errorf("%s: %v%s", c.display(), err, stderrTail(errBuf.Bytes(), c.Redact))
	}
	if report != nil {
		line, rerr := io.ReadAll(report)
		var wallNs, cpuNs int64
		var status int
		if n, _ := fmt.Sscanf(string(line), "%d %d %d %d %d", &wallNs, &res.MaxRSSKiB, &cpuNs, &status, &res.RSSFloorKiB); rerr != nil || n != 5 {
			return res, fmt.Errorf("%s: the -spawn helper reported %q", c.display(), line)
		}
		res.Wall, res.CPU = time.Duration(wallNs), time.Duration(cpuNs)
		if status != 0 {
			how := fmt.Sprintf("exit status %d", status)
			if status < 0 {
				how = fmt.Sprintf("killed by signal %d", -status)
			}
			return res, fmt.Errorf("%s: %s%s", c.display(), how, stderrTail(errBuf.Bytes(), c.Redact))
		}
	}
	res.Stdout = out.Bytes()
	if c.Check != nil {
		if err := c.Check(res.Stdout); err != nil {
			return res, fmt.Errorf("%s: unexpected output: %v", c.display(), err)
		}
	}
	return res, nil
}

func stderrTail(b []byte, secrets []string) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	return "\n    stderr: " + redact.Values(s, secrets)
}

// limitedBuffer keeps the first max bytes written and discards the rest.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// server is a child process serving HTTP on loopback.
type server struct {
	Label string
	URL   string
	cmd   *exec.Cmd
	stdin io.Closer
	done  chan struct{}
	err   error
}

// startEmulator runs `metabind emulator start` and waits for its ready file.
func startEmulator(ctx context.Context, label, bin string, env []string, dir, db string, extra []string, stderr io.Writer) (*server, error) {
	ready, err := os.CreateTemp(dir, "ready-*")
	if err != nil {
		return nil, err
	}
	readyPath := ready.Name()
	ready.Close()
	os.Remove(readyPath) // the emulator creates it once listening
	args := append([]string{"emulator", "start", "--addr", "127.0.0.1:0", "--db", db, "--ready-file", readyPath, "--rate-limit", "0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	childAttrs(cmd)
	s := &server{Label: label, cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(readyPath); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			s.URL = strings.TrimSpace(string(b))
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited before it was ready: %v", label, s.err)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not become ready within 20s", label)
		}
	}
}

// startBare re-executes the harness as the bare net/http server and reads the
// URL it prints.
func startBare(ctx context.Context, self string) (*server, error) {
	cmd := exec.Command(self, "-serve-bare")
	cmd.Stderr = os.Stderr
	childAttrs(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{Label: "bare net/http", cmd: cmd, stdin: stdin, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bare server: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	var u string
	select {
	case u = <-lines:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill() // it may have exited already
		<-lines
	case <-ctx.Done():
		_ = cmd.Process.Kill() // it may have exited already
		<-lines
	}
	// The URL line has been read, so Wait may close the pipe from now on.
	go func() { s.err = cmd.Wait(); close(s.done) }()
	if !strings.HasPrefix(u, "http://") {
		s.stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errors.New("bare server did not print its URL within 20s")
	}
	s.URL = u
	return s, nil
}

// stop asks the server to shut down (SIGTERM, which both servers answer by
// draining), kills it after 10 s, and returns its peak RSS (read from /proc
// while it still runs, so that it counts only the server's own memory) and its
// CPU time.
func (s *server) stop() (maxRSSKiB int64, cpu time.Duration) {
	maxRSSKiB = peakRSS(s.cmd.Process.Pid)
	if s.stdin != nil {
		s.stdin.Close()
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM) // it may have exited already; Wait tells
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	rss, cpu := usage(s.cmd.ProcessState)
	if maxRSSKiB == 0 {
		maxRSSKiB = rss
	}
	return maxRSSKiB, cpu
}
