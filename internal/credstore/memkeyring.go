package credstore

import "sync"

// MemoryKeyring is an in-memory Keyring for tests, here and in other packages.
// It can be made to fail every call (FailWith) or to block every call until
// released (Block, Unblock), to stand in for an unavailable or hanging system
// keyring. It is safe for concurrent use.
type MemoryKeyring struct {
	mu      sync.Mutex
	items   map[memKey]string
	err     error
	blocked chan struct{}
	calls   int
}

type memKey struct{ service, user string }

// NewMemoryKeyring returns an empty, working MemoryKeyring.
func NewMemoryKeyring() *MemoryKeyring {
	return &MemoryKeyring{items: map[memKey]string{}}
}

// FailWith makes every later Get, Set and Delete return err (wrapped by the
// Store as a keyring failure); nil makes the keyring work again.
func (m *MemoryKeyring) FailWith(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// Block makes every later call wait until Unblock, forever if Unblock is never
// called — a keyring that hangs. Tests should call Unblock in t.Cleanup so the
// abandoned calls finish.
func (m *MemoryKeyring) Block() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.blocked == nil {
		m.blocked = make(chan struct{})
	}
}

// Unblock releases every call waiting since Block; later calls run at once.
func (m *MemoryKeyring) Unblock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.blocked != nil {
		close(m.blocked)
		m.blocked = nil
	}
}

// Secret returns the stored secret directly, ignoring FailWith and Block, for
// assertions.
func (m *MemoryKeyring) Secret(service, user string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.items[memKey{service, user}]
	return s, ok
}

// Calls returns how many Get, Set and Delete calls were made.
func (m *MemoryKeyring) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

// enter counts a call, waits while the keyring is blocked and returns the
// configured failure, if any.
func (m *MemoryKeyring) enter() error {
	m.mu.Lock()
	m.calls++
	wait := m.blocked
	m.mu.Unlock()
	if wait != nil {
		<-wait
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Get implements Keyring.
func (m *MemoryKeyring) Get(service, user string) (string, error) {
	if err := m.enter(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.items[memKey{service, user}]
	if !ok {
		return "", ErrKeyringNotFound
	}
	return s, nil
}

// Set implements Keyring.
func (m *MemoryKeyring) Set(service, user, secret string) error {
	if err := m.enter(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[memKey{service, user}] = secret
	return nil
}

// Delete implements Keyring.
func (m *MemoryKeyring) Delete(service, user string) error {
	if err := m.enter(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := memKey{service, user}
	if _, ok := m.items[k]; !ok {
		return ErrKeyringNotFound
	}
	delete(m.items, k)
	return nil
}
