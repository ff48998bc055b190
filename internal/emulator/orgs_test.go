package emulator

import "testing"

func TestSeedName(t *testing.T) {
	for id, want := range map[string]string{
		"acme":      "Acme",
		"acme-corp": "Acme Corp",
		"web_app.2": "Web App 2",
		"---":       "---",
		"x":         "X",
	} {
		if got := seedName(id); got != want {
			t.Errorf("seedName(%q) = %q, want %q", id, got, want)
		}
	}
}
