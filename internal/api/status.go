package api

// Key statuses (Key.Status, ListOptions.Status, UpdateKeyRequest.Status).
const (
	StatusActive  = "active"
	StatusRevoked = "revoked"
)
