package iostreams

import (
	"context"
	"errors"
	"io"
	"testing"
)

// Cancelled while f blocks, WithContext returns the context's error without
// waiting for f, which finishes later on its own without blocking.
func TestWithContextAbandonsABlockedCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := WithContext(ctx, func() (int, error) {
			close(started)
			<-release // blocks until the test lets it go, after WithContext returned
			close(finished)
			return 1, nil
		})
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	select {
	case <-finished:
		t.Fatal("WithContext waited for the call")
	default:
	}
	close(release)
	<-finished // the abandoned call ends: its result goes to a buffered channel
}

// When f finishes first, its result and error are returned as they are.
func TestWithContextReturnsTheResult(t *testing.T) {
	want := errors.New("keyring says no")
	v, err := WithContext(context.Background(), func() (string, error) { return "value", want })
	if v != "value" || err != want {
		t.Fatalf("got %q, %v", v, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v, err = WithContext(ctx, func() (string, error) { return "ok", nil })
	if v != "ok" || err != nil {
		t.Fatalf("got %q, %v", v, err)
	}
}

// With the context already ended, f is not started.
func TestWithContextDoesNotStartAfterTheEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if _, err := WithContext(ctx, func() (int, error) { called = true; return 0, nil }); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err = %v, called = %v", err, called)
	}
}

// ReadAll is WithContext around a bounded read: a read that blocks (an idle
// terminal) is given up when the context ends mid-read.
func TestReadAllStopsWhileReading(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ReadAll(ctx, pr, 10)
		done <- err
	}()
	if _, err := pw.Write([]byte("abc")); err != nil { // the reader has started
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
