package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The load generator: a closed loop over N keep-alive HTTP/1.1 connections on
// loopback. Each connection sends one request, reads the whole response, and
// sends the next, so the offered load adapts to the server. It writes a
// prebuilt request and reads the response with net/http's own parser
// (http.ReadResponse) on the same connection: no per-request request building,
// no connection pool, no goroutines besides one a connection, which keeps its
// own CPU use small and identical for every server it is pointed at.

// loadSpec describes one run.
type loadSpec struct {
	Addr     string        // host:port on loopback
	Request  []byte        // the complete request, sent as is
	Conns    int           // concurrent connections
	Warmup   time.Duration // requests in this first window are not counted
	Duration time.Duration // measured window after the warm-up
	MaxReqs  int64         // stop early after this many requests in all (a bound, not a goal)
}

// loadResult is what one run measured.
type loadResult struct {
	Requests   int64         // requests completed in the measured window with a 2xx status
	Elapsed    time.Duration // length of the measured window
	Latencies  []time.Duration
	Non2xx     int64 // responses with another status (any window)
	IOErrors   int64 // failed writes, reads or dials (any window)
	Reconnects int64 // connections re-dialled after the server closed one
	FirstErr   string
	GenCPU     time.Duration // the harness's own CPU time during the measured window
	ServerCPU  time.Duration // the server's CPU time during the measured window (0 when unknown)
}

// ReqPerSec is the measured throughput.
func (r loadResult) ReqPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// buildRequest returns a GET request for path on host with the given headers,
// in HTTP/1.1 wire format.
func buildRequest(host, path string, headers [][2]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: metabind-bench\r\nAccept: application/json\r\n", path, host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// runLoad drives spec against a server; serverPID, when non-zero, is sampled
// for CPU time over the measured window.
func runLoad(ctx context.Context, spec loadSpec, serverPID int) (loadResult, error) {
	var (
		res        loadResult
		count      atomic.Int64 // requests started, against MaxReqs
		measured   atomic.Int64
		non2xx     atomic.Int64
		ioErrs     atomic.Int64
		reconnects atomic.Int64
		errOnce    sync.Once
		mu         sync.Mutex
		all        []time.Duration
	)
	start := time.Now()
	measureStart := start.Add(spec.Warmup)
	measureEnd := measureStart.Add(spec.Duration)
	deadline := measureEnd.Add(10 * time.Second) // no request may hang past this
	recordErr := func(err error) {
		errOnce.Do(func() { res.FirstErr = err.Error() })
	}

	// Sample CPU at the window's edges from a separate goroutine so that the
	// workers never wait on it.
	var genCPU0, genCPU1, srvCPU0, srvCPU1 time.Duration
	var srvErr error
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		sleepUntil(ctx, measureStart)
		genCPU0 = selfCPU()
		if serverPID != 0 {
			srvCPU0, srvErr = procCPU(serverPID)
		}
		sleepUntil(ctx, measureEnd)
		genCPU1 = selfCPU()
		if serverPID != 0 && srvErr == nil {
			srvCPU1, srvErr = procCPU(serverPID)
		}
	}()

	var wg sync.WaitGroup
	for range spec.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lats := make([]time.Duration, 0, 1<<14)
			var conn net.Conn
			var br *bufio.Reader
			defer func() {
				if conn != nil {
					conn.Close()
				}
				mu.Lock()
				all = append(all, lats...)
				mu.Unlock()
			}()
			dialer := net.Dialer{Timeout: 5 * time.Second}
			failures := 0
			for ctx.Err() == nil {
				if conn == nil {
					c, err := dialer.DialContext(ctx, "tcp", spec.Addr)
					if err != nil {
						ioErrs.Add(1)
						recordErr(err)
						if failures++; failures > 10 {
							return
						}
						time.Sleep(10 * time.Millisecond)
						continue
					}
					if tc, ok := c.(*net.TCPConn); ok {
						_ = tc.SetNoDelay(true) // latency tuning only
					}
					_ = c.SetDeadline(deadline) // a failure shows as a read error below
					conn, br = c, bufio.NewReaderSize(c, 16<<10)
				}
				if count.Add(1) > spec.MaxReqs {
					return
				}
				t0 := time.Now()
				if !t0.Before(measureEnd) {
					return
				}
				status, closeConn, err := exchange(conn, br, spec.Request)
				t1 := time.Now()
				if err != nil {
					ioErrs.Add(1)
					recordErr(err)
					conn.Close()
					conn = nil
					if failures++; failures > 10 {
						return
					}
					continue
				}
				if status < 200 || status > 299 {
					non2xx.Add(1)
					recordErr(fmt.Errorf("HTTP status %d", status))
				} else if !t0.Before(measureStart) && t1.Before(measureEnd) {
					measured.Add(1)
					lats = append(lats, t1.Sub(t0))
				}
				if closeConn {
					conn.Close()
					conn = nil
					reconnects.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	<-sampled
	if err := ctx.Err(); err != nil {
		return res, err
	}
	slices.Sort(all)
	res.Requests = measured.Load()
	res.Elapsed = spec.Duration
	if count.Load() > spec.MaxReqs {
		// Stopped by the request bound: the window ended early. The latest
		// completion time is not tracked, so report the bound honestly.
		return res, fmt.Errorf("the request bound (%d) was reached before the window ended; raise -max-requests", spec.MaxReqs)
	}
	res.Latencies = all
	res.Non2xx = non2xx.Load()
	res.IOErrors = ioErrs.Load()
	res.Reconnects = reconnects.Load()
	res.GenCPU = genCPU1 - genCPU0
	if serverPID != 0 && srvErr == nil {
		res.ServerCPU = srvCPU1 - srvCPU0
	}
	return res, nil
}

// exchange writes req on conn and reads the response from br (conn's reader).
func exchange(conn net.Conn, br *bufio.Reader, req []byte) (status int, closeConn bool, err error) {
	if _, err := conn.Write(req); err != nil {
		return 0, false, err
	}
	return readResponse(br)
}

// readResponse reads one response to a GET from br with net/http's parser
// and discards its body. It returns the status code and whether the server
// will close the connection (Connection: close, HTTP/1.0, or a body that
// ends with the connection).
func readResponse(br *bufio.Reader) (status int, closeConn bool, err error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, false, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return resp.StatusCode, resp.Close, err
}

func sleepUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
	case <-tm.C:
	}
}

// bareBody is what the bare handler returns: the shape and size of the
// emulator's answer to GET /tags?limit=1.
var bareBody = []byte(`{"data":[{"id":"9e414555-661d-493e-b193-4b8d3c884c9c","name":"News","slug":"news"}],"pagination":{"limit":1,"lastKey":"dGFnczox"}}` + "\n")

// bareHandler answers every GET that carries an x-api-key with bareBody: the
// least a Go HTTP server can do for the same request, the baseline the
// emulator is compared with.
func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.Header.Get("X-Api-Key") == "" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bareBody) // the load generator counts failed responses
	})
}

// serveBare is the child-process mode (-serve-bare): listen on a free loopback
// port, print the base URL on stdout, serve until SIGINT/SIGTERM or until
// stdin closes (the harness went away).
func serveBare() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: bare server:", err)
		return 1
	}
	srv := &http.Server{
		Handler:           bareHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin) // returns when the harness goes away
		stop()
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx) // exiting either way
	}()
	fmt.Printf("http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "bench: bare server:", err)
		return 1
	}
	return 0
}
