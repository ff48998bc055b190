package auth

import (
	"context"
	"time"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// orgNameTimeout bounds the name lookup of `auth status`, which otherwise
// works offline.
const orgNameTimeout = 3 * time.Second

// orgNamer returns a lookup of an organization's name with the stored token:
// one GET, at most orgNameTimeout, "" on any failure (and nothing printed).
func orgNamer(f *cmdutil.Factory) func(context.Context, string) string {
	return func(ctx context.Context, org string) string {
		client, err := f.APIClient()
		if err != nil {
			return ""
		}
		ctx, cancel := context.WithTimeout(ctx, orgNameTimeout)
		defer cancel()
		o, err := client.GetOrganization(ctx, org)
		if err != nil {
			return ""
		}
		return o.Name
	}
}

// withName shows an id with the name the API gave it: "Acme Corp (acme)";
// the id alone when there is no name or it adds nothing.
func withName(id, name string) string {
	switch {
	case id == "":
		return "-"
	case name == "" || name == id:
		return id
	}
	return name + " (" + id + ")"
}
