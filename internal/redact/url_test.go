package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.metabind.ai":             "https://api.metabind.ai",
		"https://user:hunter2@h.example/p":    "https://user:xxxxx@h.example/p",
		"https://h.example/?token=hunter2":    "https://h.example/?xxxxx",
		"https://h.example/#hunter2":          "https://h.example/#xxxxx",
		"http://127.0.0.1:8787/app/v1":        "http://127.0.0.1:8787/app/v1",
		"https://u@h.example/?a=hunter2#frag": "https://u@h.example/?xxxxx#xxxxx",
		"http://[::1%25hunter2":               "(not shown: not a URL)",
	} {
		got := URL(raw)
		if got != want || strings.Contains(got, "hunter2") {
			t.Errorf("URL(%q) = %q, want %q", raw, got, want)
		}
	}
}
