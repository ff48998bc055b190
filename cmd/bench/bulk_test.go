package main

import (
	"strings"
	"testing"
	"time"
)

func TestSeededFor(t *testing.T) {
	for _, n := range []int{1, 6, 7, 150, 1000} {
		m := seededFor(n)
		if m-m/7 != n || (m > n && (m-1)-(m-1)/7 >= n) {
			t.Errorf("seededFor(%d) = %d: %d active", n, m, m-m/7)
		}
	}
}

// The emulator's log arrives in pieces; every request line is counted once,
// 429s apart.
func TestLogCounter(t *testing.T) {
	log := "metabind emulator listening on http://127.0.0.1:1\n" +
		"time=x level=INFO msg=request method=GET path=/a status=200 duration_ms=1\n" +
		"time=x level=INFO msg=request method=PUT path=/b status=429 duration_ms=1\n" +
		"time=x level=INFO msg=request method=PUT path=/b status=200 duration_ms=1\n"
	var lc logCounter
	for _, piece := range strings.SplitAfter(log, "s") {
		if _, err := lc.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	lc.changed = time.Time{}
	if req, refused := lc.settle(); req != 3 || refused != 1 {
		t.Errorf("counted %d requests, %d refused; want 3 and 1", req, refused)
	}
}
