// Package keys implements `metabind keys`: create, list, show, revoke and test
// API keys. Each verb is one file; display.go and resolve.go are shared.
package keys

import (
	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// NewCmdKeys returns the keys command group.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Create, list, show, test, rotate, revoke and delete API keys",
		Long: `API keys give client apps read-only access to one project's published content,
sent as the x-api-key header. A key never expires, can be revoked at any time, and
its secret is shown only once, when it is created.

Commands that take ID|NAME accept a key's id, its name (case-insensitive) or a
unique prefix of its id; write id:ID or name:NAME when a name looks like an id.`,
	}
	cmd.AddCommand(
		NewCmdCreate(f, nil),
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdRevoke(f, nil),
		NewCmdTest(f, nil),
		NewCmdRotate(f, nil),
		NewCmdRename(f, nil),
		NewCmdDelete(f, nil),
	)
	return cmd
}
