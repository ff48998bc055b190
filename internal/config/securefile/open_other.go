//go:build !unix

package securefile

// openNonblock is not available here; Read's stat check comes first.
const openNonblock = 0
