// Package contract is the black-box HTTP test suite for the Metabind API
// contract (the project's API contract document, "The Metabind API, as this
// project speaks it"): the admin API under /app/v1, authenticated with a JWT,
// and the client API under /api/v1, authenticated with an API key.
//
// The tests speak plain net/http, not the CLI's api package, so the contract
// is checked independently of the code that consumes it. They assert
// statuses, the exact error codes the contract names, the error envelope
// {"error":{"code","message","details"}}, bare objects, {data, pagination}
// lists, X-Request-ID handling and the rate-limit headers.
//
// # Against the emulator (default)
//
//	go test ./internal/contract/
//
// starts the project's emulator in-process (a temporary SQLite database, rate
// limits off, seeded with the projects acme/web and acme/mobile and the
// organization globex with project site) behind an httptest server. A few
// tests start their own emulator with a rate limit or an injected clock.
//
// # Against a real server
//
// Set all four variables and run the same tests:
//
//	MB_CONTRACT_URL      base URL without the /app/v1 suffix, e.g. https://api.metabind.ai
//	MB_CONTRACT_TOKEN    an admin JWT whose role has the apiKeys permission
//	                     (owner, admin or developer), e.g. one made with
//	                     "Create JWT" in the web app
//	MB_CONTRACT_ORG      the organization the token belongs to
//	MB_CONTRACT_PROJECT  a scratch project of that organization
//
// for example
//
//	export MB_CONTRACT_URL=https://api.metabind.ai MB_CONTRACT_ORG=org123 MB_CONTRACT_PROJECT=proj456
//	read -rs MB_CONTRACT_TOKEN && export MB_CONTRACT_TOKEN
//	go test -count=1 -v ./internal/contract/
//
// The suite creates, renames, revokes and deletes API keys in that project
// (names start with "contract "), and deletes every key it created when each
// test ends, so use a project whose clients would not mind. A run makes
// about a thousand requests, a hundred or so with deliberately bad
// credentials; a 429 from the server is waited out (Retry-After up to a
// minute, three minutes at most per request) and the request resent, so a
// run against a rate-limited server takes a minute or two. Setting only some
// of the variables, or a URL with a path, fails the run before any test
// starts.
//
// Tests that need powers only the emulator gives — minting tokens with other
// roles or for other organizations, a second project, an injected clock, a
// low rate limit, the emulator's database or logs — skip themselves in that
// mode and say why. So do the checks of behaviour the contract marks as the
// emulator's own resolution (saved searches answering 404, lastUsed recorded
// before the response is sent).
//
// Failure messages never include a token or a key: response bodies are
// printed with secret fields masked.
package contract
