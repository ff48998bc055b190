package prompt

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFakeScriptedAnswers(t *testing.T) {
	f := &Fake{Answers: []string{"my key\n", "  tok \n", "YES", ""}}
	ctx := context.Background()
	name, err := f.Input(ctx, "Name:")
	if err != nil || name != "my key" {
		t.Errorf("Input = %q, %v", name, err)
	}
	tok, err := f.Password(ctx, "Token:")
	if err != nil || tok != "tok" {
		t.Errorf("Password = %q, %v", tok, err)
	}
	if ok, err := f.Confirm(ctx, "Revoke?", false); err != nil || !ok {
		t.Errorf("Confirm(YES) = %v, %v", ok, err)
	}
	if ok, err := f.Confirm(ctx, "Keep?", true); err != nil || !ok {
		t.Errorf("Confirm(empty, defaultYes) = %v, %v; want the default", ok, err)
	}
	if want := []string{"Name:", "Token:", "Revoke?", "Keep?"}; !reflect.DeepEqual(f.Asked, want) {
		t.Errorf("Asked = %q, want %q", f.Asked, want)
	}
	if len(f.Answers) != 0 {
		t.Errorf("answers left: %q", f.Answers)
	}
}

func TestFakeRunsOutOfAnswers(t *testing.T) {
	f := &Fake{}
	_, err := f.Confirm(context.Background(), `Delete "ci"?`, false)
	if err == nil || err.Error() != `unexpected prompt: "Delete \"ci\"?"` {
		t.Errorf("err = %v, want unexpected prompt", err)
	}
	if len(f.Asked) != 1 {
		t.Errorf("Asked = %q, want the unexpected prompt recorded", f.Asked)
	}
}

func TestFakeConfirmParsesLikeTheRealOne(t *testing.T) {
	f := &Fake{Answers: []string{"sure", "n"}}
	ok, err := f.Confirm(context.Background(), "Revoke?", true)
	if err != nil || ok {
		t.Errorf("Confirm = %v, %v; want false after one re-ask", ok, err)
	}
	if !reflect.DeepEqual(f.Asked, []string{"Revoke?", "Revoke?"}) {
		t.Errorf("Asked = %q", f.Asked)
	}

	f = &Fake{Answers: []string{"a", "b", "c", "y"}}
	if _, err := f.Confirm(context.Background(), "Revoke?", false); err == nil || !strings.Contains(err.Error(), "3 attempts") {
		t.Errorf("err = %v, want the give-up error", err)
	}
	if !reflect.DeepEqual(f.Answers, []string{"y"}) {
		t.Errorf("answers left = %q, want only the fourth", f.Answers)
	}
}

func TestFakeCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &Fake{Answers: []string{"y"}}
	if _, err := f.Confirm(ctx, "Sure?", false); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if len(f.Asked) != 0 || len(f.Answers) != 1 {
		t.Errorf("a cancelled prompt consumed an answer: asked %q, left %q", f.Asked, f.Answers)
	}
}

func TestParseYesNo(t *testing.T) {
	for _, s := range []string{"y", "yes", "Y", "YES", "Yes", " y "} {
		if yes, ok := parseYesNo(s, false); !yes || !ok {
			t.Errorf("parseYesNo(%q) = %v, %v", s, yes, ok)
		}
	}
	for _, s := range []string{"n", "no", "N", "NO", "nO"} {
		if yes, ok := parseYesNo(s, true); yes || !ok {
			t.Errorf("parseYesNo(%q) = %v, %v", s, yes, ok)
		}
	}
	for _, s := range []string{"ye", "yess", "nope", "1", "true", "oui", "y y"} {
		if _, ok := parseYesNo(s, true); ok {
			t.Errorf("parseYesNo(%q) accepted", s)
		}
	}
}
