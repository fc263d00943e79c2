//go:build tools

// Package kind pins the kind CLI; e2e/kind/go-build.sh builds it from the Go module proxy, checked by go.sum.
package kind

import _ "sigs.k8s.io/kind"
