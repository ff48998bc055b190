package redact

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	testKey = "7zvFJw9L0qEoYdKx2mBt1sLpZj3nX7gW"
	testJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl"
)

func TestSecretsAndContains(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"plain words", "plain words"},
		{"key " + testKey + " here", "key [key hidden] here"},
		{"Bearer " + testJWT, "Bearer [token hidden]"},
		{"abcdefghijklmnopqrstuvwxyzabcdef", "abcdefghijklmnopqrstuvwxyzabcdef"}, // not mixed: an ordinary word
		{"sk_" + testKey, "sk_" + testKey},                                       // not a word of its own
	} {
		if got := Secrets(c.in); got != c.want {
			t.Errorf("Secrets(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Contains(c.in); got != (c.in != c.want) {
			t.Errorf("Contains(%q) = %v", c.in, got)
		}
	}
	if !LooksLikeAPIKey(testKey) || LooksLikeAPIKey(testKey+"x") || !LooksLikeJWT(testJWT) {
		t.Error("shape predicates")
	}
}

func TestValues(t *testing.T) {
	secret := "s3cr3t-value"
	if got := Values("a s3cr3t-value b s3cr3t-value", []string{secret, "", "short"}); got != "a **** b ****" {
		t.Errorf("Values = %q", got)
	}
	if got := Values("short words stay", []string{"short"}); got != "short words stay" {
		t.Errorf("a secret under %d bytes masked ordinary text: %q", MinSecretLen, got)
	}
	in := map[string]any{"message": "bad " + secret, secret: []any{"x" + secret, 3.0}}
	out := ValuesIn(in, []string{secret})
	b, _ := json.Marshal(out)
	if strings.Contains(string(b), secret) || !strings.Contains(string(b), `"message":"bad ****"`) {
		t.Errorf("ValuesIn = %s", b)
	}
	if in["message"] != "bad "+secret {
		t.Error("ValuesIn changed its input")
	}
}

func TestFields(t *testing.T) {
	for _, name := range []string{"key", "apiKey", "x-api-key", "X_API_KEY", "token", "access_token", "secret", "jwt", "password", "Authorization"} {
		if !SensitiveField(name) {
			t.Errorf("SensitiveField(%q) = false", name)
		}
	}
	for _, name := range []string{"name", "id", "status", "keys", "tokenSource"} {
		if SensitiveField(name) {
			t.Errorf("SensitiveField(%q) = true", name)
		}
	}
	var v any
	_ = json.Unmarshal([]byte(`{"name":"ci","key":"`+testKey+`","nested":[{"apiKey":{"x":1}},{"Token":"t"}]}`), &v)
	b, _ := json.Marshal(Fields(v))
	want := `{"key":"****","name":"ci","nested":[{"apiKey":"****"},{"Token":"****"}]}`
	if string(b) != want {
		t.Errorf("Fields = %s, want %s", b, want)
	}
}
