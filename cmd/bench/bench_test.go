package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(5, 1, 3), 50, 3 * time.Millisecond},
		{ms(4, 1, 3, 2), 50, 2 * time.Millisecond}, // nearest rank: the 2nd of 4
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9 * time.Millisecond},
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 100, 10 * time.Millisecond},
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 1, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.in...)
		if got := percentile(tt.in, tt.p); got != tt.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", tt.in, tt.p, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("percentile modified its input")
			}
		}
	}
	if got := medianFloat([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("medianFloat = %v, want 2.5", got)
	}
	if got := medianInt64([]int64{9, 1, 5}); got != 5 {
		t.Errorf("medianInt64 = %v, want 5", got)
	}
}

func TestFormatting(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := fmtCount(in); got != want {
			t.Errorf("fmtCount(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{
		850 * time.Microsecond:  "850µs",
		4310 * time.Microsecond: "4.31ms",
		276 * time.Millisecond:  "276.0ms",
		1270 * time.Millisecond: "1.27s",
	} {
		if got := fmtDur(in); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", in, got, want)
		}
	}
	if got := fmtRatio(ratio(1, 0)); got != "n/a" {
		t.Errorf("ratio by zero printed %q", got)
	}
	if got := fmtMB(58594); got != "60.0 MB" {
		t.Errorf("fmtMB = %q", got)
	}
}

func TestParseInitLine(t *testing.T) {
	c, ok := parseInitLine("init github.com/spf13/viper @1.52 ms, 0.083 ms clock, 12456 bytes, 134 allocs")
	if !ok {
		t.Fatal("did not parse a well-formed line")
	}
	if c.Pkg != "github.com/spf13/viper" || c.Clock != 83*time.Microsecond || c.Bytes != 12456 || c.Allocs != 134 {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range []string{"", "hello", "init x @1 ms, zz ms clock, 1 bytes, 1 allocs", "gc 1 @0.012s 2%: 0.01+0.2+0.01 ms clock"} {
		if _, ok := parseInitLine(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		status    int
		closeConn bool
		wantErr   bool
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 200, false, false},
		{"chunked", "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n", 401, false, false},
		{"close", "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 503, true, false},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", 204, false, false},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, true, false},
		{"garbage", "hello world\r\n\r\n", 0, false, true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n", 0, false, true},
		{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantErr {
				if _, _, err := readResponse(bufio.NewReader(strings.NewReader(tt.raw))); err == nil {
					t.Fatalf("no error for %q", tt.raw)
				}
				return
			}
			// Two copies back to back: the first must be consumed exactly.
			br := bufio.NewReader(strings.NewReader(tt.raw + tt.raw))
			status, closeConn, err := readResponse(br)
			if err != nil || status != tt.status || closeConn != tt.closeConn {
				t.Fatalf("got (%d, %v, %v), want (%d, %v, nil)", status, closeConn, err, tt.status, tt.closeConn)
			}
			if status2, _, err := readResponse(br); err != nil || status2 != tt.status {
				t.Fatalf("second response: (%d, %v): the first was not consumed exactly", status2, err)
			}
		})
	}
}

func TestCheckKeyArray(t *testing.T) {
	good := `[{"id":"a","name":"one"},{"id":"b","name":"two"}]`
	if err := checkKeyArray([]byte(good), 2); err != nil {
		t.Errorf("good array: %v", err)
	}
	for _, tt := range []struct{ in string }{
		{`{"data":[]}`},
		{good[:len(good)-1]},
		{`[{"id":"a","name":"one"}]`},
		{`[{"id":"a","name":"one"},{"id":"a","name":"two"}]`},
		{`[{"id":"a","name":"one"},{"id":"","name":"two"}]`},
	} {
		if err := checkKeyArray([]byte(tt.in), 2); err == nil {
			t.Errorf("accepted %s", tt.in)
		}
	}
}

func TestRedact(t *testing.T) {
	c := command{Label: "curl", Args: []string{"-H", "Authorization: Bearer s3cret.tok.en"}, Redact: []string{"s3cret.tok.en", ""}}
	if d := c.display(); strings.Contains(d, "s3cret") || !strings.Contains(d, "Bearer ***") {
		t.Errorf("display() = %q", d)
	}
}

// TestRunLoadBare drives the bare handler briefly and checks that the
// generator counts, times and validates responses (not how fast they are).
func TestRunLoadBare(t *testing.T) {
	srv := httptest.NewServer(bareHandler())
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	spec := loadSpec{Addr: u.Host, Conns: 4, Warmup: 50 * time.Millisecond, Duration: 200 * time.Millisecond, MaxReqs: 1 << 30}

	spec.Request = buildRequest(u.Host, "/api/v1/tags?limit=1", [][2]string{{"x-api-key", "k"}})
	r, err := runLoad(context.Background(), spec, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || int64(len(r.Latencies)) != r.Requests || r.Non2xx != 0 || r.IOErrors != 0 {
		t.Fatalf("requests %d, latencies %d, non-2xx %d, I/O errors %d (%s)", r.Requests, len(r.Latencies), r.Non2xx, r.IOErrors, r.FirstErr)
	}
	for i := 1; i < len(r.Latencies); i++ {
		if r.Latencies[i] < r.Latencies[i-1] {
			t.Fatal("latencies not sorted")
		}
	}

	// Without the key every answer is a 401, which the generator must report.
	spec.Request = buildRequest(u.Host, "/api/v1/tags?limit=1", nil)
	r, err = runLoad(context.Background(), spec, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Non2xx == 0 || r.Requests != 0 || !strings.Contains(r.FirstErr, "401") {
		t.Fatalf("unauthenticated run: requests %d, non-2xx %d, first error %q", r.Requests, r.Non2xx, r.FirstErr)
	}
}

// TestRunLoadFraming drives a server that answers in chunks and closes every
// third connection after its answer: the generator must read each answer
// whole, re-dial after a close, and count non-2xx answers as such.
func TestRunLoadFraming(t *testing.T) {
	var n atomic.Int64
	status := atomic.Int32{}
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"data":`))
		w.(http.Flusher).Flush() // the rest goes in a second chunk
		_, _ = w.Write([]byte(`[]}`))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	spec := loadSpec{Addr: u.Host, Conns: 2, Warmup: 20 * time.Millisecond, Duration: 150 * time.Millisecond, MaxReqs: 1 << 30,
		Request: buildRequest(u.Host, "/", nil)}

	r, err := runLoad(context.Background(), spec, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Reconnects == 0 || r.Non2xx != 0 || r.IOErrors != 0 {
		t.Fatalf("requests %d, reconnects %d, non-2xx %d, I/O errors %d (%s)", r.Requests, r.Reconnects, r.Non2xx, r.IOErrors, r.FirstErr)
	}

	status.Store(http.StatusServiceUnavailable)
	r, err = runLoad(context.Background(), spec, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 0 || r.Non2xx == 0 || r.Reconnects == 0 || r.IOErrors != 0 || !strings.Contains(r.FirstErr, "503") {
		t.Fatalf("503 run: requests %d, non-2xx %d, reconnects %d, I/O errors %d, first error %q", r.Requests, r.Non2xx, r.Reconnects, r.IOErrors, r.FirstErr)
	}
}

func TestBareHandler(t *testing.T) {
	h := bareHandler()
	for _, tt := range []struct {
		method, key string
		status      int
	}{
		{"GET", "k", http.StatusOK},
		{"GET", "", http.StatusUnauthorized},
		{"POST", "k", http.StatusMethodNotAllowed},
	} {
		r := httptest.NewRequest(tt.method, "/api/v1/organizations/acme/projects/web/tags?limit=1", nil)
		if tt.key != "" {
			r.Header.Set("x-api-key", tt.key)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.status {
			t.Errorf("%s key=%q: status %d, want %d", tt.method, tt.key, w.Code, tt.status)
		}
		if tt.status == http.StatusOK && (w.Body.String() != string(bareBody) || w.Header().Get("Content-Type") != "application/json") {
			t.Errorf("body %q, content type %q", w.Body.String(), w.Header().Get("Content-Type"))
		}
	}
}

// TestMain lets the test binary act as the -spawn helper, as the harness does.
func TestMain(m *testing.M) {
	if len(os.Args) >= 3 && os.Args[1] == "-spawn" {
		os.Exit(spawn(os.Args[2:]))
	}
	os.Exit(m.Run())
}

func TestRunnerRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	rn := &runner{self: self, devnull: devnull}
	ctx := context.Background()

	ok := command{Label: "sh", Path: sh, Args: []string{"-c", `printf '%s\n' "$BENCH_X"`}, Env: []string{"BENCH_X=from-env"}, Capture: true,
		Check: func(out []byte) error {
			if string(out) != "from-env\n" {
				return fmt.Errorf("got %q", out)
			}
			return nil
		}}
	r, err := rn.run(ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	if r.Wall <= 0 || string(r.Stdout) != "from-env\n" {
		t.Errorf("wall %v, stdout %q", r.Wall, r.Stdout)
	}
	if spawnSupported && r.MaxRSSKiB <= 0 {
		t.Errorf("no peak RSS reported")
	}

	fail := command{Label: "sh", Path: sh, Args: []string{"-c", "echo oops-hidden-value >&2; exit 3"}, Redact: []string{"oops-hidden-value"}}
	if _, err := rn.run(ctx, fail); err == nil || !strings.Contains(err.Error(), "exit status 3") || strings.Contains(err.Error(), "oops-hidden-value") {
		t.Errorf("failing command: error %v; want exit status 3 with stderr redacted", err)
	}

	bad := ok
	bad.Check = func([]byte) error { return errors.New("nope") }
	if _, err := rn.run(ctx, bad); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("failed check: error %v", err)
	}
}

// BenchmarkReadResponse measures what the generator spends reading one answer
// of the bare handler's shape (the generator's CPU per request, without the
// network).
func BenchmarkReadResponse(b *testing.B) {
	raw := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Fri, 04 Dec 2026 15:00:00 GMT\r\nContent-Length: %d\r\n\r\n%s", len(bareBody), bareBody)
	br := bufio.NewReaderSize(&repeatReader{data: []byte(raw)}, 16<<10)
	b.ReportAllocs()
	for b.Loop() {
		if status, _, err := readResponse(br); err != nil || status != http.StatusOK {
			b.Fatal(status, err)
		}
	}
}

// repeatReader reads data over and over.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}
