package output

import "time"

// now is the fixed clock of every test in this package.
var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time {
	t := now.Add(-d)
	return &t
}

// sampleKey mirrors the shape of an API key as the API returns it.
type sampleKey struct {
	ID        string     `json:"id"`
	ProjectID string     `json:"projectId"`
	Name      string     `json:"name"`
	Key       string     `json:"key,omitempty"`
	Status    string     `json:"status"`
	LastUsed  *time.Time `json:"lastUsed"`
	CreatedBy string     `json:"createdBy"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

func sampleKeys() []sampleKey {
	return []sampleKey{
		{
			ID: "afd8012b-6f0e-4c1f-9f5e-3b1c2d4e5f60", ProjectID: "web", Name: "iOS Production App",
			Key: "mb_live_Zx9qT2", Status: "active", LastUsed: ago(3*time.Hour + 12*time.Minute),
			CreatedBy: "ada@example.com", CreatedAt: now.Add(-40 * day), UpdatedAt: now.Add(-2 * day),
		},
		{
			ID: "0b7c2e91-1111-4a2b-8c3d-000000000002", ProjectID: "web", Name: "evil\x1b[2Jname",
			Status: "revoked", LastUsed: nil,
			CreatedBy: "bob@example.com", CreatedAt: now.Add(-400 * day), UpdatedAt: now.Add(-90 * time.Second),
		},
		{
			ID: "5e1d9c3a-2222-4b3c-9d4e-000000000003", ProjectID: "web", Name: "🚀 Launch <beta> & café",
			Status: "active", LastUsed: ago(25 * time.Second),
			CreatedBy: "cy@example.com", CreatedAt: now.Add(-3 * time.Hour), UpdatedAt: now.Add(-3 * time.Hour),
		},
	}
}

var keyHeaders = []string{"ID", "NAME", "STATUS", "LAST USED", "CREATED"}

func keyRows(keys []sampleKey, relative bool) [][]string {
	rows := make([][]string, len(keys))
	for i, k := range keys {
		created := k.CreatedAt
		rows[i] = []string{k.ID, k.Name, k.Status, FormatTime(k.LastUsed, now, relative), FormatTime(&created, now, relative)}
	}
	return rows
}
