package iostreams

import (
	"context"
	"io"
)

// WithContext runs f, a call that may block (a read from a pipe or a
// terminal, the system keyring) and cannot be interrupted itself, and returns
// its result, or ctx's error as soon as ctx ends, whichever comes first. On an
// interrupt f is abandoned: it finishes on its own and its result is dropped
// (its goroutine never blocks); the process is then about to exit. f is not
// started when ctx has already ended.
func WithContext[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned f never blocks
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// ReadAll reads r to the end, at most max+1 bytes (so a caller can tell that
// input was too long), and gives up when ctx is done: a read from a pipe or a
// terminal blocks, and Ctrl-C must still stop the command. The read is then
// abandoned (see WithContext).
func ReadAll(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	return WithContext(ctx, func() ([]byte, error) {
		return io.ReadAll(io.LimitReader(r, max+1))
	})
}
