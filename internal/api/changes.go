package api

import (
	"net/http"
	"sync"
)

// Change is a request that succeeded and may have changed something on the
// server: any method but GET, HEAD and OPTIONS with a 2xx answer.
type Change struct {
	Method, Path string // the path without query
	StatusCode   int
	RequestID    string
}

// changeLog records the client's changes, so that a command whose output fails
// afterwards can say what it had already done.
type changeLog struct {
	mu   sync.Mutex
	list []Change
}

func (l *changeLog) note(cl *call, resp *response) {
	if resp == nil || !resp.ok() {
		return
	}
	switch cl.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, Change{Method: cl.method, Path: cl.path, StatusCode: resp.status, RequestID: resp.requestID})
}

// Changes returns the requests of this client that succeeded and may have
// changed something, in the order they were answered.
func (c *Client) Changes() []Change {
	c.changes.mu.Lock()
	defer c.changes.mu.Unlock()
	return append([]Change(nil), c.changes.list...)
}
