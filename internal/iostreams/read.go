package iostreams

import (
	"context"
	"io"
)

// ReadAll reads r to the end, at most max+1 bytes (so a caller can tell that
// input was too long), and gives up when ctx is done: a read from a pipe or a
// terminal blocks, and Ctrl-C must still stop the command. The reading
// goroutine is abandoned then; the process is about to exit.
func ReadAll(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, max+1))
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
