//go:build tools

// Package cosign pins sigstore's cosign CLI (an independent verifier of Twinbuild's DSSE attestations);
// build.sh builds it from the Go module proxy at the version go.mod requires, checked by go.sum.
package cosign

import _ "github.com/sigstore/cosign/v2/cmd/cosign"
